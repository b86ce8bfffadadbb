"""The web pages the bulletins link to, over real HTTP on 127.0.0.1: editions and their PDF,
item pages, unsubscription (link and RFC 8058 one-click), French error pages, hostile input."""
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from html import unescape

import httpx
import pytest
from sqlalchemy import select, update

from tests.licences import license_localhost
from tests.livesite import LiveSite
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import AGENT, ELU, SmtpSink, cli, free_port, outbox, send, subscribe
from veille.bulletins.models import PENDING, SKIPPED, Edition, Subscriber
from veille.bulletins.outbox import UNSUBSCRIBED
from veille.models import Item


@pytest.fixture
def site(week):
    license_localhost(week)  # the full text of items, as a licensed commune reads it
    with LiveSite() as running, httpx.Client(base_url=running.url, timeout=30) as client:
        running.client = client
        yield running


def get(site, path, **options):
    return site.client.get(site.url + path, **options)  # as typed: "//x" stays a path


def item_ids(env) -> dict[str, str]:
    with env.session() as session:
        return {item.title: item.id for item in session.scalars(select(Item))}


def token_of(env, address) -> str:
    with env.session() as session:
        return session.scalar(select(Subscriber.token).where(Subscriber.email == address))


def subscriber(env, address) -> Subscriber:
    with env.session() as session:
        return session.scalar(select(Subscriber).where(Subscriber.email == address))


def text(html: str) -> str:
    """What a reader sees of a page, its style sheet left out."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ").split())


# --- Editions --------------------------------------------------------------------------------

def test_daily_edition_page(site, week):
    page = get(site, "/bulletins/quotidien/2017-03-29")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    body = text(page.text)
    assert "L'actualité du mercredi 29 mars 2017" in body
    assert "JOURNAL OFFICIEL n°75 du 29 mars 2017" in body
    assert "Répertoire électoral unique et tenue des listes électorales" in body
    ids = item_ids(week)
    guide = ids["Guide des marchés publics innovants"]
    assert f'href="/articles/{guide}"' in page.text  # links within the site, whatever its host
    assert 'href="/bulletins/quotidien/2017-03-29.pdf"' in page.text
    assert "<script" not in page.text and "javascript:" not in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no script at all
    assert page.headers["x-content-type-options"] == "nosniff"


def test_weekly_recap_page_and_any_day_of_its_week(site):
    page = get(site, "/bulletins/hebdomadaire/2017-03-27")
    assert page.status_code == 200
    assert "Récapitulatif de la semaine du 27 mars au 2 avril 2017" in text(page.text)
    moved = get(site, "/bulletins/hebdomadaire/2017-03-29")
    assert moved.status_code == 302 and moved.headers["location"].endswith("/bulletins/hebdomadaire/2017-03-27")
    moved_pdf = get(site, "/bulletins/hebdomadaire/2017-03-29.pdf")
    assert moved_pdf.headers["location"].endswith("/bulletins/hebdomadaire/2017-03-27.pdf")


def test_pdf_download_is_rendered_once_per_build(site, week):
    first = get(site, "/bulletins/quotidien/2017-03-29.pdf")
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.content.startswith(b"%PDF-")
    assert first.headers["content-disposition"] == "attachment; filename=veille-quotidien-2017-03-29.pdf"
    cached = list((week.root / "var" / "cache" / "pdf").glob("daily-2017-03-29-*.pdf"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    again = get(site, "/bulletins/quotidien/2017-03-29.pdf")
    assert again.content == first.content and cached[0].stat().st_mtime_ns == stamp
    assert cli(week, "bulletin", "build", "daily", "--date", "2017-03-29", "--rebuild").code == 0
    get(site, "/bulletins/quotidien/2017-03-29.pdf")
    [rebuilt] = (week.root / "var" / "cache" / "pdf").glob("daily-2017-03-29-*.pdf")
    assert rebuilt != cached[0]  # rendered again for the new build; the old file removed


def test_list_of_editions(site):
    page = get(site, "/bulletins/")
    body = text(page.text)
    assert page.status_code == 200
    assert body.index("L'actualité du mercredi 29 mars 2017") < body.index("L'actualité du mardi 28 mars 2017")
    assert "Récapitulatif de la semaine du 27 mars au 2 avril 2017" in body
    home = text(get(site, "/").text)
    assert "L'actualité du mercredi 29 mars 2017" in home and "Derniers articles reçus" in home


@pytest.mark.parametrize("path, message", [
    ("/bulletins/quotidien/2099-03-30", "L'édition quotidienne du lundi 30 mars 2099 n'est pas disponible : "
                                        "elle n'a pas encore été publiée."),
    ("/bulletins/quotidien/2017-03-26", "L'édition quotidienne du dimanche 26 mars 2017 n'existe pas : "
                                        "aucun bulletin n'a été publiée pour cette date."),
    ("/bulletins/hebdomadaire/2017-04-03", "Le récapitulatif de la semaine du 3 au 9 avril 2017 n'existe pas"),
    ("/bulletins/quotidien/2017-02-30", "la date s'écrit AAAA-MM-JJ"),
    ("/bulletins/quotidien/20170329", "la date s'écrit AAAA-MM-JJ"),
    ("/bulletins/quotidien/2017-03-29%0A", "la date s'écrit AAAA-MM-JJ"),
    ("/bulletins/quotidien/2017-03-29.exe", "la date s'écrit AAAA-MM-JJ"),
    ("/bulletins/hebdomadaire/9999-12-27", "la date s'écrit AAAA-MM-JJ"),
    ("/bulletins/mensuel/2017-03-29", "/bulletins/quotidien/AAAA-MM-JJ ou /bulletins/hebdomadaire/AAAA-MM-JJ"),
    ("/bulletins/quotidien/..%2F..%2Fetc%2Fpasswd", "Cette page n'existe pas"),
    ("/bulletins//quotidien/2017-03-29", "Cette page n'existe pas"),  # not redirected to a host-named URL
    ("/bulletins/?page=2", "Cette page de la liste n'existe pas (pages 1 à 1)."),
    ("/bulletins/?page=-1", "Cette page de la liste n'existe pas"),
    ("/nulle-part", "Cette page n'existe pas"),
])
def test_missing_or_malformed_edition_is_a_french_404(site, path, message):
    page = get(site, path)
    assert page.status_code == 404
    assert message in text(page.text) and "Traceback" not in page.text
    assert '<html lang="fr">' in page.text


# --- Item pages ------------------------------------------------------------------------------

def test_item_page(site, week):
    ids = item_ids(week)
    circular = ids["Circulaire du 27 mars 2017 relative à la dotation globale de fonctionnement des communes pour 2017"]
    page = get(site, f"/articles/{circular}")
    assert page.status_code == 200
    body = text(page.text)
    assert "<h1>Dotation globale de fonctionnement des communes pour 2017</h1>" in page.text.replace("\xa0", " ")
    assert "Circulaire du 27 mars 2017 relative à la dotation globale" in body  # the official title too
    assert "Légifrance – Circulaires - 27 mars 2017 - NOR : INTB1708123C" in body
    assert "Finances locales - Dotations" in body  # its rubrique, by label
    assert "Publié le lundi 27 mars 2017 Reçu le mardi 28 mars 2017 à 18:00" in body  # Europe/Paris; a date alone
    assert 'href="https://www.legifrance.gouv.fr/circulaire/id/42001"' in page.text


def test_hostile_item_is_shown_harmless(site, week):
    ids = item_ids(week)
    hostile = next(i for title, i in ids.items() if title.startswith("Élections municipales partielles"))
    with week.session() as session, session.begin():  # as if an old version had stored it unclean
        session.execute(update(Item).where(Item.id == hostile).values(
            content_html='<p onclick="x()">Calendrier</p><script>alert(3)</script><a href="javascript:alert(4)">a</a>'
                         '<img src="https://exemple.fr/x.png" onerror="alert(5)">'))
    page = get(site, f"/articles/{hostile}")
    assert page.status_code == 200
    assert "Calendrier" in page.text
    for bad in ("<script>alert", "onclick", "onerror", "javascript:", "\r\nBcc"):
        assert bad not in page.text
    assert "&lt;script&gt;" in page.text  # the title's markup shown as text
    assert 'href="https://exemple.fr/x.png"' in page.text and "<img" not in page.text  # nothing loaded from elsewhere
    assert "img-src 'self' data:;" in page.headers["content-security-policy"]


def test_source_headings_sit_below_the_page_title(site, week):
    ids = item_ids(week)
    guide = ids["Guide des marchés publics innovants"]
    with week.session() as session, session.begin():
        session.execute(update(Item).where(Item.id == guide).values(
            content_html="<h1>Article 1er</h1><p>Texte.</p><h2>Section</h2><h5>Alinéa</h5>"))
    page = get(site, f"/articles/{guide}").text
    assert page.count("<h1") == 1
    assert "<h3>Article 1er</h3>" in page and "<h4>Section</h4>" in page and "<h6>Alinéa</h6>" in page


def test_hidden_item_is_withdrawn_from_its_page_the_editions_and_their_pdf(site, week):
    ids = item_ids(week)
    guide = ids["Guide des marchés publics innovants"]
    before = get(site, "/bulletins/quotidien/2017-03-29.pdf").content
    assert "Guide des marchés publics innovants" in text(get(site, "/bulletins/hebdomadaire/2017-03-27").text)
    assert cli(week, "hide", guide, "--reason", "doublon").code == 0
    page = get(site, f"/articles/{guide}")
    assert page.status_code == 410 and "Cet article a été retiré par la rédaction." in text(page.text)
    assert "doublon" not in page.text  # the editor's note is internal
    assert "Guide des marchés publics innovants" not in text(get(site, "/").text)
    for edition in ("/bulletins/quotidien/2017-03-29", "/bulletins/hebdomadaire/2017-03-27"):
        assert "Guide des marchés publics innovants" not in text(get(site, edition).text)
    after = get(site, "/bulletins/quotidien/2017-03-29.pdf").content
    assert after.startswith(b"%PDF-") and after != before
    assert len(list((week.root / "var" / "cache" / "pdf").glob("daily-2017-03-29-*.pdf"))) == 1  # the old one removed


@pytest.mark.parametrize("item_id, message", [
    ("inconnu", "Cet article n'existe pas dans l'archive"),
    ("a" * 65, "Cet article n'existe pas dans l'archive"),
    ("inconnu%0A", "Cet article n'existe pas dans l'archive"),
    ("<script>alert(1)", "Cet article n'existe pas dans l'archive"),
    ("<script>alert(1)</script>", "Cette page n'existe pas"),
])
def test_unknown_item_is_a_french_404(site, item_id, message):
    page = get(site, f"/articles/{item_id}")
    assert page.status_code == 404 and message in text(page.text)
    assert "<script>alert(1)" not in page.text


def test_wrong_method_is_a_french_405_with_the_methods_allowed(site):
    page = site.client.post("/bulletins/quotidien/2017-03-29")
    assert page.status_code == 405 and "Cette adresse ne s'utilise pas ainsi." in text(page.text)
    assert set(page.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_large_body_is_refused_before_any_view(site, week):
    subscribe(week, (AGENT,))
    page = site.client.post(f"/desabonnement/{token_of(week, AGENT)}", content=b"x" * (65 * 1024))
    assert page.status_code == 413 and "La requête est trop volumineuse." in text(page.text)
    assert subscriber(week, AGENT).disabled_at is None


def test_redirects_stay_on_the_site_whatever_host_is_claimed(site):
    moved = get(site, "/bulletins", headers={"Host": "pirate.example"})
    assert moved.status_code == 308 and moved.headers["location"] == "/bulletins/"
    weekly = get(site, "/bulletins/hebdomadaire/2017-03-29", headers={"Host": "pirate.example"})
    assert weekly.headers["location"] == "/bulletins/hebdomadaire/2017-03-27"


def test_list_of_editions_is_paged(site, week):
    start = datetime(2016, 1, 1, tzinfo=timezone.utc)
    with week.session() as session, session.begin():
        for n in range(70):  # a list reads only kinds and days: empty snapshots will do
            session.add(Edition(kind="daily", day=date(2016, 1, 1) + timedelta(days=n), window_start=start,
                                window_end=start, built_at=start, content={}))
    pages = [get(site, "/bulletins/").text, get(site, "/bulletins/?page=2").text]
    assert [page.count('aria-label="PDF') for page in pages] == [60, 73 - 60]
    first, second = map(text, pages)
    assert "Page 1 sur 2" in first and "Plus anciens" in first and "Plus récents" not in first
    # newest first: the 3 editions of March 2017, then 57 of the 70: down to 14 January 2016
    assert "L'actualité du jeudi 14 janvier 2016" in first and "mercredi 13 janvier 2016" not in first
    assert "L'actualité du mercredi 13 janvier 2016" in second
    assert "L'actualité du vendredi 1er janvier 2016" in second and "Plus récents" in second


# --- Unsubscription --------------------------------------------------------------------------

def test_unsubscribe_link_asks_before_acting(site, week):
    subscribe(week, (AGENT,))
    token = token_of(week, AGENT)
    page = get(site, f"/desabonnement/{token}")
    assert page.status_code == 200
    assert "a••••@mairie-exemple.fr" in page.text and AGENT not in page.text
    assert "Me désabonner" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert subscriber(week, AGENT).disabled_at is None  # opening the link (a mail scanner may) changes nothing


def test_an_address_disabled_after_bounces_is_not_enabled_from_the_link(site, week):
    subscribe(week, (AGENT,))
    token = token_of(week, AGENT)
    with week.session() as session, session.begin():
        session.execute(update(Subscriber).where(Subscriber.email == AGENT).values(
            disabled_at=datetime.now(timezone.utc), disabled_reason="3 rejet(s) définitif(s)", bounces=3))
    page = text(get(site, f"/desabonnement/{token}").text)
    assert "ont été refusés à plusieurs reprises" in page and "Me réabonner" not in page
    assert "écrivez à bulletin@veille.test" in page
    refused = site.client.post(f"/desabonnement/{token}/reabonnement")
    assert refused.status_code == 200 and "Me réabonner" not in refused.text
    assert subscriber(week, AGENT).disabled_at is not None and subscriber(week, AGENT).bounces == 3


def test_one_click_unsubscription_rfc_8058(site, week):
    subscribe(week, (AGENT,), (ELU,))
    token = token_of(week, AGENT)
    done = site.client.post(f"/desabonnement/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "ne recevra plus les bulletins" in text(done.text)
    gone = subscriber(week, AGENT)
    assert gone.disabled_at is not None and gone.disabled_reason == "désabonnement demandé par l'abonné"
    assert subscriber(week, ELU).disabled_at is None
    again = site.client.post(f"/desabonnement/{token}", data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and subscriber(week, AGENT).disabled_at == gone.disabled_at  # idempotent
    assert "ne reçoit plus les bulletins" in text(get(site, f"/desabonnement/{token}").text)
    back = site.client.post(f"/desabonnement/{token}/reabonnement")
    assert back.status_code == 200 and "recevra de nouveau les bulletins" in text(back.text)
    assert subscriber(week, AGENT).disabled_at is None


@pytest.mark.parametrize("token", ["x", "inconnu-inconnu-inconnu-inconnu", "a" * 200, "<b>jeton", "{token}%0A"])
def test_unknown_unsubscribe_token(site, week, token):
    subscribe(week, (AGENT,))
    token = token.format(token=token_of(week, AGENT))
    for response in (get(site, f"/desabonnement/{token}"),
                     site.client.post(f"/desabonnement/{token}", data={"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 404
        assert "Ce lien de désabonnement n'est pas valide." in text(response.text)
        assert "<b>jeton" not in response.text
    assert subscriber(week, AGENT).disabled_at is None


def test_unsubscribed_while_queued_is_not_sent(site, week, monkeypatch):
    port = free_port()
    monkeypatch.setenv("VEILLE_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("VEILLE_SMTP_RETRY_PERIOD", "1s")
    subscribe(week, (AGENT,), (ELU,))
    assert send(week).code == 1  # the server is down: both messages wait in the outbox
    assert {row.state for row in outbox(week).values()} == {PENDING}
    site.client.post(f"/desabonnement/{token_of(week, AGENT)}", data={"List-Unsubscribe": "One-Click"})
    with SmtpSink(port) as back:
        result = send(week)
        assert result.code == 0, result.err
        assert "1 envoyé, 0 ignoré (rien de nouveau), 1 désabonné entre-temps, 0 en échec" in result.out
        assert [rcpt for rcpt, _ in back.inbox.messages] == [ELU]
    rows = outbox(week)
    assert rows[AGENT].state == SKIPPED and rows[AGENT].last_error == UNSUBSCRIBED


# --- veille serve ----------------------------------------------------------------------------

def test_serve_command_serves_the_site_and_reports_a_busy_port(week):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "veille", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == f"Site web de Veille : http://127.0.0.1:{port}/ (Ctrl+C pour arrêter)\n"
        page = httpx.get(f"http://127.0.0.1:{port}/bulletins/quotidien/2017-03-29", timeout=30)
        assert page.status_code == 200 and "L&#39;actualité du mercredi 29 mars 2017" in page.text
        busy = subprocess.run([sys.executable, "-m", "veille", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2
        assert busy.stderr == (f"erreur : impossible d'écouter sur 127.0.0.1:{port} : "
                               "adresse déjà utilisée (un autre serveur écoute-t-il sur ce port ?)\n")
        assert "Traceback" not in busy.stderr
        huge = httpx.post(f"http://127.0.0.1:{port}/bulletins/", content=b"x" * (2 * 1024 * 1024), timeout=30)
        assert huge.status_code == 413  # waitress refuses it before the application reads anything
        wrong = httpx.post(f"http://127.0.0.1:{port}/bulletins/", timeout=30)
        assert wrong.status_code == 405 and "GET" in wrong.headers["allow"]
    finally:
        process.terminate()
        process.wait(10)

"""Who reads the full text: a visitor inside a licensed organisation's IP ranges (IPv4 and IPv6,
straight or behind trusted proxies), a logged-in member of a licensed organisation; anyone
else reads titles, headlines and summaries with an invitation to log in or start a trial. An
expired or suspended licence says so. A client cannot claim an address with X-Forwarded-For."""
import socket

import pytest
from sqlalchemy import select, update

from tests.livesite import LiveSite
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.web_accounts import RENNES, SECRET, TOULOUSE, Browser, add_user, cli, text
from veille.models import Item

FULL_TEXT = "Article 1er du texte intégral réservé aux abonnés."
AGENT = "agent@mairie-rennes.fr"


@pytest.fixture
def archive(week, monkeypatch):
    """Toulouse licensed for 192.0.2.0/24 and 2001:db8:31::/48; Rennes licensed, no range; an item
    with a full text."""
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1")
    cli(week, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune", "--licence-jusqu", "2099-12-31")
    cli(week, "org", "ip", "add", TOULOUSE, "192.0.2.0/24")
    cli(week, "org", "ip", "add", TOULOUSE, "2001:db8:31::/48")
    cli(week, "org", "add", "Commune de Rennes", "--siren", RENNES, "--type", "commune", "--licence-jusqu", "2099-12-31")
    add_user(week, monkeypatch, AGENT, RENNES)
    with week.session() as session, session.begin():
        item_id = session.scalar(select(Item.id).where(Item.title.like("Guide des marchés publics innovants%")))
        session.execute(update(Item).where(Item.id == item_id).values(content_html=f"<p>{FULL_TEXT}</p>"))
    week.item_path = f"/articles/{item_id}"
    return week


def reads_in_full(answer) -> bool:
    assert answer.status_code == 200
    body = text(answer.text)
    assert "Guide des marchés publics innovants" in body  # the headline, whoever asks
    if FULL_TEXT in body:
        assert "Texte complet réservé aux abonnés" not in body
        return True
    assert "Texte complet réservé aux abonnés" in body
    return False


def test_outside_every_range_titles_and_summaries_only(archive):
    with LiveSite() as site:
        page = Browser(site).get(archive.item_path)
        assert not reads_in_full(page)
        assert "Se connecter" in text(page.text) and "Essai gratuit" in text(page.text)
        assert "Accès Commune" not in text(page.text)
        assert page.headers.get("cache-control") != "private"


def test_a_direct_client_cannot_claim_an_address(archive):
    with LiveSite() as site:
        spoofed = Browser(site, headers={"X-Forwarded-For": "192.0.2.10", "X-Real-IP": "192.0.2.10"})
        assert not reads_in_full(spoofed.get(archive.item_path))


@pytest.mark.parametrize("client", ["192.0.2.10", "2001:db8:31:7::1"])
def test_behind_trusted_proxies_the_forwarded_address_counts(archive, monkeypatch, client):
    monkeypatch.setenv("VEILLE_TRUSTED_PROXIES", "2")
    with LiveSite() as site:
        # client -> proxy 1 (appends the client) -> proxy 2 (appends proxy 1) -> the app
        inside = Browser(site, headers={"X-Forwarded-For": f"{client}, 10.0.0.2"})
        page = inside.get(archive.item_path)
        assert reads_in_full(page)
        assert "Accès Commune de Toulouse" in text(page.text) and page.headers["cache-control"] == "private"
        claimed = Browser(site, headers={"X-Forwarded-For": f"{client}, 198.51.100.9, 10.0.0.2"})
        assert not reads_in_full(claimed.get(archive.item_path))  # what the client itself wrote is ignored
        outside = Browser(site, headers={"X-Forwarded-For": "198.51.100.9, 10.0.0.2"})
        assert not reads_in_full(outside.get(archive.item_path))


def test_inside_a_range_the_tcp_peer_reads_everything(archive):
    cli(archive, "org", "ip", "add", TOULOUSE, "127.0.0.0/8")
    with LiveSite() as site:
        page = Browser(site).get(archive.item_path)
        assert reads_in_full(page)
        assert "Accès Commune de Toulouse" in text(page.text) and page.headers["cache-control"] == "private"


@pytest.mark.skipif(not socket.has_ipv6, reason="IPv6 absent de cette machine")
def test_inside_an_ipv6_range(archive):
    try:
        site = LiveSite(host="::1")
    except OSError as exc:
        pytest.skip(f"::1 indisponible : {exc}")
    cli(archive, "org", "ip", "add", TOULOUSE, "::1/128")
    with site:
        assert reads_in_full(Browser(site).get(archive.item_path))
    cli(archive, "org", "ip", "remove", TOULOUSE, "::1/128")
    with LiveSite(host="::1") as site:
        assert not reads_in_full(Browser(site).get(archive.item_path))


def test_a_member_of_a_licensed_organisation_reads_everything(archive):
    with LiveSite() as site:
        browser = Browser(site)
        assert not reads_in_full(browser.get(archive.item_path))
        assert browser.log_in(AGENT, next_path=archive.item_path).headers["location"] == archive.item_path
        page = browser.get(archive.item_path)
        assert reads_in_full(page) and "Accès Commune de Rennes" in text(page.text)


@pytest.mark.parametrize("change, says", [
    (("--suspendre",), "L'accès de Commune de Rennes est suspendu"),
    (("--jusqu", "2020-06-30"), "La licence de Commune de Rennes a expiré (dernier jour : mardi 30 juin 2020)"),
])
def test_an_expired_or_suspended_licence_says_so(archive, change, says):
    cli(archive, "org", "licence", RENNES, *change)
    cli(archive, "org", "ip", "add", RENNES, "127.0.0.0/8")
    with LiveSite() as site:
        browser = Browser(site)
        assert not reads_in_full(browser.get(archive.item_path))  # the range no longer opens anything
        browser.log_in(AGENT)
        page = browser.get(archive.item_path)
        assert not reads_in_full(page)
        assert says in text(page.text) and "vos réglages sont conservés" in text(page.text)
        assert "Votre administrateur peut la renouveler" in text(page.text)
    cli(archive, "org", "licence", RENNES, "--jusqu", "2099-12-31")
    with LiveSite() as site:
        browser = Browser(site)
        assert reads_in_full(browser.get(archive.item_path))


def test_search_results_show_passages_of_the_full_text_only_to_those_who_may_read_it(archive):
    with archive.session() as session, session.begin():
        session.execute(update(Item).where(Item.id == archive.item_path.rsplit("/", 1)[1]).values(
            text="Le cahier des charges zygomorphe reste confidentiel."))
    assert archive.cli("reindex").code == 0
    with LiveSite() as site:
        outside = text(Browser(site).get("/recherche?q=zygomorphe").text)
        assert "Guide des marchés publics innovants" in outside and "cahier des charges" not in outside
        assert "Le guide explique comment ouvrir les marchés publics" in outside  # the summary instead
        member = Browser(site)
        member.log_in(AGENT)
        found = text(member.get("/recherche?q=zygomorphe").text)
        assert "Le cahier des charges zygomorphe reste confidentiel" in found

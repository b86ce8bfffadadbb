"""Opening accounts over real HTTP with the emails through a real SMTP server (aiosmtpd):
registration and its verification link, the password reset link (1 hour, once), the
free trial (one per SIREN, its end a month later by moving the app's clock), and the double
opt-in subscription from the site (nothing stored as a subscriber before the click)."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.livesite import LiveSite
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.web_accounts import FULL_TEXT, PASSWORD, SECRET, TOULOUSE, Browser, mailing_site, add_user, cli, text
from veille.accounts.models import Organisation, PendingSubscription, User
from veille.accounts.organisations import one_month_after
from veille.bulletins.models import Subscriber


@pytest.fixture
def site(week, monkeypatch):
    """Accounts enabled, mail through a real SMTP server, an item with a full text."""
    cli(week, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune", "--contact",
        "dgs@mairie-toulouse.fr", "--licence-jusqu", "2099-12-31")
    with mailing_site(week, monkeypatch) as running:
        yield running


def mail_to(site, address: str, count: int = 1):
    messages = site.sink.inbox.to(address)
    assert len(messages) == count, [m["Subject"] for m in messages]
    return messages[-1]


def link_in(message, site) -> str:
    body = message.get_body(("plain",)).get_content()
    [link] = re.findall(r"http://127\.0\.0\.1/\S+", body)
    return link.removeprefix("http://127.0.0.1")


def reads_in_full(browser, site) -> bool:
    return FULL_TEXT in text(browser.get(site.env.item_path).text)


def move_clock(site, delta: timedelta) -> None:
    site.app.extensions["veille"]["clock"] = lambda: datetime.now(timezone.utc) + delta


def user(site, email) -> User:
    with site.env.session() as session:
        return session.scalar(select(User).where(User.email_key == email.lower()))


# --- Registration ------------------------------------------------------------------------

def test_registration_verification_and_membership_by_domain(site):
    browser = Browser(site)
    sent = browser.post("/inscription", {"email": "agent@mairie-toulouse.fr", "password": PASSWORD,
                                         "organisation": "213 105 554"})
    assert sent.status_code == 200 and "Un courriel vient d'être envoyé à agent@mairie-toulouse.fr" in text(sent.text)
    message = mail_to(site, "agent@mairie-toulouse.fr")
    assert message["Subject"] == "Veille – confirmez votre adresse"
    path = link_in(message, site)
    assert path.startswith("/inscription/confirmation/")
    refused = browser.log_in("agent@mairie-toulouse.fr")
    assert refused.status_code == 403 and "Votre adresse n'est pas encore confirmée" in text(refused.text)
    page = browser.get(path)  # a mail scanner opening the link confirms nothing
    assert "Confirmer mon adresse" in page.text and not user(site, "agent@mairie-toulouse.fr").verified
    done = browser.post(path, {})
    assert done.status_code == 200 and "Adresse confirmée" in text(done.text)
    assert user(site, "agent@mairie-toulouse.fr").member  # same domain as the organisation's contact
    assert reads_in_full(browser, site)
    assert browser.post(path, {}, form_page="/").status_code == 404  # once only


def test_registration_from_another_domain_waits_for_the_organisation_admin(site, monkeypatch):
    add_user(site.env, monkeypatch, "dgs@mairie-toulouse.fr", role="admin")
    browser = Browser(site)
    browser.post("/inscription", {"email": "elu@gmail.example", "password": PASSWORD, "organisation": "commune de toulouse"})
    done = browser.post(link_in(mail_to(site, "elu@gmail.example"), site), {})
    assert "Votre rattachement à Commune de Toulouse attend l'accord de son administrateur." in text(done.text)
    assert not reads_in_full(browser, site)
    admin = Browser(site)
    admin.log_in("dgs@mairie-toulouse.fr")
    member_id = str(user(site, "elu@gmail.example").id)
    approved = admin.post(f"/admin/organisations/{TOULOUSE}/membre", {"membre": member_id, "action": "approuver"},
                          form_page=f"/admin/organisations/{TOULOUSE}")
    assert approved.status_code == 303
    assert reads_in_full(browser, site)


def test_registration_errors_are_named_in_french(site):
    browser = Browser(site)
    answer = browser.post("/inscription", {"email": "pas-une-adresse", "password": "court", "organisation": "732829320"})
    assert answer.status_code == 422
    body = text(answer.text)
    assert "Le formulaire contient 2 erreurs" in body
    assert "Mot de passe trop court : 10 caractères au moins." in body
    assert "Organisation inconnue : vérifiez son SIREN ou son nom exact." in body
    answer = browser.post("/inscription", {"email": "pas-une-adresse", "password": PASSWORD, "organisation": ""})
    assert answer.status_code == 422 and "Adresse électronique invalide « pas-une-adresse »" in text(answer.text)
    assert site.sink.inbox.messages == []


# --- Password reset ----------------------------------------------------------------------

def test_password_reset_link_works_once_within_the_hour(site, monkeypatch):
    add_user(site.env, monkeypatch, "agent@mairie-toulouse.fr")
    browser = Browser(site)
    unknown = browser.post("/mot-de-passe-oublie", {"email": "personne@mairie-toulouse.fr"})
    known = browser.post("/mot-de-passe-oublie", {"email": "Agent@Mairie-Toulouse.fr"})
    assert text(unknown.text).replace("personne@mairie-toulouse.fr", "X") == \
        text(known.text).replace("Agent@Mairie-Toulouse.fr", "X")  # the same answer
    assert site.sink.inbox.to("personne@mairie-toulouse.fr") == []
    message = mail_to(site, "agent@mairie-toulouse.fr")
    assert message["Subject"] == "Veille – nouveau mot de passe" and "valable 1 heure" in message.get_content()
    path = link_in(message, site)
    assert browser.post(path, {"password": "court"}).status_code == 422
    assert browser.post(path, {"password": "un tout nouveau mot de passe"}).status_code == 303
    assert browser.get(path).status_code == 404  # used
    other = Browser(site)
    assert other.log_in("agent@mairie-toulouse.fr").status_code == 401  # the old password no longer works
    assert other.log_in("agent@mairie-toulouse.fr", "un tout nouveau mot de passe").status_code == 303
    browser.post("/mot-de-passe-oublie", {"email": "agent@mairie-toulouse.fr"})
    late = link_in(mail_to(site, "agent@mairie-toulouse.fr", 2), site)
    move_clock(site, timedelta(minutes=61))
    assert browser.get(late).status_code == 404
    move_clock(site, timedelta(minutes=59))
    assert browser.get(late).status_code == 200


def test_an_invitation_link_chooses_the_password(site):
    result = site.env.cli("user", "add", "invite@mairie-toulouse.fr", "--org", TOULOUSE)
    assert result.code == 0 and "Invitation envoyée à invite@mairie-toulouse.fr" in result.out.replace("\xa0", " ")
    message = mail_to(site, "invite@mairie-toulouse.fr")
    assert "Un compte vous a été ouvert au titre de « Commune de Toulouse »" in message.get_content()
    browser = Browser(site)
    assert browser.post(link_in(message, site), {"password": PASSWORD}).status_code == 303
    assert reads_in_full(browser, site)


# --- The free trial ----------------------------------------------------------------------

def test_trial_starts_after_the_click_and_ends_a_month_later(site):
    browser = Browser(site)
    assert not reads_in_full(browser, site)
    sent = browser.post("/essai", {"nom": "Commune de Rennes", "siren": "213502388", "type": "commune",
                                   "email": "dsi@mairie-rennes.fr", "password": PASSWORD})
    assert "ouvrez son lien pour commencer l'essai gratuit" in text(sent.text)
    with site.env.session() as session:
        assert session.scalar(select(Organisation).where(Organisation.siren == "213502388")) is None  # not yet
    message = mail_to(site, "dsi@mairie-rennes.fr")
    assert "le mois d'essai gratuit de « Commune de Rennes »" in message.get_content()
    done = browser.post(link_in(message, site), {})
    assert "Votre essai a commencé" in text(done.text)
    today = datetime.now(timezone.utc).astimezone(site.app.extensions["veille"]["settings"].timezone).date()
    with site.env.session() as session:
        rennes = session.scalar(select(Organisation).where(Organisation.siren == "213502388"))
        assert rennes.trial_until == one_month_after(today) and rennes.paid_until is None
    admin = user(site, "dsi@mairie-rennes.fr")
    assert admin.role == "admin" and admin.member
    assert reads_in_full(browser, site)
    page = text(browser.get("/").text)
    assert "Accès Commune de Rennes" in page
    move_clock(site, one_month_after(today) - today)  # the trial's last day (sessions last 30 days: log in again)
    later = Browser(site)
    assert later.log_in("dsi@mairie-rennes.fr").status_code == 303 and reads_in_full(later, site)
    move_clock(site, one_month_after(today) - today + timedelta(days=1))  # the day after
    assert not reads_in_full(later, site)
    assert "La licence de Commune de Rennes a expiré" in text(later.get("/").text)
    again = Browser(site).post("/essai", {"nom": "Rennes", "siren": "213502388", "type": "commune",
                                          "email": "autre@mairie-rennes.fr", "password": PASSWORD})
    assert again.status_code == 422
    assert "« Commune de Rennes » (SIREN 213502388) a déjà eu un essai ou une licence" in text(again.text)


def test_a_licensed_siren_cannot_start_a_trial(site):
    answer = Browser(site).post("/essai", {"nom": "Toulouse", "siren": TOULOUSE, "type": "commune",
                                           "email": "x@mairie-toulouse.fr", "password": PASSWORD})
    assert answer.status_code == 422 and "a déjà eu un essai ou une licence" in text(answer.text)
    typo = Browser(site).post("/essai", {"nom": "Rennes", "siren": "213502389", "type": "commune",
                                         "email": "x@mairie-rennes.fr", "password": PASSWORD})
    assert typo.status_code == 422 and "la clé de contrôle ne correspond pas" in text(typo.text)
    assert site.sink.inbox.messages == []


# --- Subscribing from the site -----------------------------------------------------------

def test_double_opt_in_subscription(site):
    browser = Browser(site)
    form = browser.get("/abonnement")
    assert 'name="rubriques"' in form.text and 'name="frequence"' in form.text
    sent = browser.post("/abonnement", {"email": "Lecteur@Exemple.fr", "rubriques": ["elections", "commande-publique"],
                                        "frequence": "both"})
    assert "Aucun bulletin n'est envoyé avant" in text(sent.text)
    with site.env.session() as session:
        assert session.scalars(select(Subscriber)).all() == []  # nothing before the click
    message = mail_to(site, "Lecteur@exemple.fr")
    assert message["Subject"] == "Veille – confirmez votre abonnement"
    path = link_in(message, site)
    assert "Confirmer mon abonnement" in browser.get(path).text
    with site.env.session() as session:
        assert session.scalars(select(Subscriber)).all() == []  # opening the link is not confirming
    done = browser.post(path, {})
    assert "Lecteur@exemple.fr recevra : les deux, rubriques : Commande publique - Marchés publics, Élections." in \
        text(done.text)
    with site.env.session() as session:
        [subscriber] = session.scalars(select(Subscriber)).all()
        assert (subscriber.email, subscriber.topics, subscriber.frequency) == (
            "Lecteur@exemple.fr", ["commande-publique", "elections"], "both")
    listed = site.env.cli("subscribers", "list")
    assert "Lecteur@exemple.fr" in listed.out  # the same rows as the command line
    assert browser.post(path, {}, form_page="/connexion").status_code == 404


def test_unconfirmed_subscriptions_are_forgotten_after_seven_days(site):
    browser = Browser(site)
    browser.post("/abonnement", {"email": "oubli@exemple.fr", "frequence": "daily"})
    path = link_in(mail_to(site, "oubli@exemple.fr"), site)
    move_clock(site, timedelta(days=7, minutes=1))
    assert browser.get(path).status_code == 404
    browser.post("/abonnement", {"email": "autre@exemple.fr", "frequence": "daily"})
    with site.env.session() as session:
        assert [p.email for p in session.scalars(select(PendingSubscription))] == ["autre@exemple.fr"]


def test_subscription_errors(site):
    answer = Browser(site).post("/abonnement", {"email": "x@exemple.fr", "rubriques": ["inventee"], "frequence": "jamais"})
    assert answer.status_code == 422
    assert "Rubrique inconnue : inventee." in text(answer.text)
    assert "Choisissez la fréquence des bulletins." in text(answer.text)
    assert site.sink.inbox.messages == []


def test_site_subscribers_get_the_full_bulletin_only_as_members_of_a_licensed_organisation(site, monkeypatch):
    add_user(site.env, monkeypatch, "agent@mairie-toulouse.fr")  # a member of licensed Toulouse
    for address in ("agent@mairie-toulouse.fr", "lecteur@exemple.fr"):
        browser = Browser(site)
        browser.post("/abonnement", {"email": address, "frequence": "daily"})
        browser.post(link_in(mail_to(site, address), site), {})
    assert site.env.cli("subscribers", "add", "cli@exemple.fr").code == 0
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")  # bulletins link to https pages only
    assert site.env.cli("bulletin", "send", "daily", "--date", "2017-03-29").code == 0
    bulletins = {address: mail_to(site, address, count).get_body(("plain",)).get_content()
                 for address, count in (("agent@mairie-toulouse.fr", 2), ("lecteur@exemple.fr", 2), ("cli@exemple.fr", 1))}
    summary = ">> Le guide explique comment ouvrir les marchés publics"
    assert summary in " ".join(bulletins["agent@mairie-toulouse.fr"].split())
    assert summary in " ".join(bulletins["cli@exemple.fr"].split())
    headlines = " ".join(bulletins["lecteur@exemple.fr"].split())
    assert ">>" not in headlines and "Guide des marchés publics innovants" in headlines
    assert "Bulletin des titres. Le bulletin complet, avec les résumés, est réservé aux agents et élus" in headlines
    assert "Bulletin des titres" not in bulletins["agent@mairie-toulouse.fr"]
    for address, notice in (("lecteur@exemple.fr", True), ("agent@mairie-toulouse.fr", False)):
        shown = site.env.cli("bulletin", "render", "daily", "--date", "2017-03-29", "--subscriber", address,
                             "--format", "text")  # what the command shows is what that subscriber gets
        assert shown.code == 0 and ("Bulletin des titres" in shown.out) == notice


def test_a_link_that_cannot_be_emailed_is_not_kept(week, monkeypatch):
    """No mail server: the pages that send a link answer a French 503 and store nothing."""
    from veille.accounts.models import EmailLink
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1")
    monkeypatch.delenv("VEILLE_SMTP_URL", raising=False)
    cli(week, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune",
        "--licence-jusqu", "2099-12-31")
    add_user(week, monkeypatch, "agent@mairie-toulouse.fr")
    with LiveSite() as site:
        browser = Browser(site)
        for path, data in (("/abonnement", {"email": "lecteur@exemple.fr", "frequence": "daily"}),
                           ("/mot-de-passe-oublie", {"email": "agent@mairie-toulouse.fr"})):
            answer = browser.post(path, data)
            assert answer.status_code == 503, path
            assert ("Le courriel n'a pas pu être envoyé (l'envoi de courriels n'est pas configuré "
                    "(VEILLE_SMTP_URL)). Rien n'a été enregistré : réessayez plus tard.") in text(answer.text)
    with week.session() as session:
        assert session.scalars(select(PendingSubscription)).all() == []
        assert session.scalars(select(EmailLink)).all() == []

"""Logging in and out over real HTTP: server-side sessions, cookie flags, CSRF refusals, the
`next` address kept inside the site, the same answer for a wrong password and an unknown
address, and the login limiter per client address and per account."""
import httpx
import pytest
from sqlalchemy import func, select

from tests.livesite import LiveSite
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.web_accounts import (SECRET, TOULOUSE, Browser, accounts_site, add_user, cli,  # noqa: F401
                                csrf_of, text)
from veille.accounts.models import WebSession

AGENT = "agent@mairie-toulouse.fr"


@pytest.fixture
def toulouse(week, monkeypatch):
    cli(week, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune", "--licence-jusqu", "2099-12-31")
    add_user(week, monkeypatch, AGENT)
    return week


def test_log_in_and_out_ends_the_session_on_the_server(toulouse, accounts_site):
    browser = Browser(accounts_site)
    form = browser.get("/connexion?next=/archives/")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    assert 'name="email"' in form.text and 'name="password"' in form.text and 'value="/archives/"' in form.text
    answer = browser.log_in(AGENT.upper(), next_path="/archives/")  # the address in any case
    assert answer.status_code == 303 and answer.headers["location"] == "/archives/"
    cookie = answer.headers["set-cookie"]
    assert "veille_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    home = browser.get("/")
    assert "Accès Commune de Toulouse" in text(home.text) and AGENT in home.text
    assert home.headers["cache-control"] == "private"
    stolen = Browser(accounts_site)
    stolen.client.cookies.set("veille_session", browser.client.cookies["veille_session"])
    assert AGENT in stolen.get("/").text  # the same cookie is the same session...
    out = browser.post("/deconnexion", {}, form_page="/")
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert AGENT not in browser.get("/").text
    assert AGENT not in stolen.get("/").text  # ...ended on the server: the copy opens nothing
    with toulouse.session() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_wrong_password_and_unknown_address_get_the_same_answer(toulouse, accounts_site):
    browser = Browser(accounts_site)
    wrong = browser.log_in(AGENT, "pas le bon mot de passe")
    unknown = browser.log_in("personne@mairie-toulouse.fr", "pas le bon mot de passe")
    assert wrong.status_code == unknown.status_code == 401
    assert "Adresse électronique ou mot de passe incorrect." in text(wrong.text)
    assert text(wrong.text).replace(AGENT, "X") == text(unknown.text).replace("personne@mairie-toulouse.fr", "X")


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)",
                                    "/%5Cevil.example", "///evil.example", " //evil.example", "/\t/evil.example"])
def test_next_never_leads_out_of_the_site(toulouse, accounts_site, target):
    browser = Browser(accounts_site)
    form = browser.get("/connexion", params={"next": target})
    assert 'name="next" value="/"' in form.text
    answer = browser.log_in(AGENT, next_path=target)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_forms_without_their_csrf_token_are_refused(toulouse, accounts_site):
    browser = Browser(accounts_site)
    browser.get("/connexion")
    for data in ({"email": AGENT, "password": "un mot de passe solide"},
                 {"email": AGENT, "password": "un mot de passe solide", "csrf_token": "devine"}):
        refused = browser.client.post(accounts_site.url + "/connexion", data=data)
        assert refused.status_code == 400
        assert "Ce formulaire a expiré ou ne vient pas de ce site" in text(refused.text)
    assert browser.log_in(AGENT).status_code == 303
    refused = browser.client.post(accounts_site.url + "/deconnexion")  # a forged logout from another site
    assert refused.status_code == 400 and AGENT in browser.get("/").text
    other = Browser(accounts_site)  # a token from another browser's session does not do either
    token = csrf_of(other.get("/connexion").text)
    assert browser.client.post(accounts_site.url + "/deconnexion", data={"csrf_token": token}).status_code == 400


def test_the_login_limiter_per_address_and_per_account(toulouse, week, monkeypatch):
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1")
    monkeypatch.setenv("VEILLE_TRUSTED_PROXIES", "1")
    with LiveSite() as site:
        one_place = Browser(site, headers={"X-Forwarded-For": "198.51.100.7"})
        answers = [one_place.log_in(f"personne{n}@exemple.fr", "mauvais").status_code for n in range(11)]
        assert answers == [401] * 10 + [429]
        refused = one_place.log_in(AGENT)  # even the right password, from there, for now
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 900
        assert "Trop de tentatives de connexion." in text(refused.text)
        answers = [Browser(site, headers={"X-Forwarded-For": f"203.0.113.{n}"}).log_in(AGENT, "mauvais").status_code
                   for n in range(10)]  # one account tried from ten more addresses
        assert answers == [401] * 9 + [429]  # the refused try from 198.51.100.7 counted for it
        assert Browser(site, headers={"X-Forwarded-For": "192.0.2.1"}).log_in(AGENT).status_code == 429
        assert Browser(site, headers={"X-Forwarded-For": "192.0.2.1"}).log_in("autre@exemple.fr", "x").status_code == 401


def test_cookies_are_secure_when_the_site_is_https(toulouse, week, monkeypatch):
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")
    with LiveSite() as site:
        answer = Browser(site).get("/connexion")
        assert "Secure" in answer.headers["set-cookie"] and "HttpOnly" in answer.headers["set-cookie"]


def test_without_a_secret_key_accounts_say_they_are_off(toulouse, week, monkeypatch):
    monkeypatch.delenv("VEILLE_SECRET_KEY", raising=False)
    with LiveSite() as site:
        browser = Browser(site)
        answer = browser.client.post(site.url + "/connexion", data={"email": AGENT, "password": "x"})
        assert answer.status_code == 503
        assert "l'administrateur doit définir VEILLE_SECRET_KEY" in text(answer.text)
        assert browser.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/connexion", "/deconnexion", "/inscription", "/essai", "/mot-de-passe-oublie",
                                  "/abonnement", "/admin/organisations", f"/admin/organisations/{TOULOUSE}/licence"])
def test_every_form_refuses_a_post_without_its_token(toulouse, accounts_site, path):
    browser = Browser(accounts_site)
    browser.get("/abonnement")  # the browser has a session and its token, but does not send it
    refused = browser.client.post(accounts_site.url + path, data={"email": AGENT, "password": "x", "frequence": "daily"})
    assert refused.status_code == 400 and "Ce formulaire a expiré ou ne vient pas de ce site" in text(refused.text)
    assert refused.headers["cache-control"] == "no-store"


def test_unsubscribe_forms_carry_their_csrf_token_and_one_click_needs_none(week, accounts_site):
    """With accounts enabled, the buttons of the unsubscribe page are forms like the others; the
    RFC 8058 one-click POST of mail clients is the one exception."""
    from tests.test_bulletin_mail import subscribe
    from tests.test_web import subscriber, token_of
    subscribe(week, (AGENT,))
    token = token_of(week, AGENT)
    page = f"/desabonnement/{token}"
    browser = Browser(accounts_site)
    assert browser.get(page).text.count('name="csrf_token"') == 1
    forged = browser.client.post(accounts_site.url + page)  # a button press forged by another site
    assert forged.status_code == 400 and subscriber(week, AGENT).disabled_at is None
    assert browser.post(page, {}).status_code == 200 and subscriber(week, AGENT).disabled_at is not None
    back = page + "/reabonnement"
    assert browser.get(page).text.count('name="csrf_token"') == 1  # the « Me réabonner » form
    assert browser.client.post(accounts_site.url + back).status_code == 400
    assert subscriber(week, AGENT).disabled_at is not None
    assert browser.post(back, {}, form_page=page).status_code == 200 and subscriber(week, AGENT).disabled_at is None
    mail_client = httpx.post(accounts_site.url + page, data={"List-Unsubscribe": "One-Click"})
    assert mail_client.status_code == 200 and subscriber(week, AGENT).disabled_at is not None

"""The administration pages, route by route: anonymous visitors are sent to log in (303),
readers and editors refused (403); an organisation's admin manages its members only; an admin
of the site (VEILLE_ADMIN_EMAILS) manages organisations, licences and IP ranges."""
import json

import pytest
from sqlalchemy import select

from tests.livesite import LiveSite
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.web_accounts import RENNES, SECRET, TOULOUSE, Browser, add_user, cli, text
from veille.accounts.models import User

OPERATOR, ORG_ADMIN, EDITOR, READER = ("ops@veille.test", "dgs@mairie-toulouse.fr", "redac@veille.test",
                                       "agent@mairie-toulouse.fr")
ROUTES = [("GET", "/admin/", {}), ("GET", f"/admin/organisations/{TOULOUSE}", {}),
          ("POST", "/admin/organisations", {"nom": "X", "siren": "732829320", "type": "commune"}),
          ("POST", f"/admin/organisations/{TOULOUSE}/licence", {"jusqu": "2030-01-01"}),
          ("POST", f"/admin/organisations/{TOULOUSE}/plage", {"cidr": "198.51.100.0/24"}),
          ("POST", f"/admin/organisations/{TOULOUSE}/retirer-plage", {"cidr": "192.0.2.0/24"}),
          ("POST", f"/admin/organisations/{TOULOUSE}/membre", {"membre": "1", "action": "approuver"}),
          ("POST", f"/admin/organisations/{TOULOUSE}/inviter", {"email": "x@exemple.fr", "role": "lecteur"})]


@pytest.fixture
def site(week, monkeypatch):
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1")
    monkeypatch.setenv("VEILLE_ADMIN_EMAILS", OPERATOR)
    cli(week, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune", "--licence-jusqu", "2099-12-31")
    cli(week, "org", "ip", "add", TOULOUSE, "192.0.2.0/24")
    cli(week, "org", "add", "Commune de Rennes", "--siren", RENNES, "--type", "commune", "--licence-jusqu", "2099-12-31")
    for email, role in ((OPERATOR, "admin"), (ORG_ADMIN, "admin"), (EDITOR, "editeur"), (READER, "lecteur")):
        add_user(week, monkeypatch, email, TOULOUSE, role)
    with LiveSite() as running:
        running.env = week
        yield running


def browser_of(site, email=None) -> Browser:
    browser = Browser(site)
    if email:
        assert browser.log_in(email).status_code == 303
    return browser


def ask(browser, method, path, data):
    """The request, a POST with the browser's CSRF token (from a page every visitor may open)."""
    if method == "GET":
        return browser.get(path)
    return browser.post(path, data, form_page="/abonnement")


@pytest.mark.parametrize("method, path, data", ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(site, method, path, data):
    if method == "POST":  # back to the page of the form after logging in, never to the POST-only address
        answer = ask(browser_of(site), method, path, data)
        assert answer.status_code == 303 and answer.headers["location"] == "/connexion?next=/"
        browser = browser_of(site)
        browser.client.headers["Referer"] = site.url + "/admin/organisations?page=2"
        answer = ask(browser, method, path, data)
        assert answer.status_code == 303 and answer.headers["location"] == "/connexion?next=/admin/organisations%3Fpage%3D2"
    else:
        answer = browser_of(site).get(path)
        assert answer.status_code == 303 and answer.headers["location"] == f"/connexion?next={path}"


@pytest.mark.parametrize("method, path, data", ROUTES)
@pytest.mark.parametrize("who", [READER, EDITOR])
def test_readers_and_editors_are_refused(site, method, path, data, who):
    answer = ask(browser_of(site, who), method, path, data)
    assert answer.status_code == 403
    assert "Cette page est réservée aux comptes administrateur." in text(answer.text)


def test_an_organisation_admin_manages_its_members_only(site):
    browser = browser_of(site, ORG_ADMIN)
    assert browser.get("/admin/").headers["location"] == f"/admin/organisations/{TOULOUSE}"
    page = browser.get(f"/admin/organisations/{TOULOUSE}")
    assert page.status_code == 200 and READER in page.text and "Ajouter la plage" not in page.text
    assert browser.get(f"/admin/organisations/{RENNES}").status_code == 404  # another organisation
    for method, path, data in ROUTES[2:6]:
        assert ask(browser, method, path, data).status_code == 403, path
    reader_id = str(site_user(site, READER).id)
    made_admin = browser.post(f"/admin/organisations/{TOULOUSE}/membre",
                              {"membre": reader_id, "action": "role", "role": "admin"}, form_page="/")
    assert made_admin.status_code == 303 and site_user(site, READER).role == "admin"
    editor = browser.post(f"/admin/organisations/{TOULOUSE}/membre",
                          {"membre": reader_id, "action": "role", "role": "editeur"}, form_page="/")
    assert editor.status_code == 422 and "Rôle non permis « editeur »" in text(editor.text)
    removed = browser.post(f"/admin/organisations/{TOULOUSE}/membre", {"membre": reader_id, "action": "retirer"},
                           form_page="/")
    assert removed.status_code == 303 and site_user(site, READER).organisation_id is None


def test_the_site_admin_manages_organisations_licences_and_ranges(site):
    browser = browser_of(site, OPERATOR)
    index = browser.get("/admin/")
    assert index.status_code == 200
    assert "Commune de Rennes" in text(index.text) and "Commune de Toulouse" in text(index.text)
    added = browser.post("/admin/organisations", {"nom": "Métropole de Lyon", "siren": "200046977", "type": "epci",
                                                  "essai_jusqu": "2099-01-31"}, form_page="/admin/")
    assert added.status_code == 303 and added.headers["location"] == "/admin/organisations/200046977"
    clash = browser.post("/admin/organisations/200046977/plage", {"cidr": "192.0.2.128/25"}, form_page="/admin/")
    assert clash.status_code == 422
    assert ("La plage 192.0.2.128/25 demandée pour « Métropole de Lyon » (SIREN 200046977) recouvre la plage "
            "192.0.2.0/24 de « Commune de Toulouse » (SIREN 213105554)") in text(clash.text)
    assert browser.post("/admin/organisations/200046977/plage", {"cidr": "2001:db8:69::/48"},
                        form_page="/admin/").status_code == 303
    assert browser.post("/admin/organisations/200046977/licence", {"suspendre": "1"},
                        form_page="/admin/").status_code == 303
    bad = browser.post("/admin/organisations/200046977/licence", {"jusqu": "31/12/2030"}, form_page="/admin/")
    assert bad.status_code == 422 and "Date invalide « 31/12/2030 » (format AAAA-MM-JJ)" in text(bad.text)
    [lyon] = [row for row in json.loads(site.env.cli("org", "list", "--json").out) if row["siren"] == "200046977"]
    assert (lyon["type"], lyon["suspended"], lyon["ip_ranges"], lyon["trial_until"]) == (
        "epci", True, ["2001:db8:69::/48"], "2099-01-31")
    typo = browser.post("/admin/organisations", {"nom": "X", "siren": "200046978", "type": "epci"}, form_page="/admin/")
    assert typo.status_code == 422 and "la clé de contrôle ne correspond pas" in text(typo.text)


def site_user(site, email) -> User:
    with site.env.session() as session:
        return session.scalar(select(User).where(User.email_key == email))

"""Accounts in a real browser (Debian's Chromium driven by Playwright): a commune's agent signs up
for the free trial, opens the link of the email and reads an item in full; axe-core finds no
serious or critical violation on any page of accounts, subscription and administration."""
import re

import pytest

from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_web_browser import browser, page, pytestmark  # noqa: F401  (fixtures, skip without Chromium)
from tests.web_accounts import FULL_TEXT, PASSWORD, TOULOUSE, mailing_site, add_user, cli

OPERATOR = "ops@veille.test"


@pytest.fixture
def site(week, monkeypatch):
    monkeypatch.setenv("VEILLE_ADMIN_EMAILS", OPERATOR)
    with mailing_site(week, monkeypatch) as running:
        yield running


def link_of(site, address) -> str:
    [message] = site.sink.inbox.to(address)
    [link] = re.findall(r"http://127\.0\.0\.1(/\S+)", message.get_body(("plain",)).get_content())
    return site.url + link


def test_trial_sign_up_to_the_first_item_read_in_full(site, page):
    page.goto(site.url + site.env.item_path)
    assert page.get_by_role("heading", name="Texte complet réservé aux abonnés").is_visible()
    page.get_by_role("link", name="Essai gratuit d'un mois pour votre collectivité").click()
    page.wait_for_url("**/essai")
    page.get_by_label("Nom de la collectivité").fill("Commune de Rennes")
    page.get_by_label("SIREN de la collectivité").fill("213 502 388")
    page.get_by_label("Type de collectivité").select_option("commune")
    page.get_by_label("Votre adresse électronique professionnelle").fill("dsi@mairie-rennes.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Commencer l'essai").click()
    assert page.get_by_role("heading", name="Vérifiez votre messagerie").is_visible()
    page.goto(link_of(site, "dsi@mairie-rennes.fr"))
    page.get_by_role("button", name="Commencer l'essai de « Commune de Rennes »").click()
    assert page.get_by_role("heading", name="Votre essai a commencé").is_visible()
    assert "Accès Commune de Rennes" in page.locator("header").inner_text()
    page.goto(site.url + site.env.item_path)
    assert page.get_by_text(FULL_TEXT).is_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(site.url + site.env.item_path)
    assert page.get_by_text(FULL_TEXT).count() == 0


def test_no_serious_or_critical_accessibility_violation(site, page, monkeypatch):
    from axe_playwright_python.sync_playwright import Axe

    cli(site.env, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune", "--licence-jusqu", "2099-12-31")
    cli(site.env, "org", "ip", "add", TOULOUSE, "192.0.2.0/24")
    add_user(site.env, monkeypatch, OPERATOR, TOULOUSE, "admin")
    add_user(site.env, monkeypatch, "agent@mairie-toulouse.fr", TOULOUSE)
    axe, found = Axe(), {}

    def check(name: str) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
        serious = [f"{v['id']} ({v['impact']}) : {v['nodes'][0]['target']}" for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = serious

    for name, path in (("connexion", "/connexion"), ("inscription", "/inscription"), ("essai", "/essai"),
                       ("mot de passe oublié", "/mot-de-passe-oublie"), ("abonnement", "/abonnement"),
                       ("article en titres", site.env.item_path)):
        page.goto(site.url + path)
        check(name)
    page.goto(site.url + "/inscription")
    page.get_by_role("button", name="Créer mon compte").click()  # the browser refuses: required fields
    page.get_by_label("Adresse électronique").fill("x@exemple.fr")
    page.locator("#password").fill("court")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()
    check("inscription avec erreurs")
    page.goto(site.url + "/abonnement")
    page.get_by_label("Adresse électronique").fill("lecteur@exemple.fr")
    page.get_by_role("button", name="M'abonner").click()
    check("abonnement envoyé")
    page.goto(link_of(site, "lecteur@exemple.fr"))
    check("confirmation d'abonnement")
    page.get_by_role("button", name="Confirmer mon abonnement").click()
    check("abonnement confirmé")
    page.goto(site.url + "/mot-de-passe-oublie")
    page.get_by_label("Adresse électronique").fill("agent@mairie-toulouse.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.goto(link_of(site, "agent@mairie-toulouse.fr"))
    check("nouveau mot de passe")
    page.goto(site.url + "/connexion?next=/admin/")
    page.get_by_label("Adresse électronique").fill(OPERATOR)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/admin/")
    check("administration : organisations")
    page.get_by_role("link", name="Commune de Toulouse").click()
    page.wait_for_url(f"**/admin/organisations/{TOULOUSE}")
    check("administration : une organisation")
    page.goto(site.url + site.env.item_path)
    check("article en texte complet, connecté")
    assert found == {}

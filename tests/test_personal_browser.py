"""« Mon espace » and « La rédaction » in a real browser (Debian's Chromium driven by Playwright):
choosing rubriques, keeping an item and exporting the selection, an editor pinning an item that
then leads the next edition; axe-core finds no serious or critical violation on any new page."""
import csv
import io

from sqlalchemy import select

from tests.personal_site import EDITOR, READER, log_in, members, week  # noqa: F401  (fixtures)
from tests.test_bulletin_build import build_at
from tests.test_web_browser import browser, page, pytestmark  # noqa: F401  (fixtures, skip without Chromium)
from veille.accounts.models import User
from veille.bulletins.models import Subscriber
from veille.models import Item


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    return [f"{v['id']} ({v['impact']}) : {v['nodes'][0]['target']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_choosing_rubriques_in_mon_espace(members, page):
    log_in(page, members, READER)
    page.goto(members.url + "/mon-espace")
    assert page.get_by_label("Toutes les rubriques").is_checked()  # nothing chosen yet: all
    page.get_by_label("Toutes les rubriques").uncheck()
    page.get_by_label("Élections").check()
    page.get_by_label("Commande publique - Marchés publics").check()
    page.get_by_label("Chaque semaine (récapitulatif)").check()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    page.wait_for_url("**/mon-espace?fait=abonnement")
    assert page.get_by_role("status").inner_text() == "Vos choix sont enregistrés."
    assert page.get_by_label("Élections").is_checked() and page.get_by_label("Chaque semaine (récapitulatif)").is_checked()
    assert not page.get_by_label("Finances locales - Dotations").is_checked()
    with members.env.session() as session:
        user_id = session.scalar(select(User.id).where(User.email == READER))
        subscriber = session.scalar(select(Subscriber).where(Subscriber.user_id == user_id))
        assert (subscriber.email, subscriber.topics, subscriber.frequency) == (
            READER, ["commande-publique", "elections"], "weekly")


def test_keeping_an_item_then_exporting_the_selection(members, page, tmp_path):
    log_in(page, members, READER)
    page.goto(members.url + "/recherche?q=march%C3%A9s%20publics")
    first = page.locator("ol.items > li").first
    headline = first.locator(".item-title a").inner_text()
    first.get_by_label("Note privée (facultative)").fill("À lire avant le conseil municipal")
    first.get_by_role("button", name="Garder dans ma sélection").click()
    page.wait_for_url("**/recherche?q=*")
    page.goto(members.url + "/mon-espace/selection")
    assert page.get_by_role("link", name=headline).count() == 1
    assert "À lire avant le conseil municipal" in page.locator("main").inner_text()

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Exporter en CSV").click()
    rows = list(csv.reader(io.StringIO(open(csv_download.value.path(), encoding="utf-8-sig").read()), delimiter=";"))
    assert rows[0][:3] == ["Titre", "Référence", "Catégorie"]
    assert rows[1][0] == headline and rows[1][6] == "À lire avant le conseil municipal"
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Exporter en PDF").click()
    assert open(pdf_download.value.path(), "rb").read(5) == b"%PDF-"


def test_an_editor_pins_an_item_and_the_next_edition_shows_it_first(members, page):
    log_in(page, members, EDITOR)
    page.goto(members.url + "/redaction")
    item = page.locator("li", has_text="FCTVA : les dépenses d'entretien").first
    item.get_by_role("button", name="Mettre à la une").click()
    page.wait_for_url("**/redaction#article-*")
    assert "FCTVA" in page.get_by_role("region", name="À la une de la prochaine édition (1/3)").inner_text()

    build_at(members.env, "daily", "2017-03-30", "2017-03-30T07:00")
    page.goto(members.url + "/bulletins/quotidien/2017-03-30")
    assert page.locator("main h2").first.text_content() == "À la une"
    first = page.locator("main article").first.get_by_role("link").first.inner_text()
    assert first.replace("\xa0", " ") == "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"


def test_no_serious_accessibility_violation_on_the_new_pages(members, page):
    with members.env.session() as session:
        item_id = session.scalar(select(Item.id).where(Item.title.startswith("FCTVA")))
    log_in(page, members, EDITOR)
    found = {}
    for path in ("/mon-espace", "/mon-espace/selection", "/mon-espace/alertes", "/redaction",
                 f"/redaction/articles/{item_id}", "/recherche?q=fctva", f"/articles/{item_id}"):
        page.goto(members.url + path)
        if problems := serious_violations(page):
            found[path] = problems
    page.goto(members.url + "/mon-espace")
    page.get_by_label("Je confirme la suppression de mon compte").check()
    page.get_by_role("button", name="Supprimer mon compte").click()
    assert page.locator("h1").inner_text() == "Compte supprimé"
    if problems := serious_violations(page):
        found["compte supprimé"] = problems
    assert found == {}

"""The reader's side of the site in a real browser (Debian's Chromium driven by Playwright), on the
demo set: axe-core finds no serious or critical violation on any page type; journeys by mouse and
by keyboard alone; no horizontal scroll at 360 and 1280 px; the print view of lists."""
import struct

import feedparser
import pytest

from tests.livesite import LiveSite
from tests.test_web_browse import demo_environment
from tests.test_web_browser import browser, page, pytestmark  # noqa: F401  (fixtures, skip without Chromium)
from veille.cli import main

PAGES = {
    "accueil": "/",
    "recherche avec résultats": "/recherche?q=d%C3%A9cret",
    "recherche sans résultat": "/recherche?q=introuvable&categorie=parlement",
    "index des rubriques": "/rubriques/",
    "page de rubrique": "/rubriques/etat-civil",
    "page de catégorie": "/categories/journal-officiel",
    "calendrier du mois": "/archives/2026/02",
    "page du jour": "/archives/2026/02/05",
    "entrées en vigueur": "/en-vigueur/2026/03",
    "page d'article": None,  # the first result of the search, found in the test
    "répertoire des flux": "/flux/",
    "page d'erreur": "/rubriques/inconnue",
}


@pytest.fixture(scope="module")
def site(database_server, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        demo_environment(patch, tmp_path_factory.mktemp("demo"))
        assert main(["demo"]) == 0
        for args in (["org", "add", "Commune de Toulouse", "--siren", "213105554", "--type", "commune",
                      "--licence-jusqu", "2099-12-31"], ["org", "ip", "add", "213105554", "127.0.0.0/8"]):
            assert main(args) == 0  # read as a licensed commune's agents read it: full texts, passages found
        with LiveSite() as running:
            yield running


def item_page(site, page) -> str:
    page.goto(site.url + "/recherche?q=d%C3%A9cret")
    return page.locator("ol.items a").first.get_attribute("href")


def test_no_serious_or_critical_accessibility_violation(site, page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = {}
    for name, path in PAGES.items():
        page.goto(site.url + (path or item_page(site, page)))
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                                                   "best-practice"]}})
        serious = [f"{v['id']} ({v['impact']}) : {v['nodes'][0]['target']}" for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = serious
    assert found == {}


def test_search_facet_item_rubrique_then_its_feed(site, page):
    page.goto(site.url + "/")
    page.get_by_label("Rechercher dans l'archive").fill("communes")
    page.get_by_label("Rechercher dans l'archive").press("Enter")
    page.wait_for_url("**/recherche?q=communes")
    assert "résultats pour « communes »" in page.get_by_role("status").inner_text()
    page.get_by_role("region", name="Affiner").get_by_role("link", name="Journal officiel").click()
    page.wait_for_url("**categorie=journal-officiel**")
    first = page.locator("ol.items .item-title a").first
    headline = first.inner_text()
    first.click()
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == headline
    rubrique = page.locator("dt:has-text('Rubriques') + dd a").first
    label = rubrique.inner_text()
    rubrique.click()
    page.wait_for_url("**/rubriques/*")
    assert page.locator("h1").inner_text() == label
    assert page.get_by_role("link", name=headline).count() == 1
    feed = page.get_by_role("link", name=f"{label} (RSS)").get_attribute("href")
    response = page.request.get(site.url + feed)
    assert response.status == 200 and response.headers["content-type"].startswith("application/rss+xml")
    parsed = feedparser.parse(response.body())
    assert parsed.bozo == 0 and headline in [entry.title for entry in parsed.entries]


def test_the_calendar_to_a_day_and_its_edition(site, page):
    page.goto(site.url + "/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Archives").click()
    page.get_by_role("link", name="Février 2026").click()
    assert page.locator("h1").inner_text() == "Archives – Février 2026"
    page.get_by_role("link", name="jeudi 5 février 2026 : 8 articles, bulletin quotidien").click()
    assert page.locator("h1").inner_text() == "Archives du jeudi 5 février 2026"
    page.get_by_role("link", name="L'actualité du jeudi 5 février 2026", exact=True).click()
    page.wait_for_url("**/bulletins/quotidien/2026-02-05")
    assert page.locator("h1").inner_text() == "L'actualité du jeudi 5 février 2026"


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
            return
    raise AssertionError(f"{selector} jamais atteint au clavier")


def test_keyboard_only_search_filter_and_item(site, page):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    tab_to(page, "#recherche-site")
    page.keyboard.type("dotation")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche?q=dotation")
    tab_to(page, "#tri")
    page.keyboard.press("ArrowDown")  # par date
    tab_to(page, ".search-form button")
    page.keyboard.press("Enter")
    page.wait_for_url("**tri=date**")
    tab_to(page, "ol.items a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/*")
    tab_to(page, "dd a[href^='/rubriques/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/rubriques/*")
    assert page.locator("h1").inner_text() == "Finances locales - Dotations - Péréquation"
    focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus != "none" or page.evaluate("document.activeElement === document.body")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("width", [360, 1280])
def test_no_horizontal_scroll_at_360_and_1280_pixels(site, browser, tmp_path, width):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for name, path in PAGES.items():
            page.goto(site.url + (path or item_page(site, page)))
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} : {overflow} px de défilement horizontal à {width} px"
            shot = page.screenshot(full_page=True, path=str(tmp_path / f"{width}-{len(name)}.png"))
            assert png_size(shot)[0] == width
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/recherche?q=d%C3%A9cret", "/rubriques/etat-civil"])
def test_print_view_keeps_the_list_and_drops_the_controls(site, page, path):
    page.goto(site.url + path)
    page.emulate_media(media="print")
    assert page.locator("ol.items li").first.is_visible()
    assert page.locator("h1").is_visible()
    for hidden in ("nav.site", "form.search-form", "p.feed", ".pages"):
        for element in page.locator(hidden).all():
            assert not element.is_visible(), hidden
    if "recherche" in path:
        assert not page.get_by_role("region", name="Affiner").is_visible()
        mark = page.locator("mark").first
        assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"

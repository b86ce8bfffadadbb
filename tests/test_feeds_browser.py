"""A reader's browser finds the feed a page announces and reads it (Debian's Chromium, Playwright)."""
import feedparser

from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_web import site  # noqa: F401  (fixture)
from tests.test_web_browser import browser, page, pytestmark  # noqa: F401  (fixtures, skip without Chromium)


def test_the_feed_link_of_a_page_is_discovered_and_answers_a_feed(site, page):
    page.goto(site.url + "/flux/")
    announced = page.locator('head link[rel="alternate"][type="application/rss+xml"]')
    assert announced.count() == 1
    assert announced.get_attribute("title") == "Veille – toute la veille"
    address = page.evaluate("document.querySelector('link[rel=alternate][type=\"application/rss+xml\"]').href")
    assert address == site.url + "/flux/tout.rss"  # resolved by the browser against the page
    response = page.request.get(address)
    assert response.status == 200 and response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.body())
    assert feed.bozo == 0 and feed.feed.title == "Veille – toute la veille"
    assert feed.entries[0].title == "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"

    page.get_by_role("link", name="RSS : Élections").click()  # the directory's own link to a rubrique feed
    assert page.url == site.url + "/flux/rubriques/elections.rss"

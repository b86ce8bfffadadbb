"""What the reader's pages share, computed once per archive version (veille.web.memo): a
rubrique's or a category's ordered items, a month's counts by day, who holds a client address,
a feed's version. Requests
here miss the page cache (each carries a query parameter no other had, as right after a crawl),
so that they read the memoized values: every change of the archive shows in them at once."""
import itertools
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.livesite import LiveSite
from tests.test_bulletin_build import paris, week  # noqa: F401  (fixture)
from tests.test_feeds import add_item, ids_of
from tests.test_web import get, text
from tests.test_web_access import archive, reads_in_full  # noqa: F401  (fixture)
from tests.web_accounts import TOULOUSE, Browser, cli
from veille.web.memo import PerVersion

ASKED = itertools.count()


@pytest.fixture
def site(week):
    with LiveSite() as running, httpx.Client(base_url=running.url, timeout=30) as client:
        running.client = client
        yield running


def fresh(site, path: str) -> str:
    """The page as a reader sees it, never from the page cache."""
    response = get(site, f"{path}{'&' if '?' in path else '?'}sans-cache={next(ASKED)}")
    assert response.status_code == 200, path
    return text(response.text)


def total(page: str) -> int:
    found = re.search(r"(\d+) articles?[,.]", page)
    return int(found.group(1)) if found else 0


def first_headline(site, path: str) -> str:
    response = get(site, f"{path}{'&' if '?' in path else '?'}sans-cache={next(ASKED)}")
    return re.search(r'class="item-title"><a href="[^"]+">([^<]+)</a>', response.text).group(1)


def api_ids(site) -> list[str]:
    response = get(site, f"/api/items?rubrique=finances-locales&limit=200&sans-cache={next(ASKED)}")
    return [item["id"] for item in response.json()["items"]]


def test_a_rubrique_and_a_category_follow_the_archive_through_their_pages_and_filters(site, week):
    paths = ["/rubriques/finances-locales", "/rubriques/finances-locales?categorie=actualite",
             "/rubriques/finances-locales?depuis=2017-03-29", "/categories/actualite"]
    before = {path: total(fresh(site, path)) for path in paths}
    assert all(before.values()), before
    assert {path: total(fresh(site, path)) for path in paths} == before  # memoized: the same
    add_item(week, "nouveau", "Dotation de soutien aux communes rurales 2017", topics=["finances-locales"],
             published_at=paris("2017-03-31T09:00"))
    assert {path: total(fresh(site, path)) for path in paths} == {path: n + 1 for path, n in before.items()}
    for path in paths:
        assert first_headline(site, path) == "Dotation de soutien aux communes rurales 2017", path
    assert api_ids(site)[0] == "nouveau"
    assert total(fresh(site, "/rubriques/finances-locales?jusqu=2017-03-30")) \
        == total(fresh(site, "/rubriques/finances-locales?jusqu=2017-03-30&x=1"))
    assert week.cli("hide", "nouveau", "--reason", "doublon").code == 0
    assert {path: total(fresh(site, path)) for path in paths} == before
    assert "nouveau" not in api_ids(site)
    partielles = next(item_id for name, item_id in ids_of(week).items() if name.startswith("Élections municipales"))
    assert week.cli("hide", partielles, "--reason", "doublon").code == 0
    assert total(fresh(site, "/categories/actualite")) == before["/categories/actualite"] - 1


def test_a_months_calendar_counts_a_new_item_at_once(site, week):
    def count_of_the_30th() -> int:
        response = get(site, f"/archives/2017/03?sans-cache={next(ASKED)}")
        found = re.search(r'aria-label="jeudi 30 mars 2017 : (\d+) article', response.text)
        return int(found.group(1)) if found else 0

    before = count_of_the_30th()
    assert count_of_the_30th() == before
    add_item(week, "nouveau", "Dotation de soutien aux communes rurales 2017", published_at=paris("2017-03-30T09:00"))
    assert count_of_the_30th() == before + 1


def test_values_of_an_older_version_are_dropped_and_never_kept():
    kept = PerVersion(10)
    assert kept.value("a", 1, lambda: "a1") == "a1"
    assert kept.value("a", 1, lambda: "recomputed") == "a1"
    assert kept.value("a", 2, lambda: "a2") == "a2"  # a newer version: computed again
    assert kept.value("a", 1, lambda: "late") == "late"  # a request that began before the change
    assert kept.value("a", 2, lambda: "recomputed") == "a2"  # ... left the newer value in place
    assert kept.value("b", 3, lambda: "b3") == "b3"
    assert kept.get("a") is None  # all of version 2 dropped once version 3 is seen


def test_an_address_entering_or_leaving_a_licensed_range_changes_what_it_reads_at_once(archive):
    with LiveSite() as site:
        browser = Browser(site)
        path = f"{archive.item_path}?sans-cache="
        assert not reads_in_full(browser.get(path + "1"))
        assert not reads_in_full(browser.get(path + "2"))  # who holds 127.0.0.1 is remembered: no one
        cli(archive, "org", "ip", "add", TOULOUSE, "127.0.0.0/8")
        assert reads_in_full(browser.get(path + "3"))
        cli(archive, "org", "ip", "remove", TOULOUSE, "127.0.0.0/8")
        assert not reads_in_full(browser.get(path + "4"))


def test_threads_asking_for_the_same_missing_value_compute_it_once():
    kept, calls = PerVersion(10), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "value"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: kept.value("a", 1, slow), range(8)))
    assert answers == ["value"] * 8 and len(calls) == 1

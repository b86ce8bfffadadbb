"""`/recherche` over real HTTP on the search corpus, on both engines: the same results as
`veille search`, highlighted words, facets that add a filter, « Vouliez-vous dire », pages,
the feed link, and every bad parameter a French 400 naming it."""
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup

from tests.fixtures.search.corpus import store
from tests.databases import SEARCH_ENGINES, use_test_database
from tests.livesite import LiveSite
from tests.test_web import text
from veille.config import Settings
from veille.search.indexer import index_pending


@pytest.fixture(scope="module", params=SEARCH_ENGINES)
def site(database_server, request, tmp_path_factory):
    """The corpus, indexed, served once per engine for the tests of this file (they only read)."""
    root = tmp_path_factory.mktemp(request.param)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VEILLE_HOME", str(root / "var"))
        patch.setenv("VEILLE_FEEDS", str(root / "feeds.yaml"))
        patch.setenv("VEILLE_INDEX_DIR", str(root / "index"))
        patch.setenv("VEILLE_SEARCH", request.param)
        use_test_database(patch)
        archive = store(Settings.from_env())
        index_pending(archive.settings, archive.factory)
        with LiveSite() as running, httpx.Client(base_url=running.url, timeout=30) as client:
            running.client, running.archive = client, archive
            yield running


def soup(site, path: str, status: int = 200) -> BeautifulSoup:
    response = site.client.get(path)
    assert response.status_code == status, response.text[-500:]
    return BeautifulSoup(response.text, "html.parser")


def titles(page: BeautifulSoup) -> list[str]:
    return [" ".join(h.get_text().split()) for h in page.select("ol.items .item-title")]


def link(page: BeautifulSoup, name: str) -> str:
    found = page.find("a", string=re.compile(re.escape(name)))
    assert found is not None, f"pas de lien « {name} »"
    return found["href"]


def test_results_with_marks_reference_facets_and_feed_link(site):
    page = soup(site, "/recherche?q=march%C3%A9s+publics")
    assert "3 résultats pour « marchés publics », page 1 sur 1, tri par pertinence" in text(str(page))
    assert "Seuils des marchés publics" in titles(page)  # the headline of the decree
    guide = next(li for li in page.select("ol.items li") if "passer un marché public" in li.get_text())
    assert {m.get_text().lower() for m in guide.select("mark")} == {"marché", "public"}  # any form of the words
    decree = next(li for li in page.select("ol.items li") if "Seuils des marchés publics" in li.get_text())
    assert "JORF n°0306 du 19 décembre 2020 - NOR : ECOM2031868D" in text(str(decree))
    assert "Commande publique - Marchés publics" in decree.get_text() and "Journal officiel" in decree.get_text()
    assert decree.find("a")["href"] == f"/articles/{site.archive.ids['seuils']}"
    feed = link(page, "Recherche « marchés publics » (RSS)")
    assert urlsplit(feed).path == "/flux/recherche.rss" and parse_qs(urlsplit(feed).query) == {"q": ["marchés publics"]}
    announced = page.find("link", rel="alternate", type="application/atom+xml")["href"]
    assert urlsplit(announced).path == "/flux/recherche.atom" and urlsplit(announced).query == urlsplit(feed).query
    assert page.select_one("#recherche-site")["value"] == "marchés publics"  # the site's box keeps the words


def test_a_facet_adds_its_filter_and_the_filter_can_be_removed(site):
    page = soup(site, "/recherche?q=march%C3%A9s+publics")
    facet = link(page, "Journal officiel")
    assert parse_qs(urlsplit(facet).query) == {"q": ["marchés publics"], "categorie": ["journal-officiel"]}
    narrowed = soup(site, facet)
    assert titles(narrowed) == ["Seuils des marchés publics"]
    assert "1 résultat pour « marchés publics »" in text(str(narrowed))
    back = link(narrowed, "retirer ce filtre")
    assert parse_qs(urlsplit(back).query) == {"q": ["marchés publics"]}


def test_did_you_mean_is_a_link_to_the_corrected_search(site):
    page = soup(site, "/recherche?q=d%C3%A9mat%C3%A9rialisation+des+acts")
    assert "Aucun résultat pour « dématérialisation des acts »." in text(str(page))
    corrected = link(page, "dématérialisation des actes")
    assert parse_qs(urlsplit(corrected).query) == {"q": ["dématérialisation des actes"]}
    assert titles(soup(site, corrected)) == ["État civil : dématérialisation des actes de naissance"]


def test_pages_of_twenty_with_previous_and_next(site):
    first = soup(site, "/recherche?categorie=documentation&tri=date")
    assert "14 résultats" in text(str(first))
    everything = soup(site, "/recherche?depuis=2000-01-01")
    assert "25 résultats, page 1 sur 2, tri par pertinence" in text(str(everything))
    assert len(titles(everything)) == 20
    following = everything.find("a", rel="next")["href"]
    assert parse_qs(urlsplit(following).query) == {"depuis": ["2000-01-01"], "page": ["2"]}
    second = soup(site, following)
    assert len(titles(second)) == 5 and second.find("a", rel="next") is None
    assert parse_qs(urlsplit(second.find("a", rel="prev")["href"]).query) == {"depuis": ["2000-01-01"]}
    beyond = soup(site, "/recherche?depuis=2000-01-01&page=9")
    assert "La page 9 est au-delà de la dernière" in text(str(beyond))
    assert parse_qs(urlsplit(link(beyond, "aller à la page 2")).query)["page"] == ["2"]


def test_dates_and_sort_by_date_like_the_command_line(site):
    page = soup(site, "/recherche?q=intercommunalit%C3%A9&tri=date&depuis=2018-03-01&jusqu=2018-05-03")
    assert titles(page) == [f"Lettre de l'intercommunalité n° {m}" for m in (5, 4, 3)]


def test_empty_result_with_a_filter_suggests_removing_it(site):
    page = soup(site, "/recherche?q=fibre+optique&categorie=circulaires")
    assert "Aucun résultat pour « fibre optique »." in text(str(page))
    wider = link(page, "la même recherche dans toute l'archive")
    assert parse_qs(urlsplit(wider).query) == {"q": ["fibre optique"]}
    assert len(titles(soup(site, wider))) == 2


@pytest.mark.parametrize("query, name", [
    ("page=0", "page"), ("page=abc", "page"), ("page=99999", "page"), ("page=%C2%B2", "page"),
    ("depuis=2020-13-01", "depuis"), ("jusqu=5+f%C3%A9vrier", "jusqu"), ("depuis=20200205", "depuis"),
    ("depuis=2021-01-02&jusqu=2021-01-01", "depuis"), ("rubrique=inconnue", "rubrique"),
    ("categorie=presse", "categorie"), ("tri=hasard", "tri"),
])
def test_a_bad_parameter_is_a_french_400_naming_it(site, query, name):
    page = soup(site, "/recherche?q=d%C3%A9cret&" + query, status=400)
    assert page.h1.get_text() == "Requête invalide"
    assert f"paramètre « {name} »" in text(str(page.main))


@pytest.mark.parametrize("query", ["x" * 10_000, '"fabriques de territoire', "(dotation OR (seuils",
                                   ")) OR -", "« tiers-lieux", "rubrique: source:"])
def test_odd_queries_give_a_page_not_an_error(site, query):
    page = soup(site, "/recherche?" + httpx.QueryParams({"q": query}).__str__())
    assert page.h1.get_text() == "Rechercher dans l'archive"
    assert page.select_one("#q")["value"] == " ".join(query.split())[:1000]


def test_search_terms_are_reflected_escaped(site):
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    response = site.client.get("/recherche", params={"q": hostile})
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "<img src=x" not in response.text
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#q")["value"] == hostile
    assert not page.find("img") and not page.find("script")


def test_every_page_has_a_labelled_search_box(site):
    for path in ("/", "/recherche", f"/articles/{site.archive.ids['seuils']}", "/inconnue"):
        response = site.client.get(path)
        box = BeautifulSoup(response.text, "html.parser").select_one("form[role=search] #recherche-site")
        assert box is not None and box["name"] == "q", path
        assert BeautifulSoup(response.text, "html.parser").find("label", attrs={"for": "recherche-site"})

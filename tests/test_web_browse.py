"""Browsing the archive over real HTTP, on the demo set loaded by `veille demo`: rubriques by
theme, a rubrique's and a category's pages (the JO by issue), years and months, a month's
calendar, a day's items and edition, what enters into force; links to feeds everywhere."""
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.databases import sqlite_only, use_test_database
from tests.livesite import LiveSite
from tests.test_web import text
from veille.catalog import load_catalog
from veille.cli import main
from veille.config import Settings
from veille.db import make_engine, session_factory, transaction
from veille.entry import Entry
from veille.ingest import store_entries
from veille.models import Item
from veille.web import archives

REPO_FEEDS = __import__("pathlib").Path(__file__).resolve().parents[1] / "feeds.yaml"


def demo_environment(patch, root) -> None:
    patch.setenv("VEILLE_HOME", str(root / "var"))
    patch.setenv("VEILLE_INDEX_DIR", str(root / "index"))
    patch.setenv("VEILLE_FEEDS", str(REPO_FEEDS))
    patch.setenv("VEILLE_BASE_URL", "https://veille.test")
    use_test_database(patch)


@pytest.fixture(scope="module")
def demo(database_server, tmp_path_factory):
    """The demo set loaded by the real command, served; the tests of this file only read."""
    with pytest.MonkeyPatch.context() as patch:
        demo_environment(patch, tmp_path_factory.mktemp("demo"))
        assert main(["demo"]) == 0
        with LiveSite() as running, httpx.Client(base_url=running.url, timeout=30) as client:
            running.client = client
            with session_factory(make_engine(Settings.from_env()))() as session:
                running.ids = {" ".join(item.title.split()): item.id for item in session.scalars(select(Item))}
            yield running


def page(site, path: str, status: int = 200) -> BeautifulSoup:
    response = site.client.get(path)
    assert response.status_code == status, (path, response.text[-400:])
    return BeautifulSoup(response.text, "html.parser")


def headlines(soup: BeautifulSoup) -> list[str]:
    return [" ".join(h.get_text().split()) for h in soup.select("ol.items .item-title")]


def alternates(soup: BeautifulSoup) -> list[tuple[str, str]]:
    return [(link["type"], link["href"]) for link in soup.select('head link[rel="alternate"]')]


def test_demo_says_what_it_loaded_and_loading_twice_changes_nothing(database_server, tmp_path, monkeypatch, capsys):
    demo_environment(monkeypatch, tmp_path)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert f"Jeu de démonstration chargé dans {Settings.from_env().database_url} :" in out
    assert ": 27 articles (27 nouveaux, 0 mis à jour, 0 inchangés)." in out
    assert "Bulletin « L'actualité du jeudi 5 février 2026 » construit." in out
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert ": 27 articles (0 nouveaux, 0 mis à jour, 27 inchangés)." in out
    assert "Bulletin « L'actualité du jeudi 5 février 2026 » déjà présent." in out


def test_demo_names_the_files_whose_source_the_catalogue_lacks(env, capsys):
    env.write_feeds([{"id": "localtis", "name": "Localtis", "url": "https://exemple.fr/rss", "category": "actualite"}])
    assert env.cli("demo").code == 0
    out = env.cli("demo").out
    assert ": 5 articles (0 nouveaux, 0 mis à jour, 5 inchangés)." in out
    assert "  ignoré : senat-textes.xml (source absente de " in out and "  ignoré : jorf/ (source absente de " in out


def test_rubriques_by_theme_with_counts(demo):
    soup = page(demo, "/rubriques/")
    assert soup.h1.get_text() == "Rubriques"
    assert len(soup.select("main li a")) == 58
    themes = [h.get_text() for h in soup.select("main h2")]
    assert themes[:3] == ["Institutions, élus, territoires", "Finances locales", "Commande publique, domaine"]
    civil = soup.find("a", string="État civil")
    assert civil["href"] == "/rubriques/etat-civil"
    assert "(2 articles)" in civil.parent.get_text()
    assert "(0 article)" in soup.find("a", string="Élections").parent.get_text()


def test_a_rubrique_page_newest_first_with_filters_and_feeds(demo):
    soup = page(demo, "/rubriques/etat-civil")
    assert soup.h1.get_text() == "État civil"
    assert headlines(soup) == ["Délivrance dématérialisée des copies et extraits d'actes de l'état civil",
                               "Question écrite n° 2101 : Actes"]
    assert "2 articles." in text(str(soup))
    assert alternates(soup) == [("application/rss+xml", "/flux/rubriques/etat-civil.rss"),
                                ("application/atom+xml", "/flux/rubriques/etat-civil.atom")]
    assert soup.find("a", href="/flux/rubriques/etat-civil.atom") is not None
    only_jo = page(demo, "/rubriques/etat-civil?categorie=journal-officiel")
    assert headlines(only_jo) == ["Délivrance dématérialisée des copies et extraits d'actes de l'état civil"]
    assert only_jo.select_one("#categorie option[selected]")["value"] == "journal-officiel"
    before = page(demo, "/rubriques/etat-civil?jusqu=2026-02-04")
    assert headlines(before) == ["Question écrite n° 2101 : Actes"]
    none = page(demo, "/rubriques/etat-civil?depuis=2026-03-01")
    assert "Aucun article avec ces filtres" in text(str(none))
    assert none.find("a", string="voir toute la liste")["href"] == "/rubriques/etat-civil"


@pytest.mark.parametrize("path, status, words", [
    ("/rubriques/inconnue", 404, "La rubrique « inconnue » n'existe pas"),
    ("/categories/presse", 404, "La catégorie « presse » n'existe pas"),
    ("/rubriques/etat-civil?page=0", 400, "paramètre « page »"),
    ("/rubriques/etat-civil?depuis=2026-02-30", 400, "paramètre « depuis »"),
    ("/rubriques/etat-civil?categorie=presse", 400, "paramètre « categorie »"),
    ("/categories/actualite?jusqu=hier", 400, "paramètre « jusqu »"),
    ("/archives/2026/13", 404, "un mois s'écrit /archives/AAAA/MM"),
    ("/archives/２０２６/02", 404, "un mois s'écrit /archives/AAAA/MM"),
    ("/archives/2026/2", 404, "un mois s'écrit /archives/AAAA/MM"),
    ("/archives/2026/02/30", 404, "un jour s'écrit /archives/AAAA/MM/JJ"),
    ("/archives/0000/01/01", 404, "un jour s'écrit"),
    ("/en-vigueur/2026/00", 404, "un mois s'écrit /en-vigueur/AAAA/MM"),
    ("/en-vigueur/2026/02/30", 404, "un jour s'écrit /en-vigueur/AAAA/MM/JJ"),
])
def test_bad_addresses_and_filters_are_french_errors(demo, path, status, words):
    soup = page(demo, path, status)
    assert words in text(str(soup.main))


def test_the_journal_officiel_grouped_by_issue(demo):
    soup = page(demo, "/categories/journal-officiel")
    assert [h.get_text() for h in soup.select("main h2")] == ["JORF n°0030 du 5 février 2026"]
    assert len(headlines(soup)) == 7
    assert alternates(soup)[0] == ("application/rss+xml", "/flux/categories/journal-officiel.rss")
    assert soup.select_one("#categorie") is None  # the page is that category's already


def test_pages_of_thirty(demo, tmp_path, monkeypatch):
    demo_environment(monkeypatch, tmp_path)
    settings = Settings.from_env()
    factory = session_factory(make_engine(settings))
    main(["init"])
    catalog = load_catalog(settings.feeds_path)
    from veille.crawl import sync_sources
    with transaction(factory) as session:
        sync_sources(session, catalog)
        start = datetime(2026, 1, 1, 8, tzinfo=timezone.utc)
        store_entries(session, catalog.sources["localtis"], "https://exemple.fr/", [
            Entry(key=f"n{n}", url=f"https://exemple.fr/{n}", title=f"Brève n° {n}", summary="Actualité.",
                  published=start + timedelta(days=n)) for n in range(1, 36)], catalog.topics, start + timedelta(days=40))
    with LiveSite() as site, httpx.Client(base_url=site.url, timeout=30) as client:
        site.client = client
        first = page(site, "/categories/actualite")
        assert headlines(first) == [f"Brève n° {n}" for n in range(35, 5, -1)]
        assert "35 articles, page 1 sur 2." in text(str(first))
        following = first.find("a", rel="next")["href"]
        assert parse_qs(urlsplit(following).query) == {"page": ["2"]}
        second = page(site, following)
        assert headlines(second) == [f"Brève n° {n}" for n in range(5, 0, -1)]
        assert second.find("a", rel="prev")["href"] == "/categories/actualite"


def test_years_and_months(demo):
    soup = page(demo, "/archives/")
    assert [h.get_text() for h in soup.select("main h2")] == ["2026"]
    assert [" ".join(li.get_text().split()) for li in soup.select("main li")] == [
        "Février 2026 (18 articles)", "Janvier 2026 (9 articles)"]
    assert soup.find("a", string="Février 2026")["href"] == "/archives/2026/02"


def test_a_month_calendar_with_counts_and_editions(demo):
    soup = page(demo, "/archives/2026/02")
    assert soup.h1.get_text() == "Archives – Février 2026"
    assert [th.get_text() for th in soup.select("thead th")] == ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
    fifth = soup.find("a", href="/archives/2026/02/05")
    assert fifth["aria-label"] == "jeudi 5 février 2026 : 8 articles, bulletin quotidien"
    assert soup.find("a", href="/archives/2026/02/04")["aria-label"] == "mercredi 4 février 2026 : 6 articles"
    assert soup.find("a", href="/archives/2026/02/10") is None  # nothing that day
    assert soup.find("a", rel="prev")["href"] == "/archives/2026/01"
    assert soup.find("a", rel="next")["href"] == "/archives/2026/03"
    assert "18 articles publiés ce mois-ci" in text(str(soup))


def test_a_day_by_category_with_its_edition(demo):
    soup = page(demo, "/archives/2026/02/05")
    assert soup.h1.get_text() == "Archives du jeudi 5 février 2026"
    assert [h.get_text() for h in soup.select("main h2")] == ["Journal officiel", "Jurisprudence"]
    edition = soup.find("a", string="L'actualité du jeudi 5 février 2026")
    assert edition["href"] == "/bulletins/quotidien/2026-02-05"
    day_before = page(demo, "/archives/2026/02/04")  # JO texts stand under their issue's date
    assert "Journal officiel" not in [h.get_text() for h in day_before.select("main h2")]
    assert page(demo, "/archives/2026/02/04").find("a", string=re.compile("L'actualité")) is None
    empty = page(demo, "/archives/2026/02/10")
    assert "Aucun article publié ce jour-là." in text(str(empty))


def test_what_enters_into_force_day_by_day_jo_first(demo):
    soup = page(demo, "/en-vigueur/2026/03")
    assert [h.get_text() for h in soup.select("main h2")] == ["dimanche 1er mars 2026"]
    first_of_march = headlines(soup)
    assert len(first_of_march) == 4  # three decrees of the JO, then a circular
    assert first_of_march[-1] == "Pouvoirs de police du maire en matière de sécurité publique"  # « Circulaire » < « Décret »
    assert alternates(soup)[0] == ("application/rss+xml", "/flux/en-vigueur.rss")
    february = page(demo, "/en-vigueur/2026/02")
    assert [h.get_text() for h in february.select("main h2")] == ["vendredi 6 février 2026", "dimanche 15 février 2026"]
    assert "Aucun texte connu n'entre en vigueur ce mois-ci." in text(str(page(demo, "/en-vigueur/2025/01")))


def test_a_busy_day_of_the_month_shows_its_first_texts_and_links_to_the_others(demo, monkeypatch):
    monkeypatch.setattr(archives, "IN_FORCE_PER_DAY", 2)
    month = page(demo, "/en-vigueur/2026/03?plafond=2")  # a query of its own: not the page the test above cached
    everything = headlines(page(demo, "/en-vigueur/2026/03"))
    assert headlines(month) == everything[:2]
    link = month.find("a", string="2 autres textes entrent en vigueur le dimanche 1er mars 2026")
    assert link["href"] == "/en-vigueur/2026/03/01"
    day = page(demo, link["href"])
    assert day.h1.get_text() == "Entrées en vigueur – dimanche 1er mars 2026"
    assert headlines(day) == everything  # every text of that day, in the same order
    assert day.find("a", string="Tout le mois")["href"] == "/en-vigueur/2026/03"
    assert "Aucun texte connu n'entre en vigueur ce jour-là." in text(str(page(demo, "/en-vigueur/2026/03/02")))


def test_an_item_links_to_its_rubriques_category_and_feeds(demo):
    soup = page(demo, "/articles/" + demo.ids["Retraite : la CNRACL relève le taux de cotisation employeur"])
    rubriques = soup.find("dt", string="Rubriques").find_next("dd")
    assert [(a.get_text(), a["href"]) for a in rubriques.find_all("a")] == [
        ("Fonction publique territoriale - Statut - Carrière", "/rubriques/fpt-statut-carriere"),
        ("Fonction publique territoriale - Retraite - Protection sociale", "/rubriques/fpt-retraite-protection-sociale")]
    assert soup.find("dt", string="Catégorie").find_next("dd").a["href"] == "/categories/infos-rh"
    assert ("application/rss+xml", "/flux/rubriques/fpt-statut-carriere.rss") in alternates(soup)
    assert ("application/atom+xml", "/flux/categories/infos-rh.atom") in alternates(soup)
    assert soup.find("a", href="/flux/rubriques/fpt-retraite-protection-sociale.rss") is not None


@pytest.mark.parametrize("path", ["/", "/rubriques/", "/archives/", "/archives/2026/02", "/archives/2026/02/05",
                                  "/recherche", "/bulletins/", "/inconnue"])
def test_every_page_announces_a_feed(demo, path):
    response = demo.client.get(path)
    assert ("application/rss+xml", "/flux/tout.rss") in alternates(BeautifulSoup(response.text, "html.parser"))


@pytest.mark.parametrize("path", ["/rubriques/etat-civil?page=2", "/archives/2026/02", "/recherche?q=d%C3%A9cret",
                                  "/categories/journal-officiel"])
def test_no_claimed_host_reaches_a_link(demo, path):
    response = demo.client.get(path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example",
                                              "X-Forwarded-Proto": "https"})
    assert response.status_code in (200, 400)
    assert "evil.example" not in response.text


@sqlite_only
def test_browsing_reads_indexes_not_the_whole_table(demo):
    """Migrations 0006, 0014 and 0015: the category, rubrique, calendar and in-force queries have
    their indexes (on 100,000 items a full scan of the table, texts included, takes seconds), and
    a rubrique's page of ids (rubrique pages, /api/items?rubrique=), a month's dates and a category
    feed's version are read from indexes alone, never from the items' rows."""
    engine = make_engine(Settings.from_env())

    def plan(sql: str) -> str:
        return " ".join(str(row) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))

    with engine.connect() as connection:
        names = set(connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('items', 'item_topics')").scalars())
        assert {"ix_items_category_listed", "ix_items_id_moments", "ix_items_days", "ix_items_effective_date",
                "ix_item_topics_topic_item", "ix_items_category_arrival"} <= names
        category = plan("SELECT id FROM items WHERE category = 'actualite' AND hidden_at IS NULL "
                        "ORDER BY coalesce(published_at, fetched_at) DESC LIMIT 30")
        in_rubrique = "hidden_at IS NULL AND id IN (SELECT item_id FROM item_topics WHERE topic = 'etat-civil')"
        rubrique = plan(f"SELECT id FROM items WHERE {in_rubrique} "
                        "ORDER BY coalesce(published_at, fetched_at) DESC, id LIMIT 30")
        api = plan(f"SELECT id FROM items WHERE {in_rubrique} ORDER BY fetched_at DESC, id DESC LIMIT 51")
        category_feed = plan("SELECT id, updated_at, published_at, hidden_at FROM items WHERE category = 'actualite' "
                             "ORDER BY fetched_at DESC, id DESC LIMIT 70")  # veille.web.syndication.version
        month = plan("SELECT jo_date, coalesce(published_at, fetched_at) FROM items WHERE hidden_at IS NULL AND "
                     "((jo_date IS NOT NULL AND jo_date >= '2026-02-01' AND jo_date < '2026-03-01') OR "
                     "(jo_date IS NULL AND coalesce(published_at, fetched_at) >= '2026-01-31 23:00:00' "
                     "AND coalesce(published_at, fetched_at) < '2026-02-28 23:00:00'))")
    assert "ix_items_category_listed" in category and "TEMP B-TREE" not in category
    for found in (rubrique, api):
        assert "COVERING INDEX ix_items_id_moments" in found and "COVERING INDEX ix_item_topics_topic_item" in found
    assert month.count("COVERING INDEX ix_items_days") == 2
    assert "COVERING INDEX ix_items_category_arrival" in category_feed and "TEMP B-TREE" not in category_feed

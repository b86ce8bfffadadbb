"""Feeds out, over real HTTP on 127.0.0.1: RSS 2.0 and Atom 1.0 per rubrique, per category, for
everything and for what enters into force; read back with feedparser and lxml as a reader would."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import feedparser
import pytest
from flask import template_rendered
from lxml import etree
from sqlalchemy import select

from tests.test_bulletin_build import factory_of, paris, week  # noqa: F401  (fixture)
from tests.test_web import get, site, text  # noqa: F401  (fixture)
from veille.catalog import CATEGORIES, load_catalog
from veille.crawl import sync_sources
from veille.db import transaction
from veille.entry import Entry
from veille.ingest import store_entries
from veille.models import Item, ItemTopic

PARIS = ZoneInfo("Europe/Paris")
FEEDS = ["/flux/tout", "/flux/rubriques/elections", "/flux/rubriques/finances-locales",
         "/flux/categories/journal-officiel", "/flux/categories/actualite", "/flux/en-vigueur"]
HOSTILE = "Arrêté ]]> & <script>alert(1)</script>\x00\x0b\x1b\ufffe\x85 « fin »"


def parsed(response):
    """The feed as feedparser reads it, after lxml has found it well-formed."""
    etree.fromstring(response.content)
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def ids_of(env) -> dict[str, str]:
    with env.session() as session:
        return {item.title: item.id for item in session.scalars(select(Item))}


def crawl(env, source_id: str, entries: list[Entry], when: str) -> None:
    catalog = load_catalog(env.feeds)
    with transaction(factory_of(env)) as session:
        sync_sources(session, catalog)
        source = catalog.sources[source_id]
        store_entries(session, source, source.url, entries, catalog.topics, paris(when))


def add_item(env, item_id: str, title: str, summary: str = "", topics=(), **fields) -> None:
    """An item written straight into the archive, as no crawler would clean it."""
    now = datetime.now(timezone.utc)
    with transaction(factory_of(env)) as session:
        session.add(Item(id=item_id, source_id="dgcl", category="actualite", title=title, summary=summary,
                         fetched_at=fields.pop("fetched_at", now), updated_at=now, content_hash=item_id,
                         topics=[ItemTopic(topic=slug, origin="manual") for slug in topics], **fields))


# --- Every feed, both formats -----------------------------------------------------------------

@pytest.mark.parametrize("fmt, media", [("rss", "application/rss+xml; charset=utf-8"),
                                        ("atom", "application/atom+xml; charset=utf-8")])
@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_is_valid_xml_with_its_headers(site, path, fmt, media):
    response = get(site, f"{path}.{fmt}", headers={"Host": "pirate.example", "X-Forwarded-Host": "pirate.example"})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["etag"].startswith('"')
    feed = parsed(response)
    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    assert feed.feed.title.startswith("Veille – ")
    assert feed.feed.language.lower().startswith("fr")
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"https://veille.test{path}.{fmt}"]  # VEILLE_BASE_URL, never the Host sent
    assert "pirate.example" not in response.text


def test_rss_entry_carries_headline_summary_links_guid_dates_categories_and_source(site, week):
    feed = parsed(get(site, "/flux/rubriques/elections.rss"))
    decree_id = ids_of(week)["Décret n° 2017-431 du 28 mars 2017 relatif au répertoire électoral unique "
                             "et à la tenue des listes électorales"]
    [decree] = [entry for entry in feed.entries if entry.id == f"urn:veille:article:{decree_id}"]
    assert decree.title == "Répertoire électoral unique et tenue des listes électorales"
    assert decree.guidislink is False
    assert decree.link == f"https://veille.test/articles/{decree_id}"
    assert "Publics concernés : communes" in decree.summary
    assert "JORF n°0075 du 29 mars 2017 - NOR : INTA1708123D" in decree.summary
    assert 'href="https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000034300001"' in decree.summary
    assert decree.published == "Wed, 29 Mar 2017 00:00:00 +0200"
    assert [tag.term for tag in decree.tags] == ["Élections", "Journal officiel"]
    assert decree.source == {"href": "https://echanges.dila.gouv.fr/OPENDATA/JORF/", "title": "DILA – Journal officiel"}
    raw = etree.fromstring(get(site, "/flux/rubriques/elections.rss").content)
    assert raw.find("channel/item/guid").get("isPermaLink") == "false"


def test_atom_entry_links_the_official_text_as_related(site, week):
    feed = parsed(get(site, "/flux/categories/journal-officiel.atom"))
    decree_id = ids_of(week)["Décret n° 2017-431 du 28 mars 2017 relatif au répertoire électoral unique "
                             "et à la tenue des listes électorales"]
    [decree] = [entry for entry in feed.entries if entry.id == f"urn:veille:article:{decree_id}"]
    links = {link.rel: link.href for link in decree.links}
    assert links == {"alternate": f"https://veille.test/articles/{decree_id}",
                     "related": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000034300001"}
    assert decree.published == "2017-03-29T00:00:00+02:00" and decree.updated == "2017-03-29T03:00:00+02:00"
    assert decree.summary_detail.type == "text/plain" and decree.summary.startswith("Publics concernés")
    assert [(tag.term, tag.label) for tag in decree.tags] == [("elections", "Élections"),
                                                              ("journal-officiel", "Journal officiel")]
    assert decree.source.title == "DILA – Journal officiel"
    assert decree.source.id == "urn:veille:source:dila-jorf"


def test_feeds_hold_their_selection_newest_first(site, week):
    ids = ids_of(week)
    everything = parsed(get(site, "/flux/tout.rss")).entries
    assert everything[0].title == "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"  # last arrived
    assert len(everything) == len(ids)
    elections = [entry.title for entry in parsed(get(site, "/flux/rubriques/elections.atom")).entries]
    assert elections == ["Répertoire électoral unique et tenue des listes électorales",
                         "Élections municipales partielles <script>alert(1)</script> Bcc: pirate@exemple.com"]
    parliament = parsed(get(site, "/flux/categories/parlement.rss")).entries
    assert [entry.title for entry in parliament] == [
        "Proposition de loi visant à accélérer le déploiement de la fibre optique dans les zones rurales"]
    assert parsed(get(site, "/flux/categories/jurisprudence.rss")).entries == []  # known category, nothing yet


def test_n_chooses_how_many_items_up_to_200(site, week):
    assert len(parsed(get(site, "/flux/tout.rss?n=2")).entries) == 2
    for n in range(60):
        add_item(week, f"extra{n:03d}", f"Article supplémentaire {n}")
    assert len(parsed(get(site, "/flux/tout.atom")).entries) == 50
    many = parsed(get(site, "/flux/tout.atom?n=200"))
    assert len(many.entries) == len(ids_of(week))  # every item, the 60 added included
    assert [link.href for link in many.feed.links if link.rel == "self"] == ["https://veille.test/flux/tout.atom?n=200"]


@pytest.mark.parametrize("value", ["0", "201", "abc", "-1", "1.5", "２", "²", "", "5%00"])
def test_bad_n_is_a_french_400_naming_the_parameter(site, value):
    response = get(site, f"/flux/tout.rss?n={value}")
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "Le paramètre « n » doit être un nombre entier de 1 à 200" in text(response.text)


@pytest.mark.parametrize("path, message", [
    ("/flux/rubriques/inconnue.rss", "La rubrique « inconnue » n'existe pas"),
    ("/flux/rubriques/%3Cscript%3E.atom", "La rubrique « <script> » n'existe pas"),
    ("/flux/categories/presse.atom", "La catégorie « presse » n'existe pas"),
    ("/flux/rubriques/elections.json", "Cette page n'existe pas"),
    ("/flux/tout.xml", "Cette page n'existe pas"),
    ("/flux/rubriques/.rss", "Cette page n'existe pas"),
])
def test_unknown_feed_is_a_french_404_page_not_an_empty_feed(site, path, message):
    response = get(site, path)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert message in text(response.text) and "<script>" not in response.text


# --- Versions: ETag, Last-Modified, 304 -----------------------------------------------------

def test_conditional_requests_get_304_without_rendering(site):
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)
    template_rendered.connect(record, site.app)  # held by `record` for the test's length
    first = get(site, "/flux/rubriques/finances-locales.rss")
    assert rendered == ["feeds/rss.xml"]
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert modified == "Wed, 29 Mar 2017 07:00:00 GMT"
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified},
                    {"If-None-Match": f'"autre", {etag}'}, {"If-Modified-Since": "Thu, 30 Mar 2017 00:00:00 GMT"}):
        again = get(site, "/flux/rubriques/finances-locales.rss", headers=headers)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag and again.headers["cache-control"] == "public, max-age=300"
    assert get(site, "/flux/rubriques/finances-locales.rss", headers={"If-None-Match": '"autre"'}).status_code == 200
    older = get(site, "/flux/rubriques/finances-locales.rss", headers={"If-Modified-Since": "Tue, 28 Mar 2017 00:00:00 GMT"})
    assert older.status_code == 200 and older.content == first.content
    assert rendered == ["feeds/rss.xml"]  # the same version is rendered once
    assert get(site, "/flux/rubriques/finances-locales.atom").headers["etag"] == etag  # same content, other format
    assert rendered == ["feeds/rss.xml", "feeds/atom.xml"]


def test_guid_stays_and_version_moves_when_a_recrawl_changes_the_item(site, week):
    before = get(site, "/flux/rubriques/finances-locales.atom")
    other = get(site, "/flux/rubriques/elections.atom")
    [old] = [entry for entry in parsed(before).entries if entry.title.startswith("FCTVA")]
    crawl(week, "dgcl", [Entry(
        key="fctva", url="https://www.collectivites-locales.gouv.fr/fctva",
        title="FCTVA : les dépenses d'entretien des bâtiments et de voirie deviennent éligibles",
        summary="Le FCTVA s'ouvre aux dépenses d'entretien des bâtiments publics et de la voirie.",
        published=paris("2017-03-29T08:30"))], "2017-03-30T10:00")
    after = get(site, "/flux/rubriques/finances-locales.atom", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    [new] = [entry for entry in parsed(after).entries if entry.title.startswith("FCTVA")]
    assert new.id == old.id
    assert new.title == "FCTVA : les dépenses d'entretien des bâtiments et de voirie deviennent éligibles"
    assert new.updated == "2017-03-30T10:00:00+02:00" and new.published == old.published
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["last-modified"] == "Thu, 30 Mar 2017 08:00:00 GMT"
    unchanged = get(site, "/flux/rubriques/elections.atom", headers={"If-None-Match": other.headers["etag"]})
    assert unchanged.status_code == 304  # a feed the change does not touch keeps its version


def test_hidden_item_leaves_every_feed_and_changes_its_version(site, week):
    partielles = ids_of(week)["Élections municipales partielles <script>alert(1)</script> Bcc: pirate@exemple.com"]
    before = get(site, "/flux/rubriques/elections.rss")
    assert f"urn:veille:article:{partielles}" in before.text
    assert week.cli("hide", partielles, "--reason", "doublon").code == 0
    for path in ("/flux/rubriques/elections.rss", "/flux/tout.atom", "/flux/categories/actualite.rss"):
        assert f"urn:veille:article:{partielles}" not in get(site, path).text
    after = get(site, "/flux/rubriques/elections.rss", headers={"If-Modified-Since": before.headers["last-modified"]})
    assert after.status_code == 200  # a reader sending only the date learns of the change too
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["last-modified"] != before.headers["last-modified"]
    assert week.cli("unhide", partielles).code == 0
    assert f"urn:veille:article:{partielles}" in get(site, "/flux/rubriques/elections.rss").text


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_hostile_titles_and_summaries_still_give_a_valid_feed(site, week, fmt):
    add_item(week, "hostile", HOSTILE, summary=f"Résumé {HOSTILE}", topics=("elections",),
             url="javascript:alert(1)")
    feed = parsed(get(site, f"/flux/rubriques/elections.{fmt}"))
    [entry] = [entry for entry in feed.entries if entry.id == "urn:veille:article:hostile"]
    assert entry.title == "Arrêté ]]> & <script>alert(1)</script> « fin »"
    assert "javascript:" not in get(site, f"/flux/rubriques/elections.{fmt}").text


# --- What enters into force -----------------------------------------------------------------

def test_in_force_feed_holds_the_next_seven_days_in_date_order(site, week):
    today = datetime.now(PARIS).date()
    for item_id, days, hidden in (("j6", 6, False), ("j0", 0, False), ("j7", 7, False), ("hier", -1, False),
                                  ("j2", 2, False), ("j1-masque", 1, True)):
        add_item(week, item_id, f"Texte en vigueur {item_id}", effective_date=today + timedelta(days=days),
                 hidden_at=datetime.now(timezone.utc) if hidden else None)
    feed = parsed(get(site, "/flux/en-vigueur.rss"))
    assert [entry.id for entry in feed.entries] == ["urn:veille:article:j0", "urn:veille:article:j2",
                                                    "urn:veille:article:j6"]
    assert feed.feed.link == f"https://veille.test/en-vigueur/{today:%Y/%m}"


# --- Finding the feeds: directory page, OPML, <link rel="alternate"> ---------------------------

def test_directory_lists_every_rubrique_with_its_recent_count_and_both_feeds(site, week):
    add_item(week, "recent", "Arrêté récent sur les dotations", topics=("finances-locales",))
    add_item(week, "recent-masque", "Arrêté masqué", topics=("finances-locales",),
             hidden_at=datetime.now(timezone.utc))
    page = get(site, "/flux/")
    assert page.status_code == 200
    body = text(page.text)
    assert "Un flux RSS vous apporte les nouveaux textes sans revenir sur le site" in body
    assert "Finances locales - Dotations 1 RSS · Atom" in body  # 2017's items are older than 30 days
    assert 'href="/rubriques/finances-locales">Finances locales - Dotations</a>' in page.text
    assert 'href="/categories/journal-officiel">Journal officiel</a>' in page.text
    assert "Élections 0 RSS · Atom" in body
    for slug in ("finances-locales", "elections", "tic-reseaux-telephonie", "commande-publique", "forets"):
        assert f'href="/flux/rubriques/{slug}.rss"' in page.text and f'href="/flux/rubriques/{slug}.atom"' in page.text
    for slug in CATEGORIES:
        assert f'href="/flux/categories/{slug}.rss"' in page.text
    assert 'href="/flux/veille.opml"' in page.text and 'href="/flux/en-vigueur.rss"' in page.text


def test_opml_lists_every_feed_by_group_and_each_answers(site, week):
    response = get(site, "/flux/veille.opml", headers={"Host": "pirate.example"})
    assert response.status_code == 200 and response.headers["content-type"] == "text/x-opml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.get("version") == "2.0" and root.findtext("head/title") == "Veille – flux RSS"
    groups = {group.get("text"): [(feed.get("text"), feed.get("xmlUrl")) for feed in group]
              for group in root.find("body")}
    pages = [feed.get("htmlUrl") for group in root.find("body") for feed in group]
    assert pages[:3] == ["https://veille.test/", f"https://veille.test/en-vigueur/{datetime.now(PARIS):%Y/%m}",
                         "https://veille.test/categories/journal-officiel"]
    assert list(groups) == ["Veille", "Catégories de sources", "Rubriques"]
    assert groups["Catégories de sources"][0] == ("Journal officiel", "https://veille.test/flux/categories/journal-officiel.rss")
    assert [label for label, _ in groups["Rubriques"]] == [
        "Finances locales - Dotations", "Élections", "TIC - Réseaux - Téléphonie",
        "Commande publique - Marchés publics", "Environnement - Forêts"]
    urls = [url for feeds in groups.values() for _, url in feeds]
    assert len(urls) == len(pages) == 2 + len(CATEGORIES) + 5
    for url in urls:
        assert url.startswith("https://veille.test/flux/")
        feed = get(site, url.removeprefix("https://veille.test"))
        assert feed.status_code == 200, url
        parsed(feed)
    for url in pages:
        assert get(site, url.removeprefix("https://veille.test")).status_code == 200, url


@pytest.mark.parametrize("path", ["/", "/flux/", "/bulletins/", "/articles/inconnu"])
def test_pages_announce_the_feed(site, path):
    page = get(site, path)
    assert ('<link rel="alternate" type="application/rss+xml" title="Veille – toute la veille" href="/flux/tout.rss">'
            in page.text)
    assert '<link rel="alternate" type="application/atom+xml"' in page.text


# --- A saved search as a feed -------------------------------------------------------------------

def test_search_feed_takes_the_search_page_parameters(site, week):
    response = get(site, "/flux/recherche.atom?q=dotation&categorie=actualite",
                   headers={"Host": "pirate.example"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = parsed(response)
    assert [entry.title for entry in feed.entries] == ["Dotation globale de fonctionnement 2017 : les montants sont en ligne"]
    assert feed.feed.title == "Veille – recherche « dotation »"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": "https://veille.test/flux/recherche.atom?q=dotation&categorie=actualite",
                     "alternate": "https://veille.test/recherche?q=dotation&categorie=actualite"}
    everywhere = parsed(get(site, "/flux/recherche.rss?q=dotation"))
    assert len(everywhere.entries) >= 2 and everywhere.entries[0].title.startswith("Dotation globale de fonctionnement 2017")
    again = get(site, "/flux/recherche.atom?q=dotation&categorie=actualite",
                headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_search_feed_leaves_hidden_items_out_and_survives_hostile_queries(site, week):
    dgf = ids_of(week)["Dotation globale de fonctionnement 2017 : les montants sont en ligne"]
    assert week.cli("hide", dgf).code == 0
    assert f"urn:veille:article:{dgf}" not in get(site, "/flux/recherche.rss?q=dotation").text
    for query in ("]]>&<script>", '"><img onerror=alert(1)>', "(dotation", '"dotation', "x" * 10_000):
        response = get(site, "/flux/recherche.rss", params={"q": query})
        assert response.status_code == 200
        parsed(response)
        assert "<script>" not in response.text and "<img" not in response.text


@pytest.mark.parametrize("query, message", [
    ("", "paramètre « q » : indiquez les mots à rechercher"),
    ("q=dgf&rubrique=inconnue", "paramètre « rubrique » : rubrique inconnue « inconnue »"),
    ("q=dgf&depuis=05/02/2020", "paramètre « depuis » : « 05/02/2020 » n'est pas une date AAAA-MM-JJ"),
    ("q=dgf&n=500", "Le paramètre « n » doit être un nombre entier de 1 à 200"),
    ("q=dgf&tri=hasard", "paramètre « tri »"),
])
def test_search_feed_bad_parameters_are_a_french_400(site, query, message):
    response = get(site, f"/flux/recherche.rss?{query}")
    assert response.status_code == 400 and message in text(response.text)

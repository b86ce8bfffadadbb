"""Crawling end to end: a real server on 127.0.0.1, the real CLI, the real database."""
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import SAMPLES, fixture_bytes, needs_samples
from veille.catalog import KINDS, load_catalog
from veille.config import Settings
from veille.crawl import crawl
from veille.db import make_engine, migrate, session_factory
from veille.fetch import Fetcher, FetchPolicy
from veille.sources import READERS
from veille.models import FetchLog, IndexChange, Item, ItemOrigin, ItemTopic, SourceState

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Flux</title><link>https://exemple.gouv.fr/</link><description>d</description>
{items}
</channel></rss>"""
ITEM = "<item><title>{title}</title><link>{link}</link>{guid}{date}<description>{text}</description></item>"


def rss(*items: dict) -> str:
    parts = []
    for item in items:
        parts.append(ITEM.format(
            title=item["title"], link=item.get("link", ""), text=item.get("text", "Texte."),
            guid=f"<guid>{item['guid']}</guid>" if item.get("guid") else "",
            date=f"<pubDate>{item['date']}</pubDate>" if item.get("date") else ""))
    return RSS.format(items="\n".join(parts))


def table(out: str) -> dict[str, list[str]]:
    """Rows of a CLI table by their first column."""
    rows = {}
    for line in out.splitlines()[2:]:
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells[1:]
    return rows


def items_json(env, *args) -> list[dict]:
    result = env.cli("items", "--json", "--limit", "1000", *args)
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


def test_crawl_stores_items_and_lists_them(env, server):
    server.route("/dgcl.xml", fixture_bytes("dgcl_rss2_utf8.xml"), etag='"a"')
    server.route("/tresor.xml", fixture_bytes("dgtresor_atom.xml"), headers={"Content-Type": "application/atom+xml"})
    env.write_feeds([
        {"id": "dgcl", "name": "DGCL", "url": server.url("/dgcl.xml"), "topics": ["finances-locales"]},
        {"id": "tresor", "name": "DG Trésor", "kind": "atom", "url": server.url("/tresor.xml"), "category": "documentation"},
    ])
    assert env.cli("init").code == 0
    result = env.cli("crawl")
    assert result.code == 0, result.err
    rows = table(result.out)
    assert rows["dgcl"] == ["3", "0", "0"] and rows["tresor"] == ["2", "0", "0"]
    assert "2 sources relevées : 5 nouveaux, 0 mis à jour, 0 en erreur." in result.out

    items = items_json(env)
    assert len(items) == 5
    dgf = next(i for i in items if i["title"].startswith("Dotation globale"))
    assert dgf["source"] == "dgcl" and dgf["category"] == "actualite"
    assert dgf["published"] == "2017-03-29T04:30:00+00:00"
    assert dgf["url"] == "https://www.collectivites-locales.gouv.fr/dgf-2017?xtor=RSS-1"
    assert dgf["nor"] is None and dgf["links"] == []  # it cites INTB1708123A, not in the archive
    assert dgf["topics"] == ["finances-locales"]
    fibre = next(i for i in items if i["title"].startswith("Fibre optique"))
    assert "tic-reseaux-telephonie" in fibre["topics"]
    marches = next(i for i in items if i["title"].startswith("Marchés publics"))
    assert marches["category"] == "documentation" and marches["topics"] == ["commande-publique"]
    for key in ("id", "source", "category", "title", "url", "published", "topics", "nor", "jorf_id", "effective"):
        assert key in dgf

    assert [i["source"] for i in items_json(env, "--source", "tresor")] == ["tresor", "tresor"]
    assert len(items_json(env, "--category", "documentation")) == 2
    assert [i["title"][:8] for i in items_json(env, "--topic", "elections")] == ["Élection"]
    assert len(items_json(env, "--since", "2017-03-29")) == 2  # Paris days: 29 March 06:30 and 07:45

    listing = env.cli("items")
    assert listing.code == 0 and "Dotation globale de fonctionnement" in listing.out and "29/03/2017" in listing.out


def test_stored_html_is_sanitised(env, server):
    server.route("/dgcl.xml", fixture_bytes("dgcl_rss2_utf8.xml"))
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": server.url("/dgcl.xml")}])
    env.cli("crawl")
    with env.session() as session:
        item = session.scalar(select(Item).where(Item.title.like("Fibre%")))
    assert "javascript" not in item.content_html.lower() and "<script" not in item.content_html
    assert "onclick" not in item.content_html and "xlink" not in item.content_html
    assert 'src="https://www.collectivites-locales.gouv.fr/img/carte.png"' in item.content_html
    assert "soutient les réseaux d'initiative publique" in item.text
    dgf_page = "https://www.collectivites-locales.gouv.fr/files/dgf-2017.pdf"
    with env.session() as session:
        dgf = session.scalar(select(Item).where(Item.title.like("Dotation%")))
    assert dgf_page in dgf.content_html


def test_recrawl_unchanged_gets_304_and_writes_nothing(env, server):
    server.route("/dgcl.xml", fixture_bytes("dgcl_rss2_utf8.xml"), etag='"v1"')
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": server.url("/dgcl.xml")}])
    env.cli("crawl")
    with env.session() as session:
        before = {i.id: (i.updated_at, i.content_hash) for i in session.scalars(select(Item))}
    result = env.cli("crawl")
    assert "inchangé (304)" in result.out
    assert server.requests[-1][1].get("If-None-Match") == '"v1"'
    with env.session() as session:
        after = {i.id: (i.updated_at, i.content_hash) for i in session.scalars(select(Item))}
        outcomes = session.scalars(select(FetchLog.outcome).order_by(FetchLog.id)).all()
    assert after == before
    assert outcomes == ["ok", "not-modified"]


def test_changed_item_is_updated_not_duplicated(env, server):
    first = {"title": "Arrêté relatif aux concours", "guid": "g1", "link": "https://ex.gouv.fr/1", "text": "Première version."}
    other = {"title": "Autre", "guid": "g2", "link": "https://ex.gouv.fr/2"}
    server.route("/f.xml", rss(first, other))
    env.write_feeds([{"id": "f", "name": "F", "url": server.url("/f.xml")}])
    env.cli("crawl")
    server.route("/f.xml", rss(other, {**first, "title": "Arrêté relatif aux concours (rectifié)", "text": "Deuxième version."}))
    result = env.cli("crawl")
    assert "1 mis à jour" in result.out
    items = items_json(env)
    assert len(items) == 2
    with env.session() as session:  # the change log, written with the items, was consumed by the indexer
        assert session.scalar(select(func.count()).select_from(IndexChange)) == 0
    updated = next(i["id"] for i in items if i["title"].endswith("(rectifié)"))
    found = env.cli("search", "rectifié", "--json")
    assert [json.loads(line)["id"] for line in found.out.splitlines()] == [updated]
    assert {i["title"] for i in items} == {"Autre", "Arrêté relatif aux concours (rectifié)"}


def test_feed_without_guid_reordered_and_redated_makes_no_duplicate(env, server):
    a = {"title": "Texte A", "link": "https://ex.gouv.fr/a", "date": "Wed, 29 Mar 2017 06:00:00 +0200"}
    b = {"title": "Texte B", "link": "https://ex.gouv.fr/b", "date": "Wed, 29 Mar 2017 07:00:00 +0200"}
    c = {"title": "Texte C sans lien ni date"}
    server.route("/f.xml", rss(a, b, c))
    env.write_feeds([{"id": "f", "name": "F", "url": server.url("/f.xml")}])
    env.cli("crawl")
    server.route("/f.xml", rss(c, {**b, "date": "Thu, 30 Mar 2017 09:00:00 +0200"}, {**a, "link": "https://EX.gouv.fr/a#haut"}))
    result = env.cli("crawl")
    assert "0 nouveau," in result.out
    items = items_json(env)
    assert sorted(i["title"] for i in items) == ["Texte A", "Texte B", "Texte C sans lien ni date"]
    b_item = next(i for i in items if i["title"] == "Texte B")
    assert b_item["published"] == "2017-03-30T07:00:00+00:00"


def test_same_canonical_url_from_two_sources_is_one_item(env, server):
    shared = {"title": "Décret sur la DGF", "link": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042000001?utm_source=rss"}
    server.route("/a.xml", rss({**shared, "guid": "a-1"}))
    server.route("/b.xml", rss({**shared, "link": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042000001", "guid": "b-9"}))
    env.write_feeds([{"id": "a", "name": "A", "url": server.url("/a.xml")},
                     {"id": "b", "name": "B", "url": server.url("/b.xml"), "category": "journal-officiel"}])
    env.cli("crawl")
    env.cli("crawl")
    (item,) = items_json(env)
    assert item["sources"] == ["a", "b"]
    with env.session() as session:
        assert session.scalar(select(func.count()).select_from(ItemOrigin)) == 2


HOSTILE = [
    ("malformed.xml", {}, None),  # read leniently, with a warning
    ("garbage.xml", {}, "flux illisible"),
    ("xxe.xml", {}, "entités XML"),
    ("billion_laughs.xml", {}, "entités XML"),
    ("not_a_feed.html", {"headers": {"Content-Type": "text/html"}}, "flux"),
    ("an_rss2_empty_channel.xml", {}, None),
    ("senat_rss2_latin1_no_declaration.xml", {"headers": {"Content-Type": "application/rss+xml"}}, None),
    ("senat_rss2_declared-latin1_sent-utf8.xml", {"headers": {"Content-Type": "text/xml; charset=iso-8859-1"}}, None),
]


def test_hostile_sources_are_recorded_and_never_stop_the_others(env, server):
    sources = []
    for n, (name, options, _) in enumerate(HOSTILE):
        sources.append({"id": f"h{n}", "name": name, "url": server.route(f"/{name}", fixture_bytes(name), **options)})
    server.route("/410", status=410)
    server.route("/500", status=500)
    server.redirect("/loop-a", "/loop-b")
    server.redirect("/loop-b", "/loop-a")
    server.route("/big", b"<rss>" + b"x" * (16 * 1024 * 1024) + b"</rss>")
    server.route("/good.xml", fixture_bytes("dgcl_rss2_utf8.xml"))
    for path in ("/404", "/410", "/500", "/loop-a", "/big", "/good.xml"):
        sources.append({"id": "p" + path.strip("/").replace(".", "-").replace("/", "-"), "name": path, "url": server.url(path)})
    env.write_feeds(sources)
    result = env.cli("crawl")
    assert result.code == 0 and "Traceback" not in result.err
    out = result.out
    assert "p404" in out and "HTTP 404 : introuvable" in out
    assert "HTTP 410" in out and "HTTP 500" in out and "boucle de redirections" in out
    assert "trop volumineuse" in out
    assert "entités XML" in out and "flux illisible" in out
    with env.session() as session:
        states = {s.id: s for s in session.scalars(select(SourceState))}
        good = session.scalar(select(func.count()).select_from(Item).where(Item.source_id == "pgood-xml"))
    assert good == 3
    for n, (name, _, error) in enumerate(HOSTILE):
        state = states[f"h{n}"]
        if error:
            assert error in state.last_error and state.failures == 1, name
        else:
            assert state.last_error is None and state.failures == 0, name
    assert states["p410"].retired_at is not None
    for failing in ("p404", "p500", "ploop-a", "pbig"):
        assert states[failing].failures == 1 and states[failing].next_check_at > datetime.now(timezone.utc)
    # Both encodings of the same Sénat item: read right, and one item seen from two sources.
    (latin1,) = items_json(env, "--source", "h6")
    assert latin1["title"] == "Proposition de loi visant à améliorer l'accès des élus locaux à la formation"
    assert latin1["sources"] == ["h6", "h7"] and items_json(env, "--source", "h7") == [latin1]


def test_slow_source_times_out_and_the_others_go_on(env, server):
    server.route("/slow", b"x" * 4096, drip=0.2)
    server.route("/good.xml", fixture_bytes("dgcl_rss2_utf8.xml"))
    env.write_feeds([{"id": "slow", "name": "Lent", "url": server.url("/slow")},
                     {"id": "good", "name": "Bon", "url": server.url("/good.xml")}])
    settings = Settings.from_env()
    factory = session_factory(make_engine(settings))
    migrate(make_engine(settings))
    with Fetcher(FetchPolicy(deadline=1)) as fetcher:
        slow, good = crawl(load_catalog(settings.feeds_path), factory, fetcher)
    assert slow.status == "error" and "délai dépassé" in slow.message
    assert good.status == "ok" and good.new == 3


def test_retired_source_is_skipped_until_asked_for(env, server):
    server.route("/gone", status=410)
    env.write_feeds([{"id": "gone", "name": "Disparue", "url": server.url("/gone")}])
    env.cli("crawl")
    assert "retirée" in env.cli("sources").out
    assert "0 source relevée" in env.cli("crawl").out
    server.route("/gone", fixture_bytes("dgcl_rss2_utf8.xml"))
    assert "1 source relevée : 3 nouveaux" in env.cli("crawl", "--source", "gone").out
    assert "à jour" in env.cli("sources").out


def test_permanent_redirect_moves_the_stored_url(env, server):
    server.route("/new.xml", fixture_bytes("dgcl_rss2_utf8.xml"), etag='"n"')
    server.redirect("/old.xml", "/new.xml", 301)
    env.write_feeds([{"id": "moved", "name": "Déménagée", "url": server.url("/old.xml")}])
    env.cli("crawl")
    env.cli("crawl")
    assert server.hits["/old.xml"] == 1 and server.hits["/new.xml"] == 2
    with env.session() as session:
        assert session.get(SourceState, "moved").url == server.url("/new.xml")


def test_retry_after_and_backoff_set_the_next_check(env, server):
    server.route("/busy", status=429, headers={"Retry-After": "7200"})
    server.route("/down", status=503)
    env.write_feeds([{"id": "busy", "name": "Occupée", "url": server.url("/busy")},
                     {"id": "down", "name": "En panne", "url": server.url("/down"), "interval": "15m"}])
    env.cli("crawl")
    env.cli("crawl")
    now = datetime.now(timezone.utc)
    with env.session() as session:
        busy, down = session.get(SourceState, "busy"), session.get(SourceState, "down")
    assert busy.next_check_at - now > timedelta(hours=1, minutes=55)
    assert down.failures == 2
    assert timedelta(minutes=25) < down.next_check_at - now <= timedelta(minutes=30)


def test_due_only_fetches_sources_whose_time_has_come(env, server):
    server.route("/a.xml", fixture_bytes("dgcl_rss2_utf8.xml"))
    env.write_feeds([{"id": "a", "name": "A", "url": server.url("/a.xml")}])
    env.cli("crawl")
    assert "0 source relevée" in env.cli("crawl", "--due").out
    with env.session() as session, session.begin():
        session.get(SourceState, "a").next_check_at = datetime.now(timezone.utc) - timedelta(minutes=1)
    assert "1 source relevée" in env.cli("crawl", "--due").out


def test_every_kind_of_the_catalog_has_a_reader():
    assert set(READERS) == set(KINDS)


def test_usage_errors_exit_2(env):
    env.write_feeds([{"id": "a", "name": "A", "url": "https://exemple.gouv.fr/rss"}])
    assert env.cli("crawl", "--source", "inconnue").code == 2
    assert env.cli("items", "--category", "presse").code == 2
    assert env.cli("items", "--topic", "inconnue").code == 2
    with pytest.raises(SystemExit) as caught:
        env.cli("items", "--since", "hier")
    assert caught.value.code == 2


def test_sources_table_shows_errors_and_health(env, server):
    server.route("/a.xml", rss({"title": "Un", "guid": "1"}, {"title": "Deux", "guid": "2"}))
    env.write_feeds([{"id": "a", "name": "A", "url": server.url("/a.xml")},
                     {"id": "b", "name": "B", "url": server.url("/absent.xml")}])
    env.cli("crawl")
    server.route("/a.xml", rss())
    env.cli("crawl")
    out = env.cli("sources").out
    assert "0 élément alors que 2 étaient attendus" in out
    assert "en échec (2)" in out and "HTTP 404 : introuvable" in out


@needs_samples
def test_every_shared_sample_feed_crawls(env, server):
    expected = {
        "legifrss_atomlike_CIRCULAIRE_all_2020-12.xml": 1,
        "legifrss_atomlike_DECRET_cohesion-territoires-collectivites_2020-12.xml": 2,
        "legifrss_rss2_jorf_2020-12-05.xml": 109,
        "miniflux_testdata_french_rss2_iso-8859-1_no-xml-declaration_2018.xml": 9,
        "prospect-rss-feeds_maire-info_rss2_regenerated_mojibake_2026-04-15.xml": 10,
        "regardscitoyens_afp-an_rss2_2019-06-18_trimmed3.rss": 3,
        "regardscitoyens_afp-an_rss2_empty-channel_2022-03-02.rss": 0,
    }
    sources = []
    for n, path in enumerate(sorted((SAMPLES / "rss").iterdir())):
        sources.append({"id": f"s{n}", "name": path.name, "url": server.route(f"/{path.name}", path.read_bytes())})
    env.write_feeds(sources)
    assert env.cli("crawl").code == 0
    for source in sources:
        items = items_json(env, "--source", source["id"])
        assert len(items) == expected[source["name"]], source["name"]
        for item in items:
            assert item["title"] and "Ã" not in item["title"] and "&#" not in item["title"]
            assert item["published"] is None or item["published"] < "2026-12"
    decree = next(i for i in items_json(env) if "2020-1622" in i["title"])
    assert decree["jorf_id"] == "JORFTEXT000042702330" and decree["published"] == "2020-12-20T00:00:00+00:00"


def test_classify_explain_and_reclassify_keep_manual_choices(env, server):
    server.route("/dgcl.xml", fixture_bytes("dgcl_rss2_utf8.xml"))
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": server.url("/dgcl.xml")}])
    env.cli("crawl")
    fibre = next(i for i in items_json(env) if i["title"].startswith("Fibre"))
    explained = env.cli("classify", "--explain", fibre["id"])
    assert explained.code == 0
    assert "tic-reseaux-telephonie" in explained.out and "mot-clé « fibre optique » dans le titre" in explained.out

    with env.session() as session, session.begin():  # an editor adds a rubrique by hand
        session.add(ItemTopic(item_id=fibre["id"], topic="elections", origin="manual", reason="éditeur"))
    topics = [{"slug": "tic-reseaux-telephonie", "label": "TIC - Réseaux - Téléphonie", "keywords": ["réseaux d'initiative publique"]},
              {"slug": "elections", "label": "Élections", "keywords": ["scrutin"]}]
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": server.url("/dgcl.xml")}], topics=topics)
    result = env.cli("reclassify")
    assert result.code == 0 and "3 articles reclassés : 3 ont changé de rubriques" in result.out
    by_title = {i["title"][:5]: i["topics"] for i in items_json(env)}
    assert by_title == {"Fibre": ["elections", "tic-reseaux-telephonie"], "Dotat": [], "Élect": []}
    again = env.cli("classify", "--explain", fibre["id"])
    assert "choix d'un éditeur" in again.out and "réseaux d'initiative publique" in again.out
    dgf = next(i for i in items_json(env) if i["title"].startswith("Dotation"))
    assert "« À classer »" in env.cli("classify", "--explain", dgf["id"]).out
    assert env.cli("classify", "--explain", "inconnu").code == 2


@pytest.mark.parametrize("communique_first", [True, False])
def test_communique_naming_a_nor_is_linked_to_the_text(env, server, communique_first):
    server.route("/jo.xml", fixture_bytes("legifrss_like_atom_empty_ns.xml"))
    server.route("/com.xml", rss({"title": "Le FCTVA simplifié", "guid": "c1", "link": "https://www.cohesion-territoires.gouv.fr/fctva",
                                  "text": "Le décret (NOR : TERB2034567D) publié au JO simplifie le calcul."}))
    jo = {"id": "jo", "name": "JO", "kind": "atom", "url": server.url("/jo.xml"), "category": "journal-officiel"}
    com = {"id": "com", "name": "Communiqués", "url": server.url("/com.xml")}
    env.write_feeds([com, jo] if communique_first else [jo, com])
    env.cli("crawl", "--source", "com" if communique_first else "jo")
    env.cli("crawl")
    by_source = {i["source"]: i for i in items_json(env)}
    decree, communique = by_source["jo"], by_source["com"]
    assert communique["links"] == [{"kind": "cites", "id": decree["id"], "via": "TERB2034567D"}]
    assert decree["links"] == [{"kind": "cited-by", "id": communique["id"], "via": "TERB2034567D"}]


def test_entry_into_force_is_read_from_official_texts_only(env, server):
    text = "Publics concernés : communes. Entrée en vigueur : le texte entre en vigueur le 1er janvier 2022."
    item = {"title": "Décret n° 2021-1234 du 24 septembre 2021 relatif aux régies", "guid": "d1",
            "link": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000044000001", "text": text,
            "date": "Sat, 25 Sep 2021 00:00:00 +0200"}
    server.route("/jo.xml", rss(item))
    server.route("/news.xml", rss({**item, "guid": "n1", "link": "https://www.exemple.fr/regies"}))
    env.write_feeds([{"id": "jo", "name": "JO", "url": server.url("/jo.xml"), "category": "journal-officiel"},
                     {"id": "news", "name": "Actualités", "url": server.url("/news.xml")}])
    env.cli("crawl")
    by_source = {i["source"]: i for i in items_json(env)}
    assert by_source["jo"]["effective"] == "2022-01-01" and by_source["jo"]["nature"] == "DÉCRET"
    assert by_source["news"]["effective"] is None and by_source["news"]["nature"] is None


def test_a_parser_bug_is_recorded_and_the_other_sources_go_on(env, server, monkeypatch):
    def broken(fetcher, source, position):
        raise RuntimeError("bogue\nsur plusieurs lignes")
    monkeypatch.setitem(READERS, "atom", broken)
    server.route("/a.xml", fixture_bytes("dgcl_rss2_utf8.xml"))
    env.write_feeds([{"id": "bug", "name": "Bug", "kind": "atom", "url": server.url("/b.xml")},
                     {"id": "ok", "name": "OK", "url": server.url("/a.xml")}])
    result = env.cli("crawl")
    assert result.code == 0 and "Traceback" not in result.err
    assert table(result.out)["bug"] == ["0", "0", "0", "erreur inattendue en lisant la source : RuntimeError: bogue"]
    assert table(result.out)["ok"][0] == "3"


def test_a_silent_source_and_a_feed_of_another_kind_are_said(env, server):
    """localtis-publics-fragiles published nothing after 2024; senat-rapports is Atom declared rss."""
    server.route("/muet.xml", rss({"title": "Dernier article", "link": "https://exemple.gouv.fr/a",
                                   "date": "Mon, 01 Apr 2024 08:00:00 GMT"}))
    server.route("/rapports.xml", fixture_bytes("dgtresor_atom.xml"), headers={"Content-Type": "application/atom+xml"})
    server.route("/vivant.xml", rss({"title": "Article du jour", "link": "https://exemple.gouv.fr/b",
                                     "date": datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")}))
    env.write_feeds([{"id": "muet", "name": "Muet", "url": server.url("/muet.xml")},
                     {"id": "rapports", "name": "Rapports", "url": server.url("/rapports.xml")},
                     {"id": "vivant", "name": "Vivant", "url": server.url("/vivant.xml")}])
    first = table(env.cli("crawl").out)
    assert "muette" not in first["muet"][-1]  # its old items are new to the archive
    crawled = table(env.cli("crawl").out)
    silent = "source muette : rien de publié depuis le 1er avril 2024 (plus de 180 jours)"
    atom = "déclaré « kind: rss » dans feeds.yaml, mais le flux est au format Atom : corrigez « kind »"
    assert silent in crawled["muet"][-1] and atom in crawled["rapports"][-1]
    assert crawled["vivant"] == ["0", "0", "1"]  # new, updated, unchanged: no note
    sources = table(env.cli("sources").out)
    assert silent in sources["muet"][-1] and atom in sources["rapports"][-1]
    assert "muette" not in " ".join(sources["vivant"]) and "corrigez" not in " ".join(sources["vivant"])

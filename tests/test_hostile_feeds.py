"""A directory of hostile and odd feeds (tests/fixtures/hostile_feeds), served on 127.0.0.1 and
crawled end to end: per feed, the exact titles stored and the notes recorded on the source."""
from sqlalchemy import select

from tests.conftest import FIXTURES
from tests.test_crawl import table
from veille.models import Item, SourceState

HOSTILE = FIXTURES / "hostile_feeds"
UNCERTAIN = "2 éléments ignorés : encodage incertain (non déclaré, ni UTF-8, ni du français en windows-1252)"
EXPECTED = {  # file -> (titles stored, in feed order; note on the source)
    "sans_identite.rss": ([
        "Arrêté du 2 mars 2026 relatif aux concours",
        "Le préfet rappelle les règles de l'affichage électoral.",
        "Décret n° 2026-140 du 3 mars 2026",
    ], "2 éléments ignorés : ni titre, ni lien, ni identifiant ; 1 élément ignoré : ni titre, ni lien, ni texte"),
    "chevrons.rss": ([
        "Marchés publics : seuil <40 000 € HT> relevé",
        "montant <90 000 € et >40 000 €",
        "Décret n° 2026-12 & annexes",
        "Seuils",
    ], None),
    "chevrons.atom": ([
        "Seuil <b> & <40 000 €>",
        "Urgent : seuil <5 000 €>",
        "Avis <n° 3> important",
        "Sans identifiant mais titré",
    ], "1 élément ignoré : ni titre, ni lien, ni identifiant"),
    "sans_declaration_koi8-r.rss": ([], UNCERTAIN),
    "sans_declaration_euc-jp.rss": ([], UNCERTAIN),
    "sans_declaration_shift_jis.rss": ([], UNCERTAIN),
    "sans_declaration_windows-1255.rss": ([], UNCERTAIN),
    "sans_declaration_windows-1252.rss": ([
        "Arrêté préfectoral « sécurité » – œuvres d’art",
        "Coût : 40 000 € pour l’Île-de-France",
    ], None),
}


def source_id(name: str) -> str:
    return name.replace(".", "-").replace("_", "-")


def test_every_hostile_feed_keeps_its_good_entries_and_says_what_it_left_out(env, server):
    assert sorted(EXPECTED) == sorted(path.name for path in HOSTILE.iterdir())
    sources = []
    for name in EXPECTED:
        kind = "atom" if name.endswith(".atom") else "rss"
        # No charset in the Content-Type: the feed's own bytes are all there is to go by.
        url = server.route(f"/{name}", (HOSTILE / name).read_bytes(), headers={"Content-Type": f"application/{kind}+xml"})
        sources.append({"id": source_id(name), "name": name, "kind": kind, "url": url})
    env.write_feeds(sources)
    assert env.cli("init").code == 0
    crawled = env.cli("crawl")
    assert crawled.code == 0, crawled.err
    assert f"{len(EXPECTED)} sources relevées" in crawled.out and "0 en erreur" in crawled.out, crawled.out
    summary, listing = table(crawled.out), table(env.cli("sources").out)

    with env.session() as session:
        for name, (titles, note) in EXPECTED.items():
            sid = source_id(name)
            stored = session.scalars(select(Item.title).where(Item.source_id == sid).order_by(Item.fetched_at, Item.id))
            assert sorted(stored) == sorted(titles), name
            state = session.get(SourceState, sid)
            assert (state.failures, state.last_error, state.health_warning) == (0, None, note), name
            assert summary[sid][0] == str(len(titles)), name
            assert (summary[sid][3:] or [None])[0] == note, name
            assert (listing[sid][5:] or [None])[0] == note, name


def test_links_in_stored_html_are_absolute_http_only(env, server):
    url = server.route("/chevrons.rss", (HOSTILE / "chevrons.rss").read_bytes())
    env.write_feeds([{"id": "chevrons", "name": "Chevrons", "url": url}])
    env.cli("crawl")
    with env.session() as session:
        item = session.scalar(select(Item).where(Item.title == "Seuils"))
    # "java%09script:…" is a relative path: resolved against the item, it is a harmless page address.
    assert item.content_html == (
        'entre &lt;5 000 € et &gt;1 000 €, voir <a href="https://www.exemple.gouv.fr/c/java%09script:alert(1)" '
        'rel="noopener noreferrer nofollow">ceci</a> et '
        '<a href="https://www.exemple.gouv.fr/seuils" rel="noopener noreferrer nofollow">cela</a> '
        '<img src="https://www.exemple.gouv.fr/c/logo.png" alt="">')
    assert item.text == "entre <5 000 € et >1 000 €, voir ceci et cela"

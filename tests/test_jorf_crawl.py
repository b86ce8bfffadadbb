"""The Journal officiel end to end: a DILA-like directory served on 127.0.0.1, crawled by the CLI."""
import json

import httpx

from tests.livesite import LiveSite
from tests.test_jorf import ARTICLES, CONTAINER, JORF as TEXTS_DIR, OUTLINE, TEXTS, dump_members, make_tar

LISTING = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html><head><title>Index of /OPENDATA/JORF</title></head><body><h1>Index of /OPENDATA/JORF</h1>
<pre><a href="?C=N;O=D">Name</a> <a href="/OPENDATA/">Parent Directory</a>
{rows}</pre></body></html>"""


def listing(*names: str) -> str:
    return LISTING.format(rows="\n".join(f'<a href="{n}">{n}</a>  29-Mar-2017 01:45  1.2M' for n in names))


def items(env) -> dict[str, dict]:
    out = env.cli("items", "--json", "--limit", "100").out
    return {i["jorf_id"]: i for i in map(json.loads, out.splitlines())}


def test_jorf_directory_is_read_dump_by_dump(env, server):
    old, day, next_day = "JORF_20170328-014512.tar.gz", "JORF_20170329-014512.tar.gz", "JORF_20170330-014512.tar.gz"
    server.route("/JORF/", listing(old, day), etag='"l1"', headers={"Content-Type": "text/html"})
    server.route(f"/JORF/{old}", make_tar(dump_members(TEXTS[:1])))
    server.route(f"/JORF/{day}", make_tar(dump_members(ARTICLES, TEXTS, OUTLINE, CONTAINER)))
    env.write_feeds([{"id": "jo", "name": "Journal officiel", "kind": "jorf", "url": server.url("/JORF/"),
                      "category": "journal-officiel", "interval": "1d"}])

    first = env.cli("crawl")
    assert first.code == 0 and "3 nouveaux" in first.out, first.out
    assert server.hits.get(f"/JORF/{old}") is None  # a first read takes the newest dump only
    decree = items(env)["JORFTEXT000034300001"]
    assert decree["nature"] == "DÉCRET" and decree["nor"] == "INTA1708123D"
    assert decree["jo"] == {"number": "0075", "date": "2017-03-29"}
    assert decree["effective"] == "2017-07-01"
    assert decree["url"] == "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000034300001"
    assert decree["category"] == "journal-officiel"

    assert "inchangé (304)" in env.cli("crawl").out

    # A new dump with a broken archive: a warning, and the next crawl tries it again.
    server.route("/JORF/", listing(old, day, next_day), etag='"l2"', headers={"Content-Type": "text/html"})
    server.route(f"/JORF/{next_day}", b"\x1f\x8b pas un tar.gz")
    broken = env.cli("crawl")
    assert broken.code == 0 and next_day in broken.out and "nouvel essai" in broken.out
    renamed = TEXTS[1][2]
    fixed = dump_members([TEXTS[1]], replace={renamed: (TEXTS_DIR / renamed).read_bytes().replace(
        "électoral unique et".encode(), "électoral unique (rectifié) et".encode())})
    server.route(f"/JORF/{next_day}", make_tar(fixed))
    again = env.cli("crawl")
    assert "1 mis à jour" in again.out, again.out
    assert server.hits[f"/JORF/{day}"] == 1 and server.hits[f"/JORF/{next_day}"] == 2
    assert "électoral unique (rectifié)" in items(env)["JORFTEXT000034300001"]["title"]
    sources = env.cli("sources").out
    assert "à jour" in sources


def test_listing_without_dumps_is_a_health_warning(env, server):
    server.route("/JORF/", listing("JORF_20170329-014512.tar.gz"), headers={"Content-Type": "text/html"})
    server.route("/JORF/JORF_20170329-014512.tar.gz", make_tar(dump_members(TEXTS[1:2])))
    env.write_feeds([{"id": "jo", "name": "JO", "kind": "jorf", "url": server.url("/JORF/"), "category": "journal-officiel"}])
    env.cli("crawl")
    server.route("/JORF/", listing(), headers={"Content-Type": "text/html"})
    out = env.cli("crawl").out
    assert "aucun fichier JORF_AAAAMMJJ-HHMMSS.tar.gz" in out
    assert "0 élément alors que 1 étaient attendus" in env.cli("sources").out


def test_texts_withdrawn_by_the_dila_are_hidden_everywhere_and_their_page_says_so(env, server):
    day, next_day = "JORF_20170329-014512.tar.gz", "JORF_20170330-014512.tar.gz"
    server.route("/JORF/", listing(day), headers={"Content-Type": "text/html"})
    server.route(f"/JORF/{day}", make_tar(dump_members(ARTICLES, TEXTS, OUTLINE, CONTAINER)))
    env.write_feeds([{"id": "jo", "name": "Journal officiel", "kind": "jorf", "url": server.url("/JORF/"),
                      "category": "journal-officiel", "interval": "1d"}])
    assert "3 nouveaux" in env.cli("crawl").out
    withdrawn = "JORF/TEXT/00/00/34/30/00/JORFTEXT000034300001\nJORF/TEXT/00/00/11/11/11/JORFTEXT000011111111\n"
    server.route("/JORF/", listing(day, next_day), headers={"Content-Type": "text/html"})
    server.route(f"/JORF/{next_day}", make_tar([(f"20170330-014512/jorf/global/liste_suppression_jorf.dat",
                                                 withdrawn.encode())]))
    out = env.cli("crawl").out
    assert "1 retiré par la DILA (masqué)" in out, out
    decree = items(env)["JORFTEXT000034300001"]
    assert decree["hidden"] is True and decree["hidden_reason"] == "retiré par la DILA"
    assert items(env)["JORFTEXT000034300003"]["hidden"] is False
    assert "retiré par la DILA" not in env.cli("crawl").out  # listed once, hidden once

    with LiveSite() as site:
        page = httpx.get(f"{site.url}/articles/{decree['id']}")
        assert page.status_code == 410 and "retiré par la DILA" in page.text
        for feed in ("/flux/tout.rss", "/flux/categories/journal-officiel.atom"):
            body = httpx.get(site.url + feed).text
            assert decree["id"] not in body and items(env)["JORFTEXT000034300003"]["id"] in body

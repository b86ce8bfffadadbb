"""Crawl benchmark: N local feeds of M items, crawled twice.

Every item is a distinct text written with the rubriques' vocabulary and classified by the
real catalogue (the 58 rubriques of feeds.yaml), as in production. Prints items/s for the first
crawl into an empty archive (fetch, parse, sanitise, classify, store) and the wall time of the
second, where every feed answers 304 Not Modified.

    .venv/bin/python bench/crawl.py [--feeds 200] [--items 50] [--hosts 4] [--workers 8]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from html import escape  # noqa: E402

from search import keywords, make_items  # noqa: E402  (bench/search.py)
from tests.localserver import LocalServer  # noqa: E402
from veille.catalog import load_catalog  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.crawl import crawl  # noqa: E402
from veille.db import make_engine, migrate, session_factory  # noqa: E402
from veille.fetch import Fetcher  # noqa: E402



def feed(n: int, items: int, vocab: dict[str, list[str]]) -> bytes:
    """A feed of `items` distinct texts written with the rubriques' vocabulary (bench/search.py)."""
    rows = []
    for i, made in enumerate(make_items(items, seed=n + 1, vocab=vocab)):
        notice = escape(made.summary)
        rows.append(
            f"<item><title>{escape(made.title)}</title>"
            f"<link>https://www.exemple.gouv.fr/flux{n}/texte-{i}</link><guid>f{n}-i{i}</guid>"
            f"<pubDate>Wed, 29 Mar 2017 06:{i % 60:02d}:00 +0200</pubDate>"
            f"<description><![CDATA[<p>{notice}</p><p>NOR : {made.nor}. <a href='/notice/{i}'>Notice</a></p>]]>"
            f"</description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Flux {n}</title><link>https://www.exemple.gouv.fr/</link><description>banc</description>"
            + "".join(rows) + "</channel></rss>").encode("utf-8")


def real_topics() -> str:
    """The `topics:` part of the project's feeds.yaml, as written (anchors included)."""
    text = (REPO / "feeds.yaml").read_text(encoding="utf-8")
    return text[: text.index("\nsources:")] + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=4, help="loopback addresses 127.0.0.1..N serving the feeds")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        servers = [stack.enter_context(LocalServer(f"127.0.0.{h + 1}")) for h in range(args.hosts)]
        vocab = keywords(load_catalog(REPO / "feeds.yaml"))
        lines = [real_topics().rstrip()]
        lines.append("sources:")
        for n in range(args.feeds):
            url = servers[n % len(servers)].route(f"/flux{n}.xml", feed(n, args.items, vocab), etag=f'"e{n}"')
            lines.append(f"  - {{id: flux-{n}, name: Flux {n}, kind: rss, url: '{url}', category: actualite, "
                         f"interval: 1h, allow_private: true}}")
        feeds = Path(tmp) / "feeds.yaml"
        feeds.write_text("\n".join(lines) + "\n", encoding="utf-8")
        settings = Settings.from_env({"VEILLE_HOME": tmp, "VEILLE_FEEDS": str(feeds)})
        engine = make_engine(settings)
        migrate(engine)
        factory = session_factory(engine)
        catalog = load_catalog(feeds)

        with Fetcher() as fetcher:
            start = time.perf_counter()
            first = crawl(catalog, factory, fetcher, workers=args.workers)
            first_time = time.perf_counter() - start
            start = time.perf_counter()
            second = crawl(catalog, factory, fetcher, workers=args.workers)
            second_time = time.perf_counter() - start

    stored = sum(o.new for o in first)
    errors = sum(o.status == "error" for o in first + second)
    not_modified = sum(o.status == "not-modified" for o in second)
    print(f"feeds: {args.feeds} x {args.items} distinct items, {args.hosts} hosts, {args.workers} workers; "
          f"classified with the real catalogue ({len(catalog.topics)} rubriques of feeds.yaml); cold archive")
    print(f"first crawl:  {stored} items stored in {first_time:.2f} s = {stored / first_time:.0f} items/s")
    print(f"second crawl: {not_modified}/{args.feeds} feeds answered 304, wall time {second_time:.2f} s")
    print(f"errors: {errors}")
    if errors or stored != args.feeds * args.items or not_modified != args.feeds:
        sys.exit(1)


if __name__ == "__main__":
    main()

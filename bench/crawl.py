"""Crawl benchmark: N local feeds of M items, crawled twice.

Prints items/s for the first crawl (fetch, parse, sanitise, classify, store) and the wall
time of the second, where every feed answers 304 Not Modified.

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
sys.path.insert(0, str(REPO))

from tests.localserver import LocalServer  # noqa: E402
from veille.catalog import load_catalog  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.crawl import crawl  # noqa: E402
from veille.db import make_engine, migrate, session_factory  # noqa: E402
from veille.fetch import Fetcher  # noqa: E402

WORDS = ("décret arrêté collectivités territoriales dotation globale fonctionnement commune "
         "intercommunalité marchés publics urbanisme plan local fonction publique territoriale "
         "recrutement rémunération élus conseil municipal eau assainissement déchets voirie").split()


def feed(n: int, items: int) -> bytes:
    rows = []
    for i in range(items):
        words = " ".join(WORDS[(n * 7 + i * 3 + k) % len(WORDS)] for k in range(8))
        rows.append(
            f"<item><title>Arrêté n° {n}-{i} relatif à {words}</title>"
            f"<link>https://www.exemple.gouv.fr/flux{n}/texte-{i}</link><guid>f{n}-i{i}</guid>"
            f"<pubDate>Wed, 29 Mar 2017 06:{i % 60:02d}:00 +0200</pubDate>"
            f"<description><![CDATA[<p>Publics concernés : communes. Objet : {words}.</p>"
            f"<p>NOR : TERB17{n:03d}{i:02d}A. <a href='/notice/{i}'>Notice</a></p>]]></description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Flux {n}</title><link>https://www.exemple.gouv.fr/</link><description>banc</description>"
            + "".join(rows) + "</channel></rss>").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=4, help="loopback addresses 127.0.0.1..N serving the feeds")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        servers = [stack.enter_context(LocalServer(f"127.0.0.{h + 1}")) for h in range(args.hosts)]
        lines = ["topics:"]
        lines += [f"  - slug: {slug}\n    label: {slug}\n    keywords: [{kw}]" for slug, kw in
                  (("finances", "dotation globale"), ("urbanisme", "plan local"), ("rh", "fonction publique territoriale"))]
        lines.append("sources:")
        for n in range(args.feeds):
            url = servers[n % len(servers)].route(f"/flux{n}.xml", feed(n, args.items), etag=f'"e{n}"')
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
    print(f"feeds: {args.feeds} x {args.items} items, {args.hosts} hosts, {args.workers} workers")
    print(f"first crawl:  {stored} items stored in {first_time:.2f} s = {stored / first_time:.0f} items/s")
    print(f"second crawl: {not_modified}/{args.feeds} feeds answered 304, wall time {second_time:.2f} s")
    print(f"errors: {errors}")
    if errors or stored != args.feeds * args.items or not_modified != args.feeds:
        sys.exit(1)


if __name__ == "__main__":
    main()

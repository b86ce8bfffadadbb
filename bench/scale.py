"""Scale: an archive of N generated items on PostgreSQL, then on SQLite.

For each database: the ingest rate through the real ingest path (`ingest.store_entries`: dedup,
classification by the rubriques of feeds.yaml, storage, index change log; 500 items a
transaction); each search engine's index (--engines: tantivy, and postgres on PostgreSQL) built
from the archive, then search p50/p95 on bench/search.py's query set; the
rubrique page and the rubrique feed under 32 clients (`veille serve`, its own process); the
outbox: S subscribers, one daily edition, K `veille bulletin send` processes at once to a local
SMTP sink (aiosmtpd), messages per second, each address checked to arrive exactly once.

    .venv/bin/python bench/scale.py --items 1000000 --sqlite-items 100000 [--engines tantivy,postgres]

PostgreSQL is started by the script (tests/pgserver.py: initdb in a temporary folder, as
`nobody` when run as root). Prints every figure, then one table.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from aiosmtpd.controller import Controller  # noqa: E402

from search import keywords, long_tails, make_items, make_queries, request_of  # noqa: E402  (bench/search.py)
from tests.livesite import free_port  # noqa: E402
from tests.pgserver import PostgresServer, missing_reason  # noqa: E402
from veille.bulletins import subscribers  # noqa: E402
from veille.catalog import load_catalog  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.crawl import sync_sources  # noqa: E402
from veille.db import make_engine, migrate, session_factory, transaction  # noqa: E402
from veille.entry import Entry  # noqa: E402
from veille.ingest import store_entries  # noqa: E402
from veille.search import open_backend  # noqa: E402
from veille.search.indexer import index_pending  # noqa: E402
from web_load import _load, _server  # noqa: E402  (bench/web_load.py)

CHUNK = 500
EDITION_DAY = "2026-12-01"  # a Tuesday


def entries_of(items) -> dict[str, list[Entry]]:
    """bench/search.py's generated items as a parser would give them, by source category."""
    by_category: dict[str, list[Entry]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(Entry(
            key=item.id, title=item.title, url=item.url, summary=item.summary,
            content_html="".join(f"<p>{line}</p>" for line in item.text.split("\n")),
            published=item.published_at, jorf_id=item.jorf_id, nor=item.nor, nature=item.nature,
            ministry=item.ministry, jo_number=item.jo_number))
    return by_category


def ingest(settings: Settings, size: int, vocab) -> tuple[object, float]:
    """The archive of `size` items stored through the real ingest path; items per second."""
    catalog = load_catalog(settings.feeds_path)
    engine = make_engine(settings)
    migrate(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        sync_sources(session, catalog)
    sources = {}
    for source in catalog.sources.values():
        sources.setdefault(source.category, source)
    now = datetime.now(timezone.utc)
    spent = 0.0
    for start in range(0, size, CHUNK):
        batch = entries_of(make_items(min(CHUNK, size - start), 4, vocab, start=start))
        started = time.perf_counter()
        with transaction(factory) as session:
            for category, entries in batch.items():
                source = sources.get(category) or sources["journal-officiel"]
                store_entries(session, source, source.url, entries, catalog.topics, now, catalog.model)
        spent += time.perf_counter() - started
        if (start // CHUNK) % 20 == 19:
            print(f"  {start + CHUNK} articles, {(start + CHUNK) / spent:.0f} articles/s", flush=True)
    return factory, size / spent


def search(settings: Settings, factory, vocab, size: int) -> tuple[float, float, float]:
    """Index build seconds, then search p50 and p95 (ms) over the query set."""
    started = time.perf_counter()
    index_pending(settings, factory)
    built = time.perf_counter() - started
    tails = long_tails(random.Random(4))  # filled by make_items with the names it used
    queries = make_queries(4, vocab, make_items(min(size, 2000), 4, vocab, tails=tails), tails)
    index = open_backend(settings)
    index.search(request_of({"text": "décret"}))
    times = []
    for spec in queries:
        started = time.perf_counter()
        index.search(request_of(spec))
        times.append((time.perf_counter() - started) * 1000)
    index.close()
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return built, cuts[49], cuts[94]


class Sink:
    """A local SMTP server that counts what each address receives."""

    def __init__(self):
        self.received: Counter = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.received.update(envelope.rcpt_tos)
        return "250 OK"


def outbox(env: dict[str, str], factory, count: int, senders: int) -> tuple[float, bool]:
    """Messages per second with `senders` processes at once; True when each arrived exactly once."""
    with transaction(factory) as session:
        for n in range(count):
            subscribers.add(session, f"abonne{n}@mairie-exemple.fr", [], "daily", datetime.now(timezone.utc))
    subprocess.run([sys.executable, "-m", "veille", "bulletin", "build", "daily", "--date", EDITION_DAY],
                   env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    sink = Sink()
    sink.controller.start()
    try:
        started = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-m", "veille", "bulletin", "send", "daily", "--date", EDITION_DAY],
                                      env={**env, "VEILLE_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}, cwd=REPO,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(senders)]
        for process in processes:
            process.wait()
        elapsed = time.perf_counter() - started
    finally:
        sink.controller.stop()
    once = len(sink.received) == count and set(sink.received.values()) == {1}
    return sum(sink.received.values()) / elapsed, once


def measure(name: str, url: str, size: int, args, vocab, tmp: str) -> dict[str, str]:
    print(f"\n=== {name} : {size} articles ===", flush=True)
    env = {**os.environ, "VEILLE_HOME": f"{tmp}/{name}", "VEILLE_FEEDS": str(REPO / "feeds.yaml"),
           "VEILLE_INDEX_DIR": f"{tmp}/{name}/index", "VEILLE_DATABASE_URL": url, "VEILLE_SEARCH": "tantivy",
           "VEILLE_BASE_URL": "https://veille.test", "VEILLE_MAIL_FROM": "bulletin@veille.test",
           "VEILLE_DAILY_WHEN_EMPTY": "send"}
    settings = Settings.from_env(env)
    figures = {"base": name, "articles": str(size)}
    factory, rate = ingest(settings, size, vocab)
    figures["ingestion (articles/s)"] = f"{rate:.0f}"
    print(f"ingestion : {rate:.0f} articles/s", flush=True)
    for engine in args.engines.split(","):
        if engine == "postgres" and not url.startswith("postgresql"):
            continue  # the postgres engine needs a PostgreSQL archive
        built, p50, p95 = search(Settings.from_env({**env, "VEILLE_SEARCH": engine}), factory, vocab, size)
        figures.update({f"index {engine} (s)": f"{built:.0f}", f"recherche {engine} p50 (ms)": f"{p50:.0f}",
                        f"recherche {engine} p95 (ms)": f"{p95:.0f}"})
        print(f"{engine} : index en {built:.0f} s, recherche p50 {p50:.0f} ms, p95 {p95:.0f} ms", flush=True)
    slugs = sorted(vocab)
    with _server(env) as base:
        for label, paths in (("page de rubrique", [f"/rubriques/{slug}" for slug in slugs]),
                             ("flux de rubrique", [f"/flux/rubriques/{slug}.rss" for slug in slugs])):
            _load(base, [(paths[0], {})], 1, 0.1)  # warm-up
            per_second, p50, p95, errors = _load(base, [(path, {}) for path in paths], args.clients, args.seconds)
            figures[f"{label} p95 (ms, {args.clients} clients)"] = f"{p95:.0f}"
            print(f"{label}, {args.clients} clients : {per_second:.0f} req/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms"
                  + (f", {errors} erreurs" if errors else ""), flush=True)
    senders = args.senders if url.startswith("postgresql") else 1  # SQLite: one sender per edition
    per_second, once = outbox(env, factory, args.subscribers, senders)
    figures[f"envoi (messages/s)"] = f"{per_second:.0f} ({senders} exp.)"
    print(f"envoi : {args.subscribers} messages, {senders} expéditeur(s), {per_second:.0f} messages/s, "
          f"{'chacun reçu une fois' if once else 'ERREUR : doublons ou manques'}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="articles sur PostgreSQL (1 000 000)")
    parser.add_argument("--sqlite-items", type=int, default=100_000, help="articles sur SQLite (100 000 ; 0 : sans)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="durée de chaque mesure web")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--engines", default="tantivy,postgres",
                        help="moteurs de recherche mesurés (postgres : sur PostgreSQL seulement)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the PostgreSQL server stops too
    vocab = keywords(load_catalog(REPO / "feeds.yaml"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        reason = missing_reason()
        if reason:
            print(f"PostgreSQL ignoré : {reason}")
        elif args.items:
            with PostgresServer() as server:
                server.execute("CREATE DATABASE veille_scale")
                rows.append(measure("postgresql", server.url("veille_scale"), args.items, args, vocab, tmp))
        if args.sqlite_items:
            rows.append(measure("sqlite", f"sqlite:///{tmp}/veille.db", args.sqlite_items, args, vocab, tmp))
    if rows:
        columns = list(dict.fromkeys(name for row in rows for name in row))  # postgres' columns: PostgreSQL only
        print("\n| " + " | ".join(columns) + " |\n|" + " --- |" * len(columns))
        for row in rows:
            print("| " + " | ".join(row.get(name, "—") for name in columns) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

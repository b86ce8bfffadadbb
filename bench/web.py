"""Web benchmark: the pages a bulletin links to, served by waitress as `veille serve` does.

An archive of 150 items and its daily edition; then, over HTTP on 127.0.0.1, the edition page,
item pages and the home page, one client at a time and 8 at once (latency p50/p95, requests/s),
and the edition's PDF (10 simultaneous first requests: renderings counted, the home page timed
meanwhile; then from the cache).

    .venv/bin/python bench/web.py [--items 150] [--requests 600]

With --archive N: the reader's side under load instead (bench/web_load.py): N generated items,
`veille serve` in its own process on each search engine, 1, 8 and 32 clients.

    .venv/bin/python bench/web.py --archive 100000 [--engines tantivy,whoosh] [--seconds 3] [--dir DIR] [--processes N]

--dir DIR keeps the generated archive and its search indexes in DIR and reuses them on the next
run of the same size (minutes saved at 100,000 items).
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402
from waitress import create_server  # noqa: E402

from bulletins import archive  # noqa: E402  (bench/bulletins.py)
from veille.bulletins.editions import build  # noqa: E402
from veille.catalog import load_catalog  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.db import make_engine, migrate, session_factory, transaction  # noqa: E402
from veille.models import Item  # noqa: E402
from veille.web.app import create_app  # noqa: E402


def timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} : HTTP {response.status_code}")
    return elapsed


def report(label: str, latencies: list[float], wall: float) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{label} : {len(ms)} requêtes, {len(ms) / wall:.0f} requêtes/s, "
          f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms")


class Renders(logging.Handler):
    """Counts the renderings the PDF cache logs."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith("PDF rendu")


def first_pdf_readers(port: int, edition: str, readers: int = 10) -> tuple[list[float], float, int]:
    """`readers` simultaneous first requests for the edition's PDF, and the home page asked
    meanwhile: how long each waited for its answer, and how many renderings happened."""
    renders = Renders()
    logger = logging.getLogger("veille.bulletins.pdfcache")
    logger.setLevel(logging.INFO)
    logger.addHandler(renders)
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) for _ in range(readers + 1)]

    def reader(client: httpx.Client) -> float:
        """Until the PDF comes, asking again when told to (503, Retry-After), as browsers do."""
        started = time.perf_counter()
        while (response := client.get(edition + ".pdf")).status_code == 503:
            time.sleep(int(response.headers["retry-after"]))
        if response.status_code != 200:
            raise SystemExit(f"{edition}.pdf : HTTP {response.status_code}")
        return time.perf_counter() - started

    with ThreadPoolExecutor(readers + 1) as pool:
        pdfs = [pool.submit(reader, clients[n]) for n in range(readers)]
        time.sleep(0.2)  # the renderings under way
        home = pool.submit(timed, clients[readers], "/")
        latencies = [future.result() for future in pdfs]
    for c in clients:
        c.close()
    logger.removeHandler(renders)
    return latencies, home.result(), renders.count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--archive", type=int, help="items of the generated archive: load benchmark")
    parser.add_argument("--engines", default="tantivy,whoosh")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=3.0, help="per page type and number of clients")
    parser.add_argument("--dir", type=Path, help="with --archive: keep the archive and indexes there, reuse them")
    parser.add_argument("--rows", help="with --archive: only the rows whose label holds one of these words "
                                       "(comma-separated, e.g. 'sans cache' or 'Fiche,API')")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="with --archive: `veille serve --processes` (one per core)")
    args = parser.parse_args()
    if args.archive:
        from web_load import run
        return run(args.archive, args.engines.split(","), [int(n) for n in args.clients.split(",")], args.seconds,
                   args.dir, args.rows.split(",") if args.rows else None, args.processes)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"VEILLE_HOME": tmp, "VEILLE_FEEDS": str(REPO / "feeds.yaml"),
                                      "VEILLE_BASE_URL": "https://veille.test"})
        catalog = load_catalog(settings.feeds_path)
        engine = make_engine(settings)
        migrate(engine)
        factory = session_factory(engine)
        now = datetime.now(timezone.utc)
        archive(factory, catalog, args.items, rng, now)
        day = now.astimezone(settings.timezone).date()
        with transaction(factory) as session:
            build(session, "daily", day, catalog, settings.timezone, now)
            ids = list(session.scalars(select(Item.id)))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under load
        server = create_server(create_app(settings, factory, catalog), host="127.0.0.1", port=port, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        edition = f"/bulletins/quotidien/{day.isoformat()}"
        paths = [edition if n % 3 == 0 else "/" if n % 3 == 1 else f"/articles/{rng.choice(ids)}"
                 for n in range(args.requests)]
        print(f"Archive : {len(ids)} articles ; édition quotidienne du {day.isoformat()} ; waitress, 8 fils.")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            timed(client, edition)  # warm-up: templates compiled, connections opened
            for label, path_set in (("Édition (page web)", [edition] * (args.requests // 3)),
                                    ("Fiche article", [p for p in paths if p.startswith("/articles/")]),
                                    ("Accueil", ["/"] * (args.requests // 3))):
                started = time.perf_counter()
                latencies = [timed(client, path) for path in path_set]
                report(f"{label}, un client", latencies, time.perf_counter() - started)
            started = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) for _ in range(8)]
                latencies = list(pool.map(lambda n: timed(clients[n % 8], paths[n]), range(len(paths))))
                for c in clients:
                    c.close()
            report("Mélange édition/accueil/fiches, 8 clients", latencies, time.perf_counter() - started)
            first, home, renders = first_pdf_readers(port, edition)
            cached = [timed(client, edition + ".pdf") for _ in range(20)]
            print(f"PDF de l'édition, {len(first)} premières demandes simultanées : {renders} rendu(s), "
                  f"PDF reçu en {min(first):.2f} à {max(first):.2f} s (503 puis nouvel essai) ; l'accueil demandé pendant ce temps : "
                  f"{home:.2f} s ; puis depuis le cache p50 {statistics.median(cached) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The reader's side under load (run through `bench/web.py --archive N`).

A generated archive of N items (bench/search.py's generator: JO texts, circulars, news over the
rubriques of feeds.yaml), indexed by each search engine in turn and served by `veille serve`
(`--processes`: one per core by default, each waitress with 8 threads) in its own process;
bench/loadgen.py is the load generator (keep-alive connections, one process per core): 1, 8 and 32
clients, each page type for a few seconds. Prints requests/s and p50/p95 per page type, then one
table for all. Waitress closes the connection after every answer without a body length (each 304): the generator then opens a new
one, as a feed reader's next poll does, and times the request only.

Each page type is measured twice. « sans cache »: every request misses the page cache
(veille.web.pagecache), as right after a crawl changes the archive's version: it carries a query
parameter no other request had (`sans-cache=N`), which the pages ignore and the cache keys on, so
the server runs its production code unchanged, lookup and keeping included. Then from the cache:
each distinct page asked once beforehand, every request a hit. The feed rows go through the 58
rubriques' feeds; a feed's version is kept per archive version (veille.web.feeds), so in the
« sans cache » feed rows only each feed's first request pays its version query, as after a
crawl. The generated items are given what
the pages show of a real archive: JO issue dates, entry-into-force dates, HTML texts, identifiers
and citations between texts (item pages' related texts).

With `directory` (bench/web.py --dir DIR), the archive and its indexes are kept there and reused
by the next run of the same size (migrated to the current schema first), instead of being
generated again in a temporary folder.
"""
from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import timedelta
from html import escape
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import func, insert, select

import loadgen  # bench/loadgen.py
from search import SINGLE_WORDS, keywords, make_items  # bench/search.py
from veille.catalog import CATEGORIES, load_catalog
from veille.config import Settings
from veille.db import make_engine, migrate, session_factory, transaction
from veille.bulletins.build import JO
from veille.links import refs_of
from veille.models import Item, ItemRef, ItemTopic, SourceState
from veille.search.indexer import index_pending

REPO = Path(__file__).resolve().parents[1]
CHUNK = 5000


def run(size: int, engines: list[str], clients: list[int], seconds: float, directory: Path | None = None,
        only: list[str] | None = None, processes: int = 1) -> int:
    """`only`: the rows whose label holds one of these words (all rows when None); `processes`:
    `veille serve --processes`."""
    rng = random.Random(7)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() if directory is None else nullcontext(str(directory.resolve())) as tmp:
        env = {"VEILLE_HOME": tmp, "VEILLE_FEEDS": str(REPO / "feeds.yaml"), "VEILLE_BASE_URL": "https://veille.test",
               "VEILLE_DATABASE_URL": f"sqlite:///{tmp}/veille.db"}
        catalog = load_catalog(Path(env["VEILLE_FEEDS"]))
        vocab = keywords(catalog)
        started = time.perf_counter()
        factory, made = _archive(Settings.from_env(env), size, vocab)
        print(f"Archive de {size} articles {'générée' if made else 'reprise de ' + tmp} "
              f"en {time.perf_counter() - started:.0f} s.", flush=True)
        pages = _pages(rng, size, vocab)
        rows = []
        for engine in engines:
            settings = Settings.from_env({**env, "VEILLE_SEARCH": engine, "VEILLE_INDEX_DIR": f"{tmp}/index-{engine}"})
            started = time.perf_counter()
            index_pending(settings, factory)
            print(f"\n== {engine} : index construit en {time.perf_counter() - started:.0f} s ; "
                  f"veille serve --processes {processes}", flush=True)
            with _server({**env, "VEILLE_SEARCH": engine, "VEILLE_INDEX_DIR": f"{tmp}/index-{engine}"},
                         processes) as base:
                pages["Flux de rubrique (304)"] = [(path, {"If-None-Match": httpx.get(base + path, timeout=120).headers["etag"]})
                                                   for path, _ in pages["Flux de rubrique (200)"]]
                with httpx.Client(base_url=base, timeout=300) as client:  # warm-up: templates, index opened
                    for requests in pages.values():
                        _one(client, requests[0])
                for count in clients:
                    for missed in (True, False):  # misses first: they push the cached rows' pages out
                        if not missed:
                            _warm(base, [request for label, requests in pages.items() if _chosen(label, only)
                                         for request in requests])
                        for label, requests in pages.items():
                            row = f"{label} — sans cache" if missed else label
                            if not _chosen(row, only):
                                continue
                            figures = _load(base, requests, count, seconds, missed)
                            rows.append((engine, count, row, *figures))
                            print(f"{engine}, {count} client(s), {row} : {figures[0]:.0f} req/s, "
                                  f"p50 {figures[1]:.0f} ms, p95 {figures[2]:.0f} ms"
                                  + (f", {figures[3]} erreur(s)" if figures[3] else "")
                                  + f" (charge {os.getloadavg()[0]:.1f})", flush=True)
        print("\n| moteur | clients | page | req/s | p50 (ms) | p95 (ms) | erreurs |\n| --- | --- | --- | --- | --- | --- | --- |")
        for engine, count, label, rate, p50, p95, errors in rows:
            print(f"| {engine} | {count} | {label} | {rate:.0f} | {p50:.0f} | {p95:.0f} | {errors} |")
    return 0


def _archive(settings: Settings, size: int, vocab) -> tuple[object, bool]:
    """The archive of `size` generated items, and whether it was made now (False: found there)."""
    engine = make_engine(settings)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as session:
        present = session.scalar(select(func.count()).select_from(Item))
    if present == size:
        return factory, False
    if present:
        raise SystemExit(f"{settings.home} : l'archive y compte {present} articles, pas {size} ; "
                         "choisissez un autre dossier (--dir) ou la même taille (--archive)")
    with transaction(factory) as session:
        session.add_all([SourceState(id=f"source-{slug}", name=f"Source {label}", kind="rss", category=slug,
                                     config_url="https://exemple.fr/flux", url="https://exemple.fr/flux")
                         for slug, label in CATEGORIES.items()])
    columns = [column.key for column in Item.__table__.columns]
    rng, nors = random.Random(11), []
    for start in range(0, size, CHUNK):
        items = make_items(min(CHUNK, size - start), 4, vocab, start=start)
        refs = [ref for item in items for ref in _as_published(item, rng, nors)]
        with transaction(factory) as session:
            session.execute(insert(Item), [{**{key: getattr(item, key) for key in columns},
                                            "updated_at": item.fetched_at} for item in items])
            session.execute(insert(ItemTopic), [{"item_id": item.id, "topic": topic.topic, "origin": "rule",
                                                 "reason": ""} for item in items for topic in item.topics])
            session.execute(insert(ItemRef), refs)
    return factory, True


def _as_published(item: Item, rng: random.Random, nors: list[str]) -> list[dict]:
    """What the generator leaves out and the pages show: JO texts under the date of their JO
    issue, most with the day they enter into force; the text as the source's HTML; the
    identifiers the item carries, and for one item in five a text it cites (an earlier NOR).
    Returns the item's rows of item_refs."""
    if item.category == JO:
        item.jo_date = item.published_at.date()
        if rng.random() < 0.8:
            item.effective_date = item.jo_date + timedelta(days=1 if rng.random() < 0.75 else rng.randrange(2, 90))
    else:
        item.jo_number = None
    item.content_html = "".join(f"<p>{escape(line)}</p>" for line in item.text.splitlines())
    refs = refs_of(item)
    if nors and rng.random() < 0.2:
        cited = rng.choice(nors[-5000:])
        if (cited, "self") not in refs:
            refs.add((cited, "cites"))
    nors.append(item.nor)
    return [{"item_id": item.id, "ref": ref, "role": role} for ref, role in sorted(refs)]


def _pages(rng: random.Random, size: int, vocab) -> dict[str, list[tuple[str, dict]]]:
    slugs = sorted(vocab)
    phrases = [(slug, words[0]) for slug, words in vocab.items() if " " in words[0]] or [(slugs[0], "marchés publics")]
    months = [(rng.randrange(2015, 2026), rng.randrange(1, 13)) for _ in range(50)]
    pages = {
        "Accueil": ["/"],
        "Recherche : un mot": [f"/recherche?q={quote(word)}" for word in SINGLE_WORDS],
        "Recherche : expression + rubrique": [f"/recherche?q={quote(chr(34) + phrase + chr(34))}&rubrique={slug}"
                                              for slug, phrase in phrases],
        "Recherche : deux mots, dates, tri par date": [
            f"/recherche?q={quote(a)}+{quote(b)}&depuis=2019-01-01&jusqu=2021-12-31&tri=date"
            for a, b in zip(SINGLE_WORDS, reversed(SINGLE_WORDS))],
        "Page de rubrique": [f"/rubriques/{slug}" for slug in slugs],
        "Calendrier du mois": [f"/archives/{year}/{month:02d}" for year, month in months],
        "Page du jour": [f"/archives/{year}/{month:02d}/{rng.randrange(1, 29):02d}" for year, month in months],
        "En vigueur (mois)": [f"/en-vigueur/{year}/{month:02d}" for year, month in months],
        "Catégorie Journal officiel (par numéro du JO)": [f"/categories/{JO}"] + [
            f"/categories/{JO}?page={page}" for page in range(2, 21)],
        "Fiche article": [f"/articles/b{rng.randrange(size):07d}" for _ in range(200)],
        "Flux de rubrique (200)": [f"/flux/rubriques/{slug}.rss" for slug in slugs],
        "API /api/items": ["/api/items?limit=50"] + [f"/api/items?rubrique={slug}&limit=50" for slug in slugs],
    }
    mix = [path for label in ("Accueil", "Recherche : un mot", "Recherche : expression + rubrique",
                              "Recherche : deux mots, dates, tri par date", "Page de rubrique",
                              "Calendrier du mois", "Fiche article") for path in pages[label][:20]]
    pages["Mélange des pages"] = mix
    return {label: [(path, {}) for path in paths] for label, paths in pages.items()}


class _server:
    """`veille serve --processes N` in its own process on a free port."""

    def __init__(self, env: dict[str, str], processes: int):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.env, self.processes = {**os.environ, **env}, processes

    def __enter__(self) -> str:
        self.process = subprocess.Popen([sys.executable, "-m", "veille", "serve", "--port", str(self.port),
                                         "--processes", str(self.processes)],
                                        env=self.env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                httpx.get(base + "/flux/", timeout=5)
                return base
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit("veille serve ne répond pas")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(30)


def _one(client: httpx.Client, request: tuple[str, dict]) -> tuple[float, bool]:
    path, headers = request
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    return time.perf_counter() - started, response.status_code in (200, 304)


def _chosen(row: str, only: list[str] | None) -> bool:
    return only is None or any(word.lower() in row.lower() for word in only)


def _warm(base: str, requests: list[tuple[str, dict]]) -> None:
    """Each distinct page once, so that the rows « from the cache » are."""
    distinct = list(dict.fromkeys(path for path, _ in requests))
    with ThreadPoolExecutor(8) as pool, httpx.Client(base_url=base, timeout=300) as client:
        list(pool.map(lambda path: client.get(path), distinct))


def _load(base: str, requests: list[tuple[str, dict]], count: int, seconds: float,
          missed: bool = False) -> tuple[float, float, float, int]:
    """`count` clients sending these requests in turn for `seconds`: requests/s, p50, p95 (ms),
    errors; `missed`: each request misses the page cache (loadgen's `unique`)."""
    started = time.perf_counter()
    latencies, errors = loadgen.load(int(base.rsplit(":", 1)[1]), requests, count, seconds,
                                     unique="sans-cache" if missed else None)
    wall = time.perf_counter() - started
    ms = sorted(x * 1000 for x in latencies)
    return len(ms) / wall, statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.95))], errors

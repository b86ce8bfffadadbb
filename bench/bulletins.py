"""Bulletin benchmark: an edition of 150 items, 10,000 subscribers (--subscribers 100000 for the
morning of a large installation).

Every item has its own title, notice and articles (several hundred to a few thousand
characters, the vocabulary of the 58 rubriques of feeds.yaml), classified by the real rules, so
that rendering is not measured on cache hits of one repeated text. Readers choose as readers of
a watch do: 10 % take every rubrique, most take one of a few hundred common sets of 1 to 6
rubriques (--profiles, the most common far more often: Zipf), and some (--own, 2 %) a set of
their own; the number of distinct bodies this makes is printed.

Prints messages/s to render every message (text, HTML with CSS inlined, MIME), then the real
`veille bulletin send` in its own process: the outbox (one row per subscriber, states written as
they change) to a local SMTP sink in another process over VEILLE_SMTP_CONNECTIONS connections
(default 8), with its time and peak memory; then the whole morning end to end: edition built,
messages queued, rendered and sent. The sink (bench/smtpsink.py) is not a mail server: it offers
PIPELINING, counts the messages and drops them, parsing nothing; it shares the 2 cores with the
sender, so its CPU per message is printed, and so is its ceiling (bench/sinkceiling.py: a raw
client sending one real message over and over), to read the sender's figure against.

    .venv/bin/python bench/bulletins.py [--subscribers 10000] [--items 150] [--profiles 300] [--own 0.02] [--seed 1]
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from sqlalchemy import func, insert, select  # noqa: E402

from search import keywords, make_items  # noqa: E402  (bench/search.py)
from sinkceiling import ceiling  # noqa: E402
from smtpsink import running  # noqa: E402
from veille.bulletins.editions import build, content_of  # noqa: E402
from veille.bulletins.message import Sender, composer  # noqa: E402
from veille.bulletins.models import OutboxMessage, Subscriber  # noqa: E402
from veille.bulletins.outbox import enqueue  # noqa: E402
from veille.bulletins.render import Links  # noqa: E402
from veille.bulletins.subscribers import receiving  # noqa: E402
from veille.catalog import CATEGORIES, load_catalog  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.crawl import sync_sources  # noqa: E402
from veille.db import make_engine, migrate, session_factory, transaction  # noqa: E402
from veille.entry import Entry  # noqa: E402
from veille.ingest import store_entries  # noqa: E402
from veille.models import Item  # noqa: E402



def archive(factory, catalog, items: int, rng: random.Random, now: datetime) -> None:
    """`items` entries over the source categories, each with its own title, notice and articles
    (bench/search.py's generator: the rubriques' vocabulary, real lengths), classified by the
    real rules of the catalogue as a crawl would."""
    by_category = {}
    for source in catalog.sources.values():
        by_category.setdefault(source.category, source)
    sources = [by_category[c] for c in CATEGORIES if c in by_category]
    generated = make_items(items, rng.randrange(1 << 30), keywords(catalog))
    with transaction(factory) as session:
        sync_sources(session, catalog)
        for n, made in enumerate(generated):
            source = sources[n % len(sources)]
            body = "".join(f"<p>{paragraph}</p>" for paragraph in made.text.split("\n"))
            entry = Entry(key=f"bench-{n}", title=made.title, url=f"https://www.exemple.gouv.fr/textes/{n}",
                          summary=made.summary, content_html=body, published=now - timedelta(hours=2))
            store_entries(session, source, source.url, [entry], catalog.topics, now - timedelta(hours=1))


def subscriber_rows(count: int, slugs: list[str], profiles: int, own: float, rng: random.Random, now: datetime):
    """Subscribers as readers choose: every rubrique, a common set, or a set of their own."""
    common = [rng.sample(slugs, rng.randint(1, 6)) for _ in range(profiles)]
    weights = [1 / rank for rank in range(1, profiles + 1)]
    for n in range(count):
        draw = rng.random()
        chosen = [] if draw < 0.1 else rng.sample(slugs, rng.randint(1, 6)) if draw < 0.1 + own \
            else rng.choices(common, weights)[0]
        address = f"agent{n}@mairie{n % 500}.fr"
        yield dict(email=address, email_key=address, topics=chosen, frequency="daily", token=f"jeton{n:06d}",
                   bounces=0, created_at=now, deliver_to="personal")


def send_command(settings_env: dict, day: str, port: int) -> tuple[float, float, int, str]:
    """`veille bulletin send daily` in its own process: (seconds, CPU seconds, peak RSS in MiB,
    what it printed)."""
    env = {**os.environ, **settings_env, "VEILLE_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "veille.cli", "bulletin", "send", "daily", "--date", day],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        return (elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024,
                out.read().decode("utf-8", "replace").strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--profiles", type=int, default=300, help="common sets of rubriques")
    parser.add_argument("--own", type=float, default=0.02, help="share of readers with a set of their own")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        settings_env = {"VEILLE_HOME": tmp, "VEILLE_FEEDS": str(REPO / "feeds.yaml"),
                        "VEILLE_BASE_URL": "https://veille.test", "VEILLE_MAIL_FROM": "bulletin@veille.test"}
        settings = Settings.from_env(settings_env)
        catalog = load_catalog(settings.feeds_path)
        engine = make_engine(settings)
        migrate(engine)
        factory = session_factory(engine)
        now = datetime.now(timezone.utc)
        archive(factory, catalog, args.items, rng, now)
        with transaction(factory) as session:
            session.execute(insert(Subscriber), list(subscriber_rows(args.subscribers, list(catalog.topics),
                                                                     args.profiles, args.own, rng, now)))
        morning = time.perf_counter()
        with transaction(factory) as session:
            edition, _ = build(session, "daily", now.astimezone(settings.timezone).date(), catalog, settings.timezone, now)
            content = content_of(edition)
            skipped = enqueue(session, edition, content, receiving(session, "daily"), send_empty=False, now=now)
        queued = time.perf_counter() - morning
        with factory() as session:
            lengths = session.scalars(select(func.length(Item.text))).all()
        print(f"Édition : {len(content.items)} articles aux textes distincts ({min(lengths)} à {max(lengths)} "
              f"caractères, {sum(lengths) // len(lengths)} en moyenne), catalogue réel {settings.feeds_path.name} "
              f"({len(catalog.topics)} rubriques) ; {args.subscribers} abonnés (10 % toutes les rubriques, "
              f"{args.own * 100:g} % un choix bien à eux, les autres l'un de {args.profiles} choix courants) ; "
              f"construite et mise en file en {queued:.1f} s.")

        compose_row = composer(content, Sender.from_settings(settings), Links(settings.base_url))
        started, cpu_started = time.perf_counter(), time.process_time()
        size = rendered = 0
        with factory() as session:
            for row, subscriber in session.execute(
                    select(OutboxMessage, Subscriber).join(Subscriber).where(OutboxMessage.state == "pending")
                    .execution_options(yield_per=1000)):
                message = compose_row(row, subscriber)
                size += len(message)
                rendered += 1
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(f"Rendu : {rendered} messages en {elapsed:.1f} s, {rendered / elapsed:.0f} messages/s "
              f"({rendered / cpu:.0f} par seconde de processeur ; {size / rendered / 1024:.0f} Kio en moyenne, "
              f"{compose_row.copies.rendered} corps distincts rendus une fois chacun) ; {skipped} sans rien de nouveau.")

        connections = Settings.from_env({**os.environ, **settings_env}).smtp_connections
        with running(port) as sink:
            elapsed, cpu, peak, said = send_command(settings_env, f"{content.day:%Y-%m-%d}", port)
        print(f"Envoi : {rendered} messages en {elapsed:.1f} s, {rendered / elapsed:.0f} messages/s "
              f"({rendered / cpu:.0f} par seconde de processeur du processus d'envoi) "
              f"(`veille bulletin send` dans son propre processus, rendu compris, {connections} connexions SMTP, "
              f"état de la boîte d'envoi écrit par lots), mémoire de pointe {peak} Mio ; reçus par le puits SMTP : "
              f"{sink.received}, {sink.cpu * 1e6 / max(sink.received, 1):.0f} µs de son processeur par message."
              f"\n  {said}")
        with running(port) as sink:
            most = ceiling(port, message, min(rendered, 5000), connections)
        print(f"Plafond du puits SMTP : {most:.0f} messages/s (client brut, sans base ni rendu, {sink.received} "
              f"copies du dernier message rendu, {connections} connexions) ; charge de la machine : "
              f"{' '.join(f'{load:.1f}' for load in os.getloadavg())}.")
        print(f"De bout en bout (édition construite, mise en file, rendue et envoyée) : {queued + elapsed:.0f} s "
              f"pour {args.subscribers} abonnés ; charge de la machine (2 cœurs partagés) : "
              f"{' '.join(f'{load:.1f}' for load in os.getloadavg())}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

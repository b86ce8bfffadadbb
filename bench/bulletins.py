"""Bulletin benchmark: an edition of 150 items, 10,000 subscribers with random rubriques.

Every item has its own title, notice and articles (several hundred to a few thousand
characters, the vocabulary of the 58 rubriques of feeds.yaml), classified by the real rules, so
that rendering is not measured on cache hits of one repeated text.

Prints messages/s to render every message (text, HTML with CSS inlined, MIME), then to send them
all through the outbox (one row per subscriber, state written as it changes) to a local SMTP sink
(aiosmtpd on 127.0.0.1 that counts and drops).

    .venv/bin/python bench/bulletins.py [--subscribers 10000] [--items 150] [--seed 1]
"""
from __future__ import annotations

import argparse
import random
import socket
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from search import keywords, make_items  # noqa: E402  (bench/search.py)
from veille.bulletins.editions import build, content_of  # noqa: E402
from veille.bulletins.mail import SmtpConfig, Transport  # noqa: E402
from veille.bulletins.message import Sender, composer  # noqa: E402
from veille.bulletins.models import OutboxMessage, Subscriber  # noqa: E402
from veille.bulletins.outbox import Policy, deliver, enqueue  # noqa: E402
from veille.bulletins.render import Links  # noqa: E402
from veille.bulletins.subscribers import receiving  # noqa: E402
from veille.catalog import CATEGORIES, load_catalog  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.crawl import sync_sources  # noqa: E402
from veille.db import make_engine, migrate, session_factory, transaction  # noqa: E402
from veille.entry import Entry  # noqa: E402
from veille.ingest import store_entries  # noqa: E402
from veille.models import Item  # noqa: E402



class Counter:
    """An SMTP sink that counts what it accepts."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += len(envelope.rcpt_tos)
        return "250 OK"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        settings = Settings.from_env({"VEILLE_HOME": tmp, "VEILLE_FEEDS": str(REPO / "feeds.yaml"),
                                      "VEILLE_BASE_URL": "https://veille.test", "VEILLE_MAIL_FROM": "bulletin@veille.test"})
        catalog = load_catalog(settings.feeds_path)
        engine = make_engine(settings)
        migrate(engine)
        factory = session_factory(engine)
        now = datetime.now(timezone.utc)
        archive(factory, catalog, args.items, rng, now)
        slugs = list(catalog.topics)
        with transaction(factory) as session:
            edition, _ = build(session, "daily", now.astimezone(settings.timezone).date(), catalog, settings.timezone, now)
            content = content_of(edition)
            for n in range(args.subscribers):
                chosen = [] if rng.random() < 0.1 else rng.sample(slugs, rng.randint(1, 6))
                address = f"agent{n}@mairie{n % 500}.fr"
                session.add(Subscriber(email=address, email_key=address, topics=chosen, frequency="daily",
                                       token=f"jeton{n:05d}", bounces=0, created_at=now))
            session.flush()
            enqueue(session, edition, content, receiving(session, "daily"), send_empty=False, now=now)
        with factory() as session:
            lengths = session.scalars(select(func.length(Item.text))).all()
        print(f"Édition : {len(content.items)} articles aux textes distincts ({min(lengths)} à {max(lengths)} "
              f"caractères, {sum(lengths) // len(lengths)} en moyenne), catalogue réel {settings.feeds_path.name} "
              f"({len(catalog.topics)} rubriques) ; {args.subscribers} abonnés (1 à 6 rubriques au hasard, "
              f"10 % toutes).")

        compose_row = composer(content, Sender.from_settings(settings), Links(settings.base_url))
        with factory() as session:
            rows = session.query(OutboxMessage, Subscriber).join(Subscriber).filter(OutboxMessage.state == "pending").all()
        started = time.perf_counter()
        size = sum(len(compose_row(row, subscriber)) for row, subscriber in rows)
        elapsed = time.perf_counter() - started
        print(f"Rendu : {len(rows)} messages en {elapsed:.1f} s, {len(rows) / elapsed:.0f} messages/s "
              f"({size / len(rows) / 1024:.0f} Kio en moyenne) ; {args.subscribers - len(rows)} sans rien de nouveau.")

        sink = Counter()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            policy = Policy(rate=0, retry_period=timedelta(minutes=5), bounce_limit=3)
            with Transport(SmtpConfig.parse(f"smtp://127.0.0.1:{port}")) as transport:
                started = time.perf_counter()
                summary = deliver(factory, edition.id, compose_row,
                                  lambda to, data: transport.send(settings.mail_from, to, data), policy,
                                  lambda: datetime.now(timezone.utc))
                elapsed = time.perf_counter() - started
        finally:
            controller.stop()
        print(f"Envoi : {summary.sent} messages en {elapsed:.1f} s, {summary.sent / elapsed:.0f} messages/s "
              f"(rendu, SMTP sur une connexion, état de la boîte d'envoi écrit à chaque message) ; "
              f"reçus par le puits SMTP : {sink.count}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The postgres engine's generations: tables of the archive's database, in a schema of their own
(`veille_search`), and a one-row table there naming the generation in use, its format and what
it missed while another engine was configured. Every web process, on every machine, reads the
same row; one writer at a time holds an advisory lock of the database (released by the server
if the writer's connection dies).

The index is made here, at run time, not by an Alembic migration: it is derived data, rebuilt
from the archive by `veille reindex` in new tables swapped in like the file engines' folders, and
a change of its format (SCHEMA_VERSION) rebuilds it with no migration. In its own schema it stays
out of the archive's tables: `veille migrate-data` does not copy it, the archive's version does
not watch it.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Iterator

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from ..config import ConfigError, Settings
from ..db import SEARCH_LOCKS, engine_for
from .layout import Generations, Lag, schema_version

SCHEMA = "veille_search"
CONFIGURATION = f"{SCHEMA}.veille_fr"  # French with unaccent, for ts_headline
WRITER = 1  # the advisory lock (SEARCH_LOCKS, WRITER)


@dataclass(frozen=True)
class Table:
    """One generation: the documents' table and its vocabulary's (`<name>_words`)."""

    url: str
    name: str

    @property
    def documents(self) -> str:
        return f"{SCHEMA}.{self.name}"

    @property
    def words(self) -> str:
        return f"{SCHEMA}.{self.name}_words"

    def __str__(self) -> str:
        return f"table {self.documents}"


@cache
def database(url: str) -> Engine:
    """One engine (and pool of connections) per database, shared by the tables and the backend."""
    return engine_for(url)


class Tables(Generations):
    engine = "postgres"

    def __init__(self, settings: Settings):
        self.url = settings.database_url
        self.available = self.url.startswith("postgresql")  # never with SQLite: nothing to read

    def _state(self):
        if not self.available:
            return None
        with database(self.url).connect() as connection:
            if connection.scalar(text(f"SELECT to_regclass('{SCHEMA}.state')")) is None:
                return None
            return connection.execute(text(
                f"SELECT generation, format, lag_since, lag_missed, "
                f"to_regclass(format('{SCHEMA}.%I', generation)) IS NOT NULL AS present "
                f"FROM {SCHEMA}.state")).first()

    def current(self) -> Table | None:
        state = self._state()
        if state is None or state.format != schema_version() or not state.present:
            return None
        return Table(self.url, state.generation)

    def outdated(self) -> bool:
        state = self._state()
        return state is not None and state.format != schema_version()

    def new(self) -> Table:
        prepare(database(self.url))
        return Table(self.url, f"g{datetime.now(timezone.utc):%Y%m%dt%H%M%S%f}_{os.getpid()}")

    def make_current(self, table: Table) -> None:
        with database(self.url).begin() as connection:
            connection.execute(text(
                f"INSERT INTO {SCHEMA}.state (id, generation, format) VALUES (1, :generation, :format) "
                "ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, format = excluded.format, "
                "lag_since = NULL, lag_missed = 0"), {"generation": table.name, "format": schema_version()})
        for other in self.all():
            if other != table:
                self.discard(other)

    def discard(self, table: Table) -> None:
        with database(self.url).begin() as connection:
            connection.execute(text(f"DROP TABLE IF EXISTS {table.documents}, {table.words}"))

    def all(self) -> list[Table]:
        if not self.available:
            return []
        with database(self.url).connect() as connection:
            names = connection.scalars(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema AND tablename ~ '^g[0-9]' "
                "AND tablename !~ '_words$' ORDER BY tablename"), {"schema": SCHEMA})
            return [Table(self.url, name) for name in names]

    def lag(self) -> Lag | None:
        state = self._state()
        if state is None or state.lag_since is None:
            return None
        return Lag(state.lag_since, state.lag_missed)

    def note_missed(self, count: int) -> None:
        with database(self.url).begin() as connection:
            connection.execute(text(f"UPDATE {SCHEMA}.state SET lag_since = coalesce(lag_since, now()), "
                                    "lag_missed = lag_missed + :count"), {"count": count})

    def caught_up(self) -> None:
        if self._state() is not None:
            with database(self.url).begin() as connection:
                connection.execute(text(f"UPDATE {SCHEMA}.state SET lag_since = NULL, lag_missed = 0"))

    def size(self, table: Table) -> int:
        with database(self.url).connect() as connection:
            return connection.scalar(text(
                "SELECT coalesce(pg_total_relation_size(to_regclass(:documents)), 0) "
                "+ coalesce(pg_total_relation_size(to_regclass(:words)), 0)"),
                {"documents": table.documents, "words": table.words}) or 0

    def where(self, table: Table) -> str:
        return f"{table} de {make_url(self.url).render_as_string(hide_password=True)}"

    @contextmanager
    def lock(self, wait: float) -> Iterator[bool]:
        """A session advisory lock on a connection of its own, closed at the end."""
        engine = create_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                deadline = time.monotonic() + wait
                while not connection.scalar(text("SELECT pg_try_advisory_lock(:space, :key)"),
                                            {"space": SEARCH_LOCKS, "key": WRITER}):
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.05)
                yield True  # the lock goes with the connection, closed on the way out
        finally:
            engine.dispose()


def prepare(engine: Engine) -> None:
    """The schema, the state's table and the French configuration (french + unaccent), once."""
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except DBAPIError as exc:
        raise ConfigError(
            "VEILLE_SEARCH=postgres : l'extension unaccent de PostgreSQL manque ou ne peut être créée "
            f"({exc.orig}) ; installez le paquet postgresql-contrib et lancez « CREATE EXTENSION unaccent » "
            "dans la base en superutilisateur") from None
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        connection.execute(text(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.state (id integer PRIMARY KEY CHECK (id = 1), "
            "generation text NOT NULL, format text NOT NULL, lag_since timestamptz, "
            "lag_missed integer NOT NULL DEFAULT 0)"))
        if connection.scalar(text("SELECT to_regnamespace(:schema) IS NOT NULL AND EXISTS (SELECT 1 FROM "
                                  "pg_ts_config WHERE cfgname = 'veille_fr' AND cfgnamespace = "
                                  "to_regnamespace(:schema))"), {"schema": SCHEMA}):
            return
        connection.execute(text(f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = pg_catalog.french)"))
        connection.execute(text(f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} "
                                "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem"))

"""Engine, sessions and schema migrations (Alembic)."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import JSON, DateTime, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import ArgumentError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from .config import ConfigError, Settings

MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL advisory locks are (space, key) pairs; Veille's spaces: the scheduler, editions being queued.
SCHEDULER_LOCKS, OUTBOX_LOCKS, SEARCH_LOCKS = 0x5645494C, 0x5645494D, 0x5645494E


# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the backend keeps: naive UTC in
    SQLite, `timestamptz` in PostgreSQL (migration 0011 converts older columns)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(DateTime(timezone=dialect.name == "postgresql"))

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


def make_engine(settings: Settings) -> Engine:
    return engine_for(settings.database_url)


def engine_for(url: str, name: str = "VEILLE_DATABASE_URL") -> Engine:
    """The engine of a database URL; a ConfigError naming `name` when it cannot work."""
    try:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if url.startswith("postgresql"):
            engine = create_engine(url, pool_pre_ping=True, json_serializer=_json_without_nul)
            event.listen(engine, "connect", _postgresql_text)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"{name} : base de données inutilisable « {url} » ({exc})") from None


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def _json_without_nul(value) -> str:
    """PostgreSQL's jsonb refuses the NUL character that SQLite keeps: it is dropped."""
    return json.dumps(_without_nul(value))


def _postgresql_text(dbapi_connection, _record) -> None:
    """PostgreSQL's text refuses the NUL character that SQLite keeps (a hostile feed may send one):
    every string is written without it, rather than the whole batch of a source refused."""
    from psycopg.types.string import StrDumperUnknown  # strings of unknown type, as psycopg sends them

    class NulFreeDumper(StrDumperUnknown):
        def dump(self, obj: str):
            return super().dump(obj.replace("\x00", ""))

    dbapi_connection.adapters.register_dumper(str, NulFreeDumper)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def shares_rows(bind) -> bool:
    """True when several processes share a table row by row (PostgreSQL: FOR UPDATE SKIP LOCKED,
    advisory locks); False for SQLite, which locks the whole file."""
    return bind.dialect.name == "postgresql"


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the latest migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose commits raise the archive's version when they change what pages show."""
    from .archive_version import watch

    factory = sessionmaker(engine, expire_on_commit=False)
    watch(factory)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, session.begin():
        yield session

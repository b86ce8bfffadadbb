"""Which database the tests run on: a SQLite file in each test's folder (the default) or, with
VEILLE_TEST_DATABASE=postgresql, a new database per test on a PostgreSQL server started for the
run (`make test` runs the tests that touch the database both ways)."""
from __future__ import annotations

import json
import os
import signal

import pytest

from tests.pgserver import PostgresServer, missing_reason

POSTGRESQL = os.environ.get("VEILLE_TEST_DATABASE", "sqlite") == "postgresql"
TEMPLATE = "veille_template"
# The search engines every search test runs on: postgres only where the database is PostgreSQL.
SEARCH_ENGINES = ("whoosh", "tantivy", "postgres") if POSTGRESQL else ("whoosh", "tantivy")
_server: PostgresServer | None = None
# Tests of what only SQLite has (its file, its query plans): shown as skipped in the PostgreSQL pass.
sqlite_only = pytest.mark.skipif(POSTGRESQL, reason="propre à SQLite (le fichier de la base, ses plans de requête)")


def start() -> None:
    """The server, and a template database with the schema that every test database copies."""
    global _server
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    from veille.config import Settings
    from veille.db import make_engine, migrate

    _server = PostgresServer().__enter__()
    signal.signal(signal.SIGTERM, _terminated)
    _server.execute(f"CREATE DATABASE {TEMPLATE}")
    engine = make_engine(Settings.from_env({"VEILLE_DATABASE_URL": _server.url(TEMPLATE)}))
    migrate(engine)
    engine.dispose()


def _terminated(*_args) -> None:
    """Stopped from outside (a timeout): the server stops too."""
    stop()
    os._exit(143)


def stop() -> None:
    global _server
    if _server is not None:
        _server.__exit__(None, None, None)
        _server = None


def new_database_url(empty: bool = False) -> str | None:
    """A new database with the schema (or `empty`) in PostgreSQL mode; None with SQLite (each
    test's own file, empty until the first command migrates it)."""
    if not POSTGRESQL:
        return None
    assert _server is not None, "the database_server fixture starts the server"
    return _server.create_database(template=None if empty else TEMPLATE)


def drop(url: str | None) -> None:
    if url is not None and _server is not None:
        _server.drop_database(url)


def use_test_database(patch: pytest.MonkeyPatch, empty: bool = False) -> str | None:
    """Point VEILLE_DATABASE_URL at this test's database (unset with SQLite); its URL, for `drop`."""
    url = new_database_url(empty)
    if url is None:
        patch.delenv("VEILLE_DATABASE_URL", raising=False)
    else:
        patch.setenv("VEILLE_DATABASE_URL", url)
    return url


def server_url(database: str = "postgres") -> str:
    """The URL of a database on the tests' server (PostgreSQL mode only)."""
    assert _server is not None
    return _server.url(database)


def json_value(value):
    """A JSON column read with raw SQL: text from SQLite, already decoded by PostgreSQL's driver."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value

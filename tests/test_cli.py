"""Command-line behaviour around configuration and the database: clear messages, no traceback."""
from sqlalchemy import inspect

from veille.config import Settings
from veille.db import make_engine


def test_init_creates_then_migrates_idempotently(env):
    env.write_feeds([])
    first, second = env.cli("init"), env.cli("init")
    assert first.code == second.code == 0 and "Base de données prête" in first.out
    tables = set(inspect(make_engine(Settings.from_env())).get_table_names())
    assert {"sources", "items", "item_origins", "item_topics", "fetch_log", "alembic_version"} <= tables


def test_bad_database_url_is_a_configuration_error(env, monkeypatch):
    monkeypatch.setenv("VEILLE_DATABASE_URL", "nimportequoi://")
    result = env.cli("init")
    assert result.code == 2 and "VEILLE_DATABASE_URL" in result.err and "Traceback" not in result.err


def test_corrupt_database_file_is_reported(env):
    env.write_feeds([])
    (env.root / "var").mkdir()
    (env.root / "var" / "veille.db").write_bytes(b"ceci n'est pas une base SQLite" * 10)
    result = env.cli("items")
    assert result.code == 1 and "erreur de base de données" in result.err and "file is not a database" in result.err


def test_bad_timezone_is_a_configuration_error(env, monkeypatch):
    monkeypatch.setenv("VEILLE_TIMEZONE", "Europe/Lutece")
    result = env.cli("init")
    assert result.code == 2 and "VEILLE_TIMEZONE" in result.err


def test_settings_defaults():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/veille.db"
    assert str(settings.index_dir) == "index" and str(settings.feeds_path) == "feeds.yaml"
    assert settings.timezone.key == "Europe/Paris"

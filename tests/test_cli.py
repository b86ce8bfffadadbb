"""Command-line behaviour around configuration and the database: clear messages, no traceback."""
import subprocess
import sys

from sqlalchemy import inspect

from tests.databases import sqlite_only
from veille.cli import build_parser
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


@sqlite_only
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


HEAVY_LIBRARIES = ("sqlalchemy", "weasyprint", "whoosh", "tantivy", "feedparser", "httpx", "jinja2", "flask", "babel")


def test_help_imports_no_heavy_library():
    """`veille --help` answers at once: the engines, the database and the renderers load only in
    the commands that need them."""
    probe = ("import sys\nfrom veille.cli import main\n"
             "for argv in (['--help'], ['bulletin', 'send', '--help'], ['search', '--help'], ['serve', '--help'], ['run', '--help']):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
             f"print(sorted(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "veille bulletin send" in result.stdout and "veille serve" in result.stdout and "veille run" in result.stdout
    assert result.stderr.strip() == "[]"


def test_items_of_an_unknown_source_is_a_usage_error(env):
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": "https://exemple.gouv.fr/rss"}])
    for command in (("items", "--source", "inconnue"), ("crawl", "--source", "inconnue")):
        result = env.cli(*command)
        assert result.code == 2 and result.err == "erreur : source inconnue : inconnue (voir « veille sources »)\n"


def test_counts_in_french_plurals(env, server):
    rss = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>T</title><link>https://a.fr/</link>"
           "<description>d</description>{}</channel></rss>")
    item = "<item><title>Texte {n}</title><link>https://a.fr/{n}</link><guid>g{n}</guid></item>"
    server.route("/un.xml", rss.format(item.format(n=1)).encode())
    server.route("/deux.xml", rss.format(item.format(n=2) + item.format(n=3)).encode())
    env.write_feeds([{"id": "un", "name": "Un", "url": server.url("/un.xml")}])
    one = env.cli("crawl")
    assert "\n1 source relevée : 1 nouveau, 0 mis à jour, 0 en erreur.\n1 article indexé pour la recherche.\n" in one.out
    assert "configuration valide, 4 rubriques, 1 source." in env.cli("check-config").out
    env.write_feeds([{"id": "un", "name": "Un", "url": server.url("/un.xml")},
                     {"id": "deux", "name": "Deux", "url": server.url("/deux.xml")}])
    two = env.cli("crawl")
    assert "\n2 sources relevées : 2 nouveaux, 0 mis à jour, 0 en erreur.\n2 articles indexés pour la recherche.\n" in two.out
    assert env.cli("reclassify").out.startswith("3 articles reclassés : 0 a changé de rubriques")


def test_every_option_has_help_text():
    def parsers(parser):
        yield parser
        for action in parser._actions:
            for sub in (getattr(action, "choices", None) or {}).values() if action.nargs == "A..." else ():
                yield from parsers(sub)

    missing = [f"{parser.prog} {action.option_strings or action.dest}"
               for parser in parsers(build_parser()) for action in parser._actions
               if not action.help and action.nargs != "A..." and action.dest != "help"]
    assert missing == []

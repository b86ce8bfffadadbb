from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests import databases
from tests.localserver import LocalServer
from veille.cli import main
from veille.config import Settings
from veille.db import make_engine, session_factory

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = REPO.parent / "shared" / "samples"

needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason=f"échantillons réels absents ({SAMPLES}) : ce test lit ../shared/samples, "
           "présent seulement à côté du dépôt de l'équipe")

TEST_TOPICS = [
    {"slug": "finances-locales", "label": "Finances locales - Dotations",
     "keywords": ["dotation globale de fonctionnement", "DGF", "FCTVA", "comité des finances locales"]},
    {"slug": "elections", "label": "Élections", "keywords": ["répertoire électoral unique", "élections municipales"]},
    {"slug": "tic-reseaux-telephonie", "label": "TIC - Réseaux - Téléphonie",
     "keywords": ["très haut débit", "fibre optique"], "exclude": ["fibre musculaire"]},
    {"slug": "commande-publique", "label": "Commande publique - Marchés publics",
     "keywords": ["marchés publics", "marché public"]},
]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class Env:
    """A Veille installation in a temporary folder, driven through its real CLI."""

    def __init__(self, root: Path, capsys):
        self.root = root
        self.feeds = root / "feeds.yaml"
        self._capsys = capsys

    def write_feeds(self, sources: list[dict], topics: list[dict] | None = None) -> None:
        doc = {"topics": TEST_TOPICS if topics is None else topics, "sources": []}
        for source in sources:
            doc["sources"].append({"kind": "rss", "category": "actualite", "topics": [],
                                   "interval": "1h", "allow_private": True, **source})
        self.feeds.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def cli(self, *args: str) -> CliResult:
        self._capsys.readouterr()
        code = main(list(args))
        captured = self._capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    def session(self):
        return session_factory(make_engine(Settings.from_env()))()


def pytest_collection_modifyitems(config, items):
    """With VEILLE_TEST_DATABASE=postgresql, only the tests that touch the database run (the
    others ran on the SQLite pass): those that use `database_server`, directly or through `env`,
    except the browser tests (Chromium over the pages that the HTTP tests read on both databases)."""
    if not databases.POSTGRESQL:
        return
    kept = [item for item in items if "database_server" in getattr(item, "fixturenames", ())
            and not item.path.stem.endswith("_browser")]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.fixture(scope="session")
def database_server():
    """In PostgreSQL mode, the server of the run (see tests/databases.py); nothing with SQLite."""
    if databases.POSTGRESQL:
        databases.start()
    yield
    databases.stop()


def pytest_configure(config):
    config.addinivalue_line("markers", "empty_database: the test's database starts without any table "
                                       "(the tests of migrations)")


@pytest.fixture
def env(request, database_server, tmp_path, monkeypatch, capsys) -> Env:
    monkeypatch.setenv("VEILLE_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("VEILLE_FEEDS", str(tmp_path / "feeds.yaml"))
    monkeypatch.setenv("VEILLE_INDEX_DIR", str(tmp_path / "index"))
    url = databases.use_test_database(monkeypatch, empty=request.node.get_closest_marker("empty_database") is not None)
    yield Env(tmp_path, capsys)
    databases.drop(url)


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / "feeds" / name).read_bytes()

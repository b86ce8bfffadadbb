from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

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


@pytest.fixture
def env(tmp_path, monkeypatch, capsys) -> Env:
    monkeypatch.setenv("VEILLE_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("VEILLE_FEEDS", str(tmp_path / "feeds.yaml"))
    monkeypatch.setenv("VEILLE_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("VEILLE_DATABASE_URL", raising=False)
    return Env(tmp_path, capsys)


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / "feeds" / name).read_bytes()

"""`veille backup FICHIER` and `veille restore FICHIER`: a consistent copy of a SQLite archive
through SQLite's online backup API, taken while `veille run` keeps working, and back."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from ..commandline import UsageError, open_archive
from ..config import Settings
from .lock import scheduler_lock

CONTENT_TABLES = ("items", "subscribers", "editions")


def database_file(settings: Settings) -> Path:
    url = settings.database_url
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        raise UsageError("seule une archive SQLite se sauvegarde ainsi ; pour PostgreSQL, utilisez pg_dump et pg_restore")
    return Path(url.removeprefix("sqlite:///"))


def backup(settings: Settings, target: Path) -> int:
    """Copy the archive to `target` (replaced whole, never half-written); returns its size."""
    source_path = database_file(settings)
    if not source_path.is_file():
        raise UsageError(f"aucune archive à sauvegarder : {source_path} n'existe pas (voir « veille init »)")
    partial = target.with_name(target.name + ".partiel")
    try:
        partial.unlink(missing_ok=True)
        source, copy = sqlite3.connect(source_path, timeout=30), sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        partial.replace(target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise UsageError(f"sauvegarde impossible vers « {target} » : {exc}") from None
    return target.stat().st_size


def restore(settings: Settings, archive: Path, force: bool) -> dict[str, int]:
    """Replace the archive by the copy in `archive`; returns the counts of what it holds."""
    target_path = database_file(settings)
    counts = _counts(archive)
    holder = scheduler_lock(settings).holder()
    if holder is not None:
        raise UsageError(f"« veille run » tourne sur cette base ({holder.describe(settings.timezone)}) : "
                         "arrêtez-le avant de restaurer")
    if target_path.is_file() and not force:
        present = {name: count for name, count in _counts(target_path).items() if count}
        if present:
            held = ", ".join(f"{count} {name}" for name, count in present.items())
            raise UsageError(f"l'archive actuelle n'est pas vide ({held}) : ajoutez --force pour la remplacer")
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(f"file:{archive}?mode=ro", uri=True), sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    open_archive(settings)  # an archive saved by an older version is brought up to date
    return counts


def _counts(path: Path) -> dict[str, int]:
    """Rows of the main tables; UsageError when the file is not a Veille archive."""
    if not path.is_file():
        raise UsageError(f"fichier introuvable : {path}")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return {name: connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in CONTENT_TABLES}
        finally:
            connection.close()
    except sqlite3.Error:
        raise UsageError(f"« {path} » n'est pas une archive de Veille (base SQLite avec articles, abonnés, éditions)") from None

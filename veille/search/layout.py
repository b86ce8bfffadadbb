"""Where the indexes live: VEILLE_INDEX_DIR/<engine>/ for each engine, so switching
VEILLE_SEARCH keeps the other engine's index. Each engine's folder holds generations of its
index and a `current` file naming the one in use and the index format it was built with
(SCHEMA_VERSION: an index of another format is rebuilt, as if absent), so `veille reindex` builds a new generation
beside the old one and swaps it in with one atomic rename; readers of the old one are never blocked.

Only the configured engine follows the archive. While it indexes changes, every other engine's
index notes in its `lagging` file how many it missed and since when; that index catches up
(compared with the archive item by item, and repaired) the next time it is the configured one.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..config import SEARCH_BACKENDS, Settings

# Bump when document.document() or an engine's index fields change: every index is then rebuilt,
# and `veille index check` sees every item as stale (the version is part of each fingerprint).
SCHEMA_VERSION = 3
POINTER = "current"
LAGGING = "lagging"


@dataclass(frozen=True)
class Lag:
    since: datetime  # the first change this index missed
    missed: int  # changes indexed by another engine since then (an item changed twice counts twice)


def _schema_version() -> str:
    from .document import SCHEMA_VERSION  # the models and analysers: not for `veille --help`

    return str(SCHEMA_VERSION)


def backend_root(settings: Settings, engine: str | None = None) -> Path:
    return settings.index_dir / (engine or settings.search_backend)


def lock_path(settings: Settings) -> Path:
    return settings.index_dir / ".writer.lock"


def current_generation(settings: Settings, engine: str | None = None) -> Path | None:
    """The engine's index in use, None when it has none or one of an older format."""
    name, version = _pointer(settings, engine)
    path = backend_root(settings, engine) / name
    return path if name and version == _schema_version() and path.is_dir() else None


def outdated(settings: Settings, engine: str | None = None) -> bool:
    """The engine has an index, of an older format: the next indexing rebuilds it."""
    name, version = _pointer(settings, engine)
    return bool(name) and version != _schema_version()


def _pointer(settings: Settings, engine: str | None) -> tuple[str, str]:
    """(generation name, format) from the `current` file; ("", "") without one."""
    try:
        words = (backend_root(settings, engine) / POINTER).read_text(encoding="utf-8").split()
    except (FileNotFoundError, NotADirectoryError):
        return "", ""
    return (words + ["", "1"])[0], (words + ["1", "1"])[1]


def new_generation(settings: Settings) -> Path:
    root = backend_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    path.mkdir()
    return path


def make_current(settings: Settings, path: Path) -> None:
    """Swap `path` in, then remove the engine's older generations. A new generation holds the
    whole archive: it lags behind nothing."""
    root = backend_root(settings)
    _replace(root / POINTER, f"{path.name} {_schema_version()}")
    for child in root.iterdir():
        if child.is_dir() and child != path:
            shutil.rmtree(child, ignore_errors=True)
    caught_up(settings)


def note_missed(settings: Settings, count: int) -> None:
    """The configured engine indexed `count` changes: every other engine's index missed them."""
    for engine in SEARCH_BACKENDS:
        if engine == settings.search_backend or current_generation(settings, engine) is None or not count:
            continue
        before = lag(settings, engine)
        since = before.since if before else datetime.now(timezone.utc)
        _replace(backend_root(settings, engine) / LAGGING,
                 f"{since.isoformat()} {(before.missed if before else 0) + count}")


def lag(settings: Settings, engine: str | None = None) -> Lag | None:
    """What this engine's index missed while another engine was configured, or None."""
    try:
        since, missed = (backend_root(settings, engine) / LAGGING).read_text(encoding="utf-8").split()
        return Lag(datetime.fromisoformat(since), int(missed))
    except FileNotFoundError:
        return None
    except ValueError:  # a damaged note: assume the worst, a full comparison will tell
        return Lag(datetime.fromtimestamp(0, timezone.utc), 0)


def caught_up(settings: Settings) -> None:
    (backend_root(settings) / LAGGING).unlink(missing_ok=True)


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def size_on_disk(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())

"""Where the index lives: VEILLE_INDEX_DIR/<backend>/ holds generations of the index and a
`current` file naming the one in use, so `veille reindex` builds a new generation beside the
old one and swaps it in with one atomic rename; readers of the old one are never blocked."""
from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..config import SEARCH_BACKENDS, Settings

POINTER = "current"


def backend_root(settings: Settings) -> Path:
    return settings.index_dir / settings.search_backend


def lock_path(settings: Settings) -> Path:
    return settings.index_dir / ".writer.lock"


def current_generation(settings: Settings) -> Path | None:
    root = backend_root(settings)
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    path = root / name
    return path if name and path.is_dir() else None


def new_generation(settings: Settings) -> Path:
    root = backend_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    path.mkdir()
    return path


def make_current(settings: Settings, path: Path) -> None:
    """Swap `path` in, then remove older generations and other backends' indexes
    (the archive has one index: the configured backend's)."""
    root = backend_root(settings)
    temporary = root / f"{POINTER}.{os.getpid()}.tmp"
    temporary.write_text(path.name, encoding="utf-8")
    os.replace(temporary, root / POINTER)
    for child in root.iterdir():
        if child.is_dir() and child != path:
            shutil.rmtree(child, ignore_errors=True)
    for name in SEARCH_BACKENDS:
        if name != settings.search_backend:
            shutil.rmtree(settings.index_dir / name, ignore_errors=True)


def size_on_disk(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())

"""Where the indexes live, one `Generations` per engine: each keeps generations of its index,
names the one in use and the index format it was built with (SCHEMA_VERSION: an index of another
format is rebuilt, as if absent), so that `veille reindex` builds a new generation beside the old
one and swaps it in at once; readers of the old one are never blocked.

The file engines (tantivy, whoosh) keep theirs in folders, VEILLE_INDEX_DIR/<engine>/, with a
`current` file naming the generation in use, so switching VEILLE_SEARCH keeps the other engine's
index. The postgres engine keeps its generations as tables of the archive's database and its
pointer in a row beside them (postgres_tables.py): several web processes on several machines
share it.

Only the configured engine follows the archive. While it indexes changes, every other engine's
index notes how many it missed and since when (its `lagging` file, or its row); that index
catches up (compared with the archive item by item, and repaired) the next time it is the
configured one.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

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


def schema_version() -> str:
    from .document import SCHEMA_VERSION  # the models and analysers: not for `veille --help`

    return str(SCHEMA_VERSION)


class Generations(ABC):
    """One engine's index generations. A generation is whatever its backend's `create` and
    `open` take: a folder (Path) for the file engines, a table for postgres."""

    engine: str
    available = True  # False when the archive's database cannot hold this engine's index

    @abstractmethod
    def current(self):
        """The generation in use, None when there is none or one of an older format."""

    @abstractmethod
    def outdated(self) -> bool:
        """The engine has an index, of an older format: the next indexing rebuilds it."""

    @abstractmethod
    def new(self):
        """A place for a new generation, not in use yet."""

    @abstractmethod
    def make_current(self, generation) -> None:
        """Swap `generation` in, then remove the older ones. A new generation holds the whole
        archive: it lags behind nothing."""

    @abstractmethod
    def discard(self, generation) -> None:
        """Remove a generation that was never made current (a failed build)."""

    @abstractmethod
    def all(self) -> list:
        """Every generation there is, in use or not."""

    @abstractmethod
    def lag(self) -> Lag | None:
        """What this engine's index missed while another engine was configured, or None."""

    @abstractmethod
    def note_missed(self, count: int) -> None:
        """Another engine indexed `count` changes that this index missed."""

    @abstractmethod
    def caught_up(self) -> None:
        """This index holds every change again."""

    @abstractmethod
    def size(self, generation) -> int:
        """Bytes taken by a generation."""

    def where(self, generation) -> str:
        """Where a generation is, for people."""
        return str(generation)

    @abstractmethod
    def lock(self, wait: float) -> Iterator[bool]:
        """A context manager yielding True once this process is the only writer of this engine's
        index, False if `wait` seconds passed first."""


def generations(settings: Settings, engine: str | None = None) -> Generations:
    engine = engine or settings.search_backend
    if engine == "postgres":
        from .postgres_tables import Tables
        return Tables(settings)
    return Folders(settings, engine)


def current_generation(settings: Settings, engine: str | None = None):
    """The engine's generation in use (the configured engine's by default), or None."""
    return generations(settings, engine).current()


def note_missed(settings: Settings, count: int) -> None:
    """The configured engine indexed `count` changes: every other engine's index missed them."""
    if not count:
        return
    for engine in SEARCH_BACKENDS:
        if engine != settings.search_backend:
            other = generations(settings, engine)
            if other.current() is not None:
                other.note_missed(count)


class Folders(Generations):
    """A file engine's generations: folders in VEILLE_INDEX_DIR/<engine>/, a `current` file naming
    the one in use and its format, a `lagging` file, a lock file shared by the engines."""

    def __init__(self, settings: Settings, engine: str):
        self.engine = engine
        self.root = settings.index_dir / engine
        self.lock_file = settings.index_dir / ".writer.lock"

    def current(self) -> Path | None:
        name, version = self._pointer()
        path = self.root / name
        return path if name and version == schema_version() and path.is_dir() else None

    def outdated(self) -> bool:
        name, version = self._pointer()
        return bool(name) and version != schema_version()

    def _pointer(self) -> tuple[str, str]:
        """(generation name, format) from the `current` file; ("", "") without one."""
        try:
            words = (self.root / POINTER).read_text(encoding="utf-8").split()
        except (FileNotFoundError, NotADirectoryError):
            return "", ""
        return (words + ["", "1"])[0], (words + ["1", "1"])[1]

    def new(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        path.mkdir()
        return path

    def make_current(self, path: Path) -> None:
        _replace(self.root / POINTER, f"{path.name} {schema_version()}")
        for child in self.all():
            if child != path:
                shutil.rmtree(child, ignore_errors=True)
        self.caught_up()

    def discard(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def all(self) -> list[Path]:
        return sorted(child for child in self.root.iterdir() if child.is_dir()) if self.root.is_dir() else []

    def lag(self) -> Lag | None:
        try:
            since, missed = (self.root / LAGGING).read_text(encoding="utf-8").split()
            return Lag(datetime.fromisoformat(since), int(missed))
        except FileNotFoundError:
            return None
        except ValueError:  # a damaged note: assume the worst, a full comparison will tell
            return Lag(datetime.fromtimestamp(0, timezone.utc), 0)

    def note_missed(self, count: int) -> None:
        before = self.lag()
        since = before.since if before else datetime.now(timezone.utc)
        _replace(self.root / LAGGING, f"{since.isoformat()} {(before.missed if before else 0) + count}")

    def caught_up(self) -> None:
        (self.root / LAGGING).unlink(missing_ok=True)

    def size(self, path: Path) -> int:
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())

    @contextmanager
    def lock(self, wait: float) -> Iterator[bool]:
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a+") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)

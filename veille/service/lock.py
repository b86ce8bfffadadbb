"""One scheduler per database: a lock that dies with its process.

With SQLite the lock is an OS file lock (fcntl) on a file beside the database, which the kernel
releases whenever the process ends, however it ends; the file also says who holds it (pid, host,
since when), for the message of a second `veille run`. Another database (PostgreSQL) would take
a session advisory lock (`pg_try_advisory_lock`) on a connection kept open, with the same
interface: `acquire()`, `release()`, `holder()`.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..config import Settings


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    since: datetime | None

    def describe(self, tz) -> str:
        since = f", depuis le {self.since.astimezone(tz):%d/%m/%Y à %H:%M}" if self.since else ""
        return f"pid {self.pid} sur l'hôte « {self.host} »{since}"


def lock_path(settings: Settings) -> Path:
    """Beside the SQLite file (so every installation pointing at it shares the lock), else in VEILLE_HOME."""
    url = settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        database = Path(url.removeprefix("sqlite:///"))
        return database.with_name(database.name + ".scheduler.lock")
    return settings.home / "locks" / "scheduler.lock"


class SchedulerLock:
    def __init__(self, path: Path):
        self.path = path
        self._handle = None

    def acquire(self) -> bool:
        """True when this process is now the scheduler; False when another one is."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "since": datetime.now(timezone.utc).isoformat()}))
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def holder(self) -> Holder | None:
        """Who schedules now: None when nobody holds the lock."""
        if self._handle is not None:
            return self._read()
        try:
            with open(self.path, "r", encoding="utf-8") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return self._read() or Holder(0, "?", None)
                fcntl.flock(handle, fcntl.LOCK_UN)
                return None
        except FileNotFoundError:
            return None

    def _read(self) -> Holder | None:
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            return Holder(int(record["pid"]), str(record["host"]), datetime.fromisoformat(record["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

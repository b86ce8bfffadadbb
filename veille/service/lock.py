"""One scheduler per database: a lock that dies with its process.

With SQLite the lock is an OS file lock (fcntl) on a file beside the database, which the kernel
releases whenever the process ends, however it ends; the file also says who holds it (pid, host,
since when), for the message of a second `veille run`. With PostgreSQL (several machines) it is a
session advisory lock (`pg_try_advisory_lock`) on a connection of its own kept open, which the
server releases when that connection dies; the connection's application_name says who holds it.
Both have the same interface: `acquire()`, `release()`, `held()`, `holder()`; `scheduler_lock`
picks one. A PostgreSQL server that restarts ends the lock's connection, and with it the lock:
`held()` is how the scheduler notices.
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
from ..db import SCHEDULER_LOCKS


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    since: datetime | None

    def describe(self, tz) -> str:
        since = f", depuis le {self.since.astimezone(tz):%d/%m/%Y à %H:%M}" if self.since else ""
        return f"pid {self.pid} sur l'hôte « {self.host} »{since}"


def scheduler_lock(settings: Settings) -> "SchedulerLock | AdvisoryLock":
    if settings.database_url.startswith("postgresql"):
        return AdvisoryLock(settings.database_url)
    return SchedulerLock(lock_path(settings))


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

    def held(self) -> bool:
        return self._handle is not None  # the kernel keeps it as long as the process lives

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


class AdvisoryLock:
    """The scheduler lock of a PostgreSQL archive: the advisory lock (SPACE, SCHEDULER) of its database."""

    SPACE, SCHEDULER = SCHEDULER_LOCKS, 1
    HOLDERS = ("SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
               "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :space AND l.objid = :key "
               "AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())")
    HELD = HOLDERS + " AND l.pid = pg_backend_pid()"

    def __init__(self, url: str):
        self.url = url
        self._connection = None

    def _connect(self, name: str):
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        # Keepalives: a holder whose machine vanished is noticed by the server within about a minute.
        engine = create_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args={
            "application_name": name, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
            "keepalives_count": 3})
        return engine.connect()

    def acquire(self) -> bool:
        from sqlalchemy import text

        since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        connection = self._connect(f"veille run pid={os.getpid()} host={socket.gethostname()} since={since}"[:63])
        taken = connection.scalar(text("SELECT pg_try_advisory_lock(:space, :key)"),
                                  {"space": self.SPACE, "key": self.SCHEDULER})
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # the server releases a session lock with its connection
            self._connection = None

    def held(self) -> bool:
        """Whether this process still holds the lock: False once its connection died (a server
        restart, a terminated backend), which released it."""
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        if self._connection is None:
            return False
        try:
            return self._connection.execute(text(self.HELD), {"space": self.SPACE, "key": self.SCHEDULER}).first() is not None
        except DBAPIError:
            self._connection.invalidate()
            self._connection = None
            return False

    def holder(self) -> Holder | None:
        from sqlalchemy import text

        with self._connect("veille status") as connection:
            row = connection.execute(text(self.HOLDERS), {"space": self.SPACE, "key": self.SCHEDULER}).first()
        if row is None:
            return None
        fields = dict(part.partition("=")[::2] for part in row.application_name.split()[2:])
        try:
            return Holder(int(fields["pid"]), fields["host"], datetime.fromisoformat(fields["since"]))
        except (KeyError, ValueError):
            return Holder(0, "?", row.backend_start)

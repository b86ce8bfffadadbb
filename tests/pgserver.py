"""A real PostgreSQL server for the tests and benchmarks, started in a temporary folder on a free
port (initdb + pg_ctl) and stopped at the end. PostgreSQL refuses to run as root: as root the
server runs as the unprivileged user `nobody`."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

UNPRIVILEGED = "nobody"


def server_binaries() -> Path | None:
    """The folder of initdb, pg_ctl and postgres: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(path) for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def missing_reason() -> str | None:
    """Why no server can be started here, in French; None when one can."""
    if server_binaries() is None:
        return ("serveur PostgreSQL absent (ni pg_ctl dans le PATH ni /usr/lib/postgresql/*/bin) : "
                "make install l'installe (paquet postgresql)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "PostgreSQL refuse de tourner en root et runuser est absent pour le lancer en « nobody »"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """`with PostgresServer() as server:` a running server; `server.create_database()` gives the
    SQLAlchemy URL of a new empty database."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="veille-pg-"))
        self.port = free_port()
        self.bin = server_binaries()

    def _run(self, *command: str) -> None:
        if os.geteuid() == 0:
            command = ("runuser", "-u", UNPRIVILEGED, "--", *command)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")

    def __enter__(self) -> "PostgresServer":
        data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, UNPRIVILEGED)
        self.folder.chmod(0o700)
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        options = (f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
                   "-c shared_buffers=128MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")
        return self

    def __exit__(self, *_exc) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self, template: str | None = None) -> str:
        name = f"veille_{uuid.uuid4().hex[:12]}"
        self.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template} STRATEGY file_copy" if template else ""))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

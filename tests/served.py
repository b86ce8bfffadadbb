"""`veille serve` run for real (waitress in its own process) and raw HTTP/1.1 requests to it, for
what an HTTP client would normalise or refuse to send (odd Host headers, raw bytes, slow clients)."""
from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass

import httpx

from tests.livesite import free_port

STARTED = "Site web de Veille : "


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Served:
    """`veille serve --port P [options]` with the VEILLE_* settings of the environment; `log` holds
    what it wrote on stderr once it has stopped."""

    def __init__(self, *options: str):
        self.port = free_port()
        self.command = [sys.executable, "-m", "veille", "serve", "--port", str(self.port), *options]
        self.log = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Served":
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self.process.stdout.readline()
        assert first.startswith(STARTED), first + self.process.stderr.read()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> str:
        if self.process.returncode is None:
            self.process.terminate()
            _, self.log = self.process.communicate(timeout=20)
        return self.log

    def get(self, path: str, **options) -> httpx.Response:
        return httpx.get(self.url + path, timeout=60, **options)

    def raw(self, request: bytes, timeout: float = 30) -> Answer:
        """Send these bytes as they are, read the answer until the server closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as connection:
            connection.sendall(request)
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        return Answer(int(status_line.split()[1]), headers, body)

    def request(self, path: str, host: str = "127.0.0.1", method: str = "GET") -> Answer:
        return self.raw(f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())

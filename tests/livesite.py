"""The web app served for real on 127.0.0.1 (werkzeug's threaded server), for HTTP and browser tests."""
from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from pathlib import Path

from werkzeug.serving import make_server

from veille.config import Settings
from veille.web.app import create_app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 valid one day, and its key (made by the openssl command)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class LiveSite:
    """Started on `port` with the VEILLE_* settings of the environment at that moment; over
    HTTPS when given a certificate and its key."""

    def __init__(self, port: int | None = None, tls: tuple[Path, Path] | None = None, host: str = "127.0.0.1"):
        self.host = host
        self.port = port or free_port(host)
        self.app = create_app(Settings.from_env())
        context = None
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
        self.scheme = "https" if tls else "http"
        self.server = make_server(host, self.port, self.app, threaded=True, ssl_context=context)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def __enter__(self) -> "LiveSite":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(5)

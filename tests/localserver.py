"""A real HTTP server on 127.0.0.1 for tests and benchmarks, with routes set per test."""
from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answers 304 to a matching If-None-Match
    last_modified: str | None = None  # answers 304 to a matching If-Modified-Since
    gzip: bool = False
    drip: float = 0.0  # seconds between 64-byte chunks: a slow server
    chunked: bool = False  # no Content-Length


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.server.owner.hits[path] = self.server.owner.hits.get(path, 0) + 1
        self.server.owner.requests.append((path, dict(self.headers)))
        route = self.server.owner.routes.get(path)
        if route is None:
            return self._send(404, {"Content-Type": "text/plain"}, b"not found")
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified):
            return self._send(304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"")
        body = route.body
        if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(route.status, headers, body, route.drip, route.chunked)

    def _send(self, status: int, headers: dict, body: bytes, drip: float = 0.0, chunked: bool = False) -> None:
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status == 304:
                return
            step = 64 if drip else 1 << 16
            for start in range(0, len(body), step):
                part = body[start:start + step]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
                self.wfile.flush()
                if drip:
                    time.sleep(drip)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LocalServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[tuple[str, dict]] = []
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self.base = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, body: bytes | str = b"", **options) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def redirect(self, path: str, target: str, status: int = 301) -> str:
        return self.route(path, status=status, headers={"Location": target})

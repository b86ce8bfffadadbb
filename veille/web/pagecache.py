"""Pages and feeds of the reader's side kept in memory, by archive version.

A GET of a cached page type is looked up by (access variant, today's date, path, query) for the
archive's current version (`veille.archive_version`: one primary-key read), so a hit costs no
other query and no rendering, and any change of the archive is seen by the next request. Only
200 answers without cookies are kept, each with a strong ETag (the feed's own, or a digest of
the body): a conditional request is answered 304 from the cache too. On a miss, the page is
rendered in full (conditions set aside) and kept, then answered as the conditions ask.

A hit is answered before Flask sees the request (`_served`, in the WSGI layer: the client's
address and the host already checked by the layers around it) when the request carries no
session cookie and its variant is known: everyone's (feeds, API) or the one remembered for its
address. Anything else goes through Flask, which looks up and keeps pages the same way.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, Response, current_app, g, request
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Request

from .. import archive_version
from .context import veille
from .memo import VERSION_KEY
from .memo import version as archive_version_now
from .hosts import REFUSED
from .variant import EVERYONE, Variants

# Blueprints whose pages depend only on the archive, the address and the access variant.
CACHED_BLUEPRINTS = frozenset({"home", "search", "rubriques", "archives", "articles", "feeds", "feed_directory",
                               "api"})
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
NOT_KEPT = frozenset({"content-length", "set-cookie"})
MAX_BYTES = 64 * 1024 * 1024  # all bodies kept, at most
MAX_BODY = 2 * 1024 * 1024  # a larger body is served, not kept
SESSION_COOKIE = "veille_session="  # veille.web.auth: perhaps a logged-in user, whose pages are never cached


@dataclass(frozen=True)
class Stored:
    body: bytes
    headers: list[tuple[str, str]]  # of the 200 answer
    unchanged: list[tuple[str, str]]  # of the 304 answer
    etag: str
    last_modified: datetime | None


class PageCache:
    """The newest version's pages, least recently used dropped first beyond `max_bytes`."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes, self.size, self.version = max_bytes, 0, -1
        self.pages: OrderedDict[tuple, Stored] = OrderedDict()
        self.lock = threading.Lock()
        self.variants = Variants()

    def get(self, key: tuple, version: int) -> Stored | None:
        with self.lock:
            stored = self.pages.get(key) if version == self.version else None
            if stored is not None:
                self.pages.move_to_end(key)
            return stored

    def put(self, key: tuple, version: int, stored: Stored) -> None:
        if len(stored.body) > min(MAX_BODY, self.max_bytes):
            return
        with self.lock:
            if version < self.version:
                return  # rendered while the archive changed: the next request renders again
            if version > self.version:
                self.pages.clear()
                self.size, self.version = 0, version
            previous = self.pages.pop(key, None)
            self.size += len(stored.body) - (len(previous.body) if previous else 0)
            self.pages[key] = stored
            while self.size > self.max_bytes:
                self.size -= len(self.pages.popitem(last=False)[1].body)


def install(app: Flask, max_bytes: int = MAX_BYTES) -> None:
    """First of the app's layers: its WSGI layer then runs inside the others (client address and
    host known), its after_request function last (the response's headers complete)."""
    cache = app.extensions["veille-pages"] = PageCache(max_bytes)
    app.before_request(_lookup)
    app.after_request(_keep)
    inner, engine = app.wsgi_app, app.extensions["veille"]["factory"].kw["bind"]
    timezone = app.extensions["veille"]["settings"].timezone

    def served(environ, start_response):
        if (environ["REQUEST_METHOD"] == "GET" and REFUSED not in environ and not environ.get("CONTENT_LENGTH")
                and SESSION_COOKIE not in environ.get("HTTP_COOKIE", "")):
            version = environ[VERSION_KEY] = archive_version.read(engine)
            if version is None:
                return inner(environ, start_response)  # Flask answers with its error page
            today, asked = datetime.now(timezone).date(), Request(environ)
            address = cache.variants.remembered(version, today, asked.remote_addr)
            for variant in (EVERYONE, address) if address else (EVERYONE,):
                stored = cache.get(_key(variant.key, today, asked), version)
                if stored is not None:
                    return _send(stored, environ, start_response)
        return inner(environ, start_response)

    app.wsgi_app = served


def _key(variant: str, today: date, asked: Request) -> tuple:
    return variant, today, asked.path, tuple(sorted(asked.args.items(multi=True)))


def _lookup():
    if (request.method != "GET" or request.blueprint not in CACHED_BLUEPRINTS or REFUSED in request.environ
            or request.content_length):
        return None
    version = archive_version_now()
    today = datetime.now(veille("settings").timezone).date()  # pages that count days from today
    cache = _cache()
    variant = cache.variants.of(request, version, today)
    if variant is None:
        return None
    key = _key(variant.key, today, request)
    stored = cache.get(key, version)
    if stored is not None:
        return _answer(stored, request)
    g.page_key = (key, version, variant)
    g.page_conditions = {name: request.environ.pop(name) for name in CONDITIONS if name in request.environ}
    return None


def _keep(response: Response) -> Response:
    if "page_key" not in g:
        return response
    key, version, variant = g.pop("page_key")
    request.environ.update(g.pop("page_conditions"))
    cache_control = response.headers.get("Cache-Control", "public, no-cache")
    if (response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers
            or "no-store" in cache_control):
        return response
    if not variant.shared:
        cache_control = "private"  # as veille.web.access says of pages served by licence
    body = response.get_data()
    etag = response.get_etag()[0] or hashlib.sha256(body).hexdigest()[:32]
    response.headers["Cache-Control"] = cache_control
    response.set_etag(etag)
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in NOT_KEPT]
    stored = Stored(body, [*headers, ("Content-Length", str(len(body)))],
                    [(name, value) for name, value in headers if name.lower() != "content-type"],
                    etag, response.last_modified)
    _cache().put(key, version, stored)
    return _answer(stored, request)


def _answer(stored: Stored, asked: Request) -> Response:
    """The stored page, or 304 with its validators when the client holds it already."""
    if _changed(stored, asked.environ):
        return Response(stored.body, headers=stored.headers)
    return Response(status=304, headers=stored.unchanged)


def _send(stored: Stored, environ, start_response):
    """The same as a WSGI answer, without building a response object."""
    if _changed(stored, environ):
        start_response("200 OK", stored.headers)
        return [stored.body]
    start_response("304 Not Modified", stored.unchanged)
    return []


def _changed(stored: Stored, environ) -> bool:
    return is_resource_modified(environ, etag=stored.etag, last_modified=stored.last_modified)


def _cache() -> PageCache:
    return current_app.extensions["veille-pages"]

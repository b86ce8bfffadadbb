"""Pages and feeds of the reader's side kept in memory, by archive version.

A GET of a cached page type is looked up by (access variant, today's date, path, query) for the
archive's current version (`veille.archive_version`: one primary-key read), so a hit costs no
other query and no rendering, and any change of the archive is seen by the next request. Only
200 answers without cookies are kept, each with a strong ETag (the feed's own, or a digest of
the body): a conditional request is answered 304 from the cache too. On a miss, the page is
rendered in full (conditions set aside) and kept, then answered as the conditions ask.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, current_app, g, request
from werkzeug.http import is_resource_modified

from .. import archive_version
from .context import db, veille
from .variant import Variants

# Blueprints whose pages depend only on the archive, the address and the access variant.
CACHED_BLUEPRINTS = frozenset({"home", "search", "rubriques", "archives", "articles", "feeds", "feed_directory",
                               "api"})
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
NOT_KEPT = frozenset({"content-length", "set-cookie"})
MAX_BYTES = 64 * 1024 * 1024  # all bodies kept, at most
MAX_BODY = 2 * 1024 * 1024  # a larger body is served, not kept


@dataclass(frozen=True)
class Stored:
    body: bytes
    headers: tuple[tuple[str, str], ...]
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
    """Before the security headers are added (after_request functions run last registered
    first), so that kept responses carry them."""
    app.extensions["veille-pages"] = PageCache(max_bytes)
    app.before_request(_lookup)
    app.after_request(_keep)


def _lookup():
    if request.method != "GET" or request.blueprint not in CACHED_BLUEPRINTS:
        return None
    version = archive_version.current(db())
    today = datetime.now(veille("settings").timezone).date()  # pages that count days from today
    cache = _cache()
    variant = cache.variants.of(request, version, today)
    if variant is None:
        return None
    key = (variant.key, today, request.path, tuple(sorted(request.args.items(multi=True))))
    stored = cache.get(key, version)
    if stored is not None:
        return _answer(stored)
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
            or "private" in cache_control or "no-store" in cache_control):
        return response
    if not variant.shared:
        cache_control = "private"  # as veille.web.access says of pages served by licence
    body = response.get_data()
    etag = response.get_etag()[0] or hashlib.sha256(body).hexdigest()[:32]
    response.headers["Cache-Control"] = cache_control
    response.set_etag(etag)
    stored = Stored(body, tuple((name, value) for name, value in response.headers.items()
                                if name.lower() not in NOT_KEPT), etag, response.last_modified)
    _cache().put(key, version, stored)
    return _answer(stored)


def _answer(stored: Stored) -> Response:
    """The stored page, or 304 with its validators when the client holds it already."""
    if is_resource_modified(request.environ, etag=stored.etag, last_modified=stored.last_modified):
        return Response(stored.body, headers=list(stored.headers))
    return Response(status=304, headers=[(name, value) for name, value in stored.headers
                                         if name.lower() != "content-type"])


def _cache() -> PageCache:
    return current_app.extensions["veille-pages"]

"""What many of the reader's pages share, computed once per archive version: the ordered items
of a rubrique (by listing date for its pages, by arrival for the API's), a category's count, a
month's counts by day, who holds a client address, a feed's version. A value is kept for the
archive's version read at the start of the request (`version()`, read once a request), and
everything kept is dropped when a newer version is seen: a change of the archive (a crawl, an
edit, an item hidden) is seen by the next request, as with the page cache (veille.web.pagecache).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

from flask import current_app, g, request

from .. import archive_version
from .context import db

T = TypeVar("T")
VERSION_KEY = "veille.archive_version"  # in the WSGI environ: the version read before Flask
# Values kept at most of each kind, the least recently used dropped first: a rubrique's lists
# hold thousands of ids (one per filter), a count or a client address's holder a number.
KEPT = {"listed": 160, "arrivals": 160, "counted": 1000, "month": 600, "feed": 1024, "holder": 10_000}


class Recent:
    """The values most recently used, the oldest dropped beyond `size`."""

    def __init__(self, size: int = 256):
        self.size, self.values, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


class PerVersion(Recent):
    """Values of the newest archive version seen; an older request's values are not kept. One
    thread computes a missing value while the others asking for it wait (right after a crawl,
    a busy server would otherwise compute a large list once per thread)."""

    def __init__(self, size: int):
        super().__init__(size)
        self.version, self.computing = -1, {}

    def value(self, key: Hashable, version: int, compute: Callable[[], T]) -> T:
        found = self.get(key) if version == self.version else None
        if found is not None:
            return found
        with self.lock:
            computing = self.computing.setdefault(key, threading.Lock())
        with computing:
            found = self.get(key) if version == self.version else None
            if found is None:
                found = compute()
                with self.lock:
                    if version > self.version:
                        self.values.clear()
                        self.version = version
                if version == self.version:
                    self.put(key, found)
        with self.lock:
            self.computing.pop(key, None)
        return found


def version() -> int:
    """The archive's version for this request, read once (by the page cache's layer, when it
    looked the request up before Flask)."""
    if "archive_version" not in g:
        known = request.environ.get(VERSION_KEY)
        g.archive_version = known if known is not None else archive_version.current(db())
    return g.archive_version


def per_version(kind: str, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` for `key`, once per archive version (per process); `kind`: one of KEPT."""
    kept = current_app.extensions.setdefault("veille-per-version", {})
    if kind not in kept:
        kept.setdefault(kind, PerVersion(KEPT[kind]))
    return kept[kind].value(key, version(), compute)

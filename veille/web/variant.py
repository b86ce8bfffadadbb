"""Who a page is served to, as far as caches are concerned: the access variant of a request.

Two requests of the same address may share a cached response only when their variants are
equal; a request without a variant (None) is never answered from the cache nor stored in it.
Feeds, the OPML list and the JSON API show nothing of the visitor: one variant for everyone.
Pages show the visitor's access: the anonymous visitor (headlines and summaries) is one variant,
which shared HTTP caches may keep (`Cache-Control: public`); a visitor inside the IP ranges of an
organisation whose licence is active reads full texts under that organisation's name: one
variant per organisation, kept out of shared caches (`private`). A logged-in user's pages carry
their address and CSRF token: never cached.

Which variant an address gets depends only on the organisations, their ranges and licences
(tables that raise the archive's version) and on the day: it is remembered for that version and
day, so that a page served from the cache costs no query beyond the archive's version.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from flask import Request

from .access import BY_ADDRESS, access
from .auth import current_user


@dataclass(frozen=True)
class Variant:
    key: str  # part of the cache key: responses are never shared across keys
    shared: bool  # whether proxies and other shared HTTP caches may keep the response


ANONYMOUS = Variant("anonyme", shared=True)
EVERYONE = Variant("tous", shared=True)  # answers that show nothing of the visitor
SAME_FOR_ALL_BLUEPRINTS = frozenset({"feeds", "api"})  # feeds and the JSON API: no account bar, no full text
SAME_FOR_ALL_ENDPOINTS = frozenset({"feed_directory.opml"})
REMEMBERED = 10_000  # client addresses whose variant is remembered, the least recently seen forgotten


class Variants:
    """The variant of each client address, remembered for an archive version and a day."""

    def __init__(self, size: int = REMEMBERED):
        self.size, self.known, self.lock = size, OrderedDict(), threading.Lock()

    def of(self, request: Request, version: int, today: date) -> Variant | None:
        """This request's variant; None when its response must not be cached at all."""
        if request.blueprint in SAME_FOR_ALL_BLUEPRINTS or request.endpoint in SAME_FOR_ALL_ENDPOINTS:
            return EVERYONE
        if current_user() is not None:
            return None
        known = self.remembered(version, today, request.remote_addr)
        if known is not None:
            return known
        granted = access()
        found = Variant(f"organisation:{granted.organisation.id}", shared=False) \
            if granted.via == BY_ADDRESS else ANONYMOUS
        with self.lock:
            self.known[(version, today, request.remote_addr)] = found
            while len(self.known) > self.size:
                self.known.popitem(last=False)
        return found

    def remembered(self, version: int, today: date, address: str | None) -> Variant | None:
        """The variant already found for this address, version and day, if any (never a
        logged-in user's: they have none)."""
        key = (version, today, address)
        with self.lock:
            known = self.known.get(key)
            if known is not None:
                self.known.move_to_end(key)
            return known

"""Attempts per client address over a sliding window: beyond the limit, a French 429 with
`Retry-After`. For routes whose address carries a secret (unsubscribe tokens) and, later, logins.

The client is `REMOTE_ADDR`: the TCP peer, or behind proxies the address veille.web.clientaddr
reads from `X-Forwarded-For` (VEILLE_TRUSTED_PROXIES); an IPv6 client counts as its whole /64,
which one machine usually holds.
"""
from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections import deque
from typing import Callable, NamedTuple

from flask import Blueprint, current_app, request

from .context import error_page

log = logging.getLogger(__name__)


class Verdict(NamedTuple):
    wait: float  # seconds before the next attempt is allowed; 0 when this one is
    refused: int  # attempts refused in a row, this one included


class RateLimit:
    """At most `limit` attempts per `period` seconds for each key; refused attempts do not count."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.period, self.clock = limit, period, clock
        self._attempts: dict[str, deque[float]] = {}
        self._refused: dict[str, int] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def attempt(self, key: str) -> Verdict:
        with self._lock:
            now = self.clock()
            if now - self._swept > self.period:  # forget the keys whose attempts have all expired
                self._swept = now
                for stale in [k for k, times in self._attempts.items() if times[-1] <= now - self.period]:
                    del self._attempts[stale]
                    self._refused.pop(stale, None)
            times = self._attempts.setdefault(key, deque())
            while times and times[0] <= now - self.period:
                times.popleft()
            if len(times) < self.limit:
                times.append(now)
                self._refused.pop(key, None)
                return Verdict(0.0, 0)
            self._refused[key] = self._refused.get(key, 0) + 1
            return Verdict(times[0] + self.period - now, self._refused[key])


def client_key(address: str | None) -> str:
    """The IPv4 address, or the /64 network of an IPv6 address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "?"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def throttle(blueprint: Blueprint, limit: int, period: float, message: str) -> None:
    """Limit every route of the blueprint, per client address, each app with its own counts."""
    name = f"ratelimit.{blueprint.name}"

    @blueprint.before_request
    def _throttle():
        limiter = current_app.extensions.get(name)
        if limiter is None:
            limiter = current_app.extensions.setdefault(name, RateLimit(limit, period))
        key = client_key(request.remote_addr)
        verdict = limiter.attempt(key)
        if not verdict.wait:
            return None
        if verdict.refused == 1:  # one line per client that goes over, not one per attempt
            log.warning("trop de requêtes (429) de %s sur %s : plus de %d en %g s", key, blueprint.name, limit, period)
        body, status = error_page(429, message)
        return body, status, {"Retry-After": str(math.ceil(verdict.wait))}

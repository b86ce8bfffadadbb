"""The one chokepoint for outbound HTTP.

Conditional GET, time and size limits, redirects followed by hand so that every hop's
address is checked (no loopback, link-local or private ranges unless the source allows it),
and status codes turned into typed, French-worded errors.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from .config import DEFAULT_USER_AGENT
from .numbers import parse_int


ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
          "text/html;q=0.8, application/json;q=0.8, */*;q=0.5")
PERMANENT = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
STATUS_WORDS = {
    400: "requête refusée", 401: "authentification requise", 403: "accès refusé",
    404: "introuvable", 405: "méthode refusée", 500: "erreur interne du serveur",
    502: "passerelle en erreur", 504: "passerelle hors délai",
}


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0  # whole request, body included: a server that drips bytes is cut off
    max_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 5
    per_host: int = 2  # requests at once to one host


@dataclass
class FetchResult:
    url: str  # after redirects
    status: int
    content: bytes
    headers: httpx.Headers
    moved_to: str | None = None  # set when every hop was permanent (301/308)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class FetchError(Exception):
    """A fetch that gave nothing usable; `message` is for people, in French."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None, gone: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.gone = gone


def check_address(url: str, allow_private: bool) -> None:
    """Refuse a URL unless its host resolves only to public addresses.

    `allow_private` admits loopback and private ranges (tests, an intranet source); link-local
    (cloud metadata at 169.254.169.254), unspecified, multicast and reserved addresses never pass.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"adresse refusée : « {url} » n'est pas une adresse http ou https")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise FetchError(f"nom de domaine introuvable : {parts.hostname}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_global:
            continue
        never = (address.is_link_local or address.is_unspecified or address.is_multicast
                 or (address.is_reserved and not address.is_loopback))
        if allow_private and not never and (address.is_loopback or address.is_private):
            continue
        hint = "" if never else " (allow_private: true pour l'autoriser)"
        raise FetchError(f"adresse refusée : {parts.hostname} pointe vers {address}, "
                         f"une adresse locale ou privée{hint}")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    seconds = parse_int(value)
    if seconds is not None:
        return float(seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class Fetcher:
    """Thread-safe: one shared connection pool, a bounded number of requests per host."""

    def __init__(self, policy: FetchPolicy | None = None, *, user_agent: str = DEFAULT_USER_AGENT):
        self.policy = policy or FetchPolicy()
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
            headers={"User-Agent": user_agent, "Accept": ACCEPT},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )
        self._hosts: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.BoundedSemaphore(self.policy.per_host))
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            allow_private: bool = False, max_bytes: int | None = None) -> FetchResult:
        deadline = time.monotonic() + self.policy.deadline
        limit = max_bytes or self.policy.max_bytes
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        seen = {url}
        permanent: str | None = None
        all_permanent = True
        for _hop in range(self.policy.max_redirects + 1):
            check_address(url, allow_private)
            status, headers, content = self._request(url, conditional, deadline, limit)
            if status not in REDIRECTS:
                return self._result(url, status, headers, content, permanent if all_permanent else None)
            location = headers.get("location")
            if not location:
                raise FetchError(f"HTTP {status} : redirection sans adresse de destination", status=status)
            try:
                target = urljoin(url, location.strip())
            except ValueError:
                raise FetchError(f"HTTP {status} : redirection vers une adresse invalide", status=status) from None
            if target in seen:
                raise FetchError(f"boucle de redirections ({url} → {target})", status=status)
            seen.add(target)
            if status in PERMANENT and all_permanent:
                permanent = target
            else:
                all_permanent = False
            url = target
        raise FetchError(f"trop de redirections (plus de {self.policy.max_redirects})")

    def _request(self, url: str, headers: dict, deadline: float, limit: int) -> tuple[int, httpx.Headers, bytes]:
        host = urlsplit(url).hostname or ""
        with self._hosts_lock:
            gate = self._hosts[host]
        with gate:
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code != 200:
                        return response.status_code, response.headers, b""
                    declared = parse_int(response.headers.get("content-length"))
                    if declared is not None and declared > limit:
                        raise self._too_large(limit)
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise self._too_large(limit)
                        if time.monotonic() > deadline:
                            raise FetchError(f"délai dépassé : la réponse a pris plus de {self.policy.deadline:g} s")
                        chunks.append(chunk)
                    return 200, response.headers, b"".join(chunks)
            except httpx.TimeoutException:
                raise FetchError("délai dépassé : le serveur ne répond pas assez vite") from None
            except httpx.DecodingError as exc:
                raise FetchError(f"réponse compressée illisible ({exc})") from None
            except httpx.TransportError as exc:
                raise FetchError(f"connexion impossible : {exc or type(exc).__name__}") from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"adresse invalide : {exc}") from None

    @staticmethod
    def _too_large(limit: int) -> FetchError:
        return FetchError(f"réponse trop volumineuse (plus de {limit / (1024 * 1024):g} Mio)")

    def _result(self, url: str, status: int, headers: httpx.Headers, content: bytes,
                moved_to: str | None) -> FetchResult:
        if status in (200, 304):
            return FetchResult(url=url, status=status, content=content, headers=headers, moved_to=moved_to)
        if status == 410:
            raise FetchError("HTTP 410 : la ressource a été supprimée définitivement ; source retirée",
                             status=status, gone=True)
        if status in (429, 503):
            wait = retry_after_seconds(headers.get("retry-after"))
            word = "trop de requêtes" if status == 429 else "service indisponible"
            after = f" ; nouvel essai dans {wait:.0f} s" if wait is not None else ""
            raise FetchError(f"HTTP {status} : {word}{after}", status=status, retry_after=wait)
        word = STATUS_WORDS.get(status, "réponse inattendue")
        raise FetchError(f"HTTP {status} : {word}", status=status)

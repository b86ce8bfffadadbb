"""Canonical URLs: one spelling per document, whatever tracking or session junk it carries."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "xtor", "at_", "pk_", "mtm_")
TRACKING_KEYS = {"fbclid", "gclid", "xtref", "wt.mc_id"}
NEWLINES_AND_TABS = str.maketrans("", "", "\t\n\r")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def absolute_http_url(url: str | None, base: str | None = None) -> str | None:
    """The URL made absolute against base; None unless http or https."""
    if not url or not url.strip():
        return None
    url = url.strip().translate(NEWLINES_AND_TABS)  # what browsers drop from a URL, as WHATWG says
    if CONTROL_RE.search(url):
        return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        parts.port  # raises on a port out of range
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no default port, fragment, ;jsessionid or tracking parameters."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return None
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    path = parts.path.split(";jsessionid=")[0].split(";JSESSIONID=")[0] or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not (k.lower().startswith(TRACKING_PREFIXES) or k.lower() in TRACKING_KEYS)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))

"""The feeds a page offers (`feeds=` of its template): shown as links in the page and announced
in its <head> (`<link rel="alternate">`) so that browsers and feed readers discover them. A page
with no feed of its own announces the feed of everything (base.html)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

FORMATS = (("rss", "application/rss+xml", "RSS"), ("atom", "application/atom+xml", "Atom"))


def feed_links(title: str, endpoint: str, **values) -> list[dict]:
    """The RSS and Atom feeds served by the feeds blueprint's `endpoint`."""
    return [{"href": url_for(f"feeds.{endpoint}", fmt=fmt, **values), "type": media, "title": f"{title} ({name})"}
            for fmt, media, name in FORMATS]


def search_feed_links(title: str, args: dict[str, str]) -> list[dict]:
    """The feeds of a search: `/flux/recherche.rss|.atom` with the search page's parameters."""
    query = "?" + urlencode(args) if args else ""
    return [{"href": f"/flux/recherche.{fmt}{query}", "type": media, "title": f"{title} ({name})"}
            for fmt, media, name in FORMATS]

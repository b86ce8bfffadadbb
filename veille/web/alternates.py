"""The feeds a page offers (`page_feeds=` of its template): shown as links in the page and announced
in its <head> (`<link rel="alternate">`) so that browsers and feed readers discover them. A page
with no feed of its own announces the feed of everything (base.html)."""
from __future__ import annotations

from flask import url_for

FORMATS = (("rss", "application/rss+xml", "RSS"), ("atom", "application/atom+xml", "Atom"))


def feed_links(title: str, endpoint: str, **values) -> list[dict]:
    """The RSS and Atom feeds served by the feeds blueprint's `endpoint`."""
    return [{"href": url_for(f"feeds.{endpoint}", fmt=fmt, **values), "type": media, "title": f"{title} ({name})"}
            for fmt, media, name in FORMATS]


"""Parsers, one per source kind: bytes -> ParseResult of Entry."""
from __future__ import annotations

from typing import Callable

from ..catalog import Source
from ..entry import ParseResult
from . import feed, html

Parser = Callable[[bytes, str, str, Source], ParseResult]

PARSERS: dict[str, Parser] = {
    "rss": feed.parse,
    "atom": feed.parse,
    "html": html.parse,
}


def parser_for(kind: str) -> Parser | None:
    return PARSERS.get(kind)

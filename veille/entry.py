"""Entry: the normalised record every source kind yields."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Entry:
    """One document as a parser read it, before dedup, classification and storage.

    `key` is the document's identity within its source (guid, else link, else title):
    never its date, so a feed that re-dates or re-orders its items creates no duplicate.
    `content_html` is untrusted until ingest sanitises it; `title` may still hold markup.
    """

    key: str
    title: str
    url: str | None = None
    summary: str = ""
    content_html: str = ""
    published: datetime | None = None
    jorf_id: str | None = None
    nor: str | None = None
    eli: str | None = None
    nature: str | None = None
    ministry: str | None = None
    jo_number: str | None = None
    jo_date: date | None = None
    effective_date: date | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)  # feed categories, AN rubriques...
    extra: dict[str, str] = field(default_factory=dict)  # kind-specific fields (ECLI, author...)
    partial: bool = False  # content_html is only a teaser: never replace a fuller stored text with it


@dataclass
class ParseResult:
    entries: list[Entry]
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # blocks with neither title, link nor content
    found: int | None = None  # documents the source listed, when not one per entry (dump listings)


class ParseError(Exception):
    """The document cannot be read; the message, in French, says why and where."""

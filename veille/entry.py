"""Entry: the normalised record every source kind yields, and what a parse of one document gives."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

NO_IDENTITY = "ni titre, ni lien, ni identifiant"
NO_TEXT = "ni titre, ni lien, ni texte"


@dataclass
class Entry:
    """One document as a parser read it, before dedup, classification and storage.

    `key` is the document's identity within its source (guid, else link, else title):
    never its date, so a feed that re-dates or re-orders its items creates no duplicate.
    `title` is plain text (each parser strips markup once, where its format says there is some);
    `content_html` is untrusted until ingest sanitises it.
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
    skipped: dict[str, int] = field(default_factory=dict)  # reason, in French -> entries left out for it
    found: int | None = None  # documents the source listed, when not one per entry (dump listings)
    withdrawn: list[str] = field(default_factory=list)  # keys of records the publisher withdrew

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def add(self, other: "ParseResult", where: str = "") -> None:
        """Another document's result (a member of an archive), its warnings prefixed by where."""
        self.entries += other.entries
        self.withdrawn += other.withdrawn
        for reason, count in other.skipped.items():
            self.skip(reason, count)
        self.warnings += [f"{where}{warning}" for warning in other.warnings]

    def notes(self) -> list[str]:
        """What the source shows of this read: entries left out, by reason, then the warnings."""
        return [skip_note(count, reason) for reason, count in self.skipped.items()] + self.warnings


def skip_note(count: int, reason: str) -> str:
    """« 1 élément ignoré : ni titre, ni lien, ni identifiant », « 2 éléments ignorés : … »."""
    return f"{count} {'élément ignoré' if count <= 1 else 'éléments ignorés'} : {reason}"


class ParseError(Exception):
    """The document cannot be read; the message, in French, says why and where."""


class Skip(Exception):
    """One entry left out; the message, in French, is the reason counted on the source."""


def failure(exc: Exception) -> str:
    """Why an entry could not be read: its own French message, else the unexpected error named."""
    if isinstance(exc, (ParseError, Skip)):
        return str(exc)
    return f"erreur inattendue : {brief(exc)}"


def brief(exc: Exception) -> str:
    """The first line of an unexpected error, short enough for a table and the fetch log."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:300] if lines else ''}"

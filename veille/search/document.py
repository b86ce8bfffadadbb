"""What the index holds for an item: the field list (shared by every backend) and Item -> document."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from ..models import Item
from ..text import fold
from .analysis import identifiers
from .layout import SCHEMA_VERSION

# Field kinds: how a backend indexes a field.
ID = "id"  # the item id: stored, exact, unique
TEXT = "text"  # analysed with the French stemmer; searched for words and phrases
EXACT = "exact"  # a TEXT field's words as written (case and accents folded, not stemmed): ranking only
SPELL = "spell"  # the words of titles as written, lower-cased: the vocabulary of "did you mean"
IDENT = "ident"  # exact identifiers (NOR, JORFTEXT, "2020-1622", "l1211-1")
KEYWORD = "keyword"  # exact values, several per item allowed: filters and facets
DATE = "date"  # sortable, range filters
YEAR = "year"  # integer facet
STORED = "stored"  # shown with a hit, not searched
VERSION = "version"  # the document's fingerprint, read back by `veille index check`


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    boost: float = 1.0
    stored: bool = False
    public: bool = True  # False: organisation-only, never searched nor shown in public search


FIELDS: tuple[Field, ...] = (
    Field("id", ID, stored=True),
    Field("title", TEXT, boost=3.0, stored=True),
    Field("headline", TEXT, boost=2.0, stored=True),
    Field("summary", TEXT, boost=1.5, stored=True),
    Field("body", TEXT, stored=True),
    Field("spell", SPELL),
    Field("ids", IDENT, boost=20.0),  # the item's own NOR and JORFTEXT id: straight to it
    Field("refs", IDENT, boost=2.0),  # identifiers the item names
    Field("topics", KEYWORD),
    Field("category", KEYWORD, stored=True),
    Field("source", KEYWORD),
    Field("nature", KEYWORD, stored=True),
    Field("jo_number", KEYWORD),
    Field("published", DATE, stored=True),
    Field("effective", DATE),
    Field("year", YEAR),
    Field("url", STORED, stored=True),
    Field("fingerprint", VERSION, stored=True),
)
TEXT_FIELDS = tuple(f for f in FIELDS if f.kind == TEXT and f.public)
# An exact word form scores, on top of its stem's score, EXACT_BOOST times that score in the same
# field: "commune" ranks items about a commune above « concours commun », which shares its stem.
EXACT_BOOST = 2.0
IDENT_FIELDS = tuple(f for f in FIELDS if f.kind == IDENT and f.public)
FACETS = ("topics", "category", "nature", "year")
SNIPPET_FIELDS = ("summary", "body")  # where snippets are looked for, in this order
DERIVED_FROM_CONTENT = {"summary", "body", "refs", "fingerprint"}  # follow from Item.content_hash


def exact_field(field: Field) -> Field:
    """The companion of a TEXT field that indexes its words as written, for ranking (backends
    fill it from the TEXT field: it is not part of the document)."""
    return Field(f"{field.name}_exact", EXACT, boost=field.boost * EXACT_BOOST)


EXACT_FIELDS = {f.name: exact_field(f) for f in TEXT_FIELDS}  # TEXT field name -> its exact companion


def document(item: Item) -> dict:
    """The indexed fields of an item, as plain values (str, list[str], datetime, int)."""
    published = item.published_at or item.fetched_at
    extra = item.extra or {}
    text = item.text or ""
    summary = own_summary(item.summary or "", text)
    doc = {
        "id": item.id,
        "title": item.title,
        "headline": extra.get("headline") or "",  # an editor's plain headline, when set
        "summary": summary,
        "body": text,
        "spell": item.title,
        "ids": sorted(v.lower() for v in (item.nor, item.jorf_id) if v),
        "refs": sorted(identifiers(f"{item.title}\n{summary}\n{text}")),
        "topics": sorted(t.topic for t in item.topics),
        "category": item.category,
        "source": sorted({item.source_id} | {o.source_id for o in item.origins}),
        "nature": nature_key(item.nature),
        "jo_number": item.jo_number or "",
        "published": published,
        "effective": _midnight(item.effective_date),
        "year": published.year,
        "url": item.url or item.canonical_url or "",
    }
    doc["fingerprint"] = fingerprint(doc, item.content_hash)
    return doc


def own_summary(summary: str, text: str) -> str:
    """The summary, unless it is only the start of the text (ingest writes it so when a source
    gives none): indexed twice, it would cost time and count its words twice."""
    words = summary.removesuffix(" …").split()
    return "" if words and text.split(None, len(words))[:len(words)] == words else summary


def nature_key(nature: str | None) -> str:
    """ "DÉCRET" -> "decret", "LOI ORGANIQUE" -> "loi-organique": how natures are indexed and filtered."""
    return "-".join(fold(nature).split()) if nature else ""


def fingerprint(doc: dict, content_hash: str) -> str:
    """What `veille index check` compares: the item's content hash (which covers its text)
    and every other field. Hashing the text again would double the cost of a rebuild."""
    short = sorted((name, value) for name, value in doc.items() if name not in DERIVED_FROM_CONTENT)
    payload = f"{SCHEMA_VERSION}{content_hash}{short!r}".encode("utf-8")
    return hashlib.blake2b(payload, digest_size=12).hexdigest()


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None

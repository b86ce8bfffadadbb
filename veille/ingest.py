"""The pipeline from a parsed document to the archive, in one explicit order:
normalise (titles, links, canonical URL, identifiers) -> dedup -> classify -> sanitise -> store.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from .catalog import Catalog, Source, Topic
from .classify import MANUAL, Document, classify
from .dates import PARIS
from .editorial import DILA_EDITOR, DILA_WITHDRAWN, editor_topics, hide
from .effective import find_effective_date
from .entry import Entry
from .learned import ModelSettings
from .links import update_refs
from .official import OFFICIAL_CATEGORIES
from .models import IndexChange, Item, ItemOrigin, ItemTopic
from .text import clean_text, html_to_text, sanitize_html, shorten
from .urls import absolute_http_url, canonical_url

SUMMARY_CHARS = 600


@dataclass
class StoreCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    item_ids: list[str] = field(default_factory=list)


@dataclass
class Normalised:
    entry: Entry
    url: str | None
    canonical: str | None
    title: str
    summary: str
    content_html: str
    text: str
    content_hash: str
    effective_date: date | None = None


def _with_stored_content(record: Normalised, item: Item) -> Normalised:
    """A teaser keeps the full text already stored; only title, link and summary may change."""
    kept = replace(record, content_html=item.content_html, text=item.text)
    return replace(kept, content_hash=_content_hash(kept.title, kept.url, kept.summary, kept.content_html))


def _content_hash(title: str, url: str | None, summary: str, content_html: str) -> str:
    return hashlib.sha256("\x1f".join((title, url or "", summary, content_html)).encode("utf-8")).hexdigest()


def normalise(entry: Entry, base_url: str, official: bool = False) -> Normalised:
    url = absolute_http_url(entry.url, base_url)
    content_html = sanitize_html(entry.content_html, base_url=url or base_url)
    text = html_to_text(content_html)
    effective = entry.effective_date
    if official and effective is None:
        published = entry.published.astimezone(PARIS).date() if entry.published else None
        effective = find_effective_date(f"{entry.summary}\n{text}", published)
    summary = html_to_text(entry.summary) if entry.summary else text
    title = clean_text(entry.title) or (url or "")
    summary = shorten(summary, SUMMARY_CHARS)
    return Normalised(entry, url, canonical_url(url), title, summary, content_html, text,
                      _content_hash(title, url, summary, content_html), effective)


def store_entries(session: Session, source: Source, base_url: str, entries: list[Entry],
                  topics: dict[str, Topic], now: datetime, model: ModelSettings | None = None) -> StoreCounts:
    counts = StoreCounts()
    official = source.category in OFFICIAL_CATEGORIES
    records = [normalise(entry, base_url, official) for entry in entries]
    known = _Known.load(session, source.id, records)
    queued: set[str] = set()  # items already in the index change log of this batch
    for record in records:
        entry = record.entry
        item, origin = known.find(record)
        if item is not None and entry.partial:
            record = _with_stored_content(record, item)
        primary = item is None or item.source_id == source.id
        changed = True
        if item is None:
            item = _new_item(source, record, now, known.taken_ids)
            session.add(item)
            counts.new += 1
        elif primary and item.content_hash != record.content_hash:
            _fill(item, record)
            item.updated_at = now
            counts.updated += 1
        else:
            if primary:
                item.published_at = entry.published or item.published_at
            counts.unchanged += 1
            changed = False
        if origin is None:
            origin = ItemOrigin(item=item, source_id=source.id, key=entry.key, url=record.url, first_seen_at=now)
            session.add(origin)
        known.remember(item, origin)
        if primary and changed:
            update_refs(item)
        if primary and assign_topics(item, topics, source.topics, model):
            item.updated_at, changed = now, True
        if changed and item.id not in queued:
            session.add(IndexChange(item_id=item.id, op="upsert", created_at=now))
            queued.add(item.id)
        counts.item_ids.append(item.id)
    session.flush()
    return counts


def withdraw_items(session: Session, source: Source, keys: list[str], now: datetime) -> list[str]:
    """Hide the items this source's publisher withdrew (the keys of DILA's deletion list), like an
    editor would, with the reason « retiré par la DILA »; the ids of the items newly hidden.
    Keys the archive never held are ignored: the list names records of every day since 1947."""
    hidden: list[str] = []
    for chunk in _chunks(list(dict.fromkeys(keys))):
        items = session.scalars(select(Item).join(ItemOrigin, ItemOrigin.item_id == Item.id).where(
            ItemOrigin.source_id == source.id, ItemOrigin.key.in_(chunk), Item.hidden_at.is_(None))).unique()
        for item in items:
            hide(session, item.id, DILA_WITHDRAWN, now, DILA_EDITOR)
            hidden.append(item.id)
    return hidden


class _Known:
    """What the archive already holds for a batch of entries, loaded in a few queries."""

    def __init__(self, source_id: str):
        self.source_id = source_id
        self.origins: dict[str, ItemOrigin] = {}
        self.by_jorf_id: dict[str, Item] = {}
        self.by_canonical: dict[str, Item] = {}
        self.taken_ids: set[str] = set()

    @classmethod
    def load(cls, session: Session, source_id: str, records: list["Normalised"]) -> "_Known":
        known = cls(source_id)
        keys = [r.entry.key for r in records]
        jorf_ids = [r.entry.jorf_id for r in records if r.entry.jorf_id]
        canonicals = [r.canonical for r in records if r.canonical]
        related = (selectinload(Item.topics), selectinload(Item.refs))
        for chunk in _chunks(keys):
            for origin in session.scalars(select(ItemOrigin).options(joinedload(ItemOrigin.item).options(*related))
                                          .where(ItemOrigin.source_id == source_id, ItemOrigin.key.in_(chunk))):
                known.origins[origin.key] = origin
        for chunk in _chunks(jorf_ids):
            for item in session.scalars(select(Item).options(*related).where(Item.jorf_id.in_(chunk))):
                known.by_jorf_id.setdefault(item.jorf_id, item)
        for chunk in _chunks(canonicals):
            for item in session.scalars(select(Item).options(*related).where(Item.canonical_url.in_(chunk))):
                known.by_canonical.setdefault(item.canonical_url, item)
        seeds = [_item_id(_seed(source_id, r)) for r in records]
        for chunk in _chunks(seeds):
            known.taken_ids.update(session.scalars(select(Item.id).where(Item.id.in_(chunk))))
        return known

    def find(self, record: "Normalised") -> tuple[Item | None, ItemOrigin | None]:
        origin = self.origins.get(record.entry.key)
        if origin is not None:
            return origin.item, origin
        item = (record.entry.jorf_id and self.by_jorf_id.get(record.entry.jorf_id)) \
            or (record.canonical and self.by_canonical.get(record.canonical))
        return item or None, None

    def remember(self, item: Item, origin: ItemOrigin) -> None:
        self.origins[origin.key] = origin
        if item.jorf_id:
            self.by_jorf_id.setdefault(item.jorf_id, item)
        if item.canonical_url:
            self.by_canonical.setdefault(item.canonical_url, item)
        self.taken_ids.add(item.id)


def reclassify_items(session: Session, item_ids: list[str], catalog: Catalog, now: datetime) -> int:
    """Apply the current rules to these items; returns how many changed rubriques."""
    changed = 0
    items = session.scalars(select(Item).options(selectinload(Item.topics)).where(Item.id.in_(item_ids)))
    for item in items:
        source = catalog.sources.get(item.source_id)
        if assign_topics(item, catalog.topics, source.topics if source else (), catalog.model):
            item.updated_at = now
            session.add(IndexChange(item_id=item.id, op="upsert", created_at=now))
            changed += 1
    return changed


def _chunks(values: list[str], size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _seed(source_id: str, record: "Normalised") -> str:
    return record.entry.jorf_id or record.canonical or f"{source_id}\x1f{record.entry.key}"


def _new_item(source: Source, record: Normalised, now: datetime, taken_ids: set[str]) -> Item:
    seed = _seed(source.id, record)
    item_id = _item_id(seed)
    while item_id in taken_ids:
        seed += "\x1f"
        item_id = _item_id(seed)
    item = Item(id=item_id, source_id=source.id, category=source.category,
                fetched_at=now, updated_at=now, topics=[], refs=[])
    _fill(item, record)
    return item


def _item_id(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16]


def _fill(item: Item, record: Normalised) -> None:
    entry = record.entry
    item.url = record.url
    item.canonical_url = record.canonical
    item.title = record.title
    item.summary = record.summary
    item.content_html = record.content_html
    item.text = record.text
    item.content_hash = record.content_hash
    item.published_at = entry.published or item.published_at
    for name in ("jorf_id", "nor", "eli", "nature", "ministry", "jo_number", "jo_date"):
        value = getattr(entry, name)
        if value is not None:
            setattr(item, name, value)
    item.effective_date = record.effective_date or item.effective_date
    item.tags = list(entry.tags)
    item.extra = dict(entry.extra)


def document_of(item: Item) -> Document:
    return Document(title=item.title, text=item.text, ministry=item.ministry, nor=item.nor,
                    tags=tuple(item.tags or ()))


def assign_topics(item: Item, topics: dict[str, Topic], source_topics: tuple[str, ...],
                  model: ModelSettings | None = None) -> bool:
    """Re-apply the rules (and the learned stage, if `model` enables it), keeping an editor's
    manual choices (all the rubriques, when an editor fixed them: veille.editorial.set_topics);
    True when the rubriques changed."""
    before = {(t.topic, t.origin, t.reason) for t in item.topics}
    if editor_topics(item):
        return {(t.topic, t.origin, t.reason) for t in item.topics} != before
    manual = {t.topic for t in item.topics if t.origin == MANUAL}
    wanted = {a.topic: a for a in classify(document_of(item), topics, source_topics, model) if a.topic not in manual}
    for row in list(item.topics):
        if row.origin != MANUAL and row.topic not in wanted:
            item.topics.remove(row)
    present = {row.topic: row for row in item.topics}
    for slug, assignment in wanted.items():
        row = present.get(slug)
        if row is None:
            item.topics.append(ItemTopic(topic=slug, origin=assignment.origin, reason=assignment.reason))
        else:
            row.origin, row.reason = assignment.origin, assignment.reason
    return {(t.topic, t.origin, t.reason) for t in item.topics} != before

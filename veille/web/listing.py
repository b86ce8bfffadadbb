"""Items as the lists of the site show them (search results, rubrique, category and day pages):
headline, reference line, date, rubriques and category, in one shape for the `_items.html` macro."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..bulletins.build import headline, in_catalogue_order, reference
from ..models import Item
from .context import db, veille


@dataclass(frozen=True)
class Entry:
    id: str
    headline: str
    reference: str
    when: datetime
    category: str
    topics: tuple[tuple[str, str], ...]  # (slug, label) in catalogue order
    snippet: Markup | str = ""  # the passage with the words found marked, or the summary


def entries(items: Iterable[Item]) -> list[Entry]:
    catalog, tz = veille("catalog"), veille("settings").timezone
    rank = {slug: position for position, slug in enumerate(catalog.topics)}
    shown = []
    for item in items:
        source = catalog.sources.get(item.source_id)
        title = " ".join(item.title.split())
        topics = tuple((slug, catalog.topics[slug].label) for slug in in_catalogue_order(item.topic_slugs, rank)
                       if slug in catalog.topics)
        shown.append(Entry(item.id, headline(title) or title, reference(item, source.name if source else item.source_id, tz),
                           item.published_at or item.fetched_at, item.category, topics,
                           " ".join((item.summary or "").split())))
    return shown


def load(ids: list[str]) -> list[Item]:
    """These items with their rubriques, in the order of `ids`; hidden or missing ones left out."""
    found = {item.id: item for item in db().scalars(
        select(Item).where(Item.id.in_(ids), Item.hidden_at.is_(None)).options(selectinload(Item.topics)))}
    return [found[i] for i in ids if i in found]

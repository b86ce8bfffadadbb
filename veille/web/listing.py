"""Items as the lists of the site show them (search results, rubrique, category and day pages):
headline, reference line, date, rubriques and category, in one shape for the `_items.html` macro;
and the pages of items of a rubrique or a category."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..bulletins.build import in_catalogue_order, reference, shown_headline, shown_summary
from ..bulletins.wording import day_label
from ..dates import start_of_day
from ..models import Item
from .context import db, veille
from .searchparams import SearchParams


@dataclass(frozen=True)
class Entry:
    id: str
    headline: str
    reference: str
    when: datetime
    category: str
    topics: tuple[tuple[str, str], ...]  # (slug, label) in catalogue order
    snippet: Markup | str = ""  # the passage with the words found marked, or the summary
    dated: bool = False  # the reference line already gives the day


def entries(items: Iterable[Item]) -> list[Entry]:
    catalog, tz = veille("catalog"), veille("settings").timezone
    rank = {slug: position for position, slug in enumerate(catalog.topics)}
    shown = []
    for item in items:
        source = catalog.sources.get(item.source_id)
        topics = tuple((slug, catalog.topics[slug].label) for slug in in_catalogue_order(item.topic_slugs, rank)
                       if slug in catalog.topics)
        line = reference(item, source.name if source else item.source_id, tz)
        when = item.published_at or item.fetched_at
        shown.append(Entry(item.id, shown_headline(item)[0], line, when, item.category, topics,
                           shown_summary(item), day_label(when.astimezone(tz).date()) in line))
    return shown


def load(ids: list[str]) -> list[Item]:
    """These items with their rubriques, in the order of `ids`; hidden or missing ones left out."""
    found = {item.id: item for item in db().scalars(
        select(Item).where(Item.id.in_(ids), Item.hidden_at.is_(None)).options(selectinload(Item.topics)))}
    return [found[i] for i in ids if i in found]


BROWSE_PAGE = 30  # items on a page of a rubrique or a category
LISTED_AT = func.coalesce(Item.published_at, Item.fetched_at)  # the moment an item is listed under


def browse(where: tuple, params: SearchParams, per_page: int = BROWSE_PAGE) -> tuple[list[Item], int]:
    """A page of the visible items matching `where` and the filters of `params` (source
    category and dates), newest first; and how many there are in all."""
    tz = veille("settings").timezone
    query = select(Item.id).where(Item.hidden_at.is_(None), *where)
    if params.categorie:
        query = query.where(Item.category == params.categorie)
    if params.depuis:
        query = query.where(LISTED_AT >= start_of_day(params.depuis, tz))
    if params.jusqu:
        query = query.where(LISTED_AT < start_of_day(params.jusqu + timedelta(days=1), tz))
    total = db().scalar(select(func.count()).select_from(query.subquery()))
    page = query.offset((params.page - 1) * per_page).limit(per_page)
    return in_order(page, (LISTED_AT.desc(), Item.id), selectinload(Item.topics)), total


def in_order(ids: Select, order: tuple, *options) -> list[Item]:
    """The items `ids` selects (a page: limited, perhaps offset), sorted by `order`, with their
    rows loaded with `options`. The page is worked out on the ids alone, from the indexes (an
    index holding the order's columns), and only its rows are read: sorting whole rows, texts
    included, to keep a few costs tens of ms on a large rubrique."""
    return list(db().scalars(select(Item).where(Item.id.in_(ids.order_by(*order))).order_by(*order)
                             .options(*options)))

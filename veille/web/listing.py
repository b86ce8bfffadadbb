"""Items as the lists of the site show them (search results, rubrique, category and day pages):
headline, reference line, date, rubriques and category, in one shape for the `_items.html` macro;
and the pages of items of a rubrique or a category."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

from markupsafe import Markup
from sqlalchemy import func, select

from ..bulletins.build import in_catalogue_order, reference, shown_headline, shown_summary
from ..bulletins.wording import day_label
from ..dates import start_of_day
from ..models import Item, ItemTopic
from .context import db, veille
from .memo import per_version
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

    @property
    def rubriques(self) -> str:
        """« Élections, Finances locales »."""
        return ", ".join(label for _, label in self.topics)


def entries(items: Iterable[Listed]) -> list[Entry]:
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


@dataclass(frozen=True)
class Listed:
    """An item as the lists read it: the columns they show (never its text) and its rubriques."""
    id: str
    source_id: str
    category: str
    title: str
    summary: str
    edited_headline: str | None
    edited_summary: str | None
    nor: str | None
    jo_number: str | None
    jo_date: date | None
    published_at: datetime | None
    fetched_at: datetime
    topic_slugs: list[str]


LISTED_COLUMNS = (Item.id, Item.source_id, Item.category, Item.title, Item.summary, Item.edited_headline,
                  Item.edited_summary, Item.nor, Item.jo_number, Item.jo_date, Item.published_at, Item.fetched_at)


def load(ids: list[str]) -> list[Listed]:
    """These items with their rubriques, in the order of `ids`; hidden or missing ones left out.
    Plain rows, not ORM objects: a list of hundreds costs a few milliseconds."""
    topics = topics_of(ids)
    found = {row[0]: Listed(*row, topics.get(row[0], [])) for row in db().execute(
        select(*LISTED_COLUMNS).where(Item.id.in_(ids), Item.hidden_at.is_(None)))}
    return [found[i] for i in ids if i in found]


def topics_of(ids: list[str]) -> dict[str, list[str]]:
    """The rubriques (slugs, sorted) of each of these items, in one query."""
    topics: dict[str, list[str]] = {}
    for item_id, topic in db().execute(select(ItemTopic.item_id, ItemTopic.topic).where(ItemTopic.item_id.in_(ids))):
        topics.setdefault(item_id, []).append(topic)
    return {item_id: sorted(slugs) for item_id, slugs in topics.items()}


BROWSE_PAGE = 30  # items on a page of a rubrique or a category
LISTED_AT = func.coalesce(Item.published_at, Item.fetched_at)  # the moment an item is listed under


def browse(key: tuple, where: tuple, params: SearchParams, per_page: int = BROWSE_PAGE,
           keep_ids: bool = True) -> tuple[list[Listed], int]:
    """A page of the visible items matching `where` and the filters of `params` (source
    category and dates), newest first; and how many there are in all. `key` names `where`:
    what all its pages share is read once per archive version: its ids in order when they come
    from indexes alone (a rubrique's: each page would otherwise sort thousands of items to show
    30), else (`keep_ids` false: a category's order would read every row of it) their number."""
    tz = veille("settings").timezone
    query = select(Item.id).where(Item.hidden_at.is_(None), *where)
    if params.categorie:
        query = query.where(Item.category == params.categorie)
    if params.depuis:
        query = query.where(LISTED_AT >= start_of_day(params.depuis, tz))
    if params.jusqu:
        query = query.where(LISTED_AT < start_of_day(params.jusqu + timedelta(days=1), tz))
    ordered, first = query.order_by(LISTED_AT.desc(), Item.id), (params.page - 1) * per_page
    name = (*key, params.categorie, params.depuis, params.jusqu)
    if keep_ids:
        ids = per_version("listed", name, lambda: db().scalars(ordered).all())
        return load(ids[first:first + per_page]), len(ids)
    total = per_version("counted", name, lambda: db().scalar(select(func.count()).select_from(query.subquery())))
    return load(db().scalars(ordered.offset(first).limit(per_page)).all()), total

"""What a feed holds: its selection of items, the version that names its content (ETag and
Last-Modified, read with one light query), and its entries as plain, XML-safe records.

An item's `updated_at` moves with every change a reader can see (its text, its rubriques, its
being hidden or shown again), so the ids and dates of the items in a feed name its content.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..bulletins.build import in_catalogue_order, reference, shown_headline, shown_summary
from ..catalog import CATEGORIES, Catalog
from ..models import Item
from ..urls import absolute_http_url

FORMAT = "2"  # part of every ETag: change it when the templates change what they write
# Characters XML 1.0 cannot hold, and the C1 controls it only tolerates.
NOT_XML_RE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str | None, one_line: bool = True) -> str:
    """Text fit for an XML document: characters XML refuses removed, on one line unless asked."""
    text = NOT_XML_RE.sub(" ", text or "")
    return " ".join(text.split()) if one_line else text.strip()


@dataclass(frozen=True)
class Selection:
    """Which items a feed holds, in what order, and what it is called."""
    path: str  # "rubriques/elections": the feed's address under /flux/, without extension
    title: str
    description: str
    page: str  # the site's page of the same items, from the site root
    where: tuple = ()
    order: tuple = (Item.fetched_at.desc(), Item.id.desc())


@dataclass(frozen=True)
class Version:
    """The items a feed shows (ids in order) and what names that content."""
    ids: list[str]
    etag: str
    last_modified: datetime | None  # the latest change of a shown item (or of one hidden among them)


def version(session: Session, selection: Selection, n: int, salt: str) -> Version:
    """The newest `n` visible items of the selection, read without their text. `salt` holds
    what else the rendering depends on (site address, catalogue labels)."""
    limit = n + 20  # hidden items are few: read a little more than needed, more if that falls short
    while True:
        rows = session.execute(select(Item.id, Item.updated_at, Item.published_at, Item.hidden_at)
                               .where(*selection.where).order_by(*selection.order).limit(limit)).all()
        shown, changes = [], []
        for row in rows:
            if len(shown) == n:
                break
            changes.append(row.updated_at)
            if row.hidden_at is None:
                shown.append(row)
        if len(shown) == n or len(rows) < limit:
            break
        limit *= 4
    digest = hashlib.sha256("\x1f".join(
        [FORMAT, selection.path, str(n), salt]
        + [f"{row.id}|{row.updated_at.isoformat()}|{row.published_at and row.published_at.isoformat()}"
           for row in shown]).encode("utf-8")).hexdigest()[:32]
    return Version([row.id for row in shown], digest, max(changes, default=None))


def catalogue_salt(catalog: Catalog, base_url: str, site_name: str) -> str:
    """What feeds show of the settings and catalogue: a change there is a change of every feed."""
    labels = [f"{slug}={topic.label}" for slug, topic in catalog.topics.items()]
    names = [f"{source.id}={source.name}={source.url}" for source in catalog.sources.values()]
    return hashlib.sha256("\x1f".join([base_url, site_name] + labels + names).encode("utf-8")).hexdigest()


@dataclass
class FeedEntry:
    guid: str  # never changes for an item, whatever its address or text
    title: str
    summary: str  # plain text
    html: str  # summary, reference line and official link as HTML (escaped again in the XML)
    link: str  # the item page
    official: str | None
    published: datetime
    updated: datetime
    source_name: str
    source_id: str
    source_url: str
    topics: list[tuple[str, str]] = field(default_factory=list)  # (slug, label)
    category: tuple[str, str] = ("", "")


def guid(item_id: str) -> str:
    return f"urn:veille:article:{item_id}"


def load_entries(session: Session, ids: list[str], catalog: Catalog, base_url: str, tz) -> list[FeedEntry]:
    """The entries of these items, in this order."""
    items = {item.id: item for item in session.scalars(
        select(Item).options(selectinload(Item.topics)).where(Item.id.in_(ids)))}
    rank = {slug: position for position, slug in enumerate(catalog.topics)}
    return [entry_of(items[item_id], catalog, rank, base_url, tz) for item_id in ids if item_id in items]


def entry_of(item: Item, catalog: Catalog, rank: dict[str, int], base_url: str, tz) -> FeedEntry:
    source = catalog.sources.get(item.source_id)
    source_name = xml_text(source.name if source else item.source_id)
    title = xml_text(shown_headline(item)[0]) or "(sans titre)"
    summary = xml_text(shown_summary(item))
    line = xml_text(reference(item, source_name, tz))
    official = absolute_http_url(item.url)
    official = xml_text(official) if official else None
    parts = [f"<p>{escape(summary)}</p>" if summary else "", f"<p>{escape(line)}</p>"]
    if official:
        parts.append(f'<p><a href="{escape(official)}">Lire le texte officiel</a></p>')
    topics = [(slug, xml_text(catalog.topics[slug].label if slug in catalog.topics else slug))
              for slug in in_catalogue_order(item.topic_slugs, rank)]
    return FeedEntry(
        guid=guid(item.id), title=title, summary=summary, html="".join(parts),
        link=f"{base_url}/articles/{item.id}", official=official,
        published=item.published_at or item.fetched_at, updated=item.updated_at,
        source_name=source_name, source_id=item.source_id,
        source_url=xml_text(absolute_http_url(source.url) if source else None) or base_url,
        topics=topics, category=(item.category, CATEGORIES.get(item.category, item.category)))


def rfc822(moment: datetime, tz) -> str:
    return format_datetime(moment.astimezone(tz))


def rfc3339(moment: datetime, tz) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds")

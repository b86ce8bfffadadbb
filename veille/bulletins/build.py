"""Pure decisions: an edition's window, which items it holds and in what order, how a reader sees it.

Nothing here reads the database or the clock: the callers hand in items, catalogue and time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from ..catalog import CATEGORIES, Source
from ..dates import start_of_day
from ..models import Item
from ..official import NATURES
from ..jo_issue import JoIssue, issue_line
from ..text import fold
from ..urls import absolute_http_url
from .content import BulletinItem, EditionContent
from .models import DAILY
from .wording import daily_title, day_label, weekly_title

FIRST_WINDOW = timedelta(hours=24)  # the very first daily edition: what arrived in the last 24 hours
JO = "journal-officiel"
OTHER = ""  # the group of items without a rubrique
OTHER_LABEL = "Autres textes"
NATURE_RANK = {name: rank for rank, (name, _) in enumerate(NATURES)}
# "Décret n° 2017-431 du 28 mars 2017 relatif au répertoire…": the plain headline is what follows
# "relatif au" or "portant".
OFFICIAL_TITLE_RE = re.compile(
    r"^(?:loi|ordonnance|décret|arrêté|circulaire|instruction|décision|délibération|avis)\b.{0,120}?\s"
    r"(?:(?P<about>relati(?:f|ve|fs|ves))\s+(?:à\s+la|à\s+l['’]|aux|au|à)|portant)\s*(?P<subject>\S.{3,})$",
    re.IGNORECASE)
AND_TO_RE = re.compile(r"\s+et\s+(?:à\s+la|à\s+l['’]|aux|au|à)\s*", re.IGNORECASE)


# --- Windows -----------------------------------------------------------------------------

def daily_window(day: date, now: datetime, tz: ZoneInfo, previous_end: datetime | None) -> tuple[datetime, datetime]:
    """Arrivals since the previous daily edition, up to now (at most the end of `day`)."""
    end = min(now, start_of_day(day + timedelta(days=1), tz))
    return (previous_end if previous_end is not None else end - FIRST_WINDOW), end


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_window(monday: date, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Arrivals from Monday 00:00 to Sunday 24:00, up to now."""
    return start_of_day(monday, tz), min(now, start_of_day(monday + timedelta(days=7), tz))


def due_week(now: datetime, tz: ZoneInfo, weekday: int, at: time) -> date:
    """The Monday of the week whose recap is due: the week of the day before the last due moment
    (sent on Monday, it covers the week just ended; sent on Friday, the current one)."""
    local = now.astimezone(tz)
    moment = datetime.combine(local.date() - timedelta(days=(local.weekday() - weekday) % 7), at, tzinfo=tz)
    if moment > local:
        moment -= timedelta(days=7)
    return monday_of(moment.date() - timedelta(days=1))


# --- Selection ---------------------------------------------------------------------------

def shown(item: Item, source: Source | None) -> bool:
    """Items hidden by an editor (`Item.hidden_at`, see veille.editorial) are left out, and
    individual measures where the source says so (the default for the Journal officiel)."""
    if item.hidden_at is not None:
        return False
    extra = item.extra or {}
    options = source.options if source else {}
    exclude_nominative = options.get("exclude_nominative", item.category == JO)
    return not (exclude_nominative and extra.get("nominative") == "1")


def edition_content(kind: str, day: date, items: Iterable[Item], sources: Mapping[str, Source],
                    topics: Mapping[str, str], tz: ZoneInfo, front: Iterable[Item] = ()) -> EditionContent:
    """The snapshot of an edition from the items that arrived in its window, and the items
    pinned « À la une » (`front`, in their order), shown first and not again below."""
    items = list(items)
    issues = {(i.jo_number, i.jo_date) for i in items if i.category == JO and i.jo_number and i.jo_date}
    jo_line = issue_line([JoIssue("", number, day_, "") for number, day_ in issues])
    pinned = [i for i in front if shown(i, sources.get(i.source_id))]
    pinned_ids = {i.id for i in pinned}
    chosen = sorted((i for i in items if i.id not in pinned_ids and shown(i, sources.get(i.source_id))),
                    key=lambda i: _order(i, tz))
    topic_rank = {slug: rank for rank, slug in enumerate(topics)}
    return EditionContent(
        kind=kind, day=day, title=daily_title(day) if kind == DAILY else weekly_title(day),
        jo_line=jo_line, topics=dict(topics),
        items=tuple(bulletin_item(i, sources.get(i.source_id), topic_rank, tz) for i in chosen),
        front=tuple(bulletin_item(i, sources.get(i.source_id), topic_rank, tz) for i in pinned))


def _order(item: Item, tz: ZoneInfo) -> tuple:
    category = list(CATEGORIES).index(item.category) if item.category in CATEGORIES else len(CATEGORIES)
    return (category, item.jo_date or _local_day(item, tz), NATURE_RANK.get(item.nature or "", len(NATURE_RANK)),
            fold(item.title), item.id)


def _local_day(item: Item, tz: ZoneInfo) -> date:
    return (item.published_at or item.fetched_at).astimezone(tz).date()


def bulletin_item(item: Item, source: Source | None, topic_rank: Mapping[str, int], tz: ZoneInfo) -> BulletinItem:
    title = " ".join(item.title.split())
    plain, official = shown_headline(item)
    summary = shown_summary(item)
    return BulletinItem(
        id=item.id, category=item.category,
        topics=tuple(in_catalogue_order(item.topic_slugs, topic_rank)),
        headline=plain, official_title=official,
        summary="" if summary.casefold() in (title.casefold(), plain.casefold()) else summary,
        reference=reference(item, source.name if source else item.source_id, tz),
        effective=item.effective_date, url=absolute_http_url(item.url))


def in_catalogue_order(slugs: Iterable[str], rank: Mapping[str, int]) -> list[str]:
    """Rubriques in the order of the catalogue (`rank`: slug -> position); unknown ones last."""
    return sorted(slugs, key=lambda slug: (rank.get(slug, len(rank)), slug))


def shown_headline(item: Item) -> tuple[str, str | None]:
    """(the headline readers see: an editor's, or the one made from the title; the official
    title when it differs from it)."""
    title = " ".join(item.title.split())
    plain = item.edited_headline or headline(title)
    return (plain, title) if plain and plain != title else (title, None)


def shown_summary(item: Item) -> str:
    """The summary readers see: an editor's, or the source's."""
    return " ".join((item.edited_summary or item.summary).split())


def headline(official_title: str) -> str | None:
    """The plain headline of an official title, None when it has no "relatif à"/"portant" part."""
    match = OFFICIAL_TITLE_RE.match(official_title)
    if not match:
        return None
    subject = match.group("subject").strip()
    if match.group("about"):
        subject = AND_TO_RE.sub(" et ", subject)
    return subject[0].upper() + subject[1:]


def reference(item: Item, source_name: str, tz: ZoneInfo) -> str:
    """"JORF n°0075 du 29 mars 2017 - NOR : INTA1708123D", or "DGCL - 29 mars 2017"."""
    if item.category == JO and item.jo_number and item.jo_date:
        line = f"JORF n°{item.jo_number} du {day_label(item.jo_date)}"
    else:
        line = f"{source_name} - {day_label(_local_day(item, tz))}"
    return f"{line} - NOR : {item.nor}" if item.nor else line


# --- What one reader sees ----------------------------------------------------------------

@dataclass
class Group:
    slug: str  # OTHER for the items without a rubrique
    label: str
    items: list[BulletinItem] = field(default_factory=list)


@dataclass
class Section:
    category: str
    label: str
    jo_line: str
    groups: list[Group]


def reader_topics(chosen: Iterable[str], content: EditionContent) -> frozenset[str] | None:
    """The reader's rubriques still in the catalogue; None for all of them (nothing chosen)."""
    wanted = frozenset(slug for slug in chosen if slug in content.topics)
    return wanted or None


def grouped(items: Iterable[BulletinItem], content: EditionContent, wanted: frozenset[str] | None) -> list[Group]:
    """Items by rubrique in catalogue order, each once, under the first rubrique the reader follows.
    A reader of every rubrique also gets the items that have none, last."""
    groups: dict[str, Group] = {}
    for item in items:
        slug = next((s for s in item.topics if wanted is None or s in wanted), None)
        if slug is None:
            if wanted is not None:
                continue
            slug = OTHER
        if slug not in groups:
            groups[slug] = Group(slug, content.topics.get(slug, OTHER_LABEL if slug == OTHER else slug))
        groups[slug].items.append(item)
    rank = {slug: position for position, slug in enumerate(content.topics)}
    return sorted(groups.values(), key=lambda g: (g.slug == OTHER, rank.get(g.slug, len(rank)), g.slug))


def seen(content: EditionContent, wanted: frozenset[str] | None) -> int:
    """How many items a reader of these rubriques gets (« À la une » included)."""
    return len(content.front) + sum(len(group.items) for group in grouped(content.items, content, wanted))


def daily_sections(content: EditionContent, wanted: frozenset[str] | None) -> list[Section]:
    """Every category in bulletin order, quiet ones included (they say so rather than vanish)."""
    return [Section(category, label, content.jo_line if category == JO else "",
                    grouped((i for i in content.items if i.category == category), content, wanted))
            for category, label in CATEGORIES.items()]


def weekly_groups(content: EditionContent, wanted: frozenset[str] | None) -> list[Group]:
    return grouped(content.items, content, wanted)

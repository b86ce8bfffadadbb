"""Editions in the database: built once from the archive, then read back unchanged."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..catalog import Catalog
from ..dates import start_of_day
from ..models import FrontPin, Item
from ..plural import count
from .build import daily_window, edition_content, monday_of, weekly_window
from .content import EditionContent
from .models import DAILY, SENT, Edition, OutboxMessage
from .wording import long_day, week_span


class EditionError(Exception):
    """An edition cannot be built or found; the message says why, in French."""


def edition_day(kind: str, day: date) -> date:
    """The day an edition is filed under: the day itself, or the Monday of its week."""
    return day if kind == DAILY else monday_of(day)


def describe(kind: str, day: date) -> str:
    """"L'édition quotidienne du mercredi 29 mars 2017", "Le récapitulatif de la semaine du …"."""
    if kind == DAILY:
        return f"L'édition quotidienne du {long_day(day)}"
    return f"Le récapitulatif de la semaine {week_span(monday_of(day))}"


def agreed(kind: str, participle: str) -> str:
    """"construite" for an édition, "construit" for a récapitulatif."""
    return participle + "e" if kind == DAILY else participle


def find(session: Session, kind: str, day: date) -> Edition | None:
    return session.scalar(select(Edition).where(Edition.kind == kind, Edition.day == edition_day(kind, day)))


def content_of(edition: Edition) -> EditionContent:
    return EditionContent.from_json(edition.content)


def build(session: Session, kind: str, day: date, catalog: Catalog, tz: ZoneInfo, now: datetime,
          rebuild: bool = False) -> tuple[Edition, bool]:
    """The stored edition, built first when missing (or when `rebuild`); True when built now."""
    day = edition_day(kind, day)
    edition = find(session, kind, day)
    if edition is not None and not rebuild:
        return edition, False
    if edition is None and (reason := obstacle(session, kind, day, tz, now)):
        raise EditionError(reason)
    if edition is not None:
        sent = session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.edition_id == edition.id, OutboxMessage.state == SENT))
        if sent:
            raise EditionError(f"{describe(kind, day)} a déjà été {agreed(kind, 'envoyé')} à {count(sent, 'abonné')} : "
                               "une reconstruction ferait différer les courriels déjà partis, le web et le PDF")
    start, end = _window(session, kind, day, tz, now, edition)
    items = session.scalars(select(Item).options(selectinload(Item.topics))
                            .where(Item.fetched_at >= start, Item.fetched_at < end)).all()
    if edition is None:
        edition = Edition(kind=kind, day=day, content={})
        session.add(edition)
    edition.window_start, edition.window_end, edition.built_at = start, end, now
    session.flush()  # its id, for the pins
    pins = _front_pins(session, edition) if kind == DAILY else []
    content = edition_content(kind, day, items, catalog.sources,
                              {slug: topic.label for slug, topic in catalog.topics.items()}, tz,
                              front=[pin.item for pin in pins])
    edition.content = content.to_json()
    session.flush()
    return edition, True


def _front_pins(session: Session, edition: Edition) -> list[FrontPin]:
    """The pins « À la une » this daily edition shows: those waiting for the next edition,
    or, when it is rebuilt, those it already showed. They are marked as its own."""
    pins = list(session.scalars(select(FrontPin).options(selectinload(FrontPin.item).selectinload(Item.topics))
                                .where(or_(FrontPin.edition_id.is_(None), FrontPin.edition_id == edition.id))
                                .order_by(FrontPin.id)))
    for pin in pins:
        pin.edition_id = edition.id
    return pins


def obstacle(session: Session, kind: str, day: date, tz: ZoneInfo, now: datetime) -> str | None:
    """Why the missing edition of this day cannot be built now, in French; None when it can."""
    day = edition_day(kind, day)
    if start_of_day(day, tz) > now:
        return f"{describe(kind, day)} ne peut pas être {agreed(kind, 'construit')} à l'avance"
    if kind != DAILY:
        return None
    later = session.scalar(select(Edition).where(Edition.kind == DAILY, Edition.day > day)
                           .order_by(Edition.day).limit(1))
    if later is not None:
        return (f"{describe(DAILY, later.day)} existe déjà : une édition plus ancienne ne peut plus être "
                "construite (les fenêtres d'arrivée se suivent sans se chevaucher)")
    return None


def _window(session: Session, kind: str, day: date, tz: ZoneInfo, now: datetime,
            existing: Edition | None) -> tuple[datetime, datetime]:
    if existing is not None:  # a rebuild keeps its window: its place in the chain, its end
        return existing.window_start, existing.window_end
    if kind != DAILY:
        return weekly_window(day, now, tz)
    previous = session.scalar(select(Edition).where(Edition.kind == DAILY, Edition.day < day)
                              .order_by(Edition.day.desc()).limit(1))
    return daily_window(day, now, tz, previous.window_end if previous else None)

"""Alerts: a reader's saved searches, matched against each daily edition when it is sent.

The items of an edition that match an alert are recorded (`AlertHit`) once per edition, so that
a message sent again after a crash shows the same « Vos alertes ». An alert runs the search
page's own query on the search index, newest first, and keeps what arrived in the edition.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Mapping
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..bulletins.content import AlertSection, EditionContent
from ..bulletins.models import Edition, Subscriber
from ..catalog import Topic
from ..editorial import one_line
from ..search.params import BadParameter, SearchParams, read
from .models import Alert, AlertHit

ALERTS_MAX = 20  # alerts a user may keep
NAME_MAX = 200
MATCH_LIMIT = 1000  # newest results of an alert's search looked at for one edition


class AlertError(ValueError):
    """An alert cannot be saved; the message, in French, says why."""


def saved_query(params: SearchParams) -> str:
    """The search's parameters as its address writes them, page and sort left out."""
    return urlencode(params.args(tri="pertinence"))


def params_of(alert: Alert, topics: Mapping[str, Topic]) -> SearchParams:
    """The search an alert saved; BadParameter when the catalogue has changed under it."""
    return read(dict(parse_qsl(alert.query)), topics)


def add(session: Session, user_id: int, name: str, params: SearchParams, now: datetime) -> Alert:
    """Save this search as an alert of the user (at most ALERTS_MAX)."""
    if not (params.q or params.filtered):
        raise AlertError("une alerte a besoin de mots à chercher ou d'un filtre (rubrique, source, dates)")
    held = session.scalar(select(func.count()).select_from(Alert).where(Alert.user_id == user_id))
    if held >= ALERTS_MAX:
        raise AlertError(f"vous avez déjà {ALERTS_MAX} alertes, le maximum : supprimez-en une avant d'en créer une autre")
    alert = Alert(user_id=user_id, name=one_line(name, NAME_MAX) or one_line(params.q, NAME_MAX) or "Ma recherche",
                  query=saved_query(params), token=secrets.token_urlsafe(24), created_at=now)
    session.add(alert)
    session.flush()
    return alert


def of_user(session: Session, user_id: int) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.user_id == user_id).order_by(Alert.id)))


def unmatched(session: Session, edition_id: int) -> int:
    """How many alerts were not yet matched against this edition."""
    return session.scalar(select(func.count()).select_from(Alert).where(
        Alert.last_edition_id.is_(None) | (Alert.last_edition_id != edition_id)))


def match_edition(session: Session, edition: Edition, content: EditionContent, index,
                  topics: Mapping[str, Topic], tz: ZoneInfo) -> int:
    """Record, for every alert not yet matched against this edition, the edition's items that
    its search finds (`index`: an open SearchIndex); returns how many hits were recorded."""
    in_edition = {entry.id for entry in content.front + content.items}
    recorded = 0
    for alert in session.scalars(select(Alert).where(
            Alert.last_edition_id.is_(None) | (Alert.last_edition_id != edition.id))):
        try:
            params = params_of(alert, topics)
        except BadParameter:  # a rubrique left the catalogue: the alert finds nothing until edited
            params = None
        if params is not None:
            request = params.request(topics, tz, per_page=MATCH_LIMIT, sort="date", facets=False, snippets=False)
            found = {hit.id for hit in index.search(request).hits} & in_edition
            session.add_all(AlertHit(alert_id=alert.id, edition_id=edition.id, item_id=item_id) for item_id in found)
            recorded += len(found)
        alert.last_edition_id = edition.id
    session.flush()
    return recorded


def sections(session: Session, edition: Edition, content: EditionContent) -> dict[int, tuple[AlertSection, ...]]:
    """« Vos alertes » of each subscriber (by id) whose account has alerts with hits in this
    edition; the items in bulletin order."""
    position = {entry.id: rank for rank, entry in enumerate(content.front + content.items)}
    by_id = {entry.id: entry for entry in content.front + content.items}
    rows = session.execute(
        select(Subscriber.id, Alert.id, Alert.name, AlertHit.item_id)
        .join(Alert, Alert.user_id == Subscriber.user_id)
        .join(AlertHit, (AlertHit.alert_id == Alert.id) & (AlertHit.edition_id == edition.id))
        .order_by(Subscriber.id, Alert.id))
    found: dict[int, dict[int, tuple[str, list[str]]]] = {}
    for subscriber_id, alert_id, name, item_id in rows:
        found.setdefault(subscriber_id, {}).setdefault(alert_id, (name, []))[1].append(item_id)
    return {subscriber_id: tuple(AlertSection(name, tuple(by_id[i] for i in sorted(ids, key=position.__getitem__)))
                                 for name, ids in alerts.values())
            for subscriber_id, alerts in found.items()}

"""Alerts to VEILLE_ADMIN_EMAILS: one French email per problem per day while it lasts, and one
when it is fixed. Problems: a source failing for 24 hours or fallen silent, an edition not fully
sent by 09:00; events: the nightly index check had to repair.

`decide` is pure: the problems seen now, the memory of what was said (a JSON file in VEILLE_HOME,
kept by the one scheduler), today's date -> the emails to write and the new memory.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..bulletins.models import DAILY
from ..models import FetchLog, Item, SourceState
from .plan import EditionState, Schedule, due_now
from .silence import RECENT_ITEMS, silent

FAILING_FOR = timedelta(hours=24)
SENT_BY = time(9, 0)  # local time


@dataclass(frozen=True)
class Alert:
    key: str
    subject: str
    body: str


def decide(problems: dict[str, str], events: list[str], memory: dict[str, dict],
           today: date) -> tuple[list[Alert], dict[str, dict]]:
    """Each problem once a day while it lasts, each fixed one once, each event once."""
    alerts, kept = [], {}
    for key, text in problems.items():
        said = memory.get(key)
        if said and said["day"] == today.isoformat():
            kept[key] = said
            continue
        kept[key] = {"day": today.isoformat(), "text": text}
        alerts.append(Alert(key, f"Problème : {text}", f"Problème : {text}.\n\nCe message sera répété chaque "
                                                       "jour tant que le problème dure ; un autre dira quand il est réglé."))
    for key, said in memory.items():
        if key not in problems:
            alerts.append(Alert(key, f"Réglé : {said['text']}", f"Réglé : {said['text']}."))
    alerts += [Alert(f"event:{text}", text, f"{text}.") for text in events]
    return alerts, kept


def problems_now(session: Session, now: datetime, schedule: Schedule,
                 state_of) -> dict[str, str]:
    """The lasting problems seen in the database, by a stable key."""
    found = {}
    for state in session.scalars(select(SourceState).where(SourceState.retired_at.is_(None))):
        if state.failures:
            since = state.last_success_at or session.scalar(
                select(func.min(FetchLog.started_at)).where(FetchLog.source_id == state.id))
            if since is not None and now - since >= FAILING_FOR:
                found[f"failing:{state.id}"] = (f"la source « {state.id} » est en échec depuis plus de 24 heures "
                                                f"({state.last_error})")
            continue
        arrivals = session.scalars(select(Item.fetched_at).where(Item.source_id == state.id)
                                   .order_by(Item.fetched_at.desc()).limit(RECENT_ITEMS)).all()
        if silent(arrivals, now):
            found[f"silent:{state.id}"] = (f"la source « {state.id} » est silencieuse : rien de nouveau depuis le "
                                           f"{arrivals[0].astimezone(schedule.timezone):%d/%m/%Y à %H:%M}")
    local = now.astimezone(schedule.timezone)
    if local.time() >= SENT_BY:
        for due in due_now(now, schedule):
            state: EditionState = state_of(due)
            if due.kind == DAILY and schedule.daily_time < SENT_BY and not state.finished(sending=True):
                found[f"unsent:{due.kind}:{due.day}"] = (
                    f"l'édition quotidienne du {due.day:%d/%m/%Y} n'est pas entièrement envoyée à 9 h "
                    f"({'pas construite' if not state.built else f'{state.unsent + state.unqueued} message(s) en attente'})")
    return found


def compose(alert: Alert, sender_name: str, sender: str, to: str, now: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = Address(sender_name, addr_spec=sender)
    message["To"] = Address(addr_spec=to)
    message["Subject"] = f"{sender_name} – {alert.subject}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(alert.body + "\n\n-- \nAlerte envoyée par « veille run » (VEILLE_ADMIN_EMAILS).\n")
    return message.as_bytes()


class Memory:
    """What was said, in a JSON file."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def save(self, memory: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partiel")
        partial.write_text(json.dumps(memory, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(self.path)


"""The rows of an outbox batch as the sending run reads and writes them: plain objects, not ORM
ones, read with their subscribers in one query and written back in one statement."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from .models import PENDING, OutboxMessage, Subscriber


@dataclass
class Message:
    """One claimed outbox row, as this run changes it."""
    id: int
    email: str
    attempts: int
    first_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    state: str = PENDING
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Recipient:
    """What composing a message and counting bounces read of its subscriber (named as in Subscriber)."""
    id: int
    topics: list[str]
    token: str
    from_site: bool
    user_id: int | None
    email_key: str
    work_email: str | None
    bounces: int
    disabled_at: datetime | None


MESSAGE_COLUMNS = tuple(getattr(OutboxMessage, f.name) for f in fields(Message) if f.name not in ("state", "sent_at"))
RECIPIENT_COLUMNS = tuple(getattr(Subscriber, f.name) for f in fields(Recipient))
WRITTEN = ("state", "attempts", "first_attempt_at", "next_attempt_at", "sent_at", "last_error")
OUTBOX = OutboxMessage.__table__
WRITE = update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id")).values(
    {name: bindparam(f"new_{name}") for name in WRITTEN})  # a Core statement: no ORM work per row


def write(session: Session, rows: list[Message]) -> None:
    """The rows' states as they are now, in one statement for them all."""
    if rows:
        session.execute(WRITE, [dict(row_id=row.id, **{f"new_{name}": getattr(row, name) for name in WRITTEN})
                                for row in rows])

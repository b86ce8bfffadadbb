"""Editions (immutable snapshots), subscribers and the outbox of (edition, subscriber) messages."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ..db import JSONDocument, UTCDateTime
from ..models import Base
from .kinds import DAILY, FREQUENCIES, WEEKLY  # noqa: F401  (re-exported for the modules that use models)

# Outbox states. "sending" is written before the SMTP transaction starts: a row found in it
# after a crash was in flight, and is sent again (at-least-once, see the README).
PENDING, SENDING, SENT, SKIPPED, FAILED = "pending", "sending", "sent", "skipped", "failed"


class Edition(Base):
    """A daily or weekly edition as built: what it shows never changes unless rebuilt."""

    __tablename__ = "editions"
    __table_args__ = (UniqueConstraint("kind", "day", name="uq_edition_kind_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # daily or weekly
    day: Mapped[date] = mapped_column(Date)  # the publication day; for a weekly recap, its Monday
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)  # items that arrived in [start, end)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content: Mapped[dict] = mapped_column(JSONDocument)  # EditionContent.to_json()


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # personal address, as the subscriber spelt it
    email_key: Mapped[str] = mapped_column(String(254), unique=True, index=True)  # its identity: lower case
    work_email: Mapped[str | None] = mapped_column(String(254))
    deliver_to: Mapped[str] = mapped_column(String(10), default="personal", server_default="personal")
    topics: Mapped[list[str]] = mapped_column(JSONDocument, default=list)  # rubriques chosen; none: all
    frequency: Mapped[str] = mapped_column(String(10))  # daily, weekly or both
    token: Mapped[str] = mapped_column(String(64), unique=True)  # secret of the unsubscribe links
    bounces: Mapped[int] = mapped_column(Integer, default=0)  # permanent failures in a row
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The account whose « Mon espace » manages this subscription (deleted with it); None for
    # subscribers of the command line and of /abonnement.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Subscribed on the site (/abonnement): the full bulletin only while a member of a licensed
    # organisation, the bulletin of headlines otherwise. Subscribers added by the CLI get it full.
    from_site: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def delivery_address(self) -> str:
        """Where the bulletins go: the work address when chosen and given, else the personal one."""
        return self.work_email if self.deliver_to == "work" and self.work_email else self.email


class OutboxMessage(Base):
    """One edition for one subscriber, and how its delivery goes."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("edition_id", "subscriber_id", name="uq_outbox_edition_subscriber"),
        Index("ix_outbox_edition_state", "edition_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  # the address it goes to
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

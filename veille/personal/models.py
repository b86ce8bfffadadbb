"""A reader's own things, each tied to a user account and deleted with it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime
from ..models import Base, Item


class Alert(Base):
    """A saved search: new items matching it appear in the reader's daily bulletin under
    « Vos alertes », and in its private feed."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text)  # the search page's parameters, as its address writes them
    token: Mapped[str] = mapped_column(String(64), unique=True)  # secret of its private feed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_edition_id: Mapped[int | None] = mapped_column(Integer)  # the last daily edition matched against it


class AlertHit(Base):
    """An item of a daily edition that matches an alert."""

    __tablename__ = "alert_hits"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True, index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)


class SavedItem(Base):
    """« Ma sélection »: an item a reader kept, with a private note."""

    __tablename__ = "saved_items"
    __table_args__ = (UniqueConstraint("user_id", "item_id", name="uq_saved_item_user_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship()


class PersonalFeed(Base):
    """The private feed of a reader's rubriques; a new token revokes the old address."""

    __tablename__ = "personal_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

"""The archive: sources with their fetch state, items, their rubriques, the fetch log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .db import JSONDocument, UTCDateTime


class Base(DeclarativeBase):
    pass


class SourceState(Base):
    """A source of feeds.yaml as the archive knows it: its URL now and how fetching goes."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(40))
    config_url: Mapped[str] = mapped_column(Text)  # as written in feeds.yaml
    url: Mapped[str] = mapped_column(Text)  # where it is fetched now (301 moves it)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_item_count: Mapped[int | None] = mapped_column(Integer)
    health_warning: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[dict | None] = mapped_column(JSONDocument)  # multi-document kinds: what was already read


class Item(Base):
    """One normalised document, whatever source it came from."""

    __tablename__ = "items"
    # Browsing the visible items by the moment they are listed under (veille.web.listing.LISTED_AT).
    __table_args__ = (
        Index("ix_items_category_listed", "category", "hidden_at", text("coalesce(published_at, fetched_at)")),
        # A rubrique's items (looked up by id) in order of listing or of arrival, and a month's
        # dates, read from the index alone (migration 0014).
        Index("ix_items_id_moments", "id", "hidden_at", "published_at", "fetched_at"),
        # A category's newest items (its feed's version, the API by category) read from the
        # index alone, in order (migration 0015).
        Index("ix_items_category_arrival", "category", "fetched_at", "id", "hidden_at", "updated_at",
              "published_at"),
        Index("ix_items_days", "jo_date", "hidden_at", text("coalesce(published_at, fetched_at)"),
              "published_at", "fetched_at"),
        # The newest items by arrival (home page, API, feeds' versions, counts over 30 days),
        # read from the index alone.
        Index("ix_items_arrival", "fetched_at", "id", "hidden_at", "updated_at", "published_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text, index=True)
    jorf_id: Mapped[str | None] = mapped_column(String(40), index=True)
    nor: Mapped[str | None] = mapped_column(String(20), index=True)
    eli: Mapped[str | None] = mapped_column(Text)
    nature: Mapped[str | None] = mapped_column(String(60))
    ministry: Mapped[str | None] = mapped_column(Text)
    jo_number: Mapped[str | None] = mapped_column(String(20))
    jo_date: Mapped[date | None] = mapped_column(Date)
    effective_date: Mapped[date | None] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    content_html: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Moves with every change a reader can see (text, rubriques, hidden or shown again): the
    # feeds' ETags and Last-Modified rest on it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSONDocument, default=list)  # the source's own categories
    extra: Mapped[dict] = mapped_column(JSONDocument, default=dict)  # kind-specific fields (ECLI, author...)
    # Hidden by an editor (veille.editorial): left out of bulletins and search results; its web
    # page stays reachable and says the item was withdrawn. None: visible.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)  # the editor's note, "" when none given
    # An editor's changes (veille.editorial), kept over re-crawls and reclassification. None:
    # the headline made from the title, the source's summary, the rubriques the rules give.
    edited_headline: Mapped[str | None] = mapped_column(Text)
    edited_summary: Mapped[str | None] = mapped_column(Text)
    edited_topics: Mapped[list[str] | None] = mapped_column(JSONDocument)

    topics: Mapped[list["ItemTopic"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemTopic.topic")
    origins: Mapped[list["ItemOrigin"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemOrigin.id")
    refs: Mapped[list["ItemRef"]] = relationship(cascade="all, delete-orphan")

    @property
    def topic_slugs(self) -> list[str]:
        return sorted(t.topic for t in self.topics)


class ItemOrigin(Base):
    """Where an item was seen: one row per (source, identity in that source)."""

    __tablename__ = "item_origins"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_item_origin_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    key: Mapped[str] = mapped_column(String(64))  # hash of guid, link or title
    url: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(back_populates="origins")


class ItemTopic(Base):
    """An item's rubrique, with why it was given (rule, source default or an editor)."""

    __tablename__ = "item_topics"
    # A rubrique's items read from the index alone (migration 0014).
    __table_args__ = (Index("ix_item_topics_topic_item", "topic", "item_id"),)

    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(100), primary_key=True)
    origin: Mapped[str] = mapped_column(String(20))  # "rule", "source" or "manual"
    reason: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(back_populates="topics")


class ItemRef(Base):
    """An official identifier an item carries ("self": its NOR, JORFTEXT, question uid, ECLI) or
    names in its text ("cites"). Links between items are derived from these, so they hold
    whichever item arrives first."""

    __tablename__ = "item_refs"

    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True)  # "self" or "cites"


class IndexChange(Base):
    """What the search indexer still has to do, written in the same transaction as the item,
    so that a crash between storing and indexing loses nothing."""

    __tablename__ = "index_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    op: Mapped[str] = mapped_column(String(10))  # "upsert" or "delete"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ItemEdit(Base):
    """One editor's change to an item, as it was before and after (veille.editorial)."""

    __tablename__ = "item_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    editor: Mapped[str] = mapped_column(String(254))  # the editor's address, or who else decided
    field: Mapped[str] = mapped_column(String(20))  # headline, summary, topics, hidden, pinned
    before: Mapped[object] = mapped_column(JSONDocument, nullable=True)
    after: Mapped[object] = mapped_column(JSONDocument, nullable=True)


class FrontPin(Base):
    """An item pinned « À la une » of the next daily edition; `edition_id` is set when that
    edition is built (a rebuild of the same edition shows the same pins)."""

    __tablename__ = "front_pins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    pinned_by: Mapped[str] = mapped_column(String(254))
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"), index=True)

    item: Mapped[Item] = relationship()


class FetchLog(Base):
    __tablename__ = "fetch_log"
    __table_args__ = (Index("ix_fetch_log_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    http_status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))  # ok, not-modified, error, skipped
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

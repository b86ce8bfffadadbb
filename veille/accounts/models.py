"""Organisations (who pays, until when, from which IP ranges), their users, the users' web
sessions, the one-time links sent by email, and subscriptions waiting for their confirmation."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import JSONDocument, UTCDateTime
from ..models import Base

from .kinds import ADMIN, EDITOR, ORGANISATION_KINDS, READER, ROLES  # noqa: F401  (re-exported)


class Organisation(Base):
    """A collectivité or public body holding (or having held) a licence."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str] = mapped_column(String(9), unique=True)
    kind: Mapped[str] = mapped_column(String(30))  # a key of ORGANISATION_KINDS
    contact_email: Mapped[str | None] = mapped_column(String(254))
    trial_until: Mapped[date | None] = mapped_column(Date)  # last day of the free trial
    paid_until: Mapped[date | None] = mapped_column(Date)  # last day of the paid licence
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # suspended: no access whatever the dates
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    ranges: Mapped[list["IpRange"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="IpRange.id")
    members: Mapped[list["User"]] = relationship(back_populates="organisation", order_by="User.email_key")


class IpRange(Base):
    """One CIDR range of an organisation. `first` and `last` are the range's ends as 32 hex
    digits, so that "which range holds this address" and "do two ranges overlap" are indexed
    comparisons of strings on every database."""

    __tablename__ = "ip_ranges"
    __table_args__ = (Index("ix_ip_ranges_bounds", "version", "first", "last"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    cidr: Mapped[str] = mapped_column(String(50))  # normalised: "192.0.2.0/24", "2001:db8::/32"
    version: Mapped[int] = mapped_column(Integer)  # 4 or 6
    first: Mapped[str] = mapped_column(String(32))
    last: Mapped[str] = mapped_column(String(32))

    organisation: Mapped[Organisation] = relationship(back_populates="ranges")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254))  # as the user spelt it
    email_key: Mapped[str] = mapped_column(String(254), unique=True)  # its identity: lower case
    password_hash: Mapped[str | None] = mapped_column(Text)  # argon2; None until chosen (invitation)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"),
                                                        index=True)
    role: Mapped[str] = mapped_column(String(10), default=READER)  # a value of ROLES
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # address proved by a link
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # membership of the organisation accepted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def member(self) -> bool:
        """A member of its organisation: proved address and accepted membership."""
        return self.organisation_id is not None and self.verified and self.approved_at is not None


class WebSession(Base):
    """A logged-in browser. The cookie carries a random token; only its SHA-256 is stored, and
    logging out deletes the row: a copied cookie is worthless afterwards."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EmailLink(Base):
    """A one-time link sent by email: address verification, password reset, invitation, trial.
    Only the SHA-256 of its token is stored; `data` holds what the link will do (the trial's
    organisation)."""

    __tablename__ = "email_links"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    purpose: Mapped[str] = mapped_column(String(20))  # verify, reset, invite, trial
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PendingSubscription(Base):
    """A subscription asked for on the site, waiting for the click in its confirmation email
    (double opt-in); forgotten after 7 days. Confirmed, it becomes a `Subscriber`."""

    __tablename__ = "pending_subscriptions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    email: Mapped[str] = mapped_column(String(254))
    topics: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    frequency: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

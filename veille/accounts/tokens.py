"""Secrets handed out once (session cookies, links sent by email): 256 random bits, of which
only the SHA-256 is stored, so that a copy of the database opens nothing."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import EmailLink, User

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")
LINK_LIFETIMES = {"verify": timedelta(days=7), "trial": timedelta(days=7), "invite": timedelta(days=14),
                  "reset": timedelta(hours=1)}


def new_token() -> tuple[str, str]:
    """(token, digest): the token goes to the person, the digest to the database."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def issue_link(session: Session, user: User, purpose: str, now: datetime, data: dict | None = None) -> str:
    """A new one-time link's token; the user's earlier unused links for the same purpose stop
    working, and everybody's expired links are forgotten."""
    session.execute(delete(EmailLink).where(EmailLink.user_id == user.id, EmailLink.purpose == purpose,
                                            EmailLink.used_at.is_(None)))
    session.execute(delete(EmailLink).where(EmailLink.expires_at <= now))
    token, hashed = new_token()
    session.add(EmailLink(id=hashed, purpose=purpose, user_id=user.id, data=data or {}, created_at=now,
                          expires_at=now + LINK_LIFETIMES[purpose]))
    session.flush()
    return token


def open_link(session: Session, token: str, purpose: str, now: datetime) -> EmailLink | None:
    """The link of this token when unused and still valid, else None (nothing changed)."""
    if not TOKEN_RE.fullmatch(token):
        return None
    link = session.scalar(select(EmailLink).where(EmailLink.id == digest(token), EmailLink.purpose == purpose))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def use_link(link: EmailLink, now: datetime) -> None:
    link.used_at = now

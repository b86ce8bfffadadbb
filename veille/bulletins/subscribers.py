"""Subscribers: checked addresses, chosen rubriques and frequency."""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import Subscriber

# An address as it may appear in a header: dot-atom local part, host name with a dot.
LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class AddressError(ValueError):
    """Not an address mail can be sent to; the message, in French, says why."""


def shown(text: str) -> str:
    """Text fit to print in a message: control characters (CR, LF…) written as escapes."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def normalise_address(text: str) -> str:
    """"Agent@Mairie-Évry.fr" -> "Agent@xn--mairie-vry-h7a.fr"; AddressError when it cannot be one."""
    address = text.strip()
    if any(not ch.isprintable() or ch.isspace() for ch in address):
        raise AddressError(f"adresse électronique invalide « {shown(address)} » : "
                           "espace, retour à la ligne ou caractère de contrôle interdit")
    local, at, domain = address.rpartition("@")
    if not at or not LOCAL_RE.match(local):
        raise AddressError(f"adresse électronique invalide « {shown(address)} » (exemple : agent@mairie.fr)")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        domain = ""
    labels = domain.split(".")
    if len(labels) < 2 or not all(LABEL_RE.match(label) for label in labels) or len(local) + len(domain) > 253:
        raise AddressError(f"adresse électronique invalide « {shown(address)} » : domaine « {shown(domain or text)} »")
    return f"{local}@{domain}"


def add(session: Session, email: str, topics: Iterable[str], frequency: str, now: datetime,
        work_email: str | None = None, deliver_to: str | None = None) -> tuple[Subscriber, bool]:
    """Subscribe an address, or change an existing subscription (and enable it again); True when new.

    A subscriber may also give a work address and choose where the bulletins go."""
    address = normalise_address(email)
    work = normalise_address(work_email) if work_email else None
    subscriber = session.scalar(select(Subscriber).where(Subscriber.email == address))
    created = subscriber is None
    if created:
        subscriber = Subscriber(email=address, token=secrets.token_urlsafe(32), created_at=now)
        session.add(subscriber)
    subscriber.topics = sorted(set(topics))
    subscriber.frequency = frequency
    if work:
        subscriber.work_email = work
    subscriber.deliver_to = deliver_to or subscriber.deliver_to or "personal"
    if subscriber.deliver_to == "work" and not subscriber.work_email:
        raise AddressError("envoi à l'adresse professionnelle demandé sans adresse professionnelle (--work-email)")
    subscriber.bounces, subscriber.disabled_at, subscriber.disabled_reason = 0, None, None
    session.flush()
    return subscriber, created


def receiving(session: Session, kind: str) -> list[Subscriber]:
    """Enabled subscribers who get this kind of edition."""
    return list(session.scalars(select(Subscriber).where(
        Subscriber.disabled_at.is_(None),
        or_(Subscriber.frequency == kind, Subscriber.frequency == "both")).order_by(Subscriber.id)))


def find(session: Session, email: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email == normalise_address(email)))


def all_subscribers(session: Session) -> list[Subscriber]:
    return list(session.scalars(select(Subscriber).order_by(Subscriber.email)))

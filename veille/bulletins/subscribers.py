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


def address_key(address: str) -> str:
    """A subscriber's identity: "DGS@Mairie.fr" and "dgs@mairie.fr" are one person (in practice
    no mail server tells them apart), whatever spelling is kept for display."""
    return normalise_address(address).lower()


def add(session: Session, email: str, topics: Iterable[str], frequency: str, now: datetime,
        work_email: str | None = None, deliver_to: str | None = None) -> tuple[Subscriber, bool]:
    """Subscribe an address, or change an existing subscription (and enable it again); True when new.

    A subscriber may also give a work address and choose where the bulletins go. An address
    already subscribed in another case is the same subscriber: its first spelling stays."""
    address = normalise_address(email)
    work = normalise_address(work_email) if work_email else None
    subscriber = find(session, address)
    created = subscriber is None
    if created:
        subscriber = Subscriber(email=address, email_key=address_key(address), token=secrets.token_urlsafe(32),
                                created_at=now)
        session.add(subscriber)
    subscriber.topics = sorted(set(topics))
    subscriber.frequency = frequency
    if work:
        subscriber.work_email = work
    subscriber.deliver_to = deliver_to or subscriber.deliver_to or "personal"
    if subscriber.deliver_to == "work" and not subscriber.work_email:
        raise AddressError("envoi à l'adresse professionnelle demandé sans adresse professionnelle (--work-email)")
    enable(subscriber)
    session.flush()
    return subscriber, created


def gets_full_bulletin(subscriber: Subscriber, members: frozenset[str]) -> bool:
    """Subscribers added by the CLI get the full bulletin; those who signed up on the site
    (/abonnement, or « Mon espace » of an account), only while a member of a licensed organisation
    (`members`: their addresses in lower case)."""
    on_site = subscriber.from_site or subscriber.user_id is not None
    return not on_site or bool({subscriber.email_key, (subscriber.work_email or "").lower()} & members)


def receiving(session: Session, kind: str) -> list[Subscriber]:
    """Enabled subscribers who get this kind of edition."""
    return list(session.scalars(select(Subscriber).where(
        Subscriber.disabled_at.is_(None),
        or_(Subscriber.frequency == kind, Subscriber.frequency == "both")).order_by(Subscriber.id)))


def find(session: Session, email: str) -> Subscriber | None:
    """The subscriber of this address, in whatever case it is written."""
    return session.scalar(select(Subscriber).where(Subscriber.email_key == address_key(email)))


def disable(subscriber: Subscriber, now: datetime, reason: str) -> None:
    subscriber.disabled_at, subscriber.disabled_reason = now, reason


def enable(subscriber: Subscriber) -> None:
    """Bulletins again, the count of rejected messages starting afresh."""
    subscriber.bounces, subscriber.disabled_at, subscriber.disabled_reason = 0, None, None


def all_subscribers(session: Session) -> list[Subscriber]:
    return list(session.scalars(select(Subscriber).order_by(Subscriber.email_key)))

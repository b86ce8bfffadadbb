"""A user's bulletin subscription and private feed as « Mon espace » sets them, and what the
RGPD asks: everything personal as JSON, and deleting the account with all of it (the
organisation stays)."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..bulletins import subscribers
from ..bulletins.models import Subscriber
from . import alerts, selection
from .models import Alert, AlertHit, PersonalFeed, SavedItem

DELIVERIES = ("personal", "work")


def subscription(session: Session, user: User) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.user_id == user.id))


def subscribe(session: Session, user: User, topics: list[str], frequency: str, work_email: str | None,
              deliver_to: str, now: datetime) -> Subscriber:
    """Create or change the user's subscription, at the account's address (the subscriber of
    that address, from the command line or /abonnement, becomes theirs); AddressError for a bad
    work address, or for delivery to a work address not given."""
    subscriber, _ = subscribers.add(session, user.email, topics, frequency, now, work_email or None, deliver_to)
    if not work_email:
        subscriber.work_email = None
    subscriber.user_id = user.id
    session.flush()
    return subscriber


def feed(session: Session, user: User) -> PersonalFeed | None:
    return session.get(PersonalFeed, user.id)


def renew_feed(session: Session, user: User, now: datetime) -> PersonalFeed:
    """A new private address for the user's feed; the former one stops working."""
    row = feed(session, user) or PersonalFeed(user_id=user.id)
    row.token, row.created_at = secrets.token_urlsafe(24), now
    session.add(row)
    session.flush()
    return row


def revoke_feed(session: Session, user: User) -> None:
    session.execute(delete(PersonalFeed).where(PersonalFeed.user_id == user.id))


def export(session: Session, user: User) -> dict:
    """Everything Veille keeps about the user, as JSON-ready data."""
    subscriber = subscription(session, user)
    organisation = user.organisation
    return {
        "compte": {"email": user.email, "role": user.role, "cree_le": user.created_at.isoformat(),
                   "adresse_verifiee_le": user.verified_at and user.verified_at.isoformat(),
                   "derniere_connexion": user.last_login_at and user.last_login_at.isoformat(),
                   "organisation": organisation and {"nom": organisation.name, "siren": organisation.siren}},
        "abonnement": subscriber and {
            "email": subscriber.email, "email_professionnel": subscriber.work_email,
            "envoi_a": subscriber.deliver_to, "rubriques": subscriber.topics, "frequence": subscriber.frequency,
            "desactive_le": subscriber.disabled_at and subscriber.disabled_at.isoformat()},
        "flux_prive": bool(feed(session, user)),
        "selection": [{"article": row.item_id, "titre": row.item.title, "note": row.note,
                       "garde_le": row.saved_at.isoformat()} for row in selection.of_user(session, user.id)],
        "alertes": [{"nom": alert.name, "recherche": alert.query, "creee_le": alert.created_at.isoformat()}
                    for alert in alerts.of_user(session, user.id)],
    }


def delete_account(session: Session, user: User) -> None:
    """The user, their selection, alerts, private feed and subscription (its outbox with it);
    the organisation stays. Explicit deletes: SQLite does not enforce every foreign key here."""
    user_alerts = select(Alert.id).where(Alert.user_id == user.id)
    session.execute(delete(AlertHit).where(AlertHit.alert_id.in_(user_alerts)))
    session.execute(delete(Alert).where(Alert.user_id == user.id))
    session.execute(delete(SavedItem).where(SavedItem.user_id == user.id))
    session.execute(delete(PersonalFeed).where(PersonalFeed.user_id == user.id))
    subscriber = subscription(session, user)
    if subscriber is not None:
        session.delete(subscriber)
    session.delete(user)
    session.flush()

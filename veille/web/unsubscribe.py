"""Unsubscribing from the link of every bulletin, and RFC 8058 one-click unsubscription.

The link only shows a page with a button: mail scanners that open links must not unsubscribe
anyone. A POST to the same address (the button, or the mail client's one-click request with
`List-Unsubscribe=One-Click`) does it. The token in the address is the subscriber's secret.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import Blueprint, render_template
from sqlalchemy import select

from ..bulletins.models import Subscriber
from .app import db, error_page

blueprint = Blueprint("unsubscribe", __name__)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
REASON = "désabonnement demandé par l'abonné"


def _subscriber(token: str) -> Subscriber | None:
    if not TOKEN_RE.match(token):
        return None
    return db().scalar(select(Subscriber).where(Subscriber.token == token))


def _unknown():
    return error_page(404, "Ce lien de désabonnement n'est pas valide. Copiez l'adresse complète "
                           "depuis le bas du bulletin, ou écrivez-nous.")


def masked(address: str) -> str:
    """"agent@mairie.fr" -> "a••••@mairie.fr": enough to recognise, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 1)}@{domain}"


@blueprint.get("/desabonnement/<token>")
def confirm(token: str):
    subscriber = _subscriber(token)
    if subscriber is None:
        return _unknown()
    return render_template("unsubscribe.html", token=token, address=masked(subscriber.delivery_address),
                           state="inactive" if subscriber.disabled_at else "active")


@blueprint.post("/desabonnement/<token>")
def unsubscribe(token: str):
    subscriber = _subscriber(token)
    if subscriber is None:
        return _unknown()
    if subscriber.disabled_at is None:
        subscriber.disabled_at, subscriber.disabled_reason = datetime.now(timezone.utc), REASON
        db().commit()
    return render_template("unsubscribe.html", token=token, address=masked(subscriber.delivery_address),
                           state="unsubscribed")


@blueprint.post("/desabonnement/<token>/reabonnement")
def resubscribe(token: str):
    subscriber = _subscriber(token)
    if subscriber is None:
        return _unknown()
    subscriber.disabled_at, subscriber.disabled_reason, subscriber.bounces = None, None, 0
    db().commit()
    return render_template("unsubscribe.html", token=token, address=masked(subscriber.delivery_address),
                           state="resubscribed")

"""Unsubscribing from the link of every bulletin, and RFC 8058 one-click unsubscription.

The link only shows a page with a button: mail scanners that open links must not unsubscribe
anyone. A POST to the same address (the button, or the mail client's one-click request with
`List-Unsubscribe=One-Click`) does it. The token in the address is the subscriber's secret; when
accounts are enabled the buttons' forms also carry the CSRF token, like every form of the site
(the one-click request of RFC 8058 cannot: it is the one exception).
An address disabled after bounces cannot be enabled again from here: the page says whom to ask.
Tokens carry 256 random bits, and each client address gets 30 tries a minute on these routes.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import Blueprint, make_response, render_template, request
from sqlalchemy import select

from ..bulletins.models import Subscriber
from .auth import CSRF_REFUSED, accounts_enabled, csrf_valid
from .context import db, error_page, veille
from .ratelimit import throttle

blueprint = Blueprint("unsubscribe", __name__)
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
REASON = "désabonnement demandé par l'abonné"
TOKEN_ATTEMPTS = 30  # a minute, per client address: enough for people, too few to guess a token
throttle(blueprint, TOKEN_ATTEMPTS, 60, "Trop de demandes sur les liens de désabonnement depuis votre adresse. "
                                        "Réessayez dans une minute.")


@blueprint.before_request
def _forms_from_this_site():
    one_click = request.form.get("List-Unsubscribe") == "One-Click" and request.endpoint == "unsubscribe.unsubscribe"
    if request.method == "POST" and accounts_enabled() and not one_click and not csrf_valid():
        return error_page(400, CSRF_REFUSED)
    return None


@blueprint.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"  # the address carries the subscriber's secret
    return response


def _subscriber(token: str) -> Subscriber | None:
    if not TOKEN_RE.fullmatch(token):
        return None
    return db().scalar(select(Subscriber).where(Subscriber.token == token))


def _unknown():
    return error_page(404, "Ce lien de désabonnement n'est pas valide. Copiez l'adresse complète "
                           "depuis le bas du bulletin, ou écrivez-nous.")


def masked(address: str) -> str:
    """"agent@mairie.fr" -> "a••••@mairie.fr": enough to recognise, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 1)}@{domain}"


def _page(token: str, subscriber: Subscriber, state: str):
    """`state`: active, unsubscribed (just now), inactive (earlier) or resubscribed."""
    return make_response(render_template(
        "unsubscribe.html", token=token, address=masked(subscriber.delivery_address), state=state,
        by_choice=subscriber.disabled_reason in (None, REASON), contact=veille("settings").mail_from))


@blueprint.get("/desabonnement/<token>")
def confirm(token: str):
    subscriber = _subscriber(token)
    if subscriber is None:
        return _unknown()
    return _page(token, subscriber, "inactive" if subscriber.disabled_at else "active")


@blueprint.post("/desabonnement/<token>")
def unsubscribe(token: str):
    subscriber = _subscriber(token)
    if subscriber is None:
        return _unknown()
    if subscriber.disabled_at is None:
        subscriber.disabled_at, subscriber.disabled_reason = datetime.now(timezone.utc), REASON
        db().commit()
    return _page(token, subscriber, "unsubscribed")


@blueprint.post("/desabonnement/<token>/reabonnement")
def resubscribe(token: str):
    subscriber = _subscriber(token)
    if subscriber is None:
        return _unknown()
    if subscriber.disabled_reason not in (None, REASON):  # disabled after bounces: not from a link
        return _page(token, subscriber, "inactive")
    subscriber.disabled_at, subscriber.disabled_reason = None, None
    db().commit()
    return _page(token, subscriber, "resubscribed")

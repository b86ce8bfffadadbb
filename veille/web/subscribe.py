"""Subscribing from the site: `/abonnement` (fields `email`, `rubriques`, `frequence`), double
opt-in. Nothing is stored as a subscriber, and no bulletin sent, before the click in the
confirmation email; an unconfirmed request is forgotten after 7 days. Confirmed, it is the same
subscriber row `veille subscribers add` manages (an address already subscribed gets its new
choice). Whether the bulletins are full or headlines only is decided when they are sent.
"""
from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from flask import Blueprint, render_template, request
from sqlalchemy import delete

from ..accounts.mails import send_subscription
from ..accounts.models import PendingSubscription
from ..accounts.tokens import TOKEN_RE, digest, new_token
from ..bulletins import subscribers
from ..bulletins.kinds import FREQUENCIES
from .auth import current_user, protect
from .context import db, error_page, now, sentence, veille
from .mailing import send_then_commit
from .ratelimit import throttle

blueprint = Blueprint("subscribe", __name__)
protect(blueprint)
throttle(blueprint, 30, 15 * 60, "Trop de demandes d'abonnement depuis votre adresse. Réessayez dans quelques minutes.")
PENDING_DAYS = 7
FREQUENCY_LABELS = {"daily": "Bulletin quotidien", "weekly": "Récapitulatif hebdomadaire", "both": "Les deux"}



def forget_unconfirmed() -> None:
    """Requests older than 7 days are forgotten."""
    db().execute(delete(PendingSubscription).where(PendingSubscription.created_at < now() - timedelta(days=PENDING_DAYS)))


def _themes():
    """The catalogue's rubriques grouped under their themes, in catalogue order."""
    topics = list(veille("catalog").topics.values())
    order = {theme: position for position, theme in enumerate(dict.fromkeys(t.theme for t in topics))}
    return [(theme, list(group)) for theme, group in
            groupby(sorted(topics, key=lambda t: order[t.theme]), key=lambda t: t.theme)]


def _form(form: dict, errors: dict, status: int = 200):
    return render_template("abonnement.html", form=form, errors=errors, themes=_themes(),
                           frequencies=FREQUENCY_LABELS), status


@blueprint.get("/abonnement")
def subscribe_form():
    user = current_user()
    return _form({"email": user.email if user else "", "rubriques": [], "frequence": "daily"}, {})


@blueprint.post("/abonnement")
def subscribe():
    catalog = veille("catalog")
    form = {"email": request.form.get("email", "").strip()[:254],
            "rubriques": request.form.getlist("rubriques")[:200], "frequence": request.form.get("frequence", "")}
    errors = {}
    try:
        address = subscribers.normalise_address(form["email"])
    except subscribers.AddressError as exc:
        errors["email"] = sentence(str(exc))
    unknown = [slug for slug in form["rubriques"] if slug not in catalog.topics]
    if unknown:
        errors["rubriques"] = "Rubrique inconnue : " + ", ".join(subscribers.shown(slug[:60]) for slug in unknown[:3]) + "."
    if form["frequence"] not in FREQUENCIES:
        errors["frequence"] = "Choisissez la fréquence des bulletins."
    if errors:
        return _form(form, errors, 422)
    forget_unconfirmed()
    token, hashed = new_token()
    db().add(PendingSubscription(id=hashed, email=address, topics=sorted(set(form["rubriques"])),
                                 frequency=form["frequence"], created_at=now()))
    failed = send_then_commit(send_subscription, address,
                              f"{veille('settings').base_url}/abonnement/confirmation/{token}")
    return failed or render_template("signup_sent.html", address=address, what="abonnement")


@blueprint.route("/abonnement/confirmation/<token>", methods=["GET", "POST"])
def confirm(token: str):
    pending = db().get(PendingSubscription, digest(token)) if TOKEN_RE.fullmatch(token) else None
    if pending is None or pending.created_at < now() - timedelta(days=PENDING_DAYS):
        return error_page(404, "Ce lien de confirmation n'est pas valide, a déjà servi ou a expiré (7 jours). "
                               "Refaites la demande d'abonnement.")
    if request.method == "GET":
        return render_template("confirm_link.html", title="Confirmer l'abonnement", address=pending.email,
                               button="Confirmer mon abonnement")
    subscriber, created = subscribers.add(db(), pending.email, pending.topics, pending.frequency, now())
    subscriber.from_site = subscriber.from_site or created  # a subscriber added by the CLI keeps their bulletin
    db().delete(pending)
    db().commit()
    labels = [veille("catalog").topics[slug].label for slug in subscriber.topics if slug in veille("catalog").topics]
    return render_template("abonnement_confirme.html", subscriber=subscriber, labels=labels,
                           frequency=FREQUENCY_LABELS[subscriber.frequency])

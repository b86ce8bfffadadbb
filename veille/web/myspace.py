"""« Mon espace » (login required): the bulletin's rubriques, frequency and address, the private
feed of the same rubriques, the export of everything personal (RGPD) and the account's deletion.
« Ma sélection » and « Mes alertes » have their own modules (selection.py, alerts.py).
"""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from sqlalchemy import select

from ..accounts.models import User
from ..bulletins.models import FREQUENCIES
from ..bulletins.subscribers import AddressError
from ..models import Item, ItemTopic
from ..personal import account
from ..personal.models import PersonalFeed
from .auth import current_user, log_out, login_required, protect
from .context import db, error_page, json_response, now, veille
from .feeds import FORMAT_RULE, serve
from .rubriques import by_theme
from .syndication import Selection

blueprint = Blueprint("myspace", __name__)
protect(blueprint)
FREQUENCY_WORDS = {"daily": "chaque matin (bulletin quotidien)", "weekly": "chaque semaine (récapitulatif)",
                   "both": "les deux", "none": "aucun bulletin"}
UNSUBSCRIBED = "désabonnement depuis « Mon espace »"
NOTICES = {"abonnement": "Vos choix sont enregistrés.", "flux": "La nouvelle adresse de votre flux est prête.",
           "flux-revoque": "L'adresse de votre flux ne fonctionne plus."}


@blueprint.after_request
def _private(response):
    response.headers.setdefault("Cache-Control", "private, no-store")  # personal pages; feeds say their own
    return response


@blueprint.get("/mon-espace")
@login_required
def index():
    return _page()


def _page(error: str | None = None, status: int = 200):
    user = current_user()
    subscriber = account.subscription(db(), user)
    active = subscriber is not None and subscriber.disabled_at is None
    personal_feed = account.feed(db(), user)
    return render_template(
        "myspace.html", user=user, subscriber=subscriber, themes=by_theme(veille("catalog").topics),
        chosen=set(subscriber.topics) if subscriber else set(),
        frequency=subscriber.frequency if active else ("none" if subscriber else "daily"),
        frequencies=FREQUENCY_WORDS, feed=personal_feed, error=error,
        notice=NOTICES.get(request.args.get("fait", ""))), status


@blueprint.post("/mon-espace/abonnement")
@login_required
def subscription():
    form, user = request.form, current_user()
    topics = [] if form.get("toutes") else [s for s in form.getlist("rubriques") if s in veille("catalog").topics]
    frequency = form.get("frequence", "")
    if frequency not in (*FREQUENCIES, "none"):
        return _page("Choix refusé : paramètre « frequence » : choisissez quotidien, hebdomadaire, les deux ou aucun.", 400)
    deliver_to = form.get("livraison", "personal")
    if deliver_to not in account.DELIVERIES:
        return _page("Choix refusé : paramètre « livraison » : adresse personnelle ou professionnelle.", 400)
    try:
        subscriber = account.subscribe(db(), user, topics, FREQUENCIES[0] if frequency == "none" else frequency,
                                       form.get("adresse_pro", "").strip(), deliver_to, now())
    except AddressError as exc:
        db().rollback()
        return _page(f"Choix refusé : adresse professionnelle : {exc}.", 400)
    if frequency == "none":
        subscriber.disabled_at, subscriber.disabled_reason = now(), UNSUBSCRIBED
    db().commit()
    return redirect(url_for("myspace.index", fait="abonnement"), 303)


@blueprint.post("/mon-espace/flux")
@login_required
def renew_feed():
    account.renew_feed(db(), current_user(), now())
    db().commit()
    return redirect(url_for("myspace.index", fait="flux") + "#flux", 303)


@blueprint.post("/mon-espace/flux/revoquer")
@login_required
def revoke_feed():
    account.revoke_feed(db(), current_user())
    db().commit()
    return redirect(url_for("myspace.index", fait="flux-revoque") + "#flux", 303)


@blueprint.get(f"/flux/perso/<token>.{FORMAT_RULE}")
def personal_feed(token: str, fmt: str):
    """The private feed of a user's rubriques (those of their bulletin; none chosen: all)."""
    row = db().scalar(select(PersonalFeed).where(PersonalFeed.token == token)) if len(token) < 100 else None
    if row is None:
        return error_page(404, "Cette adresse de flux personnel n'existe pas ou a été révoquée : "
                               "retrouvez la nouvelle dans « Mon espace ».")
    subscriber = account.subscription(db(), db().get(User, row.user_id))
    topics = subscriber.topics if subscriber else []
    where = (Item.id.in_(select(ItemTopic.item_id).where(ItemTopic.topic.in_(topics))),) if topics else ()
    response = serve(Selection(path=f"perso/{token}", title=f"{veille('settings').mail_from_name} – mes rubriques",
                               description="Les derniers textes de vos rubriques.", page="/mon-espace", where=where),
                     fmt)  # its path, in every version's digest, keeps one reader's feed from another's
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@blueprint.get("/mon-espace/export")
@login_required
def export():
    response = json_response(account.export(db(), current_user()))
    response.headers["Content-Disposition"] = 'attachment; filename="mes-donnees-veille.json"'
    return response


@blueprint.post("/mon-espace/supprimer")
@login_required
def delete():
    if request.form.get("confirmation") != "oui":
        return _page("Suppression non faite : cochez la case qui confirme la suppression du compte.", 400)
    account.delete_account(db(), current_user())
    db().commit()
    log_out()
    return Response(render_template("account_deleted.html"), headers={"Cache-Control": "no-store"})

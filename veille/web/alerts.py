"""« Mes alertes » (login required): save the search page's query and filters as an alert, list
and delete them; each alert has a private feed (secret address) of the newest items it finds.
New items matching an alert reach the reader's daily bulletin under « Vos alertes »
(veille.personal.alerts, when the edition is sent)."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import case, select

from ..models import Item
from ..personal import alerts
from ..personal.alerts import ALERTS_MAX, AlertError
from ..personal.models import Alert
from . import searchparams
from .auth import current_user, login_required, protect
from .context import db, error_page, now, veille
from .feeds import DEFAULT_ITEMS, FORMAT_RULE, serve
from .syndication import Selection

blueprint = Blueprint("alerts", __name__)
protect(blueprint)


@blueprint.after_request
def _private(response):
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


@blueprint.get("/mon-espace/alertes")
@login_required
def index(error: str | None = None, status: int = 200):
    topics = veille("catalog").topics
    shown = []
    for alert in alerts.of_user(db(), current_user().id):
        try:
            params = alerts.params_of(alert, topics)
        except searchparams.BadParameter as exc:
            shown.append((alert, None, str(exc)))
            continue
        shown.append((alert, params, None))
    return render_template("alerts.html", alerts=shown, most=ALERTS_MAX, error=error,
                           created=request.args.get("fait") == "creee"), status


@blueprint.post("/mon-espace/alertes")
@login_required
def create():
    try:
        params = searchparams.read(request.form)
        alerts.add(db(), current_user().id, request.form.get("nom", ""), params, now())
    except (searchparams.BadParameter, AlertError) as exc:
        db().rollback()
        return index(f"Alerte non créée : {exc}.", 400)
    db().commit()
    return redirect(url_for("alerts.index", fait="creee"), 303)


@blueprint.post("/mon-espace/alertes/<int:alert_id>/supprimer")
@login_required
def remove(alert_id: int):
    alert = db().get(Alert, alert_id)
    if alert is None or alert.user_id != current_user().id:
        return error_page(404, "Cette alerte n'existe pas (ou plus) dans votre espace.")
    db().delete(alert)
    db().commit()
    return redirect(url_for("alerts.index"), 303)


@blueprint.get(f"/flux/alertes/<token>.{FORMAT_RULE}")
def alert_feed(token: str, fmt: str):
    """The private feed of an alert: the newest items its search finds."""
    alert = db().scalar(select(Alert).where(Alert.token == token)) if len(token) < 100 else None
    if alert is None:
        return error_page(404, "Cette adresse de flux d'alerte n'existe pas ou l'alerte a été supprimée.")
    try:
        params = replace(alerts.params_of(alert, veille("catalog").topics), tri="date")
    except searchparams.BadParameter as exc:
        return error_page(400, f"Cette alerte ne peut plus être suivie : {exc}. Modifiez-la dans « Mes alertes ».")
    result = searchparams.run(params, searchparams.search_request(params, per_page=DEFAULT_ITEMS, facets=False,
                                                                  snippets=False))
    ids = [hit.id for hit in result.hits]
    response = serve(Selection(
        path=f"alertes/{token}", title=f"{veille('settings').mail_from_name} – alerte « {alert.name} »",
        description=f"Les derniers articles trouvés par l'alerte « {alert.name} ».",
        page=f"/recherche?{urlencode(params.args())}", where=(Item.id.in_(ids),),
        order=(case({item_id: rank for rank, item_id in enumerate(ids)}, value=Item.id) if ids else Item.id,)), fmt)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response

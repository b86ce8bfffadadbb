"""What every blueprint needs from the running app: its settings, catalog and links, this
request's database session, and the French error page. Kept apart from the app factory, which
imports the blueprints.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Response, current_app, g, render_template, request
from sqlalchemy.orm import Session

from ..numbers import parse_int

ERROR_TITLES = {
    400: "Requête invalide", 403: "Accès refusé", 404: "Page introuvable", 405: "Méthode non autorisée", 409: "Demande impossible",
    410: "Page retirée", 413: "Requête trop volumineuse", 429: "Trop de requêtes", 500: "Erreur interne",
    503: "Service momentanément indisponible",
}
API_PREFIX = "/api/"
API_MESSAGES = {
    404: "Cette adresse n'existe pas dans l'API (adresses : /api/items, /api/items/<id>, /api/search, /api/rubriques).",
    405: "Cette adresse de l'API ne se lit qu'avec GET.",
    500: "Erreur interne : l'équipe technique en a été avertie dans le journal du serveur.",
}


def veille(name: str):
    """The app's settings, catalog or links."""
    return current_app.extensions["veille"][name]


def now() -> datetime:
    """This moment in UTC by the app's clock (`clock` in the app's extensions: tests move it)."""
    clock = current_app.extensions["veille"].get("clock")
    return clock() if clock else datetime.now(timezone.utc)


def db() -> Session:
    """This request's session, opened on first use and closed at the end of the request."""
    if "db" not in g:
        g.db = veille("factory")()
    return g.db


def close_session(exc) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def error_page(status: int, message: str | None = None):
    """The French error page; under /api/, the same as JSON: {"message": …}."""
    if request.path.startswith(API_PREFIX):
        return json_response({"message": message or API_MESSAGES.get(status) or ERROR_TITLES.get(status, "Erreur"),
                              "status": status}, status), status
    return render_template("error.html", status=status, title=ERROR_TITLES.get(status, "Erreur"),
                           message=message), status


def sentence(text: str) -> str:
    """An error message of the code ("mot de passe trop court : …") as a sentence on a page."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!", ")")) else ".")


def count_arg(name: str, default: int, maximum: int) -> int | None:
    """A count given in the query string (`?n=`, `?limit=`): `default` when absent, None when
    it is not a plain ASCII integer from 1 to `maximum`."""
    text = request.args.get(name)
    return default if text is None else parse_int(text, minimum=1, maximum=maximum)


def json_response(data, status: int = 200) -> Response:
    """JSON in UTF-8 as it reads (« é », not « \\u00e9 »)."""
    return Response(json.dumps(data, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8")

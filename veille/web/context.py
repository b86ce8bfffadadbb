"""What every blueprint needs from the running app: its settings, catalog and links, this
request's database session, and the French error page. Kept apart from the app factory, which
imports the blueprints.
"""
from __future__ import annotations

from flask import current_app, g, render_template
from sqlalchemy.orm import Session

ERROR_TITLES = {
    400: "Requête invalide", 404: "Page introuvable", 405: "Méthode non autorisée",
    410: "Page retirée", 413: "Requête trop volumineuse", 429: "Trop de requêtes", 500: "Erreur interne",
    503: "Service momentanément indisponible",
}


def veille(name: str):
    """The app's settings, catalog or links."""
    return current_app.extensions["veille"][name]


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
    return render_template("error.html", status=status, title=ERROR_TITLES.get(status, "Erreur"),
                           message=message), status

"""The Flask app factory: settings, one database session per request, French error pages,
security headers.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from ..bulletins.render import Links
from ..catalog import CATEGORIES, Catalog, load_catalog
from ..config import Settings
from ..db import make_engine, migrate, session_factory
from . import access, auth, clientaddr, filters, hosts, pagecache
from .context import close_session, error_page

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "web"
log = logging.getLogger(__name__)

# No script anywhere; styles are inline in each page (self-contained, printable); nothing is
# loaded from other sites (an item's images are shown as links).
CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
MAX_BODY = 64 * 1024  # no page takes more than a one-click unsubscription's few bytes



def create_app(settings: Settings | None = None, factory: sessionmaker[Session] | None = None,
               catalog: Catalog | None = None) -> Flask:
    settings = settings or Settings.from_env()
    if factory is None:
        engine = make_engine(settings)
        migrate(engine)
        factory = session_factory(engine)
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY)
    app.url_map.merge_slashes = False  # "//bulletins" is not found rather than redirected
    app.extensions["veille"] = {
        "settings": settings, "factory": factory,
        "catalog": catalog or load_catalog(settings.feeds_path),
        "links": Links(settings.base_url),
        "search": {},  # the open search index (searchparams.run)
    }
    filters.install(app.jinja_env, settings.timezone)
    app.jinja_env.globals.update(categories=CATEGORIES, sender=settings.mail_from_name)

    from . import archives, articles, bulletins, home, rubriques, search, unsubscribe
    for blueprint in (home.blueprint, articles.blueprint, bulletins.blueprint, unsubscribe.blueprint,
                      search.blueprint, rubriques.blueprint, archives.blueprint):
        app.register_blueprint(blueprint)
    from . import feeds
    app.register_blueprint(feeds.blueprint)
    from . import feed_directory
    app.register_blueprint(feed_directory.blueprint)
    from . import api
    app.register_blueprint(api.blueprint)
    from . import health  # /healthz, /metrics
    app.register_blueprint(health.blueprint)
    from . import account, admin, passwords, signup, subscribe  # accounts, subscribing, administration
    for blueprint in (account.blueprint, signup.blueprint, passwords.blueprint, subscribe.blueprint, admin.blueprint):
        app.register_blueprint(blueprint)
    from . import alerts, desk, myspace, selection  # « Mon espace », « La rédaction »
    for blueprint in (myspace.blueprint, selection.blueprint, alerts.blueprint, desk.blueprint):
        app.register_blueprint(blueprint)

    pagecache.install(app)  # first: see its docstring
    hosts.install(app)
    clientaddr.install(app, settings.trusted_proxies)
    auth.install(app)
    access.install(app)
    app.before_request(_refuse_large_bodies)
    app.teardown_appcontext(close_session)
    app.after_request(_secure)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(Exception, _internal_error)
    return app


def _refuse_large_bodies():
    """Before any view: views that never read the body would not otherwise check its size."""
    if (request.content_length or 0) > MAX_BODY:
        return error_page(413)


def _secure(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.location and response.location.startswith(request.host_url):
        # Werkzeug's own redirects name the host the client sent: keep them within the site.
        response.location = "/" + response.location[len(request.host_url):]
    if 300 <= response.status_code < 400 and response.location:  # Werkzeug's body names the claimed host
        target = escape(response.location)
        response.set_data(f'<!doctype html>\n<html lang="fr"><title>Redirection</title>'
                          f'<p>Cette page se trouve à l\'adresse <a href="{target}">{target}</a>.</p></html>\n')
        response.content_type = "text/html; charset=utf-8"
    return response


def _http_error(exc: HTTPException):
    body, status = error_page(exc.code or 500)
    return body, status, [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]


def _database_down(exc: OperationalError):
    log.error("base de données indisponible : %s", exc)
    body, status = error_page(503, "La base de données ne répond pas. Réessayez dans quelques instants.")
    return body, status, {"Retry-After": "30"}


def _internal_error(exc: Exception):
    log.exception("erreur interne")
    return error_page(500)

"""Who is asking: the logged-in user (server-side sessions), roles, and CSRF protection.

For blueprints: `current_user()` (a `User` or None), `@login_required` (anonymous: 303 to
`/connexion?next=<path>`), `@require_role("editeur", "admin")` (other roles: French 403),
`protect(blueprint)` (every POST of the blueprint must carry the form's CSRF token, else a
French 400), `csrf_field()` in templates (the hidden input), `safe_next()`.

Flask's session cookie, signed with VEILLE_SECRET_KEY, carries a CSRF token and, once logged
in, a random session token whose SHA-256 names a `WebSession` row: logging out deletes the row,
so a copied cookie opens nothing afterwards. Without VEILLE_SECRET_KEY nobody logs in and the
account pages say so (503); the rest of the site works.
"""
from __future__ import annotations

import functools
import hmac
import secrets
from datetime import timedelta
from urllib.parse import quote, unquote, urlsplit

from flask import Blueprint, Flask, g, redirect, request, session
from markupsafe import Markup, escape
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, WebSession
from ..accounts.tokens import TOKEN_RE, digest, new_token
from .context import db, error_page, now, veille

SESSION_LIFETIME = timedelta(days=30)
CSRF_FIELD = "csrf_token"
NO_SECRET = ("Les comptes ne sont pas activés sur ce site : l'administrateur doit définir VEILLE_SECRET_KEY. "
             "Les pages publiques restent consultables.")
CSRF_REFUSED = ("Ce formulaire a expiré ou ne vient pas de ce site (jeton de sécurité absent ou périmé). "
                "Rechargez la page et recommencez.")


def install(app: Flask) -> None:
    settings = app.extensions["veille"]["settings"]
    app.secret_key = settings.secret_key
    app.config.update(SESSION_COOKIE_NAME="veille_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.base_url.startswith("https:"),
                      PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME)
    app.jinja_env.globals.update(csrf_field=csrf_field, current_user=current_user)


def accounts_enabled() -> bool:
    return bool(veille("settings").secret_key)


def current_user() -> User | None:
    """The logged-in user of this request, or None (anonymous, session ended or expired)."""
    if "user" not in g:
        g.user = _session_user()
    return g.user


def _session_user() -> User | None:
    if not accounts_enabled():
        return None
    token = session.get("sid")
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    row = db().scalar(select(WebSession).where(WebSession.id == digest(token), WebSession.expires_at > now()))
    if row is None:
        return None
    return db().scalar(select(User).where(User.id == row.user_id).options(selectinload(User.organisation)))


def log_in(user: User) -> None:
    """A new server-side session for this user (a fresh CSRF token too), committed."""
    token, hashed = new_token()
    moment = now()
    db().execute(delete(WebSession).where(WebSession.expires_at <= moment))  # the expired ones of everybody
    db().add(WebSession(id=hashed, user_id=user.id, created_at=moment, expires_at=moment + SESSION_LIFETIME))
    user.last_login_at = moment
    db().commit()
    session.clear()
    session.permanent = True
    session["sid"] = token
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    g.user = user


def log_out() -> None:
    """The session row deleted (the cookie is worthless from now on), the cookie emptied."""
    token = session.get("sid")
    if isinstance(token, str):
        db().execute(delete(WebSession).where(WebSession.id == digest(token)))
        db().commit()
    session.clear()
    g.user = None


def end_sessions(user: User) -> None:
    """Every session of this user ended (after a password change)."""
    db().execute(delete(WebSession).where(WebSession.user_id == user.id))


def login_required(view):
    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not accounts_enabled():
            return error_page(503, NO_SECRET)
        if current_user() is None:
            return redirect(f"/connexion?next={escape_next(_back_after_login())}", 303)
        return view(*args, **kwargs)
    return checked


def _back_after_login() -> str:
    """The page asked for; for a form sent while logged out, the page of the form (this site's
    Referer), since the address it posts to answers POST only."""
    if request.method in ("GET", "HEAD"):
        return request.full_path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return "/"
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def require_role(*roles: str):
    """Logged in, with one of these roles; anyone else gets a French 403."""
    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if current_user().role not in roles:
                return error_page(403, "Cette page est réservée aux comptes "
                                       + " ou ".join(ROLE_WORDS.get(role, role) for role in roles) + ".")
            return view(*args, **kwargs)
        return login_required(checked)
    return decorate


ROLE_WORDS = {"lecteur": "lecteur", "editeur": "de la rédaction", "admin": "administrateur"}


def escape_next(path: str) -> str:
    """A path (and its query) as the value of `next` in a query string."""
    return quote(path.rstrip("?"), safe="/")


def safe_next(target: str | None) -> str:
    """A path inside this site, or "/": never another site (`//evil.example`,
    `https://evil.example`, `/\\evil.example`), never `javascript:`."""
    if not target or not target.startswith("/"):
        return "/"
    decoded = unquote(target)  # "/%5Cevil.example" is as suspect as "/\\evil.example"
    if decoded.startswith("//") or "\\" in decoded:
        return "/"
    if any(ord(ch) < 32 or ch.isspace() for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def csrf_token() -> str:
    """This browser's CSRF token (kept in the signed session cookie)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def csrf_field() -> Markup:
    """The hidden input every POST form carries."""
    if not accounts_enabled():
        return Markup("")
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">')


def csrf_valid() -> bool:
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD, "")
    return isinstance(expected, str) and hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def protect(blueprint: Blueprint) -> None:
    """Every POST of this blueprint needs the CSRF token of its form; accounts must be enabled;
    no answer is kept by any cache (they carry a CSRF token, a person's data or a secret link)
    unless its view says otherwise (a private feed)."""
    @blueprint.after_request
    def _no_store(response):
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @blueprint.before_request
    def _check():
        if not accounts_enabled():
            return error_page(503, NO_SECRET)
        if request.method == "POST" and not csrf_valid():
            return error_page(400, CSRF_REFUSED)
        return None


"""Logging in and out: `/connexion` (fields `email`, `password`, `next`) and `/deconnexion` (POST).

A wrong password and an unknown address get the same answer in the same time (an argon2 check
either way). Attempts are limited per client address and per account (10 in 15 minutes, then
429 with `Retry-After`).
"""
from __future__ import annotations

import math

from flask import Blueprint, current_app, redirect, render_template, request

from ..accounts import users
from .auth import current_user, log_in, log_out, protect, safe_next
from .context import db, error_page
from .ratelimit import RateLimit, client_key

blueprint = Blueprint("account", __name__)
protect(blueprint)
LOGIN_ATTEMPTS, LOGIN_PERIOD = 10, 15 * 60
WRONG = "Adresse électronique ou mot de passe incorrect."
TOO_MANY = "Trop de tentatives de connexion. Réessayez dans quelques minutes, ou choisissez un nouveau mot de passe."



def _limiters() -> tuple[RateLimit, RateLimit]:
    """(per client address, per account), each app with its own counts."""
    extensions = current_app.extensions
    return (extensions.setdefault("ratelimit.login.address", RateLimit(LOGIN_ATTEMPTS, LOGIN_PERIOD)),
            extensions.setdefault("ratelimit.login.account", RateLimit(LOGIN_ATTEMPTS, LOGIN_PERIOD)))


def _form(status: int = 200, error: str | None = None, email: str = "", next_path: str = "/"):
    return render_template("connexion.html", error=error, email=email, next=next_path), status


@blueprint.get("/connexion")
def login_form():
    next_path = safe_next(request.args.get("next"))
    if current_user() is not None:
        return redirect(next_path, 303)
    return _form(next_path=next_path)


@blueprint.post("/connexion")
def login():
    email = request.form.get("email", "").strip()[:254]
    password = request.form.get("password", "")
    next_path = safe_next(request.form.get("next"))
    by_address, by_account = _limiters()
    waits = [by_address.attempt(client_key(request.remote_addr)).wait,
             by_account.attempt("account:" + email.lower()).wait]
    if max(waits):
        body, status = error_page(429, TOO_MANY)
        return body, status, {"Retry-After": str(math.ceil(max(waits)))}
    user = users.authenticate(db(), email, password)
    if user is None:
        db().rollback()
        return _form(401, WRONG, email, next_path)
    if not user.verified:
        db().rollback()
        return _form(403, "Votre adresse n'est pas encore confirmée : ouvrez le lien du courriel reçu à "
                          "l'inscription (ou demandez un nouveau mot de passe, qui la confirme aussi).", email, next_path)
    log_in(user)
    return redirect(next_path, 303)


@blueprint.post("/deconnexion")
def logout():
    log_out()
    return redirect("/", 303)

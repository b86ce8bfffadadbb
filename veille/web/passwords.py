"""Choosing a password from a link sent by email: `/mot-de-passe-oublie` (a reset link valid 1
hour, once) and `/invitation/<token>` (the link of `veille user add` without a password).
Either way the address is proved, and every other session of the account is ended.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from ..accounts import users
from ..accounts.mails import send_reset
from ..accounts.models import User
from ..accounts.tokens import issue_link, open_link, use_link
from .auth import end_sessions, log_in, protect
from .context import db, error_page, now, sentence, veille
from .mailing import send_then_commit
from .ratelimit import throttle

blueprint = Blueprint("passwords", __name__)
protect(blueprint)
throttle(blueprint, 30, 15 * 60, "Trop de demandes depuis votre adresse. Réessayez dans quelques minutes.")
PURPOSES = {"reset": "Nouveau mot de passe", "invite": "Choisir votre mot de passe"}



@blueprint.get("/mot-de-passe-oublie")
def forgot_form():
    return render_template("mot_de_passe_oublie.html")


@blueprint.post("/mot-de-passe-oublie")
def forgot():
    """The same answer whether the address has an account or not."""
    email = request.form.get("email", "").strip()[:254]
    user = users.by_email(db(), email)
    if user is not None:
        token = issue_link(db(), user, "reset", now())
        failed = send_then_commit(send_reset, user.email, f"{veille('settings').base_url}/mot-de-passe-oublie/{token}")
        if failed:
            return failed
    return render_template("signup_sent.html", address=email, what="mot-de-passe")


@blueprint.route("/mot-de-passe-oublie/<token>", methods=["GET", "POST"])
def reset(token: str):
    return _choose(token, "reset")


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    return _choose(token, "invite")


def _choose(token: str, purpose: str):
    link = open_link(db(), token, purpose, now())
    if link is None:
        return error_page(404, "Ce lien n'est pas valide, a déjà servi ou a expiré (un lien de mot de passe oublié "
                               "vaut 1 heure). Demandez-en un nouveau : « Mot de passe oublié ? ».")
    user = db().get(User, link.user_id)
    if request.method == "GET":
        return render_template("nouveau_mot_de_passe.html", title=PURPOSES[purpose], user=user, error=None)
    password = request.form.get("password", "")
    error = users.password_error(password)
    if error:
        return render_template("nouveau_mot_de_passe.html", title=PURPOSES[purpose], user=user,
                               error=sentence(error)), 422
    users.set_password(user, password)
    use_link(link, now())
    user.verified_at = user.verified_at or now()  # the link proved the address
    end_sessions(user)
    db().commit()
    log_in(user)
    return redirect("/", 303)

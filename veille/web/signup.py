"""Opening an account: `/inscription` (email, password, organisation by SIREN or name) and
`/essai` (a collectivité without a licence starts its free month: the organisation is created
in trial, and its first member as its admin, once the address is confirmed). The links sent by
email open a page with a button: mail scanners that open links confirm nothing.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from ..accounts import organisations, users
from ..accounts.kinds import ADMIN, ORGANISATION_KINDS, READER
from ..accounts.mails import send_trial, send_verification
from ..accounts.models import Organisation, User
from ..accounts.tokens import issue_link, open_link, use_link
from .auth import log_in, protect
from .context import db, error_page, now, sentence, veille
from .mailing import send_then_commit
from .ratelimit import throttle

blueprint = Blueprint("signup", __name__)
protect(blueprint)
throttle(blueprint, 60, 15 * 60, "Trop de demandes depuis votre adresse. Réessayez dans quelques minutes.")



def today():
    return now().astimezone(veille("settings").timezone).date()


def _organisation_named(text: str) -> Organisation | None:
    """By SIREN (spaces allowed) or by name, whatever the case."""
    siren = "".join(text.split())
    if organisations.siren_error(siren) is None:
        return organisations.by_siren(db(), siren)
    return db().scalar(select(Organisation).where(func.lower(Organisation.name) == " ".join(text.split()).lower()))


def _same_domain(user_email: str, organisation: Organisation) -> bool:
    """The address is at the domain of the organisation's contact or of one of its members."""
    domain = user_email.rpartition("@")[2].lower()
    known = [organisation.contact_email or ""] + [m.email for m in organisation.members if m.member]
    return any(address.rpartition("@")[2].lower() == domain for address in known if address)


def _sent_page(address: str, what: str):
    return render_template("signup_sent.html", address=address, what=what)


@blueprint.get("/inscription")
def register_form():
    return render_template("inscription.html", errors={}, form={})


@blueprint.post("/inscription")
def register():
    form = {name: request.form.get(name, "").strip()[:254] for name in ("email", "organisation")}
    password = request.form.get("password", "")
    errors = {}
    error = users.password_error(password)
    if error:
        errors["password"] = sentence(error)
    organisation = None
    if form["organisation"]:
        organisation = _organisation_named(form["organisation"])
        if organisation is None:
            errors["organisation"] = ("Organisation inconnue : vérifiez son SIREN ou son nom exact. Si votre "
                                      "collectivité n'est pas encore abonnée, commencez son essai gratuit.")
    existing = users.by_email(db(), form["email"])
    if not errors and existing is None:
        try:
            user = users.add(db(), form["email"], now(), organisation=organisation, role=READER, password=password)
        except users.UserError as exc:
            errors["email"] = sentence(str(exc))
    if errors:
        db().rollback()
        return render_template("inscription.html", errors=errors, form=form), 422
    if existing is not None:  # the same answer, so that the form does not tell who has an account
        return _sent_page(existing.email, "inscription")
    token = issue_link(db(), user, "verify", now())
    failed = send_then_commit(send_verification, user.email,
                              f"{veille('settings').base_url}/inscription/confirmation/{token}")
    return failed or _sent_page(user.email, "inscription")


@blueprint.route("/inscription/confirmation/<token>", methods=["GET", "POST"])
def verify(token: str):
    link = open_link(db(), token, "verify", now())
    if link is None:
        return _expired_link()
    user = db().get(User, link.user_id)
    if request.method == "GET":
        return render_template("confirm_link.html", title="Confirmer votre adresse", address=user.email,
                               button="Confirmer mon adresse")
    use_link(link, now())
    user.verified_at = user.verified_at or now()
    if user.organisation is not None and user.approved_at is None and _same_domain(user.email, user.organisation):
        user.approved_at = now()
    db().commit()
    log_in(user)
    return render_template("signup_done.html", user=user, trial_until=None)


def _expired_link():
    return error_page(404, "Ce lien n'est pas valide, a déjà servi ou a expiré. Recommencez la démarche "
                           "pour en recevoir un nouveau.")


# --- The free trial ----------------------------------------------------------------------

def _trial_refusal(siren: str) -> str | None:
    """Why this SIREN cannot start a trial (one trial per SIREN), or None."""
    existing = organisations.by_siren(db(), siren)
    if existing is not None and (existing.trial_until or existing.paid_until):
        return (f"« {existing.name} » (SIREN {siren}) a déjà eu un essai ou une licence : demandez un compte à son "
                "administrateur, ou inscrivez-vous en la nommant.")
    return None


@blueprint.get("/essai")
def trial_form():
    return render_template("essai.html", errors={}, form={}, kinds=ORGANISATION_KINDS)


@blueprint.post("/essai")
def trial():
    form = {name: request.form.get(name, "").strip()[:254] for name in ("nom", "siren", "type", "email")}
    password = request.form.get("password", "")
    errors = {}
    siren = "".join(form["siren"].split())
    if organisations.siren_error(siren):
        errors["siren"] = sentence(organisations.siren_error(siren))
    elif _trial_refusal(siren):
        errors["siren"] = _trial_refusal(siren)
    if not " ".join(form["nom"].split()):
        errors["nom"] = "Indiquez le nom de la collectivité (exemple : Commune de Toulouse)."
    if form["type"] not in ORGANISATION_KINDS:
        errors["type"] = "Choisissez le type de la collectivité."
    error = users.password_error(password)
    if error:
        errors["password"] = sentence(error)
    if not errors:
        existing = users.by_email(db(), form["email"])
        if existing is not None and existing.verified:
            errors["email"] = ("Un compte existe déjà pour cette adresse : connectez-vous, puis revenez sur cette page "
                               "ou demandez l'essai à l'administrateur du site.")
        elif existing is not None:
            db().delete(existing)  # an unconfirmed sign-up starts again from this form
            db().flush()
    if not errors:
        try:
            user = users.add(db(), form["email"], now(), role=ADMIN, password=password)
        except users.UserError as exc:
            errors["email"] = sentence(str(exc))
    if errors:
        db().rollback()
        return render_template("essai.html", errors=errors, form=form, kinds=ORGANISATION_KINDS), 422
    name = " ".join(form["nom"].split())
    token = issue_link(db(), user, "trial", now(), {"siren": siren, "name": name, "kind": form["type"]})
    failed = send_then_commit(send_trial, user.email, name,
                              f"{veille('settings').base_url}/essai/confirmation/{token}")
    return failed or _sent_page(user.email, "essai")


@blueprint.route("/essai/confirmation/<token>", methods=["GET", "POST"])
def trial_confirm(token: str):
    link = open_link(db(), token, "trial", now())
    if link is None:
        return _expired_link()
    user = db().get(User, link.user_id)
    data = link.data
    if request.method == "GET":
        return render_template("confirm_link.html", title="Commencer l'essai gratuit", address=user.email,
                               button=f"Commencer l'essai de « {data['name']} »")
    refusal = _trial_refusal(data["siren"])
    if refusal:
        return error_page(409, refusal)
    moment = now()
    organisation = organisations.by_siren(db(), data["siren"]) or organisations.add(
        db(), data["name"], data["siren"], data["kind"], moment, contact_email=user.email)
    organisation.trial_until = organisations.one_month_after(today())
    use_link(link, moment)
    user.organisation, user.role = organisation, ADMIN
    user.verified_at, user.approved_at = moment, moment
    db().commit()
    log_in(user)
    return render_template("signup_done.html", user=user, trial_until=organisation.trial_until)

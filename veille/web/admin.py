"""Administration pages (role `admin`): organisations, licences, IP ranges, members and roles,
as the `veille org` and `veille user` commands do.

An admin whose address is in VEILLE_ADMIN_EMAILS runs the site: every organisation, its licence
and IP ranges, and every role. Any other admin (the first member of a trial, say) manages the
members of their own organisation: approves them, makes them readers or admins, removes them;
their licence and ranges are shown, not changed (a range opens the full text to a whole network).
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, request

from ..accounts import organisations, users
from ..accounts.mails import MailUnavailable, send_invitation
from ..accounts.tokens import issue_link
from ..accounts.users import UserError
from ..accounts.ipranges import RangeError
from ..accounts.kinds import ADMIN, ORGANISATION_KINDS, READER, ROLES
from ..accounts.models import Organisation, User
from ..accounts.organisations import OrganisationError, licence_of
from ..bulletins.subscribers import address_key, AddressError, normalise_address
from .auth import current_user, protect, require_role
from .context import db, error_page, now, sentence, veille

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
protect(blueprint)



def is_operator(user: User) -> bool:
    """An admin of the whole site (VEILLE_ADMIN_EMAILS), not only of an organisation."""
    keys = set()
    for address in veille("settings").admin_emails:
        try:
            keys.add(address_key(address))
        except AddressError:
            continue
    return user.role == ADMIN and user.email_key in keys


def _today():
    return now().astimezone(veille("settings").timezone).date()


def _organisation(siren: str) -> Organisation | None:
    """The organisation this admin may see, or None."""
    if organisations.siren_error(siren):
        return None
    organisation = organisations.by_siren(db(), siren)
    user = current_user()
    if organisation is None or not (is_operator(user) or organisation.id == user.organisation_id):
        return None
    return organisation


def _page(organisation: Organisation, error: str | None = None, status: int = 200):
    user = current_user()
    operator = is_operator(user)
    return render_template("admin_organisation.html", organisation=organisation, error=error, operator=operator,
                           licence=licence_of(organisation, _today()), kinds=ORGANISATION_KINDS,
                           roles=ROLES if operator else (READER, ADMIN)), status


@blueprint.get("/")
@require_role(ADMIN)
def index():
    user = current_user()
    if not is_operator(user):
        if user.organisation is None:
            return error_page(403, "Votre compte n'est rattaché à aucune organisation.")
        return redirect(f"/admin/organisations/{user.organisation.siren}", 303)
    today = _today()
    return render_template("admin_index.html", rows=[(o, licence_of(o, today)) for o in organisations.all_organisations(db())],
                           kinds=ORGANISATION_KINDS, error=None, form={})


@blueprint.post("/organisations")
@require_role(ADMIN)
def add_organisation():
    if not is_operator(current_user()):
        return error_page(403, "Seuls les administrateurs du site ajoutent des organisations.")
    form = {name: request.form.get(name, "").strip()[:254] for name in ("nom", "siren", "type", "contact", "essai_jusqu")}
    try:
        contact = normalise_address(form["contact"]) if form["contact"] else None
        trial = _day(form["essai_jusqu"]) if form["essai_jusqu"] else None
        organisation = organisations.add(db(), form["nom"], form["siren"], form["type"], now(), contact_email=contact,
                                         trial_until=trial)
    except (OrganisationError, AddressError, ValueError) as exc:
        db().rollback()
        today = _today()
        return render_template("admin_index.html", rows=[(o, licence_of(o, today)) for o in organisations.all_organisations(db())],
                               kinds=ORGANISATION_KINDS, error=sentence(str(exc)), form=form), 422
    db().commit()
    return redirect(f"/admin/organisations/{organisation.siren}", 303)


@blueprint.get("/organisations/<siren>")
@require_role(ADMIN)
def organisation_page(siren: str):
    organisation = _organisation(siren)
    if organisation is None:
        return error_page(404, "Organisation introuvable (ou hors de votre administration).")
    return _page(organisation)


@blueprint.post("/organisations/<siren>/<action>")
@require_role(ADMIN)
def change(siren: str, action: str):
    organisation = _organisation(siren)
    if organisation is None:
        return error_page(404, "Organisation introuvable (ou hors de votre administration).")
    operator_actions = {"licence": _licence, "plage": _add_range, "retirer-plage": _remove_range}
    if action in operator_actions and not is_operator(current_user()):
        return error_page(403, "Seuls les administrateurs du site changent les licences et les plages d'adresses.")
    run = operator_actions.get(action) or {"membre": _member, "inviter": _invite}.get(action)
    if run is None:
        return error_page(404)
    try:
        run(organisation)
    except (OrganisationError, RangeError, UserError, MailUnavailable, ValueError) as exc:
        db().rollback()
        return _page(organisations.by_siren(db(), siren), sentence(str(exc)), 422)
    db().commit()
    return redirect(f"/admin/organisations/{organisation.siren}", 303)


def _licence(organisation: Organisation) -> None:
    if request.form.get("suspendre"):
        organisations.set_licence(organisation, now(), suspend=True)
        return
    organisations.set_licence(organisation, now(), until=_day(request.form.get("jusqu", "")))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"date invalide « {text.strip()[:30]} » (format AAAA-MM-JJ)") from None


def _add_range(organisation: Organisation) -> None:
    organisations.add_range(db(), organisation, request.form.get("cidr", "")[:60])


def _remove_range(organisation: Organisation) -> None:
    organisations.remove_range(db(), organisation, request.form.get("cidr", "")[:60])


def _invite(organisation: Organisation) -> None:
    """A new member, approved, who chooses a password from the link emailed (14 days)."""
    role = _allowed_role(request.form.get("role", READER))
    user = users.add(db(), request.form.get("email", "").strip()[:254], now(), organisation=organisation, role=role,
                     approved=True)
    token = issue_link(db(), user, "invite", now())
    send_invitation(veille("settings"), user.email, organisation.name, f"{veille('settings').base_url}/invitation/{token}")


def _allowed_role(role: str) -> str:
    allowed = ROLES if is_operator(current_user()) else (READER, ADMIN)
    if role not in allowed:
        raise ValueError(f"rôle non permis « {role[:20]} » (rôles : {', '.join(allowed)})")
    return role


def _member(organisation: Organisation) -> None:
    """Approve, change the role of, or remove a member (never oneself: an admin stays one)."""
    member = next((m for m in organisation.members if str(m.id) == request.form.get("membre", "")), None)
    if member is None:
        raise ValueError("membre inconnu")
    if member.id == current_user().id:
        raise ValueError("vous ne pouvez pas changer votre propre compte (demandez à un autre administrateur)")
    action = request.form.get("action", "")
    if action == "approuver":
        member.approved_at = member.approved_at or now()
    elif action == "retirer":
        member.organisation, member.approved_at, member.role = None, None, READER
    elif action == "role":
        member.role = _allowed_role(request.form.get("role", ""))
    else:
        raise ValueError("action inconnue")

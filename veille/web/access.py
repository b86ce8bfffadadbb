"""What this request may read: everything (the full text of items) for a visitor inside the IP
ranges of an organisation with an active licence, or for a logged-in member of one; titles,
headlines and summaries for anyone else, with an invitation to log in or start a trial.

Pages served because of an IP licence are `Cache-Control: private`: a shared cache must never
hand them to someone outside the range. So are the pages of a logged-in user.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request

from ..accounts.ipranges import parse_address
from ..accounts.models import Organisation
from ..accounts.organisations import Licence, holder_of, licence_of
from .auth import current_user
from .context import db, now, veille
from .memo import per_version

BY_ADDRESS, BY_ACCOUNT = "adresse", "compte"


@dataclass(frozen=True)
class Access:
    full: bool  # may read the items' full text
    via: str | None  # BY_ADDRESS or BY_ACCOUNT when full
    organisation: Organisation | None  # granting access; or the user's own, whose licence is not active
    licence: Licence | None

    @property
    def label(self) -> str:
        """« Accès Commune de Toulouse »."""
        return f"Accès {self.organisation.name}" if self.full and self.organisation else ""


ANONYMOUS = Access(False, None, None, None)


def access() -> Access:
    if "access" not in g:
        g.access = _access()
    return g.access


def _access() -> Access:
    today = now().astimezone(veille("settings").timezone).date()
    user = current_user()
    own = None
    if user is not None and user.member:
        own = Access(False, None, user.organisation, licence_of(user.organisation, today))
        if own.licence.active:
            return Access(True, BY_ACCOUNT, own.organisation, own.licence)
    address = parse_address(request.remote_addr)
    holder = _holder(address) if address is not None else None
    if holder is not None:
        licence = licence_of(holder, today)
        if licence.active:
            return Access(True, BY_ADDRESS, holder, licence)
    return own or ANONYMOUS


def _holder(address) -> Organisation | None:
    """The organisation whose ranges hold this address, looked up once per archive version (its
    ranges raise the version): most visitors are held by none, and then cost no query."""
    found = per_version("holder", address, lambda: getattr(holder_of(db(), address), "id", ""))
    return db().get(Organisation, found) if found else None


def install(app: Flask) -> None:
    app.jinja_env.globals.update(access=access)
    app.after_request(_private)


def _private(response):
    granted = g.get("access")
    personal = (granted is not None and granted.via == BY_ADDRESS) or g.get("user") is not None
    if personal and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "private"
    return response

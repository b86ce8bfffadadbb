"""Editions on the web: the list, each edition's page and its PDF (built once, then cached)."""
from __future__ import annotations

import os
import re
import tempfile
from datetime import date

from flask import Blueprint, Response, redirect, render_template, send_file, url_for
from sqlalchemy import select

from ..bulletins.build import monday_of
from ..bulletins.editions import agreed, content_of, describe, find
from ..bulletins.models import DAILY, WEEKLY, Edition
from ..bulletins.render import KIND_PATHS, Links, page_html, pdf, reading
from .app import db, error_page, veille

blueprint = Blueprint("bulletins", __name__)
KINDS_BY_PATH = {path: kind for kind, path in KIND_PATHS.items()}
DAY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(\.pdf)?$")
LISTED = 100  # editions of each kind on the list page


@blueprint.get("/bulletins/")
def editions():
    def latest(kind: str) -> list[Edition]:
        return list(db().scalars(select(Edition).where(Edition.kind == kind)
                                 .order_by(Edition.day.desc()).limit(LISTED)))
    return render_template("bulletins.html", daily=latest(DAILY), weekly=latest(WEEKLY), paths=KIND_PATHS)


@blueprint.get("/bulletins/<kind_path>/<name>")
def edition(kind_path: str, name: str):
    kind, match = KINDS_BY_PATH.get(kind_path), DAY_RE.match(name)
    day = _day(match.group(1)) if match else None
    if kind is None or day is None:
        return error_page(404, "Adresse de bulletin invalide : la date s'écrit AAAA-MM-JJ, "
                               "par exemple /bulletins/quotidien/2017-03-29.")
    as_pdf = bool(match.group(2))
    if kind == WEEKLY and day.weekday():  # a recap is filed under its Monday
        return redirect(url_for(".edition", kind_path=kind_path, name=monday_of(day).isoformat() + (".pdf" if as_pdf else "")))
    found = find(db(), kind, day)
    if found is None:
        return error_page(404, f"{describe(kind, day)} n'est pas disponible : "
                               f"{'elle' if kind == DAILY else 'il'} n'a pas encore été {agreed(kind, 'publié')}.")
    view = reading(content_of(found))
    sender = veille("settings").mail_from_name
    if as_pdf:
        return _pdf(found, view, sender)
    return Response(page_html(view, Links.relative(), sender, nav=True), mimetype="text/html")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _pdf(edition: Edition, view, sender: str):
    """The PDF of an edition, rendered once per build of it (an edition is a snapshot)."""
    folder = veille("settings").home / "cache" / "pdf"
    path = folder / f"{edition.kind}-{edition.day.isoformat()}-{edition.id}-{edition.built_at:%Y%m%dT%H%M%S%f}.pdf"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        data = pdf(view, veille("links"), sender)  # absolute links: a PDF is read away from the site
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)  # concurrent requests each write whole files
    filename = f"veille-{KIND_PATHS[edition.kind]}-{edition.day.isoformat()}.pdf"
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=filename)

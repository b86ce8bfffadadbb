"""Editions on the web: the list, each edition's page and its PDF (built once, then cached).

An edition is a snapshot, except that items an editor hid after it was built are left out of
its page and PDF (the emails already sent cannot be recalled).
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for
from sqlalchemy import func, select

from ..bulletins.build import monday_of
from ..bulletins.content import EditionContent
from ..bulletins.editions import agreed, content_of, describe, find
from ..bulletins.models import DAILY, WEEKLY, Edition
from ..bulletins.pdfcache import folder_of, pdf_file
from ..bulletins.render import KIND_PATHS, Links, page_html, reading
from ..bulletins.wording import daily_title, weekly_title
from ..models import Item
from ..numbers import parse_int
from .context import db, error_page, veille

blueprint = Blueprint("bulletins", __name__)
KINDS_BY_PATH = {path: kind for kind, path in KIND_PATHS.items()}
NAME_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(\.pdf)?")
LAST_DAY = date.max - timedelta(days=7)  # a week's span must still be a date
PAGE_SIZE = 60  # editions on a page of the list
PDF_RETRY = 5  # seconds


@blueprint.get("/bulletins/")
def editions():
    number = parse_int(request.args.get("page", "1"), minimum=1, maximum=99_999) or 0
    total = db().scalar(select(func.count()).select_from(Edition))
    pages = max(1, -(-total // PAGE_SIZE))
    if not number or number > pages:
        return error_page(404, f"Cette page de la liste n'existe pas (pages 1 à {pages}).")
    rows = db().execute(select(Edition.kind, Edition.day).order_by(Edition.day.desc(), Edition.kind)
                        .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    listed = [edition_link(kind, day) for kind, day in rows]
    return render_template("bulletins.html", editions=listed, page=number, pages=pages)


def edition_link(kind: str, day: date) -> dict:
    """An edition's title and addresses, for lists."""
    name = day.isoformat()
    return {"title": daily_title(day) if kind == DAILY else weekly_title(day),
            "url": url_for("bulletins.edition", kind_path=KIND_PATHS[kind], name=name),
            "pdf": url_for("bulletins.edition", kind_path=KIND_PATHS[kind], name=name + ".pdf")}


@blueprint.get("/bulletins/<kind_path>/<name>")
def edition(kind_path: str, name: str):
    kind, match = KINDS_BY_PATH.get(kind_path), NAME_RE.fullmatch(name)
    if kind is None:
        return error_page(404, "Adresse de bulletin invalide : /bulletins/quotidien/AAAA-MM-JJ "
                               "ou /bulletins/hebdomadaire/AAAA-MM-JJ.")
    day = _day(match.group(1)) if match else None
    if day is None:
        return error_page(404, "Adresse de bulletin invalide : la date s'écrit AAAA-MM-JJ, "
                               "par exemple /bulletins/quotidien/2017-03-29.")
    as_pdf = bool(match.group(2))
    if kind == WEEKLY and day.weekday():  # a recap is filed under its Monday
        return redirect(url_for(".edition", kind_path=kind_path, name=monday_of(day).isoformat() + (".pdf" if as_pdf else "")))
    found = find(db(), kind, day)
    if found is None:
        return error_page(404, _missing(kind, day))
    content, withdrawn = _without_hidden(content_of(found))
    view = reading(content)
    sender = veille("settings").mail_from_name
    if as_pdf:
        return _pdf(found, view, sender, withdrawn)
    return Response(page_html(view, Links(""), sender, nav=True), mimetype="text/html")


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if day <= LAST_DAY else None


def _missing(kind: str, day: date) -> str:
    today = datetime.now(veille("settings").timezone).date()
    last = day if kind == DAILY else monday_of(day) + timedelta(days=6)
    pronoun, published = "elle" if kind == DAILY else "il", agreed(kind, "publié")
    if last >= today:
        return f"{describe(kind, day)} n'est pas disponible : {pronoun} n'a pas encore été {published}."
    return f"{describe(kind, day)} n'existe pas : aucun bulletin n'a été {published} pour cette date."


def _without_hidden(content: EditionContent) -> tuple[EditionContent, list[str]]:
    """The edition without the items hidden since it was built, and their ids."""
    ids = [item.id for item in content.items]
    hidden = set(db().scalars(select(Item.id).where(Item.id.in_(ids), Item.hidden_at.is_not(None))))
    if not hidden:
        return content, []
    return replace(content, items=tuple(i for i in content.items if i.id not in hidden)), sorted(hidden)


def _pdf(edition: Edition, view, sender: str, withdrawn: list[str]):
    path = pdf_file(folder_of(veille("settings")), edition, view, veille("links"), sender, withdrawn, wait=False)
    if path is None:  # another PDF is being rendered: this thread serves other pages meanwhile
        body, status = error_page(503, f"Le PDF est en préparation : nouvel essai automatique dans {PDF_RETRY} secondes.")
        return body, status, {"Retry-After": str(PDF_RETRY), "Refresh": str(PDF_RETRY)}  # browsers ask again
    filename = f"veille-{KIND_PATHS[edition.kind]}-{edition.day.isoformat()}.pdf"
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=filename)

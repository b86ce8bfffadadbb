"""La rédaction: the editors' desk (roles editeur and admin).

`/redaction` lists the items that arrived since the last daily edition, « À classer » (no
rubrique) first, each with its rubriques and the rule that gave each; the item's desk page
edits its headline, summary and rubriques, hides or shows it, pins it « À la une » of the next
daily edition, and shows the history of these changes. Every change goes through
veille.editorial, which records it.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import ADMIN, EDITOR
from ..bulletins.build import FIRST_WINDOW, shown_headline, shown_summary
from ..bulletins.models import DAILY, Edition
from ..editorial import (PINS_MAX, EditorialError, edit_headline, edit_summary, hide, history, pending_pins, pin,
                         release_topics, set_topics, unhide, unpin)
from ..ingest import reclassify_items
from ..models import Item
from ..search.indexer import index_pending
from .articles import ITEM_ID_RE
from .auth import current_user, protect, require_role
from .context import db, error_page, now, veille
from .rubriques import by_theme

blueprint = Blueprint("desk", __name__)
protect(blueprint)
DESK_ROLES = (EDITOR, ADMIN)
LISTED_MAX = 500  # items on the desk page
FIELD_WORDS = {"headline": "Titre", "summary": "Résumé", "topics": "Rubriques", "hidden": "Masquage",
               "pinned": "À la une"}


@blueprint.get("/redaction")
@require_role(*DESK_ROLES)
def index():
    since = _since()
    items = db().scalars(select(Item).options(selectinload(Item.topics)).where(Item.fetched_at >= since)
                         .order_by(Item.fetched_at.desc(), Item.id).limit(LISTED_MAX)).all()
    parts = (("À classer", [item for item in items if not item.topics]),  # newest first in each
             ("Classés", [item for item in items if item.topics]))
    pins = pending_pins(db())
    return render_template("desk.html", total=len(items), parts=parts, since=since, pins=pins,
                           pinned={p.item_id for p in pins}, rows=_rows)


@blueprint.get("/redaction/articles/<item_id>")
@require_role(*DESK_ROLES)
def item_page(item_id: str):
    item = _item(item_id)
    if item is None:
        return _missing()
    return _page(item)


def _page(item: Item, error: str | None = None, status: int = 200):
    catalog = veille("catalog")
    headline, official = shown_headline(item)
    pins = pending_pins(db())
    return render_template(
        "desk_item.html", item=item, headline=headline, official_title=official, summary=shown_summary(item),
        rows=_rows, themes=by_theme(catalog.topics), chosen=set(item.topic_slugs),
        pinned=any(p.item_id == item.id for p in pins), pins_full=len(pins) >= PINS_MAX,
        history=history(db(), item.id), field_words=FIELD_WORDS, error=error), status


def _rows(item: Item) -> list[tuple[str, str, str]]:
    """(rubrique, origin, reason) of each of the item's rubriques."""
    topics = veille("catalog").topics
    return [(topics[row.topic].label if row.topic in topics else row.topic, row.origin, row.reason)
            for row in item.topics]


@blueprint.post("/redaction/articles/<item_id>/<action>")
@require_role(*DESK_ROLES)
def change(item_id: str, action: str):
    item = _item(item_id)
    if item is None:
        return _missing()
    editor, moment, form = current_user().email, now(), request.form
    session = db()
    try:
        if action == "titre":
            edit_headline(session, item.id, form.get("titre", ""), moment, editor)
        elif action == "resume":
            edit_summary(session, item.id, form.get("resume", ""), moment, editor)
        elif action == "rubriques":
            set_topics(session, item.id, form.getlist("rubriques"), veille("catalog").topics, moment, editor)
        elif action == "rubriques-automatiques":
            release_topics(session, item.id, moment, editor)
            reclassify_items(session, [item.id], veille("catalog"), moment)
        elif action == "masquer":
            hide(session, item.id, form.get("raison", ""), moment, editor)
        elif action == "afficher":
            unhide(session, item.id, moment, editor)
        elif action == "une":
            pin(session, item.id, moment, editor)
        elif action == "retirer-une":
            unpin(session, item.id, moment, editor)
        else:
            return error_page(404, "Cette action n'existe pas à la rédaction.")
    except EditorialError as exc:
        session.rollback()
        return _page(_item(item_id), f"Modification refusée : {exc}.", 400)
    session.commit()
    index_pending(veille("settings"), veille("factory"), wait=0)  # search follows at once when it can
    back = request.form.get("retour")
    if back == "liste":
        return redirect(url_for("desk.index") + f"#article-{item.id}", 303)
    return redirect(url_for("desk.item_page", item_id=item.id), 303)


def _item(item_id: str) -> Item | None:
    if not ITEM_ID_RE.fullmatch(item_id):
        return None
    return db().scalar(select(Item).where(Item.id == item_id).options(selectinload(Item.topics)))


def _missing():
    return error_page(404, "Cet article n'existe pas dans l'archive : vérifiez l'adresse.")


def _since():
    """The end of the last daily edition's window; without one, the last 24 hours."""
    last = db().scalar(select(Edition.window_end).where(Edition.kind == DAILY).order_by(Edition.day.desc()).limit(1))
    return last if last is not None else now() - FIRST_WINDOW


@blueprint.app_template_filter("change_value")
def change_value(value) -> str:
    """A value of the history as it reads: « oui », « non », a list of rubriques, « — » for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        topics = veille("catalog").topics
        return ", ".join(topics[slug].label if slug in topics else slug for slug in value) or "aucune rubrique"
    return str(value) or "(vide)"

"""« Ma sélection » (login required): keep an item from its page or from search results with a
private note; the list, printable, and its exports as CSV and PDF."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..bulletins.build import reference, shown_headline, shown_summary
from ..catalog import CATEGORIES
from ..personal import selection
from ..personal.selection import SelectionError
from .articles import ITEM_ID_RE
from .auth import current_user, login_required, protect, safe_next
from .context import db, error_page, now, veille

blueprint = Blueprint("selection", __name__)
protect(blueprint)


@blueprint.after_request
def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _entries() -> list[dict]:
    """The user's selection as the page, the CSV and the PDF show it."""
    catalog, settings, links = veille("catalog"), veille("settings"), veille("links")
    entries = []
    for row in selection.of_user(db(), current_user().id):
        item = row.item
        source = catalog.sources.get(item.source_id)
        headline, official = shown_headline(item)
        entries.append({
            "id": item.id, "headline": headline, "official_title": official, "summary": shown_summary(item),
            "reference": reference(item, source.name if source else item.source_id, settings.timezone),
            "category": CATEGORIES.get(item.category, item.category),
            "topics": [catalog.topics[t].label for t in item.topic_slugs if t in catalog.topics],
            "published": item.published_at or item.fetched_at, "saved_at": row.saved_at, "note": row.note,
            "page": links.item(item.id) if links.base else url_for("articles.article", item_id=item.id,
                                                                   _external=True),
            "url": item.url or "", "hidden": item.hidden_at is not None})
    return entries


@blueprint.get("/mon-espace/selection")
@login_required
def index():
    return render_template("selection.html", entries=_entries(), saved=request.args.get("fait") == "garde")


@blueprint.post("/mon-espace/selection")
@login_required
def save():
    item_id = request.form.get("article", "")
    if not ITEM_ID_RE.fullmatch(item_id):
        return error_page(400, "Paramètre « article » : identifiant d'article invalide.")
    try:
        selection.save(db(), current_user().id, item_id, request.form.get("note", ""), now())
    except SelectionError as exc:
        return error_page(404, f"Paramètre « article » : {exc}.")
    db().commit()
    back = request.form.get("next")
    return redirect(safe_next(back) if back else url_for("selection.index", fait="garde"), 303)


@blueprint.post("/mon-espace/selection/<item_id>/retirer")
@login_required
def remove(item_id: str):
    selection.remove(db(), current_user().id, item_id)
    db().commit()
    return redirect(url_for("selection.index"), 303)


@blueprint.get("/mon-espace/selection.csv")
@login_required
def as_csv():
    settings = veille("settings")
    rows = [[e["headline"], e["reference"], e["category"], ", ".join(e["topics"]),
             e["published"].astimezone(settings.timezone).strftime("%d/%m/%Y"),
             e["saved_at"].astimezone(settings.timezone).strftime("%d/%m/%Y %H:%M"), e["note"], e["page"], e["url"]]
            for e in _entries()]
    return Response(selection.as_csv(rows), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ma-selection.csv"'})


@blueprint.get("/mon-espace/selection.pdf")
@login_required
def as_pdf():
    from weasyprint import HTML  # slow to import: only when a PDF is asked for

    html = render_template("selection_print.html", entries=_entries(), user=current_user())
    return Response(HTML(string=html).write_pdf(), content_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="ma-selection.pdf"'})

"""`/recherche`: the archive's full-text search, with the syntax and filters of `veille search`."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request
from markupsafe import Markup

from ..bulletins.wording import typography
from ..catalog import CATEGORIES
from ..search import PER_PAGE
from ..search.highlight import marked, plain_snippet, render
from . import searchparams
from .access import access
from .alternates import feed_links
from .context import error_page, veille
from .listing import entries, load

blueprint = Blueprint("search", __name__)
FACETS_SHOWN = 12


@blueprint.get("/recherche")
def search():
    try:
        params = searchparams.read(request.args)
    except searchparams.BadParameter as exc:
        return error_page(400, f"Recherche impossible : {exc}.")
    catalog = veille("catalog")
    topics = {slug: topic.label for slug, topic in catalog.topics.items()}
    asked = bool(params.q) or params.filtered
    result = warnings = None
    shown = []
    if asked:
        # Passages of the full text only for those who may read it; others see the summary's start.
        full = access().full
        query = searchparams.search_request(params, snippets=full)
        warnings = query.query.warnings
        result = searchparams.run(params, query)
        snippets = {hit.id: hit.snippet for hit in result.hits} if full else {}
        stems = query.query.stems()
        shown = [replace(entry, headline=_html(marked(typography(entry.headline), stems)),
                         snippet=_html(snippets[entry.id]) if snippets.get(entry.id) else
                         _html(marked(typography(plain_snippet(entry.snippet).text), stems)) if entry.snippet else "")
                 for entry in entries(load([hit.id for hit in result.hits]))]
    pages = max(1, -(-result.total // PER_PAGE)) if result else 1
    facets = {}  # counts that narrow the search, on the filters not chosen yet
    if result and not params.rubrique:
        facets["rubrique"] = [(slug, topics.get(slug, slug), n) for slug, n in result.facets.get("topics", [])[:FACETS_SHOWN]]
    if result and not params.categorie:
        facets["categorie"] = [(slug, CATEGORIES.get(slug, slug), n) for slug, n in result.facets.get("category", [])]
    return render_template("search.html", params=params, result=result, entries=shown, pages=pages,
                           warnings=warnings, facets=facets, topics=topics, search_q=params.q,
                           page_feeds=feed_links(f"Recherche « {params.q} »" if params.q else "Recherche",
                                                 "search_feed", **params.args(page=1)) if asked else None)


def _html(snippet) -> Markup:
    return Markup(render(snippet, "<mark>", "</mark>", escape=True))

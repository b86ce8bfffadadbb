"""Browsing by subject: the rubriques grouped by theme, each rubrique's items, each source
category's items (the Journal officiel's grouped by JO issue)."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Mapping

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import func, select

from ..bulletins.build import JO
from ..bulletins.wording import day_label
from ..catalog import CATEGORIES, Topic
from ..models import Item, ItemTopic
from . import searchparams
from .alternates import feed_links
from .context import db, error_page, veille
from .listing import BROWSE_PAGE, browse, entries

blueprint = Blueprint("rubriques", __name__)
NO_THEME = "Autres rubriques"
NAME_SHOWN = 60  # characters of an unknown name repeated in an error page


@blueprint.get("/rubriques/")
def index():
    # All, less the hidden ones: both counts read indexes only, never the items' rows.
    counts = Counter(dict(db().execute(select(ItemTopic.topic, func.count()).group_by(ItemTopic.topic)).all()))
    hidden = select(Item.id).where(Item.hidden_at.is_not(None))
    counts.subtract(dict(db().execute(select(ItemTopic.topic, func.count()).where(ItemTopic.item_id.in_(hidden))
                                      .group_by(ItemTopic.topic)).all()))
    themes = {theme: [(topic.slug, topic.label, counts.get(topic.slug, 0)) for topic in topics]
              for theme, topics in by_theme(veille("catalog").topics).items()}
    return render_template("rubriques.html", themes=themes, total=sum(len(t) for t in themes.values()))


def by_theme(topics: Mapping[str, Topic]) -> dict[str, list[Topic]]:
    """The rubriques grouped by theme in catalogue order, those without a theme last."""
    themes: dict[str, list[Topic]] = {}
    for topic in topics.values():
        themes.setdefault(topic.theme or NO_THEME, []).append(topic)
    if NO_THEME in themes:
        themes[NO_THEME] = themes.pop(NO_THEME)
    return themes


@blueprint.get("/rubriques/<slug>")
def rubrique(slug: str):
    topic = veille("catalog").topics.get(slug)
    if topic is None:
        return error_page(404, f"La rubrique « {slug[:NAME_SHOWN]} » n'existe pas : "
                               "voir la liste des rubriques (/rubriques/).")
    where = (Item.id.in_(select(ItemTopic.item_id).where(ItemTopic.topic == slug)),)
    return _listing(("rubrique", slug), where, topic.label, feed_links(topic.label, "topic_feed", slug=slug),
                    choose_category=True,
                    intro=f"Les textes et actualités classés dans la rubrique « {topic.label} », "
                          "les plus récents d'abord.")


@blueprint.get("/categories/<categorie>")
def category(categorie: str):
    label = CATEGORIES.get(categorie)
    if label is None:
        return error_page(404, f"La catégorie « {categorie[:NAME_SHOWN]} » n'existe pas "
                               f"(catégories : {', '.join(CATEGORIES)}).")
    return _listing(("categorie", categorie), (Item.category == categorie,), label,
                    feed_links(label, "category_feed", categorie=categorie), choose_category=False,
                    keep_ids=False,
                    intro=f"Les textes de la catégorie « {label} », les plus récents d'abord"
                          + (", par numéro du Journal officiel." if categorie == JO else "."))


def _listing(key: tuple, where: tuple, title: str, feeds: list[dict], choose_category: bool, intro: str,
             keep_ids: bool = True):
    try:
        params = searchparams.read(request.args)
    except searchparams.BadParameter as exc:
        return error_page(400, f"Filtre impossible : {exc}.")
    if not choose_category:
        params = replace(params, categorie=None)  # the page is that category's already
    items, total = browse(key, where, params, keep_ids=keep_ids)
    pages = max(1, -(-total // BROWSE_PAGE))
    def page_url(**changes) -> str:
        return url_for(request.endpoint, **request.view_args, **params.args(**changes))

    return render_template("listing.html", title=title, intro=intro, params=params, groups=_groups(items),
                           total=total, pages=pages, page_feeds=feeds, choose_category=choose_category,
                           page_url=page_url)


def _groups(items: list[Item]) -> list[tuple[str | None, list]]:
    """Items under their JO issue (« JORF n°0030 du 5 février 2026 ») when they have one; the
    others on their own, in the order given."""
    groups: list[tuple[str | None, list[Item]]] = []
    for item in items:
        heading = f"JORF n°{item.jo_number} du {day_label(item.jo_date)}" \
            if item.category == JO and item.jo_number and item.jo_date else None
        if groups and groups[-1][0] == heading:
            groups[-1][1].append(item)
        else:
            groups.append((heading, [item]))
    return [(heading, entries(group)) for heading, group in groups]

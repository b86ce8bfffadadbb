"""The page of one item ("fiche"): what the bulletins link to."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup
from flask import Blueprint, render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..bulletins.build import in_catalogue_order, reference, shown_headline, shown_summary
from ..catalog import CATEGORIES
from ..editorial import withdrawal_notice
from ..links import links_of
from ..models import Item
from ..text import sanitize_html
from ..urls import absolute_http_url
from .alternates import feed_links
from .context import db, error_page, veille

blueprint = Blueprint("articles", __name__)
ITEM_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
HEADING_RE = re.compile(r"h[1-6]")
LINK_HEADINGS = {"cites": "Textes cités", "cited-by": "Textes qui le citent", "same": "Sur le même sujet"}


@blueprint.get("/articles/<item_id>")
def article(item_id: str):
    item = db().scalar(select(Item).where(Item.id == item_id).options(
        selectinload(Item.topics), selectinload(Item.origins))) if ITEM_ID_RE.fullmatch(item_id) else None
    if item is None:
        return error_page(404, "Cet article n'existe pas dans l'archive : vérifiez l'adresse.")
    if item.hidden_at is not None:
        return error_page(410, withdrawal_notice(item))
    catalog, settings = veille("catalog"), veille("settings")
    source = catalog.sources.get(item.source_id)
    source_name = source.name if source else item.source_id
    shown, official_title = shown_headline(item)
    rank = {slug: position for position, slug in enumerate(catalog.topics)}
    topics = [(slug, catalog.topics[slug].label) for slug in in_catalogue_order(item.topic_slugs, rank)
              if slug in catalog.topics]
    category = CATEGORIES.get(item.category, item.category)
    feeds = [link for slug, label in topics for link in feed_links(label, "topic_feed", slug=slug)]
    if item.category in CATEGORIES:
        feeds += feed_links(category, "category_feed", categorie=item.category)
    also = sorted({catalog.sources[o.source_id].name if o.source_id in catalog.sources else o.source_id
                   for o in item.origins if o.source_id != item.source_id})
    return render_template(
        "article.html", item=item, headline=shown, official_title=official_title,
        source_name=source_name, also=also, topics=topics, page_feeds=feeds,
        reference=reference(item, source_name, settings.timezone),
        summary=shown_summary(item),
        content=Markup(for_page(sanitize_html(item.content_html))),  # stored clean; cleaned again on the way out
        official_url=absolute_http_url(item.url), related=_related(item.id))


def for_page(html: str) -> str:
    """A source's HTML fit for the item page: its headings below the page's own (h3 and lower),
    and its images as links (the page loads nothing from other sites: no tracking pixel)."""
    if not html:
        return ""
    soup = BeautifulSoup(html, "html.parser")
    for heading in soup.find_all(HEADING_RE):
        heading.name = f"h{min(int(heading.name[1]) + 2, 6)}"
    for image in soup.find_all("img"):
        source, text = image.get("src"), (image.get("alt") or "").strip()
        if source:
            link = soup.new_tag("a", href=source, rel="noopener noreferrer nofollow")
            link.string = f"[image\u00a0: {text}]" if text else "[image]"
            image.replace_with(link)
        else:
            image.decompose()
    return str(soup)


def _related(item_id: str) -> list[tuple[str, list]]:
    """Linked items still shown, under a heading per kind of link."""
    links = [link for link in links_of(db(), item_id) if not link.hidden]
    return [(heading, [link for link in links if link.kind == kind])
            for kind, heading in LINK_HEADINGS.items() if any(link.kind == kind for link in links)]

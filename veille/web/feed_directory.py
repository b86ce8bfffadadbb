"""Where readers find the feeds: the directory page `/flux/` and the OPML list of every feed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, render_template
from sqlalchemy import func, select

from ..catalog import CATEGORIES
from ..models import Item, ItemTopic
from .context import db, veille
from .syndication import xml_text

blueprint = Blueprint("feed_directory", __name__)
RECENT_DAYS = 30
OPML_TYPE = "text/x-opml; charset=utf-8"


@blueprint.get("/flux/")
def directory():
    since = datetime.now(timezone.utc) - timedelta(days=RECENT_DAYS)
    recent = select(Item.id).where(Item.fetched_at >= since, Item.hidden_at.is_(None))  # by ix_items_arrival
    counts = dict(db().execute(select(ItemTopic.topic, func.count()).where(ItemTopic.item_id.in_(recent))
                               .group_by(ItemTopic.topic)).all())
    topics = [(topic, counts.get(slug, 0)) for slug, topic in veille("catalog").topics.items()]
    return render_template("feeds.html", topics=topics, recent_days=RECENT_DAYS)


@blueprint.get("/flux/veille.opml")
def opml():
    """OPML 2.0: one outline per group (the whole watch, the categories, the rubriques), one
    feed per outline below it, as Thunderbird, FreshRSS and Miniflux import them."""
    settings = veille("settings")
    groups = [
        ("Veille", [("Toute la veille", "tout", "/"),
                    ("Entrées en vigueur des 7 prochains jours", "en-vigueur",
                     f"/en-vigueur/{datetime.now(settings.timezone):%Y/%m}")]),
        ("Catégories de sources", [(label, f"categories/{slug}", f"/categories/{slug}")
                                   for slug, label in CATEGORIES.items()]),
        ("Rubriques", [(topic.label, f"rubriques/{slug}", f"/rubriques/{slug}")
                       for slug, topic in veille("catalog").topics.items()]),
    ]
    site = settings.base_url
    body = render_template("feeds/opml.xml", site_name=xml_text(settings.mail_from_name), groups=[
        (title, [(xml_text(label), f"{site}/flux/{path}.rss", f"{site}{page}") for label, path, page in feeds])
        for title, feeds in groups])
    return Response(body, headers={"Content-Type": OPML_TYPE, "Cache-Control": "public, max-age=300",
                                   "Content-Disposition": 'inline; filename="veille.opml"'})

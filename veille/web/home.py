"""The home page: the latest editions and the latest items of the archive."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from ..bulletins.models import DAILY, WEEKLY, Edition
from ..models import Item
from .context import db
from .bulletins import edition_link

blueprint = Blueprint("home", __name__)
LATEST_ITEMS = 30


@blueprint.get("/")
def index():
    newest = [(kind, db().scalar(select(Edition.day).where(Edition.kind == kind).order_by(Edition.day.desc()).limit(1)))
              for kind in (DAILY, WEEKLY)]
    items = db().execute(select(Item.id, Item.title, Item.category, Item.published_at, Item.fetched_at)
                         .where(Item.hidden_at.is_(None)).order_by(Item.fetched_at.desc(), Item.id).limit(LATEST_ITEMS))
    return render_template("home.html", editions=[edition_link(kind, day) for kind, day in newest if day],
                           items=list(items))

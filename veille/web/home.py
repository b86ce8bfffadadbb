"""The home page: the latest editions and the latest items of the archive."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from ..bulletins.models import DAILY, WEEKLY, Edition
from ..bulletins.render import KIND_PATHS
from ..models import Item
from .app import db

blueprint = Blueprint("home", __name__)
LATEST_ITEMS = 30


@blueprint.get("/")
def index():
    def newest(kind: str) -> Edition | None:
        return db().scalar(select(Edition).where(Edition.kind == kind).order_by(Edition.day.desc()).limit(1))
    items = db().scalars(select(Item).where(Item.hidden_at.is_(None))
                         .order_by(Item.fetched_at.desc(), Item.id).limit(LATEST_ITEMS))
    return render_template("home.html", daily=newest(DAILY), weekly=newest(WEEKLY), items=list(items),
                           paths=KIND_PATHS)

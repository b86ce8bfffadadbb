"""The JSON API for integrators: items (keyset pages, stable while new items arrive), one item,
search with the parameters of `/recherche`, and the rubriques. Items have the fields of
`veille items --json`; errors are {"message": "…"} in French with their HTTP status.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, request
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..dates import start_of_day
from ..links import links_of
from ..models import Item, ItemOrigin, ItemTopic
from ..numbers import parse_int
from ..records import item_json
from . import searchparams
from .context import count_arg, db, error_page, json_response, veille
from .listing import topics_of
from .memo import per_version

blueprint = Blueprint("api", __name__, url_prefix="/api")
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
ITEM_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
CURSOR_RE = re.compile(r"([0-9]{1,18})\.([A-Za-z0-9_-]{1,64})")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
LAST_MOMENT = (datetime(9999, 12, 31, tzinfo=timezone.utc) - EPOCH) // timedelta(microseconds=1)


@blueprint.get("/items")
def items():
    """Visible items, last arrived first; `curseur` continues after the last item of a page."""
    params, limit = _read()
    query = select(Item.id).where(Item.hidden_at.is_(None))
    if params.rubrique:
        query = query.where(Item.id.in_(select(ItemTopic.item_id).where(ItemTopic.topic == params.rubrique)))
    if params.categorie:
        query = query.where(Item.category == params.categorie)
    when, tz = func.coalesce(Item.published_at, Item.fetched_at), veille("settings").timezone
    if params.depuis:  # published on or after that day, as `veille items --since`
        query = query.where(when >= start_of_day(params.depuis, tz))
    if params.jusqu:
        query = query.where(when < start_of_day(params.jusqu + timedelta(days=1), tz))
    cursor = request.args.get("curseur")
    after = _read_cursor(cursor) if cursor else None
    if params.rubrique and not (params.depuis or params.jusqu):
        found = _loaded(_arrived(query, (params.rubrique, params.categorie), after, limit + 1))
    else:
        if after:
            moment, item_id = after
            query = query.where(or_(Item.fetched_at < moment, and_(Item.fetched_at == moment, Item.id < item_id)))
        found = _loaded(db().scalars(query.order_by(Item.fetched_at.desc(), Item.id.desc()).limit(limit + 1)).all())
    page = found[:limit]
    following = _cursor(page[-1]) if len(found) > limit else None
    return json_response({"items": [item_json(item) for item in page], "next": following})


def _arrived(query, key: tuple, after: tuple[datetime, str] | None, count: int) -> list[str]:
    """The ids of the next `count` items of `query` (a rubrique's) arrived before `after`, last
    arrived first: its items in arrival order are read once per archive version from the indexes
    and kept (each page would otherwise sort thousands of them)."""
    arrivals = per_version("arrivals", key, lambda: [tuple(row) for row in db().execute(
        select(Item.fetched_at, Item.id).where(query.whereclause).order_by(Item.fetched_at, Item.id))])
    end = bisect_left(arrivals, after) if after else len(arrivals)
    return [item_id for _, item_id in reversed(arrivals[max(0, end - count):end])]


@dataclass(frozen=True)
class Record:
    """An item as item_json reads it, from plain rows: no ORM object to build per item."""
    id: str
    source_id: str
    category: str
    title: str
    url: str | None
    published_at: datetime | None
    fetched_at: datetime
    nature: str | None
    nor: str | None
    jorf_id: str | None
    eli: str | None
    jo_number: str | None
    jo_date: date | None
    effective_date: date | None
    hidden_at: datetime | None
    hidden_reason: str | None
    topic_slugs: list[str]
    origins: list  # rows with a source_id


RECORD_COLUMNS = (Item.id, Item.source_id, Item.category, Item.title, Item.url, Item.published_at, Item.fetched_at,
                  Item.nature, Item.nor, Item.jorf_id, Item.eli, Item.jo_number, Item.jo_date, Item.effective_date,
                  Item.hidden_at, Item.hidden_reason)


def _loaded(ids: list[str]) -> list[Record]:
    """These visible items, in the order of `ids`."""
    topics = topics_of(ids)
    origins: dict[str, list] = {}
    for row in db().execute(select(ItemOrigin.item_id, ItemOrigin.source_id).where(ItemOrigin.item_id.in_(ids))):
        origins.setdefault(row.item_id, []).append(row)
    found = {row.id: Record(*row, topics.get(row.id, []), origins.get(row.id, [])) for row in db().execute(
        select(*RECORD_COLUMNS).where(Item.id.in_(ids), Item.hidden_at.is_(None)))}
    return [found[item_id] for item_id in ids if item_id in found]


@blueprint.get("/items/<item_id>")
def item(item_id: str):
    """One item, with its links to other items (as `veille items --json`)."""
    found = db().scalar(select(Item).where(Item.id == item_id).options(
        selectinload(Item.topics), selectinload(Item.origins))) if ITEM_ID_RE.fullmatch(item_id) else None
    if found is None:
        return error_page(404, "Cet article n'existe pas dans l'archive : vérifiez son identifiant.")
    if found.hidden_at is not None:
        return error_page(410, "Cet article a été retiré par la rédaction.")
    record = item_json(found)
    record["links"] = [{"kind": link.kind, "id": link.item_id, "via": link.via} for link in links_of(db(), found.id)]
    return json_response(record)


@blueprint.get("/search")
def search():
    """The search of `/recherche`, page by page (`page`, `limit` results a page)."""
    params, limit = _read()
    result = searchparams.run(params, searchparams.search_request(params, per_page=limit, snippets=False))
    found = {item.id: item for item in _loaded([hit.id for hit in result.hits])}
    return json_response({
        "total": result.total, "page": params.page,
        "items": [item_json(found[hit.id]) for hit in result.hits if hit.id in found],
        "next": params.page + 1 if params.page * limit < result.total and params.page < searchparams.MAX_PAGE else None,
        "suggestion": result.suggestion,
        "facets": {"rubriques": dict(result.facets.get("topics", [])),
                   "categories": dict(result.facets.get("category", []))},
    })


@blueprint.get("/rubriques")
def topics():
    counts = dict(db().execute(select(ItemTopic.topic, func.count()).join(Item, Item.id == ItemTopic.item_id)
                               .where(Item.hidden_at.is_(None)).group_by(ItemTopic.topic)).all())
    base = veille("settings").base_url
    return json_response({"rubriques": [
        {"slug": slug, "label": topic.label, "items": counts.get(slug, 0),
         "rss": f"{base}/flux/rubriques/{slug}.rss", "atom": f"{base}/flux/rubriques/{slug}.atom"}
        for slug, topic in veille("catalog").topics.items()]})


@blueprint.errorhandler(searchparams.BadParameter)
def _bad_parameter(exc: searchparams.BadParameter):
    return error_page(400, f"{exc}.")


def _read() -> tuple[searchparams.SearchParams, int]:
    """The search parameters and the page size of this request; raises BadParameter."""
    params = searchparams.read(request.args)
    limit = count_arg("limit", DEFAULT_LIMIT, MAX_LIMIT)
    if limit is None:
        raise searchparams.BadParameter("limit", f"nombre entier de 1 à {MAX_LIMIT} attendu ({DEFAULT_LIMIT} par défaut)")
    return params, limit


def _cursor(item: Item) -> str:
    """Where the next page starts: the arrival time (microseconds) and id of the last item."""
    elapsed = item.fetched_at - EPOCH
    return f"{elapsed // timedelta(microseconds=1)}.{item.id}"


def _read_cursor(text: str) -> tuple[datetime, str]:
    match = CURSOR_RE.fullmatch(text)
    elapsed = parse_int(match.group(1), maximum=LAST_MOMENT) if match else None
    if elapsed is None:
        raise searchparams.BadParameter("curseur", "valeur invalide ; reprenez la valeur « next » de la page "
                                                   "précédente telle quelle")
    return EPOCH + timedelta(microseconds=elapsed), match.group(2)

"""Feeds out: RSS 2.0 and Atom 1.0 for each rubrique, each source category, everything, what
enters into force in the next 7 days, and a saved search. A conditional request costs one light query (the
feed's version) and no rendering; a feed already rendered for that version is served again.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import case, select
from werkzeug.http import http_date, is_resource_modified

from ..bulletins.build import JO
from ..catalog import CATEGORIES
from ..models import Item, ItemTopic
from . import searchparams
from .context import count_arg, db, error_page, veille
from .memo import Recent, per_version
from .syndication import Selection, catalogue_salt, load_entries, rfc822, rfc3339, version, xml_text

blueprint = Blueprint("feeds", __name__)
DEFAULT_ITEMS, MAX_ITEMS = 50, 200
CACHE_CONTROL = "public, max-age=300"
MEDIA_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}
FORMAT_RULE = "<any(rss, atom):fmt>"
IN_FORCE_DAYS = 7
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)  # the date of a feed that never held anything
SHOWN_NAME_MAX = 60  # characters of an unknown name repeated in an error page


@blueprint.get(f"/flux/rubriques/<slug>.{FORMAT_RULE}")
def topic_feed(slug: str, fmt: str):
    topic = veille("catalog").topics.get(slug)
    if topic is None:
        return error_page(404, f"La rubrique « {_shown(slug)} » n'existe pas. "
                               "La liste des rubriques et de leurs flux est sur la page Flux.")
    return serve(Selection(
        path=f"rubriques/{slug}", title=f"{_site()} – {topic.label}",
        description=f"Les derniers textes et actualités de la rubrique « {topic.label} ».",
        page=f"/rubriques/{slug}",
        where=_in_topic(slug)), fmt)


@lru_cache(maxsize=None)  # one per rubrique of the catalogue
def _in_topic(slug: str) -> tuple:
    """The items of a rubrique, as a feed's selection (built once: a 304 costs no SQL building)."""
    return (Item.id.in_(select(ItemTopic.item_id).where(ItemTopic.topic == slug)),)


@blueprint.get(f"/flux/categories/<categorie>.{FORMAT_RULE}")
def category_feed(categorie: str, fmt: str):
    label = CATEGORIES.get(categorie)
    if label is None:
        return error_page(404, f"La catégorie « {_shown(categorie)} » n'existe pas (catégories : "
                               f"{', '.join(CATEGORIES)}).")
    return serve(Selection(
        path=f"categories/{categorie}", title=f"{_site()} – {label}",
        description=f"Les derniers textes de la catégorie « {label} ».", page=f"/categories/{categorie}",
        where=(Item.category == categorie,)), fmt)


@blueprint.get(f"/flux/tout.{FORMAT_RULE}")
def everything_feed(fmt: str):
    return serve(Selection(path="tout", title=f"{_site()} – toute la veille",
                           description="Tous les textes et actualités reçus, les plus récents d'abord.", page="/"), fmt)


@blueprint.get(f"/flux/en-vigueur.{FORMAT_RULE}")
def in_force_feed(fmt: str):
    today = datetime.now(veille("settings").timezone).date()
    return serve(in_force_selection(today), fmt)


@blueprint.get(f"/flux/recherche.{FORMAT_RULE}")
def search_feed(fmt: str):
    """A saved search as a feed: the parameters of `/recherche`, newest first unless `tri`
    says otherwise; `n` items from `page` (1 by default)."""
    try:
        params = searchparams.read(request.args)
    except searchparams.BadParameter as exc:
        return error_page(400, f"Flux de recherche impossible : {exc}.")
    if not (params.q or params.filtered):
        return error_page(400, "Flux de recherche impossible : paramètre « q » : indiquez les mots à rechercher "
                               "(ou une rubrique, une catégorie, des dates).")
    n = count_arg("n", DEFAULT_ITEMS, MAX_ITEMS)
    if n is None:
        return bad_size()
    query = urlencode(params.args(page=params.page))  # the address as asked, canonical
    if not request.args.get("tri"):
        params = replace(params, tri="date")
    result = searchparams.run(params, searchparams.search_request(params, per_page=n, facets=False, snippets=False))
    ids = [hit.id for hit in result.hits]
    return serve(Selection(
        path="recherche", title=f"{_site()} – recherche « {params.q} »" if params.q else f"{_site()} – recherche",
        description=f"Les articles trouvés par la recherche « {params.q} »." if params.q
        else "Les articles trouvés par cette recherche.", page=f"/recherche?{query}",
        where=(Item.id.in_(ids),),
        order=(case({item_id: rank for rank, item_id in enumerate(ids)}, value=Item.id) if ids else Item.id,)),
        fmt, query)


def in_force_selection(today: date) -> Selection:
    """Texts entering into force from today to the 6th day after, day by day, JO texts first."""
    return Selection(
        path="en-vigueur", title=f"{_site()} – entrées en vigueur des {IN_FORCE_DAYS} prochains jours",
        description=f"Les textes qui entrent en vigueur dans les {IN_FORCE_DAYS} prochains jours.",
        page=f"/en-vigueur/{today:%Y/%m}",
        where=(Item.effective_date >= today, Item.effective_date < today + timedelta(days=IN_FORCE_DAYS)),
        order=(Item.effective_date, case((Item.category == JO, 0), else_=1), Item.id))


def serve(selection: Selection, fmt: str, query: str = ""):
    """The feed in `fmt`, or 304 when the client already holds this version. `query`: the
    canonical query string of the feed's address, if it has one."""
    n = count_arg("n", DEFAULT_ITEMS, MAX_ITEMS)
    if n is None:
        return bad_size()
    settings, catalog = veille("settings"), veille("catalog")
    salt = current_app.extensions.get("veille-feeds-salt")
    if salt is None:  # the catalogue and settings stay those of the app's start
        salt = current_app.extensions["veille-feeds-salt"] = catalogue_salt(catalog, settings.base_url, _site())
    current = _version(selection, n, salt + query, settings)
    headers = {"ETag": f'"{current.etag}"', "Cache-Control": CACHE_CONTROL}
    if current.last_modified:
        headers["Last-Modified"] = http_date(current.last_modified)
    if not is_resource_modified(request.environ, etag=current.etag, last_modified=current.last_modified):
        return Response(status=304, headers=headers)
    rendered = current_app.extensions.setdefault("veille-feeds", Recent())
    body = rendered.get((current.etag, fmt))
    if body is None:
        asked = "&".join(part for part in (query, f"n={n}" if n != DEFAULT_ITEMS else "") if part)
        address = f"{settings.base_url}/flux/{selection.path}.{fmt}" + (f"?{asked}" if asked else "")
        body = render_template(
            f"feeds/{fmt}.xml", feed=selection, title=xml_text(selection.title),
            description=xml_text(selection.description), site_name=xml_text(_site()), self_url=xml_text(address),
            site=settings.base_url, feed_id=feed_id(selection.path, query),
            updated=current.last_modified or EPOCH, tz=settings.timezone, rfc822=rfc822, rfc3339=rfc3339,
            entries=load_entries(db(), current.ids, catalog, settings.base_url, settings.timezone)).encode("utf-8")
        rendered.put((current.etag, fmt), body)
    return Response(body, headers={**headers, "Content-Type": MEDIA_TYPES[fmt]})


def _version(selection: Selection, n: int, salt: str, settings):
    """The feed's version, computed once per archive version (and day: « en vigueur » counts from
    today): after a crawl, the first reader of a feed pays its query, the others a key lookup."""
    key = (selection.path, selection.page, n, salt, datetime.now(settings.timezone).date())
    return per_version("feed", key, lambda: version(db(), selection, n, salt))


def feed_id(path: str, query: str) -> str:
    """The Atom id of a feed: its path, and for a search a digest of its canonical parameters."""
    digest = hashlib.sha256(query.encode("utf-8")).hexdigest()[:16] if query else ""
    return f"urn:veille:flux:{path}" + (f":{digest}" if digest else "")


def bad_size():
    return error_page(400, f"Le paramètre « n » doit être un nombre entier de 1 à {MAX_ITEMS} "
                           f"(nombre d'articles du flux, {DEFAULT_ITEMS} par défaut).")


def _site() -> str:
    return veille("settings").mail_from_name


def _shown(name: str) -> str:
    return name if len(name) <= SHOWN_NAME_MAX else name[:SHOWN_NAME_MAX - 1] + "…"

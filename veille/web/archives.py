"""Browsing by date: years and months, a month's calendar, a day's items by category (JO texts
under the date of their JO issue), and what enters into force day by day."""
from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import format_date
from flask import Blueprint, render_template
from sqlalchemy import and_, func, or_, select

from ..bulletins.build import JO
from ..bulletins.models import DAILY, Edition
from ..bulletins.wording import long_day
from ..catalog import CATEGORIES
from ..dates import start_of_day
from ..models import Item
from ..numbers import parse_int
from .alternates import feed_links
from .bulletins import edition_link
from .context import db, error_page, veille
from .listing import LISTED_AT, entries, load
from .memo import per_version

blueprint = Blueprint("archives", __name__)
YEAR_RE, TWO_DIGITS = re.compile(r"[0-9]{4}"), re.compile(r"[0-9]{2}")
FIRST_YEAR, LAST_YEAR = 1900, 2999
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
VISIBLE = Item.hidden_at.is_(None)
IN_FORCE_PER_DAY = 5  # a month holds hundreds of texts: each day lists its first five, its own page all


@lru_cache(maxsize=4096)
def month_name(year: int, month: int) -> str:
    """« février 2026 »."""
    return format_date(date(year, month, 1), "MMMM y", locale="fr_FR")


def _month(year: str, month: str) -> date | None:
    number = parse_int(year, FIRST_YEAR, LAST_YEAR) if YEAR_RE.fullmatch(year) else None
    moon = parse_int(month, 1, 12) if TWO_DIGITS.fullmatch(month) else None
    return date(number, moon, 1) if number and moon else None


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _day(year: str, month: str, day: str) -> date | None:
    first = _month(year, month)
    number = parse_int(day, 1, 31) if TWO_DIGITS.fullmatch(day) else None
    if first is None or number is None or number > calendar.monthrange(first.year, first.month)[1]:
        return None
    return first.replace(day=number)


def _bad_date(kind: str, example: str):
    return error_page(404, f"Adresse invalide : {kind} s'écrit {example}.")


def _dated(first: date, end: date):
    """Visible items of the days first..end (excluded): JO texts by their JO issue's date, the
    others by their local publication (or arrival) day."""
    tz = veille("settings").timezone
    return and_(VISIBLE, or_(
        and_(Item.jo_date.is_not(None), Item.jo_date >= first, Item.jo_date < end),
        and_(Item.jo_date.is_(None), LISTED_AT >= start_of_day(first, tz), LISTED_AT < start_of_day(end, tz))))


@blueprint.get("/archives/")
def index():
    years: dict[int, list] = {}
    for first, count in reversed(_month_counts()):
        if count:
            years.setdefault(first.year, []).append((first.month, month_name(first.year, first.month), count))
    return render_template("archives.html", years=years)


def _month_counts() -> list[tuple[date, int]]:
    """Each month from the oldest item to the newest, and how many items it holds: one count
    per month on the indexes (reading every item's date would read the whole table)."""
    tz = veille("settings").timezone
    bounds = db().execute(select(func.min(Item.jo_date), func.max(Item.jo_date)).where(VISIBLE)).one()
    moments = db().execute(select(func.min(LISTED_AT), func.max(LISTED_AT))
                           .where(VISIBLE, Item.jo_date.is_(None))).one()
    days = [day for day in (*bounds, *(m.astimezone(tz).date() for m in moments if m is not None)) if day]
    if not days:
        return []
    counts, month = [], min(days).replace(day=1)
    while month <= max(days):
        following = _next_month(month)
        counts.append((month, db().scalar(select(func.count()).select_from(Item).where(_dated(month, following)))))
        month = following
    return counts


@blueprint.get("/archives/<year>/<month>")
def month(year: str, month: str):
    first = _month(year, month)
    if first is None:
        return _bad_date("un mois", "/archives/AAAA/MM, par exemple /archives/2026/02")
    end = _next_month(first)
    counts = per_version("month", first, lambda: _day_counts(first, end))
    editions = set(db().scalars(select(Edition.day).where(Edition.kind == DAILY, Edition.day >= first,
                                                           Edition.day < end)))
    weeks = [[(day, counts.get(day, 0), day in editions) if day.month == first.month else None for day in week]
             for week in calendar.Calendar().monthdatescalendar(first.year, first.month)]
    return render_template("month.html", first=first, title=month_name(first.year, first.month).capitalize(),
                           weeks=weeks, weekdays=WEEKDAYS, total=sum(counts.values()),
                           previous=_previous_month(first), following=end)


def _day_counts(first: date, end: date) -> Counter:
    """The number of visible items of each day from `first` to `end` (excluded)."""
    tz = veille("settings").timezone
    return Counter(jo or listed.astimezone(tz).date()
                   for jo, listed in db().execute(select(Item.jo_date, LISTED_AT).where(_dated(first, end))))


@blueprint.get("/archives/<year>/<month>/<day>")
def day(year: str, month: str, day: str):
    chosen = _day(year, month, day)
    if chosen is None:
        return _bad_date("un jour", "/archives/AAAA/MM/JJ, par exemple /archives/2026/02/05")
    items = load(db().scalars(select(Item.id).where(_dated(chosen, chosen + timedelta(days=1)))
                              .order_by(LISTED_AT.desc(), Item.id)).all())
    by_category: dict[str, list] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    order = list(CATEGORIES)
    sections = [(CATEGORIES.get(c, c), entries(by_category[c]))
                for c in sorted(by_category, key=lambda c: order.index(c) if c in order else len(order))]
    edition = db().scalar(select(Edition.day).where(Edition.kind == DAILY, Edition.day == chosen))
    return render_template("day.html", chosen=chosen, sections=sections,
                           edition=edition_link(DAILY, edition) if edition else None,
                           previous=chosen - timedelta(days=1), following=chosen + timedelta(days=1))


@blueprint.get("/en-vigueur/<year>/<month>")
def in_force(year: str, month: str):
    first = _month(year, month)
    if first is None:
        return _bad_date("un mois", "/en-vigueur/AAAA/MM, par exemple /en-vigueur/2026/03")
    return _in_force(first, _next_month(first), IN_FORCE_PER_DAY, month_name(first.year, first.month),
                     previous=_previous_month(first), following=_next_month(first))


@blueprint.get("/en-vigueur/<year>/<month>/<day>")
def in_force_day(year: str, month: str, day: str):
    chosen = _day(year, month, day)
    if chosen is None:
        return _bad_date("un jour", "/en-vigueur/AAAA/MM/JJ, par exemple /en-vigueur/2026/03/01")
    return _in_force(chosen, chosen + timedelta(days=1), None, long_day(chosen), month=chosen.replace(day=1))


def _in_force(start: date, end: date, per_day: int | None, heading: str, **navigation):
    """The texts entering into force from `start` to `end`, day by day, JO texts first; with
    `per_day`, the first ones of each day and how many more its own page lists."""
    shown: dict[date, list[str]] = {}
    more: Counter = Counter()
    rows = db().execute(select(Item.id, Item.effective_date, Item.category, Item.title).where(
        VISIBLE, Item.effective_date >= start, Item.effective_date < end))
    for row in sorted(rows, key=lambda r: (r.effective_date, r.category != JO, r.title, r.id)):
        group = shown.setdefault(row.effective_date, [])
        if per_day is None or len(group) < per_day:
            group.append(row.id)
        else:
            more[row.effective_date] += 1
    loaded = {item.id: item for item in load([item_id for ids in shown.values() for item_id in ids])}
    return render_template("in_force.html", heading=heading, first=start.replace(day=1),
                           page_feeds=feed_links("Textes entrant en vigueur dans les 7 jours", "in_force_feed"),
                           days=[(day, entries([loaded[i] for i in ids]), more[day]) for day, ids in shown.items()],
                           **navigation)

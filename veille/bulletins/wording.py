"""French as the bulletins write it: dates and the no-break spaces of French typography."""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import format_date

from ..jo_issue import day_labels  # "23", "29 mars 2017": the JO issue line's day labels

NBSP = "\u00a0"
# A space before : ; ? ! » or after « becomes a no-break space; so does the space of "n° 12".
SPACE_BEFORE_RE = re.compile(r"[ \t]+(?=[:;?!»])")
SPACE_AFTER_RE = re.compile(r"(?<=[«°])[ \t]+")


def typography(text: str) -> str:
    """French spacing: "Objet : « test » !" with no-break spaces where a line must not break."""
    return SPACE_AFTER_RE.sub(NBSP, SPACE_BEFORE_RE.sub(NBSP, text))


@lru_cache(maxsize=16384)
def day_label(day: date) -> str:
    """"29 mars 2017", "1er avril 2017" (kept: a list page writes hundreds, each a Babel call)."""
    return day_labels([day])[0]


@lru_cache(maxsize=16384)
def long_day(day: date) -> str:
    """"mercredi 29 mars 2017", "samedi 1er avril 2017"."""
    return f"{format_date(day, 'EEEE', locale='fr_FR')} {day_label(day)}"


def week_span(monday: date) -> str:
    """"du 20 au 26 mars 2017", "du 27 mars au 2 avril 2017", "du 26 décembre 2016 au 1er janvier 2017"."""
    first, last = day_labels([monday, monday + timedelta(days=6)])
    return f"du {first} au {last}"


def daily_title(day: date) -> str:
    return f"L'actualité du {long_day(day)}"


def weekly_title(monday: date) -> str:
    return f"Récapitulatif de la semaine {week_span(monday)}"



"""Dates as French pages write them: "1er mars 2021 à 10 h 30", "04/02/2020", "2020-02-04"."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

from .dates import PARIS, plausible, plausible_date
from .text import fold

MAX_CHARS = 10_000  # a date sits near the start of what it dates; bound the scan on hostile text

# Folded spellings (lower case, no accents) and their usual abbreviations.
MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2,
    "mars": 3, "mar": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}
_MONTH_ALTERNATION = "|".join(sorted(MONTHS, key=len, reverse=True))  # "septembre" before "sept"
DAY_MONTH = rf"(?<![0-9])(?P<day>[0-9]{{1,2}})(?:\s?er)?\s?(?P<month>{_MONTH_ALTERNATION})(?![a-z])\.?\s?(?P<year>[0-9]{{4}})(?![0-9])"
NUMERIC = r"(?<![0-9])(?P<nday>[0-9]{1,2})(?P<sep>[/.-])(?P<nmonth>[0-9]{1,2})(?P=sep)(?P<nyear>[0-9]{4})(?![0-9])"
ISO = r"(?<![0-9])(?P<iyear>[0-9]{4})-(?P<imonth>[0-9]{2})-(?P<iday>[0-9]{2})(?![0-9])"
# "à 10h", "à 10 h 30", ", 14:05", "T14:05:00+01:00" (text is folded: "à" is "a", "T" is "t").
TIME = (r"(?:(?:\s?[,a-]\s?|\s|t)(?P<hour>[0-9]{1,2})\s?"
        r"(?:h(?:eures?)?(?![a-z])\s?(?P<hmin>[0-9]{2})?|:(?P<min>[0-9]{2})(?::(?P<sec>[0-9]{2}))?(?:[.,][0-9]+)?)"
        r"(?![0-9])(?:\s?(?P<zone>z|[+-][0-9]{2}:?[0-9]{2}))?)?")
DATE_RE = re.compile(rf"(?:{DAY_MONTH}|{NUMERIC}|{ISO}){TIME}")


def parse_french_date(text: str, *, tz: tzinfo = PARIS, now: datetime | None = None) -> datetime | None:
    """The first date in the text as an aware UTC datetime (midnight in `tz` without a time).

    None when there is none, and for sentinels and dates after `now` + 2 days: a page
    cannot have published something in the future.
    """
    for match in _matches(text):
        day = _day(match)
        if day is not None:
            return plausible(_moment(match, day, tz).astimezone(timezone.utc), now)
    return None


def parse_french_day(text: str) -> date | None:
    """The first calendar date in the text, time ignored."""
    for match in _matches(text):
        day = _day(match)
        if day is not None:
            return plausible_date(day)
    return None


def _matches(text: str):
    if not text:
        return iter(())
    # One space between words keeps the optional-space patterns linear on hostile input.
    return DATE_RE.finditer(" ".join(fold(text[:MAX_CHARS]).split()))


def _day(match: re.Match) -> date | None:
    if match["day"]:
        parts = match["year"], MONTHS[match["month"]], match["day"]
    elif match["nday"]:
        parts = match["nyear"], match["nmonth"], match["nday"]
    else:
        parts = match["iyear"], match["imonth"], match["iday"]
    try:
        return date(*(int(part) for part in parts))
    except ValueError:  # 31/02/2020
        return None


def _moment(match: re.Match, day: date, tz: tzinfo) -> datetime:
    clock = _clock(match)
    zone = _zone(match["zone"]) if clock and match["zone"] else None
    return datetime(day.year, day.month, day.day, *(clock or (0, 0, 0)), tzinfo=zone or tz)


def _clock(match: re.Match) -> tuple[int, int, int] | None:
    if match["hour"] is None:
        return None
    hour, minute = int(match["hour"]), int(match["hmin"] or match["min"] or 0)
    second = int(match["sec"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None  # "25h": keep the day, drop the time
    return hour, minute, second


def _zone(raw: str) -> timezone | None:
    if raw == "z":
        return timezone.utc
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if raw[0] == "-" else offset)

"""Entry-into-force dates read from French legal text ("entre en vigueur le 1er janvier 2022")."""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Callable

from .dates import plausible_date
from .numbers import parse_int
from .text import fold

MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
          "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}
NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
           "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "trente": 30}
ORDINALS = {"second": 2, "deuxieme": 2, "troisieme": 3, "quatrieme": 4, "sixieme": 6}

# Everything below reads text already folded: lower case, no accents, one space between words.
DATE_RE = re.compile(r"(?<![0-9])(1 ?er|premier|[0-3]?[0-9]) (" + "|".join(MONTHS) + r") ([0-9]{4})\b")
PUBLICATION = r"(?:sa|leur|la) publication"
# Strong phrases first: "s'applique à compter du…" only counts when no text says "entre en vigueur".
TRIGGERS = (
    re.compile(r"entre(?:nt|ra|ront)? en vigueur|(?:prend|prendra|prendront|prennent) effet|entree en vigueur ?:"
               r"|^(?=(?:a compter|a partir) du )"),
    re.compile(r"s'appliqu(?:e|ent|era|eront)\b|(?:est|sont|sera|seront) applicables?\b"),
)
CLAUSE_END_RE = re.compile(r"\.(?:\s|$)|;")
CLAUSE_CHARS = 200
VAGUE_RE = re.compile(r"au plus tard|au plus tot|fixees? par|date fixee")
NEXT_DAY_RE = re.compile(rf"lendemain (?:du jour )?de {PUBLICATION}|jour suivant (?:celui de )?{PUBLICATION}")
SAME_DAY_RE = re.compile(rf"(?:des|le jour de|a la date de|a compter de(?: la date de)?) {PUBLICATION}")
MONTH_START_RE = re.compile(
    r"(?:premier|1 ?er) jour du (?:(" + "|".join(ORDINALS) + r") )?mois "
    rf"(?:suivant|qui suit) (?:celui de |la date de )?{PUBLICATION}")
DELAY_RE = re.compile(
    r"(?<![0-9])([0-9]{1,3}|" + "|".join(NUMBERS) + r") (jours?|mois|ans?) "
    rf"(?:apres|a compter de|suivant) (?:la date de )?{PUBLICATION}")


def _fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces (no-break spaces included)."""
    folded = fold(text).replace("\u2019", "'").replace("`", "'").replace("\u02bc", "'")
    return " ".join(folded.split())


def french_date(text: str) -> date | None:
    """The first date written in words in `text`: "29 mars 2017", "1er août 2021"."""
    match = DATE_RE.search(_fold(text or ""))
    return _absolute(match, None) if match else None


def find_effective_date(text: str, published: date | None) -> date | None:
    """The date the text says it enters into force; None when nothing clear is said.

    Dates relative to publication ("le lendemain de sa publication") need `published`.
    """
    folded = _fold(text or "")
    for trigger_re in TRIGGERS:
        for trigger in trigger_re.finditer(folded):
            window = folded[trigger.end(): trigger.end() + CLAUSE_CHARS]
            found = _clause_date(CLAUSE_END_RE.split(window, maxsplit=1)[0], published)
            if found is not None:
                return found
    return None


def _clause_date(clause: str, published: date | None) -> date | None:
    if VAGUE_RE.search(clause):
        return None
    matches = [(match, resolve) for regex, resolve in READINGS if (match := regex.search(clause))]
    if not matches:
        return None
    match, resolve = min(matches, key=lambda pair: pair[0].start())
    return plausible_date(resolve(match, published))


def _absolute(match: re.Match, _published: date | None) -> date | None:
    day = parse_int(match.group(1))
    day = 1 if day is None else day  # "1er", "premier"
    try:
        return plausible_date(date(int(match.group(3)), MONTHS[match.group(2)], day))
    except ValueError:  # 31 février
        return None


def _next_day(_match: re.Match, published: date | None) -> date | None:
    return published + timedelta(days=1) if published else None


def _same_day(_match: re.Match, published: date | None) -> date | None:
    return published


def _month_start(match: re.Match, published: date | None) -> date | None:
    if published is None:
        return None
    return add_months(published.replace(day=1), ORDINALS.get(match.group(1) or "", 1))


def _delay(match: re.Match, published: date | None) -> date | None:
    if published is None:
        return None
    count = parse_int(match.group(1))
    count = NUMBERS[match.group(1)] if count is None else count
    unit = match.group(2)
    if unit.startswith("jour"):
        return published + timedelta(days=count)
    return add_months(published, count * (12 if unit.startswith("an") else 1))


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the end of a shorter month (31 mars + 1 -> 30 avril)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


READINGS: tuple[tuple[re.Pattern, Callable[[re.Match, date | None], date | None]], ...] = (
    (DATE_RE, _absolute),
    (NEXT_DAY_RE, _next_day),
    (SAME_DAY_RE, _same_day),
    (MONTH_START_RE, _month_start),
    (DELAY_RE, _delay),
)

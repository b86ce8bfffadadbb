"""A Journal officiel issue, and how a bulletin names issues and days: « JOURNAL OFFICIEL n°75
du 29 mars 2017 », « 30 juin, 1er juillet 2017 » (read by the JORF reader, the bulletins and the
crawl's notes)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date

NUMBER_RE = re.compile(r"[0-9]{1,6}")  # bounded: int() of a hostile 5 000-digit string raises


@dataclass
class JoIssue:
    id: str
    number: str
    date: date | None
    title: str
    entries: list[tuple[str, str]] = field(default_factory=list)  # (sommaire path, JORFTEXT id)


def issue_line(issues: list[JoIssue]) -> str:
    """"JOURNAL OFFICIEL n°75 du 29 mars 2017", "JOURNAUX OFFICIELS n°s 147 et 148 des 24 et 25 juin 2017"."""
    ordered = sorted(issues, key=lambda issue: (issue.date or date.max, issue.number))
    if not ordered:
        return ""
    numbers = _join([str(int(i.number)) if NUMBER_RE.fullmatch(i.number) else i.number for i in ordered])
    line = ("JOURNAL OFFICIEL n°" if len(ordered) == 1 else "JOURNAUX OFFICIELS n°s ") + numbers
    days = sorted({issue.date for issue in ordered if issue.date})
    if days:
        line += (" du " if len(days) == 1 else " des ") + _join(day_labels(days))
    return line


def day_labels(days: list[date]) -> list[str]:
    """Each day says only what the next one does not: "30 juin", then "1er juillet 2017"."""
    labels = []
    for day, following in zip(days, days[1:] + [None]):
        number = "1er" if day.day == 1 else str(day.day)
        if following and (following.year, following.month) == (day.year, day.month):
            labels.append(number)
        elif following and following.year == day.year:
            labels.append(f"{number} {format_date(day, 'MMMM', locale='fr_FR')}")
        else:
            labels.append(f"{number} {format_date(day, 'MMMM y', locale='fr_FR')}")
    return labels


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]

"""Dates as official sources write them, to aware UTC datetimes."""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# Go's time.String(): "2020-12-31 08:54:22.70 +0100 CET m=+298.32"
GO_RE = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.[0-9]+)?\s+([+-][0-9]{4})(?:\s+[A-Z]{2,5})?(?:\s+m=[+-][0-9.]+)?$")
NO_DATE_YEARS = (2999, 2222)  # DILA sentinels for "no date" and "deferred"


def parse_datetime(raw: str | None, fallback: time.struct_time | None = None,
                   naive_zone: ZoneInfo = PARIS) -> datetime | None:
    """The first reading that works: Go format, RFC 822, ISO 8601, then feedparser's guess."""
    value = _read(raw.strip(), naive_zone) if raw and raw.strip() else None
    if value is None and fallback is not None:
        value = datetime(*fallback[:6], tzinfo=timezone.utc)
    return plausible(value)


def _read(raw: str, naive_zone: ZoneInfo) -> datetime | None:
    match = GO_RE.match(raw)
    if match:
        raw = f"{match.group(1)}T{match.group(2)}{match.group(3)}"
    value = None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_zone)
    return value.astimezone(timezone.utc)


def plausible(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """None for sentinels and dates far in the future or before 1900."""
    if value is None:
        return None
    now = now or datetime.now(timezone.utc)
    if value.year in NO_DATE_YEARS or value.year < 1900 or value > now + timedelta(days=2):
        return None
    return value


def plausible_date(value: date | None) -> date | None:
    if value is None or value.year in NO_DATE_YEARS or value.year < 1900:
        return None
    return value


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The aware UTC moment `day` begins in the time zone `tz`."""
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(timezone.utc)

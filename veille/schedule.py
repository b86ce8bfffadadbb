"""When to check a source next: pure decisions over plain values."""
from __future__ import annotations

from datetime import datetime, timedelta

MAX_BACKOFF = timedelta(hours=12)
MIN_RETRY = timedelta(minutes=5)


def next_after_success(now: datetime, interval: timedelta) -> datetime:
    return now + interval


def next_after_failure(now: datetime, interval: timedelta, failures: int,
                       retry_after: float | None = None) -> datetime:
    """Exponential backoff from the interval, capped, never sooner than the server asked."""
    step = max(min(interval, timedelta(hours=1)), MIN_RETRY)
    delay = min(step * (2 ** max(failures - 1, 0)), max(MAX_BACKOFF, interval))
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=min(retry_after, 7 * 24 * 3600)))
    return now + delay


def is_due(next_check_at: datetime | None, now: datetime) -> bool:
    return next_check_at is None or next_check_at <= now

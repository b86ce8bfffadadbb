"""A source fallen silent: nothing new for longer than its expected period, judged from the
gaps between its recent items. Pure."""
from __future__ import annotations

from datetime import datetime, timedelta

SILENT_FLOOR = timedelta(days=2)  # no source is called silent sooner
SILENT_FACTOR = 3  # ...nor before three times its usual gap between new items
RECENT_ITEMS = 10  # how many of its latest arrivals tell its usual pace


def silent(arrivals: list[datetime], now: datetime) -> bool:
    """Nothing new for longer than its expected period (from the gaps between its recent items)."""
    if len(arrivals) < 3:
        return False
    usual = (arrivals[0] - arrivals[-1]) / (len(arrivals) - 1)
    return now - arrivals[0] > max(SILENT_FACTOR * usual, SILENT_FLOOR)

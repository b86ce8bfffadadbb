"""Template filters: French dates in the configured time zone and French typography."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup, escape

from ..bulletins.wording import day_label, long_day, typography


def install(env: Environment, tz: ZoneInfo) -> None:
    def moment(value: datetime) -> str:
        """"mercredi 29 mars 2017 à 07:05" in the configured time zone; the day alone at midnight
        (sources that give a date without a time)."""
        local = value.astimezone(tz)
        if local.time() == time.min:
            return long_day(local.date())
        return f"{long_day(local.date())} à {local:%H:%M}"

    def local_day(value: datetime | date) -> str:
        """"29 mars 2017": the day of a moment in the configured time zone, or a date."""
        return day_label(value.astimezone(tz).date() if isinstance(value, datetime) else value)

    def shown(value) -> Markup:
        """Text of a list with French typography, or HTML already marked safe as it is."""
        return value if hasattr(value, "__html__") else escape(typography(value))

    env.filters.update(fr=typography, day=local_day, long_day=long_day, moment=moment, shown=shown)

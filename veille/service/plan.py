"""Which edition is due now: a pure decision over the clock, the settings and what the database
says about each edition. The scheduler only rings the bell; this decides.

An edition is due on its own local day, from its time until 23:59, and stays due until it is
built and (when mail is sent) every subscriber's message has left: a process started late that
day catches up, once. The next day it is not sent any more; the next daily edition's window
starts where the last built one ended, so no item is lost. Editions are keyed by local date (the
daily) or by the Monday of the week covered (the weekly), so the days when clocks change give one
edition each, whatever the wall clock does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from ..bulletins.build import monday_of
from ..bulletins.models import DAILY, WEEKLY
from ..config import Settings

REPAIR_AT = {"hour": 3, "minute": 40}  # the nightly index check, local time


@dataclass(frozen=True)
class Schedule:
    timezone: ZoneInfo
    daily_time: time
    daily_days: frozenset[int]  # 0: Monday
    weekly_weekday: int
    weekly_time: time

    @classmethod
    def from_settings(cls, settings: Settings) -> "Schedule":
        return cls(settings.timezone, settings.daily_time, settings.daily_days,
                   settings.weekly_weekday, settings.weekly_time)


@dataclass(frozen=True)
class Due:
    kind: str
    day: date  # the daily edition's local date; the weekly recap's Monday


@dataclass(frozen=True)
class EditionState:
    built: bool
    unsent: int = 0  # messages not yet delivered: pending or in flight
    unqueued: int = 0  # subscribers who should receive it and have no message yet

    def finished(self, sending: bool) -> bool:
        return self.built and (not sending or (self.unsent == 0 and self.unqueued == 0))


def due_now(now: datetime, schedule: Schedule) -> list[Due]:
    """The editions whose moment has come today (local time)."""
    local = now.astimezone(schedule.timezone)
    today, clock = local.date(), local.time()
    due = []
    if local.weekday() in schedule.daily_days and clock >= schedule.daily_time:
        due.append(Due(DAILY, today))
    if local.weekday() == schedule.weekly_weekday and clock >= schedule.weekly_time:
        due.append(Due(WEEKLY, monday_of(today - timedelta(days=1))))  # the week of the day before
    return due


def plan(now: datetime, schedule: Schedule, state_of: Callable[[Due], EditionState], sending: bool) -> list[Due]:
    """The due editions still to build or to send."""
    return [due for due in due_now(now, schedule) if not state_of(due).finished(sending)]


def next_moments(now: datetime, schedule: Schedule) -> dict[str, datetime]:
    """When each kind of edition is next due (aware, local time), for `veille status`."""
    local = now.astimezone(schedule.timezone)
    moments = {}
    for kind, days, at in ((DAILY, schedule.daily_days, schedule.daily_time),
                           (WEEKLY, frozenset({schedule.weekly_weekday}), schedule.weekly_time)):
        for ahead in range(8):
            day = local.date() + timedelta(days=ahead)
            moment = datetime.combine(day, at, tzinfo=schedule.timezone)
            if day.weekday() in days and moment > local:
                moments[kind] = moment
                break
    return moments

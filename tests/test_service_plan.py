"""The plan of `veille run`, by time travel: which edition is due at each moment, given what the
database says. Pure: an injected clock, a dictionary standing for the database."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from veille.config import parse_days
from veille.service.plan import Due, EditionState, Schedule, due_now, next_moments, plan

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = Schedule(PARIS, time(6, 30), parse_days("lun-ven"), 0, time(7, 0))


def at(text: str) -> datetime:
    """A Paris wall-clock time, as the aware UTC instant the clock would give."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(timezone.utc)


class Archive:
    """What the database would say: editions built, and whether every message left."""

    def __init__(self):
        self.states: dict[Due, EditionState] = {}

    def state_of(self, due: Due) -> EditionState:
        return self.states.get(due, EditionState(built=False))

    def run(self, now: datetime, schedule: Schedule = WEEKDAYS) -> list[Due]:
        """One bell ring: what the plan says to do, then done (built and fully sent)."""
        todo = plan(now, schedule, self.state_of, sending=True)
        for due in todo:
            self.states[due] = EditionState(built=True)
        return todo


def daily(day: str) -> Due:
    return Due("daily", date.fromisoformat(day))


def test_weekday_at_0630_and_only_once():
    archive = Archive()
    assert archive.run(at("2026-12-02T06:29:59")) == []  # a Wednesday
    assert archive.run(at("2026-12-02T06:30")) == [daily("2026-12-02")]
    assert archive.run(at("2026-12-02T06:31")) == []
    assert archive.run(at("2026-12-02T18:00")) == []


def test_not_on_saturday_unless_every_day():
    assert due_now(at("2026-12-05T06:30"), WEEKDAYS) == []
    every_day = Schedule(PARIS, time(6, 30), parse_days("tous"), 0, time(7, 0))
    assert due_now(at("2026-12-05T06:30"), every_day) == [daily("2026-12-05")]
    assert due_now(at("2026-12-06T06:30"), every_day) == [daily("2026-12-06")]


def test_weekly_on_monday_at_0700_covers_the_week_just_ended():
    archive = Archive()
    assert archive.run(at("2026-11-30T06:59")) == [daily("2026-11-30")]
    assert archive.run(at("2026-11-30T07:00")) == [Due("weekly", date(2026, 11, 23))]
    assert archive.run(at("2026-11-30T07:05")) == []
    assert due_now(at("2026-12-01T07:00"), WEEKDAYS) == [daily("2026-12-01")]  # Tuesday: no recap


def test_weekly_on_friday_covers_the_current_week():
    friday = Schedule(PARIS, time(6, 30), parse_days("lun-ven"), 4, time(16, 0))
    assert Due("weekly", date(2026, 11, 30)) in due_now(at("2026-12-04T16:00"), friday)


def test_started_at_0629_waits_for_0630():
    archive = Archive()
    assert archive.run(at("2026-12-02T06:29")) == []
    assert archive.run(at("2026-12-02T06:30:30")) == [daily("2026-12-02")]


def test_started_at_0631_catches_up_once():
    archive = Archive()
    assert archive.run(at("2026-12-02T06:31")) == [daily("2026-12-02")]
    assert archive.run(at("2026-12-02T06:36")) == []


def test_started_at_2359_still_sends_that_days_edition():
    assert Archive().run(at("2026-12-02T23:59")) == [daily("2026-12-02")]


def test_after_midnight_yesterdays_edition_is_not_sent():
    archive = Archive()  # down from Tuesday evening to Wednesday 00:01
    assert archive.run(at("2026-12-02T00:01")) == []
    assert archive.run(at("2026-12-02T06:29")) == []
    assert archive.run(at("2026-12-02T06:30")) == [daily("2026-12-02")]  # Tuesday's never


def test_unfinished_edition_stays_due_until_sent():
    archive = Archive()
    archive.states[daily("2026-12-02")] = EditionState(built=True, unsent=3)
    assert archive.run(at("2026-12-02T07:00")) == [daily("2026-12-02")]
    archive.states[daily("2026-12-02")] = EditionState(built=True, unqueued=1)  # subscribed since
    assert plan(at("2026-12-02T07:01"), WEEKDAYS, archive.state_of, sending=True) == [daily("2026-12-02")]
    # without mail, building it is all there is to do
    assert plan(at("2026-12-02T07:01"), WEEKDAYS, archive.state_of, sending=False) == []


def ring_every_minute(day_start: str, schedule: Schedule) -> list[tuple[Due, datetime]]:
    """A process ringing the bell every minute of a whole local day (in UTC steps, so that the
    hour that repeats in October is rung twice and the one skipped in March not at all)."""
    archive, done = Archive(), []
    start = at(day_start)
    end = datetime.combine(start.astimezone(PARIS).date() + timedelta(days=1), time.min, tzinfo=PARIS)
    now = start
    while now < end:
        done += [(due, now) for due in archive.run(now, schedule)]
        now += timedelta(minutes=1)
    return done


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25"])  # the last Sundays of March and October
@pytest.mark.parametrize("moment", [time(2, 30), time(6, 30), time(0, 0), time(23, 59)])
def test_clock_changes_give_exactly_one_edition(day, moment):
    schedule = Schedule(PARIS, moment, parse_days("tous"), 6, moment)
    done = ring_every_minute(f"{day}T00:00", schedule)
    sunday = date.fromisoformat(day)
    assert sorted((due.kind, due.day) for due, _ in done) == [  # one daily, one recap: never twice
        ("daily", sunday), ("weekly", sunday - timedelta(days=6))]
    when = done[0][1].astimezone(PARIS)
    if moment == time(2, 30) and day == "2026-03-29":
        assert when.time() == time(3, 0)  # 02:30 does not exist that day: sent as soon as it has passed
    else:
        assert when.time() == moment


def test_next_moments_for_status():
    moments = next_moments(at("2026-12-04T07:00"), WEEKDAYS)  # a Friday, after the daily edition
    assert moments["daily"] == datetime(2026, 12, 7, 6, 30, tzinfo=PARIS)
    assert moments["weekly"] == datetime(2026, 12, 7, 7, 0, tzinfo=PARIS)

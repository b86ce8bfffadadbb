"""APScheduler wiring only: which job runs when. What each job does is in jobs.py, and whether
an edition is due is decided by plan.py: the scheduler only rings the bell."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .jobs import Jobs
from .logs import recorded
from .plan import REPAIR_AT

ALERT_TICKS = 5  # the problems are looked for every five ticks
GRACE_SECONDS = 25.0  # how long a stop waits for the running jobs


@dataclass
class Running:
    """The scheduler of this process, as /healthz and `veille status` see it."""
    scheduler: BackgroundScheduler
    jobs: Jobs
    tick: float
    started: datetime
    busy: set[str] = field(default_factory=set)  # the jobs running now

    def alive(self, now: datetime) -> bool:
        """Running, and its crawl tick came recently (or is running now)."""
        last = self.jobs.last_crawl or self.started
        return self.scheduler.running and now - last <= self.stale_after()

    def stale_after(self) -> timedelta:
        return max(timedelta(seconds=3 * self.tick), timedelta(minutes=5))

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}


def start(jobs: Jobs, tick: float) -> Running:
    """Every tick (a minute): crawl the due sources (with a little jitter), build and send what
    is due, index what is new; every five ticks: alerts; each night: check and repair the index.
    A job never overlaps itself."""
    tz = jobs.settings.timezone
    scheduler = BackgroundScheduler(timezone=tz, executors={"default": ThreadPoolExecutor(4)},
                                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    running = Running(scheduler, jobs, tick, datetime.now(timezone.utc))
    now = datetime.now(tz)

    def add(name: str, trigger, first: datetime | None = None) -> None:
        scheduler.add_job(_tracked(running.busy, name, recorded(name, getattr(jobs, name))), trigger, id=name,
                          next_run_time=first)

    add("crawl", IntervalTrigger(seconds=tick, jitter=max(1, int(tick / 10)), timezone=tz), now)
    add("bulletins", IntervalTrigger(seconds=tick, timezone=tz), now)
    add("index", IntervalTrigger(seconds=tick, timezone=tz), now + timedelta(seconds=tick / 2))
    add("alerts", IntervalTrigger(seconds=ALERT_TICKS * tick, timezone=tz), now + timedelta(seconds=tick))
    add("repair", CronTrigger(**REPAIR_AT, timezone=tz))
    scheduler.start()
    return running


def _tracked(busy: set[str], name: str, job: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        busy.add(name)
        try:
            job()
        finally:
            busy.discard(name)
    return run


def stop(running: Running, grace: float = GRACE_SECONDS) -> bool:
    """No new job starts; the running ones see `jobs.stop` and end at their next safe point.
    False when some are still running after `grace` seconds."""
    running.jobs.stop.set()
    running.scheduler.shutdown(wait=False)
    deadline = time.monotonic() + grace
    while running.busy and time.monotonic() < deadline:
        time.sleep(0.1)
    return not running.busy

"""APScheduler wiring only: which job runs when. What each job does is in jobs.py, and whether
an edition is due is decided by plan.py: the scheduler only rings the bell."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .jobs import Jobs
from .logs import recorded
from .plan import REPAIR_AT

ALERT_TICKS = 5  # the problems are looked for every five ticks


@dataclass
class Running:
    """The scheduler of this process, as /healthz and `veille status` see it."""
    scheduler: BackgroundScheduler
    jobs: Jobs
    tick: float
    started: datetime

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
    is due, index what is new; each night: check and repair the index. A job never overlaps itself."""
    tz = jobs.settings.timezone
    scheduler = BackgroundScheduler(timezone=tz, executors={"default": ThreadPoolExecutor(4)},
                                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    now = datetime.now(tz)
    every_tick = IntervalTrigger(seconds=tick, timezone=tz)
    scheduler.add_job(recorded("crawl", jobs.crawl), IntervalTrigger(seconds=tick, jitter=max(1, int(tick / 10)),
                                                                     timezone=tz), id="crawl", next_run_time=now)
    scheduler.add_job(recorded("bulletins", jobs.bulletins), every_tick, id="bulletins", next_run_time=now)
    scheduler.add_job(recorded("index", jobs.index), every_tick, id="index",
                      next_run_time=now + timedelta(seconds=tick / 2))
    scheduler.add_job(recorded("repair", jobs.repair), CronTrigger(**REPAIR_AT, timezone=tz), id="repair")
    scheduler.add_job(recorded("alerts", jobs.alerts), IntervalTrigger(seconds=ALERT_TICKS * tick, timezone=tz),
                      id="alerts", next_run_time=now + timedelta(seconds=tick))
    scheduler.start()
    return Running(scheduler, jobs, tick, datetime.now(timezone.utc))


def stop(running: Running) -> None:
    """No new job starts; the running ones see `jobs.stop` and end at their next safe point."""
    running.jobs.stop.set()
    running.scheduler.shutdown(wait=True)

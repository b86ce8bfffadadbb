"""Sending threads: each takes the next message of a batch, composes it and sends it on its own
SMTP connection (`VEILLE_SMTP_CONNECTIONS` of them), all paced together by VEILLE_SMTP_RATE."""
from __future__ import annotations

import queue
import threading
import time
from typing import Callable, Iterable, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


class Pacer:
    """At most `rate` messages a second, whichever thread sends them."""

    def __init__(self, rate: float, sleep: Callable[[float], None]):
        self.interval = 1 / rate if rate else 0.0
        self.sleep = sleep
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        if at > now:
            self.sleep(at - now)


class Workers:
    """`count` threads that run `work` on the jobs of each batch; used as a context manager."""

    def __init__(self, count: int, work: Callable[[Job], Result]):
        self.work = work
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._run, name=f"smtp-{n}", daemon=True) for n in range(count)]

    def __enter__(self) -> "Workers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                self.results.put((job, self.work(job), None))
            except BaseException as exc:  # handed back to the caller's thread, never lost here
                self.results.put((job, None, exc))

    def map(self, jobs: Iterable[Job]) -> list[tuple[Job, Result | None, BaseException | None]]:
        """Run every job; (job, result, exception it raised) in the order the jobs were given."""
        jobs = list(jobs)
        for job in jobs:
            self.jobs.put(job)
        done = {}
        for _ in jobs:
            job, result, exc = self.results.get()
            done[id(job)] = (job, result, exc)
        return [done[id(job)] for job in jobs]

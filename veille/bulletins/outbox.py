"""Delivery of an edition through the outbox: one row per (edition, subscriber), its state
written as it changes, so that a crash or restart resumes where it stopped.

At-least-once: a row is marked "sending" before its SMTP transaction and "sent" right after.
A row found "sending" was in flight when the process died; it is sent again, with the same
Message-ID. See the README for why this and not at-most-once.
"""
from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..plural import count
from .build import reader_topics, seen
from .content import EditionContent
from .mail import DeliveryError, SmtpFatal
from .models import DAILY, FAILED, PENDING, SENDING, SENT, SKIPPED, Edition, OutboxMessage, Subscriber
from .subscribers import AddressError

BATCH = 500
NOTHING_NEW = "rien de nouveau dans ses rubriques"
UNSUBSCRIBED = "adresse désactivée avant l'envoi"
STOPPED = "arrêt demandé"


@dataclass(frozen=True)
class Policy:
    rate: float  # messages per second; 0: no limit
    retry_period: timedelta  # temporary failures are retried this long after a message's first attempt
    bounce_limit: int  # permanent failures in a row that disable an address

    def backoff(self, failures: int) -> timedelta:
        """1/32 of the retry period, doubling, at most a quarter of it: about seven tries in all."""
        return min(self.retry_period / 32 * 2 ** (failures - 1), self.retry_period / 4)


@dataclass
class Summary:
    """What this run did (a second run that sends nothing says 0 sent), and what is left."""
    sent: int = 0
    skipped: int = 0  # queued in this run with nothing new in their rubriques
    unsubscribed: int = 0  # disabled between queueing and sending
    failed: int = 0
    pending: int = 0  # left for a later run
    sent_before: int = 0  # by earlier runs
    resumed: int = 0  # in flight when a previous run stopped: sent again
    failures: list[tuple[str, str]] = field(default_factory=list)  # (address, why) in this run
    stopped: str | None = None  # why this run stopped with messages still pending


class SendBusy(Exception):
    """Another process is sending this edition."""


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """One sender per edition at a time: the recovery of "sending" rows relies on it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SendBusy("un autre envoi de cette édition est en cours") from None
        yield


def enqueue(session: Session, edition: Edition, content: EditionContent, subscribers: list[Subscriber],
            send_empty: bool, now: datetime) -> int:
    """An outbox row for each subscriber without one; skipped at once when a daily edition holds
    nothing in their rubriques (unless `send_empty`). Returns how many were skipped so."""
    known = set(session.scalars(select(OutboxMessage.subscriber_id).where(OutboxMessage.edition_id == edition.id)))
    skipped = 0
    for subscriber in subscribers:
        if subscriber.id in known:
            continue
        empty = content.kind == DAILY and not send_empty and not seen(content, reader_topics(subscriber.topics, content))
        session.add(OutboxMessage(edition_id=edition.id, subscriber_id=subscriber.id, email=subscriber.delivery_address,
                                  state=SKIPPED if empty else PENDING, attempts=0, created_at=now,
                                  last_error=NOTHING_NEW if empty else None))
        skipped += empty
    session.flush()
    return skipped


def pending_count(session: Session, edition_id: int) -> int:
    return _count(session, edition_id, PENDING, SENDING)


class _Pacer:
    """At most `rate` messages a second."""

    def __init__(self, rate: float, sleep: Callable[[float], None]):
        self.interval = 1 / rate if rate else 0.0
        self.sleep = sleep
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            self.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def deliver(factory: sessionmaker[Session], edition_id: int, compose: Callable[[OutboxMessage, Subscriber], bytes],
            send: Callable[[str, bytes], None], policy: Policy, clock: Callable[[], datetime],
            sleep: Callable[[float], None] = time.sleep,
            on_done: Callable[[OutboxMessage], None] | None = None,
            stopping: Callable[[], bool] = lambda: False,
            on_wait: Callable[[str, datetime, datetime], None] | None = None) -> Summary:
    """Send every pending message of an edition, retrying temporary failures with backoff.

    `compose(row, subscriber)` gives the message bytes; `send(address, data)` delivers them or
    raises DeliveryError or SmtpFatal. When `stopping()` turns true the message being sent is
    finished and the run stops, the others left pending. While the server cannot be reached,
    `on_wait(reason, retry_at, give_up_at)` says so before each pause. Returns this run's figures.
    """
    summary = Summary()
    with factory() as session, session.begin():
        summary.resumed = session.execute(update(OutboxMessage).where(
            OutboxMessage.edition_id == edition_id, OutboxMessage.state == SENDING).values(state=PENDING)).rowcount
        summary.sent_before = _count(session, edition_id, SENT)
    run = _Run(factory, edition_id, compose, send, policy, clock, sleep, on_done, summary, stopping, on_wait)
    run.loop()
    with factory() as session:
        summary.pending = pending_count(session, edition_id)
    return summary


def _count(session: Session, edition_id: int, *states: str) -> int:
    return session.scalar(select(func.count()).where(OutboxMessage.edition_id == edition_id,
                                                     OutboxMessage.state.in_(states)))


@dataclass
class _Run:
    factory: sessionmaker[Session]
    edition_id: int
    compose: Callable[[OutboxMessage, Subscriber], bytes]
    send: Callable[[str, bytes], None]
    policy: Policy
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    on_done: Callable[[OutboxMessage], None] | None
    summary: Summary
    stopping: Callable[[], bool]
    on_wait: Callable[[str, datetime, datetime], None] | None = None

    def __post_init__(self):
        self.started = self.clock()
        self.pacer = _Pacer(self.policy.rate, self.sleep)
        self.connection_failures = 0

    def loop(self) -> None:
        while not self._stopped():
            now = self.clock()
            with self.factory() as session:
                due = session.scalars(self._pending().where(or_(
                    OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
                    .order_by(OutboxMessage.id).limit(BATCH)).all()
                upcoming = None if due else session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.edition_id == self.edition_id, OutboxMessage.state == PENDING))
            if not due:
                if upcoming is None:
                    return
                self.sleep(max((upcoming - now).total_seconds(), 0.0))
                continue
            for row_id in due:
                if self._stopped():
                    return
                if not self._one(row_id):
                    if self.summary.stopped:
                        return
                    break  # the connection failed: wait, then look again at what is due

    def _stopped(self) -> bool:
        if self.stopping():
            self.summary.stopped = STOPPED
        return self.summary.stopped == STOPPED

    def _pending(self):
        return select(OutboxMessage.id).where(OutboxMessage.edition_id == self.edition_id,
                                              OutboxMessage.state == PENDING)

    def _one(self, row_id: int) -> bool:
        """Deliver one row; False when the server could not be reached."""
        with self.factory() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.state != PENDING:
                return True
            subscriber = session.get(Subscriber, row.subscriber_id)
            if subscriber.disabled_at is not None:  # unsubscribed, or bounced, since the row was queued
                row.state, row.last_error = SKIPPED, UNSUBSCRIBED
                session.commit()
                self._tally(row)
                return True
            now = self.clock()
            row.state, row.first_attempt_at = SENDING, row.first_attempt_at or now
            session.commit()  # durable before the SMTP transaction starts
            try:
                data = self.compose(row, subscriber)
                self.pacer.wait()
                self.send(row.email, data)
            except AddressError as exc:
                self._give_up(row, str(exc))
            except SmtpFatal:
                row.state = PENDING
                session.commit()
                raise
            except DeliveryError as exc:
                if exc.connection:  # not this message's fault: its retry period has not started
                    row.state = PENDING
                    row.first_attempt_at = row.first_attempt_at if row.attempts else None
                    session.commit()
                    return self._pause(str(exc))
                if exc.temporary:
                    self._retry(row, str(exc))
                else:
                    self._bounce(row, subscriber, str(exc))
            else:
                row.state, row.sent_at, row.last_error = SENT, self.clock(), None
                subscriber.bounces = 0
                self.connection_failures = 0
            session.commit()
            if row.state != PENDING:
                self._tally(row)
            return True

    def _tally(self, row: OutboxMessage) -> None:
        if row.state == SENT:
            self.summary.sent += 1
        elif row.state == FAILED:
            self.summary.failed += 1
        else:
            self.summary.unsubscribed += 1
        if self.on_done:
            self.on_done(row)

    def _pause(self, reason: str) -> bool:
        """The server is unreachable: wait longer each time, until the retry period of this run ends."""
        self.connection_failures += 1
        pause = self.policy.backoff(self.connection_failures)
        now, give_up = self.clock(), self.started + self.policy.retry_period
        if now + pause > give_up:
            self.summary.stopped = reason
        else:
            if self.on_wait:
                self.on_wait(reason, now + pause, give_up)
            self.sleep(pause.total_seconds())
        return False

    def _retry(self, row: OutboxMessage, reason: str) -> None:
        now = self.clock()
        row.attempts += 1
        if now - row.first_attempt_at >= self.policy.retry_period:
            self._give_up(row, f"{reason} ; abandon après {row.attempts} essais")
        else:
            row.state, row.last_error = PENDING, reason
            row.next_attempt_at = now + self.policy.backoff(row.attempts)

    def _bounce(self, row: OutboxMessage, subscriber: Subscriber, reason: str) -> None:
        row.attempts += 1
        self._give_up(row, reason)
        subscriber.bounces += 1
        if subscriber.bounces >= self.policy.bounce_limit and subscriber.disabled_at is None:
            subscriber.disabled_at = self.clock()
            subscriber.disabled_reason = f"{count(subscriber.bounces, 'rejet définitif')}, le dernier : {reason}"

    def _give_up(self, row: OutboxMessage, reason: str) -> None:
        row.state, row.last_error = FAILED, reason
        self.summary.failures.append((row.email, reason))

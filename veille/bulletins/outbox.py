"""Delivery of an edition through the outbox: one row per (edition, subscriber), its state
written as it changes, so that a crash or restart resumes where it stopped.

At-least-once: a row is marked "sending" before its SMTP transaction and "sent" right after.
A batch is read and written in a few statements (no ORM object per message): one query claims
its rows with their subscribers, one marks them, and what became of them is written together.
A row found "sending" was in flight when the process died; it is sent again, with the same
Message-ID. See the README for why this and not at-most-once.

On PostgreSQL several senders share an edition's outbox: each batch of rows is claimed with
`FOR UPDATE SKIP LOCKED` and stays locked, "sending" uncommitted, until its results are written;
a sender that dies releases its rows, still pending, to the others. On SQLite one sender at a
time (`exclusive`) commits "sending" before the SMTP transactions.
"""
from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Callable, Collection, Iterable, Iterator

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from ..db import OUTBOX_LOCKS, shares_rows
from ..plural import count
from .batch import MESSAGE_COLUMNS, RECIPIENT_COLUMNS, Message, Recipient, write
from .build import reader_topics, seen
from .content import EditionContent
from .mail import DeliveryError, SmtpFatal
from .models import DAILY, FAILED, PENDING, SENDING, SENT, SKIPPED, Edition, OutboxMessage, Subscriber
from .subscribers import AddressError
from .workers import Pacer, Workers

BATCH = 100  # rows claimed, sent and written together
NOTHING_NEW = "rien de nouveau dans ses rubriques"
UNSUBSCRIBED = "adresse désactivée avant l'envoi"
STOPPED = "arrêt demandé"


@dataclass(frozen=True)
class Policy:
    rate: float  # messages per second; 0: no limit
    retry_period: timedelta  # temporary failures are retried this long after a message's first attempt
    bounce_limit: int  # permanent failures in a row that disable an address
    connections: int = 1  # SMTP connections sending at once (VEILLE_SMTP_CONNECTIONS)

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


@dataclass(frozen=True)
class Deferred:
    """Messages refused for now for one reason, waiting for their next try."""
    reason: str
    messages: int
    retry_at: datetime  # the first of their next tries

    def said(self, timezone: tzinfo) -> str:
        """« 2 messages différés : « destinataire refusé (451 …) » ; nouvel essai à 06:31:04. »"""
        return (f"{count(self.messages, 'message différé')} : « {self.reason} » ; "
                f"nouvel essai à {self.retry_at.astimezone(timezone):%H:%M:%S}.")


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


def enqueue(session: Session, edition: Edition, content: EditionContent, subscribers: Iterable[Subscriber],
            send_empty: bool, now: datetime, alerted: Collection[int] = ()) -> int:
    """An outbox row for each subscriber without one; skipped at once when a daily edition holds
    nothing in their rubriques and nothing in their alerts (`alerted`: the subscribers' ids who
    have some), unless `send_empty`. Returns how many were skipped so."""
    if shares_rows(session.get_bind()):  # one sender queues an edition at a time, the others wait
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": OUTBOX_LOCKS, "key": edition.id})
    known = set(session.scalars(select(OutboxMessage.subscriber_id).where(OutboxMessage.edition_id == edition.id)))
    empty_for: dict[frozenset[str] | None, bool] = {}  # by set of rubriques: most readers share one
    rows: list[dict] = []
    skipped = 0
    for subscriber in subscribers:
        if subscriber.id in known:
            continue
        wanted = reader_topics(subscriber.topics, content)
        if wanted not in empty_for:
            empty_for[wanted] = content.kind == DAILY and not send_empty and not seen(content, wanted)
        empty = empty_for[wanted] and subscriber.id not in alerted
        rows.append(dict(edition_id=edition.id, subscriber_id=subscriber.id, email=subscriber.delivery_address,
                         state=SKIPPED if empty else PENDING, attempts=0, created_at=now,
                         last_error=NOTHING_NEW if empty else None))
        skipped += empty
        if len(rows) == BATCH * 10:
            session.execute(insert(OutboxMessage), rows)
            rows = []
    if rows:
        session.execute(insert(OutboxMessage), rows)
    return skipped


def pending_count(session: Session, edition_id: int) -> int:
    return _count(session, edition_id, PENDING, SENDING)


def deliver(factory: sessionmaker[Session], edition_id: int, compose: Callable[[Message, Recipient], bytes],
            send: Callable[[str, bytes], None], policy: Policy, clock: Callable[[], datetime],
            sleep: Callable[[float], None] = time.sleep,
            on_done: Callable[[Message], None] | None = None,
            stopping: Callable[[], bool] = lambda: False,
            on_wait: Callable[[str, datetime, datetime], None] | None = None,
            on_defer: Callable[[list[Deferred]], None] | None = None) -> Summary:
    """Send every pending message of an edition, retrying temporary failures with backoff.

    `compose(row, subscriber)` gives the message bytes; `send(address, data)` delivers them or
    raises DeliveryError or SmtpFatal. When `stopping()` turns true the message being sent is
    finished and the run stops, the others left pending. While the server cannot be reached,
    `on_wait(reason, retry_at, give_up_at)` says so before each pause; when every message left
    waits for its next try after a temporary refusal, `on_defer` gets how many wait and why
    before the run waits for the first. Returns this run's figures.
    """
    summary = Summary()
    with factory() as session, session.begin():
        in_flight = select(OutboxMessage.id).where(OutboxMessage.edition_id == edition_id,
                                                   OutboxMessage.state == SENDING).with_for_update(skip_locked=True)
        summary.resumed = session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(in_flight))
                                          .values(state=PENDING)).rowcount
        summary.sent_before = _count(session, edition_id, SENT)
    run = _Run(factory, edition_id, compose, send, policy, clock, sleep, on_done, summary, stopping, on_wait, on_defer)
    run.loop()
    with factory() as session:
        summary.pending = _left(session, edition_id) if run.shared else pending_count(session, edition_id)
    return summary


def _left(session: Session, edition_id: int) -> int:
    """The messages still to send that no other sender holds now."""
    return len(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.edition_id == edition_id, OutboxMessage.state.in_((PENDING, SENDING)))
        .with_for_update(skip_locked=True)).all())


def _count(session: Session, edition_id: int, *states: str) -> int:
    return session.scalar(select(func.count()).where(OutboxMessage.edition_id == edition_id,
                                                     OutboxMessage.state.in_(states)))


# What became of one message in a batch.
SENT_NOW, UNTRIED, UNREACHABLE, TEMPORARY, PERMANENT, BAD_ADDRESS, FATAL = (
    "sent", "untried", "unreachable", "temporary", "permanent", "bad address", "fatal")


@dataclass
class _Run:
    factory: sessionmaker[Session]
    edition_id: int
    compose: Callable[[Message, Recipient], bytes]
    send: Callable[[str, bytes], None]
    policy: Policy
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    on_done: Callable[[Message], None] | None
    summary: Summary
    stopping: Callable[[], bool]
    on_wait: Callable[[str, datetime, datetime], None] | None = None
    on_defer: Callable[[list[Deferred]], None] | None = None

    def __post_init__(self):
        self.started = self.clock()
        self.pacer = Pacer(self.policy.rate, self.sleep)
        self.connection_failures = 0
        self.halted = False  # the server cannot be reached, or sending cannot work: send no more of this batch
        self.shared = shares_rows(self.factory.kw["bind"])

    def loop(self) -> None:
        with Workers(self.policy.connections, self._attempt) as workers:
            while not self._stopped():
                now = self.clock()
                with self.factory(expire_on_commit=False) as session:
                    found, batch = self._claim(session, now)
                    upcoming = None if found else session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(
                        OutboxMessage.edition_id == self.edition_id, OutboxMessage.state == PENDING))
                    if upcoming is not None and self.on_defer:
                        self.on_defer(self._deferred(session, now))
                    unreachable = self._record(session, workers.map(batch)) if batch else None
                if not found:
                    if upcoming is None:
                        return
                    self.sleep(max((upcoming - now).total_seconds(), 0.0))
                elif unreachable:
                    self._pause(unreachable)  # then look again at what is due
                    if self.summary.stopped:
                        return

    def _deferred(self, session: Session, now: datetime) -> list[Deferred]:
        return [Deferred(reason, messages, retry_at) for reason, messages, retry_at in session.execute(
            select(OutboxMessage.last_error, func.count(), func.min(OutboxMessage.next_attempt_at))
            .where(OutboxMessage.edition_id == self.edition_id, OutboxMessage.state == PENDING,
                   OutboxMessage.next_attempt_at > now)
            .group_by(OutboxMessage.last_error).order_by(func.count().desc(), OutboxMessage.last_error))]

    def _stopped(self) -> bool:
        if self.stopping():
            self.summary.stopped = STOPPED
        return self.summary.stopped == STOPPED

    def _claim(self, session: Session, now: datetime) -> tuple[bool, list[tuple[Message, Recipient]]]:
        """The next due rows that no other sender holds, marked "sending" (durably, before any SMTP
        transaction starts, on SQLite; on PostgreSQL kept locked until `_record`); the rows of
        subscribers disabled since they were queued are skipped instead. False when no row was due."""
        self.halted = False
        claimed, skipped = [], []
        for found in session.execute(
                select(*MESSAGE_COLUMNS, *RECIPIENT_COLUMNS)
                .join(Subscriber, Subscriber.id == OutboxMessage.subscriber_id)
                .where(OutboxMessage.edition_id == self.edition_id, OutboxMessage.state == PENDING,
                       or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
                .order_by(OutboxMessage.id).limit(BATCH).with_for_update(skip_locked=True, of=OutboxMessage)):
            row, subscriber = Message(*found[:len(MESSAGE_COLUMNS)]), Recipient(*found[len(MESSAGE_COLUMNS):])
            if subscriber.disabled_at is not None:  # unsubscribed, or bounced, since the row was queued
                row.state, row.last_error = SKIPPED, UNSUBSCRIBED
                skipped.append(row)
            else:
                row.state, row.first_attempt_at = SENDING, row.first_attempt_at or now
                claimed.append((row, subscriber))
        write(session, [row for row, _ in claimed] + skipped)
        if not (self.shared and claimed):  # on PostgreSQL the rows stay locked until their results are written
            session.commit()
        for row in skipped:
            self._tally(row)
        return bool(claimed or skipped), claimed

    def _attempt(self, job: tuple[Message, Recipient]) -> tuple[str, object]:
        """Send one message (in a sending thread): what became of it, and the detail."""
        row, subscriber = job
        if self.halted or self._stopped():
            return UNTRIED, None
        try:
            data = self.compose(row, subscriber)
            self.pacer.wait()
            self.send(row.email, data)
        except AddressError as exc:
            return BAD_ADDRESS, str(exc)
        except SmtpFatal as exc:
            self.halted = True
            return FATAL, exc
        except DeliveryError as exc:
            if exc.connection:  # not this message's fault: its retry period has not started
                self.halted = True
                return UNREACHABLE, str(exc)
            return (TEMPORARY if exc.temporary else PERMANENT), str(exc)
        return SENT_NOW, self.clock()

    def _record(self, session: Session, done: list) -> str | None:
        """Write what became of a batch in one transaction; the reason the server could not be
        reached, if it could not. SmtpFatal, or what a sending thread raised, is raised again once
        the batch is written: the rows it left "sending" are sent again by the next run."""
        unreachable, failure, delivered, bounced = None, None, [], {}
        for (row, subscriber), result, exc in done:
            outcome, detail = result or (None, exc)
            if outcome in (None, FATAL):
                failure = failure or detail
                if outcome == FATAL:
                    row.state = PENDING
            elif outcome == SENT_NOW:
                row.state, row.sent_at, row.last_error = SENT, detail, None
                delivered.append(subscriber.id)
                self.connection_failures = 0
            elif outcome in (UNTRIED, UNREACHABLE):
                row.state = PENDING
                row.first_attempt_at = row.first_attempt_at if row.attempts else None
                unreachable = unreachable or (detail if outcome == UNREACHABLE else None)
            elif outcome == TEMPORARY:
                self._retry(row, detail)
            elif outcome == PERMANENT:
                bounced[subscriber.id] = self._bounce(row, subscriber, detail)
            else:
                self._give_up(row, detail)
        write(session, [row for (row, _), _, _ in done])
        if delivered:  # a delivery resets the count of bounces in a row
            session.execute(update(Subscriber).where(Subscriber.id.in_(delivered), Subscriber.bounces != 0)
                            .values(bounces=0).execution_options(synchronize_session=False))
        if bounced:
            session.execute(update(Subscriber), list(bounced.values()))
        session.commit()
        for (row, _), _, _ in done:
            if row.state not in (PENDING, SENDING):
                self._tally(row)
        if failure is not None:
            raise failure
        return unreachable

    def _tally(self, row: Message) -> None:
        if row.state == SENT:
            self.summary.sent += 1
        elif row.state == FAILED:
            self.summary.failed += 1
        else:
            self.summary.unsubscribed += 1
        if self.on_done:
            self.on_done(row)

    def _pause(self, reason: str) -> None:
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

    def _retry(self, row: Message, reason: str) -> None:
        now = self.clock()
        row.attempts += 1
        if now - row.first_attempt_at >= self.policy.retry_period:
            self._give_up(row, f"{reason} ; abandon après {row.attempts} essais")
        else:
            row.state, row.last_error = PENDING, reason
            row.next_attempt_at = now + self.policy.backoff(row.attempts)

    def _bounce(self, row: Message, subscriber: Recipient, reason: str) -> dict:
        """The subscriber's new count of bounces, and whether it disables the address."""
        row.attempts += 1
        self._give_up(row, reason)
        bounces = subscriber.bounces + 1
        if bounces >= self.policy.bounce_limit and subscriber.disabled_at is None:
            return dict(id=subscriber.id, bounces=bounces, disabled_at=self.clock(),
                        disabled_reason=f"{count(bounces, 'rejet définitif')}, le dernier : {reason}")
        return dict(id=subscriber.id, bounces=bounces)

    def _give_up(self, row: Message, reason: str) -> None:
        row.state, row.last_error = FAILED, reason
        self.summary.failures.append((row.email, reason))

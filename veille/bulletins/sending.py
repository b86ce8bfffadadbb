"""Sending one edition: a message queued for each subscriber who should receive it, then
delivered through VEILLE_SMTP_CONNECTIONS SMTP connections at once, with one sender per edition
at a time on SQLite and as many as wanted on PostgreSQL. Shared by `veille bulletin send` and
`veille run`."""
from __future__ import annotations

import time
from contextlib import nullcontext
from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from ..accounts.organisations import licensed_members
from ..config import Settings
from ..crawl import utcnow
from ..db import shares_rows, transaction
from . import subscribers as subscriber_store
from .content import AlertSection, EditionContent
from .mail import Transports
from .mailsettings import MailSettings
from .message import composer
from .models import DAILY, Edition
from .batch import Message
from .outbox import Deferred, Summary, deliver, enqueue, exclusive, pending_count


def send_edition(settings: Settings, factory: sessionmaker[Session], mail: MailSettings, edition_id: int,
                 content: EditionContent, *, on_start: Callable[[int], None] | None = None,
                 on_done: Callable[[Message], None] | None = None,
                 on_wait: Callable[[str, datetime, datetime], None] | None = None,
                 on_defer: Callable[[list[Deferred]], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 stopping: Callable[[], bool] = lambda: False) -> Summary:
    """Queue and deliver; SendBusy when another process sends this edition, SmtpFatal when
    sending cannot work until the configuration changes. `on_start` gets how many are to go;
    `on_wait(reason, retry_at, give_up_at)` is called when the SMTP server cannot be reached,
    `on_defer` when the run waits for messages refused for now (outbox.deliver)."""
    shared = shares_rows(factory.kw["bind"])  # PostgreSQL: senders share the outbox row by row
    with nullcontext() if shared else exclusive(settings.home / "locks" / f"bulletin-{edition_id}.lock"):
        alerts = personal_alerts(settings, factory, edition_id, content) if content.kind == DAILY else {}
        with transaction(factory) as session:
            skipped = enqueue(session, session.get(Edition, edition_id), content,
                              subscriber_store.receiving(session, content.kind), settings.daily_when_empty == "send",
                              utcnow(), alerted=alerts.keys())
        if on_start:
            with factory() as session:
                on_start(pending_count(session, edition_id))
        with factory() as session:
            members = licensed_members(session, utcnow().astimezone(settings.timezone).date())
        sender = mail.sender
        with Transports(mail.smtp) as transports:
            def send(to: str, data: bytes) -> None:  # the composer's messages have no line starting with a dot
                transports.send(sender.address, to, data, dot_free=True)
            summary = deliver(factory, edition_id, composer(content, sender, mail.links, alerts, members), send,
                              mail.policy, utcnow, sleep=sleep, on_done=on_done, on_wait=on_wait, on_defer=on_defer,
                              stopping=stopping)
    summary.skipped = skipped
    return summary


def personal_alerts(settings: Settings, factory: sessionmaker[Session], edition_id: int,
                    content: EditionContent) -> dict[int, tuple[AlertSection, ...]]:
    """« Vos alertes » of each subscriber who has some in this daily edition: the readers' alerts
    are matched against it first (once: a resumed sending finds the same), on an index brought
    up to date with the archive."""
    from ..catalog import load_catalog
    from ..personal import alerts
    from ..search import open_backend
    from ..search.indexer import index_pending

    with factory() as session:
        waiting = alerts.unmatched(session, edition_id)
    if waiting:
        index_pending(settings, factory)
        index = open_backend(settings)
        try:
            with transaction(factory) as session:
                alerts.match_edition(session, session.get(Edition, edition_id), content, index,
                                     load_catalog(settings.feeds_path).topics, settings.timezone)
        finally:
            index.close()
    with factory() as session:
        return alerts.sections(session, session.get(Edition, edition_id), content)

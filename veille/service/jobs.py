"""What `veille run` does, one method per job; each returns its counts for the log line.

Every job reads the state it needs from the database, so that a restart, or a second process
(`veille crawl`, `veille bulletin send`), never makes it do a thing twice.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..bulletins import subscribers as subscriber_store
from ..bulletins.editions import EditionError, build, content_of, find
from ..bulletins.mail import DeliveryError, SmtpFatal, Transport
from ..bulletins.mailsettings import MailSettings
from ..bulletins.models import PENDING, SENDING, OutboxMessage
from ..bulletins.outbox import SendBusy
from ..bulletins.pdfcache import prepare
from ..bulletins.sending import send_edition
from ..catalog import Catalog, CatalogInvalid, load_catalog
from ..config import Settings
from ..crawl import ERROR, crawl, utcnow
from ..db import transaction
from ..fetch import Fetcher
from ..search.indexer import IndexBusy, check, index_pending
from .alerts import Memory, compose, decide, problems_now
from .plan import Due, EditionState, Schedule, plan

log = logging.getLogger("veille.service")


class JobFailed(Exception):
    """An expected failure (bad feeds.yaml, SMTP refused…): logged in one line, no traceback."""


class CatalogKeeper:
    """feeds.yaml read again when it changes; while it has errors, the last good one is kept
    and the errors are logged once."""

    def __init__(self, path: Path):
        self.path = path
        self.good: Catalog | None = None
        self._seen: tuple | None = None
        self._error: str | None = None

    def current(self) -> Catalog:
        try:
            stat = self.path.stat()
            seen = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            seen = None
        if seen is not None and seen == self._seen and (self.good or self._error):
            return self._current()
        self._seen = seen
        try:
            self.good = load_catalog(self.path)
        except CatalogInvalid as exc:
            self._error = "; ".join(str(error) for error in exc.errors)
            kept = "la dernière version valide reste en service" if self.good else "aucune source n'est relevée"
            log.error("feeds.yaml contient des erreurs, %s : %s", kept, self._error)
            return self._current()
        if self._error:
            log.info("feeds.yaml corrigé : %d sources", len(self.good.sources))
        self._error = None
        return self.good

    def _current(self) -> Catalog:
        if self.good is None:
            raise JobFailed(f"feeds.yaml inutilisable : {self._error}")
        return self.good


@dataclass
class Jobs:
    settings: Settings
    factory: sessionmaker[Session]
    mail: MailSettings | None  # None: bulletins are built, not mailed
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self):
        self.catalogs = CatalogKeeper(self.settings.feeds_path)
        self.schedule = Schedule.from_settings(self.settings)
        self.last_crawl: datetime | None = None  # when the last crawl tick ended
        self.events: list[str] = []  # for the next alert run: what happened once (an index repair)

    def crawl(self) -> dict:
        catalog = self.catalogs.current()
        with Fetcher() as fetcher:
            outcomes = crawl(catalog, self.factory, fetcher, due=True, stopping=self.stop.is_set)
        self.last_crawl = self.clock()
        failed = sum(1 for outcome in outcomes if outcome.status == ERROR)
        return {"sources": len(outcomes), "nouveaux": sum(o.new for o in outcomes),
                "mis à jour": sum(o.updated for o in outcomes), "en erreur": failed}

    def index(self) -> dict:
        return {"indexés": index_pending(self.settings, self.factory, wait=0)}

    def repair(self) -> dict:
        try:
            report = check(self.settings, self.factory, repair=True)
        except IndexBusy as exc:
            raise JobFailed(str(exc)) from None
        fixed = len(report.missing) + len(report.stale) + len(report.extra)
        if fixed:
            self.events.append(f"l'index de recherche a dû être réparé cette nuit : {fixed} différence(s) "
                               "avec l'archive corrigée(s)")
        return {"indexés": report.applied, "absents": len(report.missing), "périmés": len(report.stale),
                "en trop": len(report.extra)}

    def alerts(self) -> dict:
        """Tell VEILLE_ADMIN_EMAILS what goes wrong, once a day, and when it is fixed."""
        now = self.clock()
        with self.factory() as session:
            problems = problems_now(session, now, self.schedule, lambda due: edition_state(session, due))
        memory = Memory(self.settings.home / "alerts.json")
        alerts, kept = decide(problems, self.events, memory.load(), now.astimezone(self.settings.timezone).date())
        admins = self.mail.admins if self.mail else ()
        if admins and alerts:
            sender = self.mail.sender
            try:
                with Transport(self.mail.smtp) as transport:
                    for alert, admin in ((alert, admin) for alert in alerts for admin in admins):
                        transport.send(sender.address, admin, compose(alert, sender.name, sender.address, admin, now))
            except (DeliveryError, SmtpFatal) as exc:
                raise JobFailed(f"alertes non envoyées, nouvel essai à la prochaine tâche : {exc}") from None
        for alert in alerts if not admins else ():
            log.warning("alerte (VEILLE_ADMIN_EMAILS non défini ou envoi désactivé) : %s", alert.subject)
        self.events = []
        memory.save(kept)
        return {"problèmes": len(problems), "alertes": len(alerts) * max(len(admins), 1)}

    def bulletins(self) -> dict:
        sending = self.mail is not None
        with self.factory() as session:
            due = plan(self.clock(), self.schedule, lambda wanted: edition_state(session, wanted), sending)
        counts = {"éditions": len(due), "construites": 0, "envoyés": 0, "en attente": 0}
        for wanted in due:
            if self.stop.is_set():
                break
            edition, built = self._build(wanted)
            counts["construites"] += built
            if sending:
                summary = self._send(edition)
                counts["envoyés"] += summary.sent
                counts["en attente"] += summary.pending
        return counts

    def _build(self, wanted: Due):
        catalog = self.catalogs.current()
        try:
            with transaction(self.factory) as session:
                edition, built = build(session, wanted.kind, wanted.day, catalog, self.settings.timezone, self.clock())
        except IntegrityError:  # another process built it at the same moment: take theirs
            with self.factory() as session:
                return find(session, wanted.kind, wanted.day), False
        except EditionError as exc:
            raise JobFailed(str(exc)) from None
        if built:  # the site serves this file: no reader waits for the rendering
            try:
                prepare(self.settings, edition)
            except Exception as exc:  # the edition stands; the site renders the PDF when first asked
                log.warning("PDF de l'édition non préparé (%s : %s)", exc.__class__.__name__, exc)
        return edition, built

    def _send(self, edition):
        try:
            return send_edition(self.settings, self.factory, self.mail, edition.id, content_of(edition),
                                sleep=self.stop.wait, stopping=self.stop.is_set, on_defer=self._deferred)
        except SendBusy as exc:
            raise JobFailed(f"{exc} ; il sera repris s'il s'arrête") from None
        except SmtpFatal as exc:
            raise JobFailed(f"envoi arrêté, {exc} ; les messages restent en attente (VEILLE_SMTP_URL)") from None


    def _deferred(self, waiting) -> None:
        for deferred in waiting:
            log.warning("bulletin : %s", deferred.said(self.settings.timezone))


def edition_state(session: Session, due: Due) -> EditionState:
    """What the database says of a due edition: built? every message queued and gone?"""
    edition = find(session, due.kind, due.day)
    if edition is None:
        return EditionState(built=False)
    unsent = session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.edition_id == edition.id, OutboxMessage.state.in_((PENDING, SENDING))))
    queued = set(session.scalars(select(OutboxMessage.subscriber_id).where(OutboxMessage.edition_id == edition.id)))
    unqueued = sum(1 for s in subscriber_store.receiving(session, due.kind) if s.id not in queued)
    return EditionState(built=True, unsent=unsent, unqueued=unqueued)

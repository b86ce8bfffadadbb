"""Keeping the index in step with the archive.

The crawler writes an IndexChange row in the same transaction as each item it stores; the
indexer reads them in batches, indexes the items as they are now in the database, and only
then deletes the rows, so a crash at any point loses nothing (indexing twice is harmless).
One writer at a time, across processes, through the engine's lock (a lock file, or an advisory
lock of the database for postgres); readers are never blocked.

Items hidden by an editor are not indexed: a change to a hidden item removes its document,
a rebuild leaves it out, and `check` expects it to be absent.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..config import Settings
from ..db import transaction
from ..models import IndexChange, Item
from . import Backend, backend_class
from .document import document
from .layout import generations, note_missed

BATCH = 500
INDEXED = Item.hidden_at.is_(None)  # which items of the archive belong in the index
WAIT_SECONDS = 30.0


class IndexBusy(Exception):
    """Another process holds the writer lock (a rebuild, a repair): try again later."""


@contextmanager
def writer_lock(settings: Settings, wait: float | None = None) -> Iterator[bool]:
    """Yields True once this process is the only index writer, False if `wait` seconds
    (WAIT_SECONDS by default) passed first."""
    with generations(settings).lock(WAIT_SECONDS if wait is None else wait) as locked:
        yield locked


def index_pending(settings: Settings, factory: sessionmaker[Session], wait: float | None = None) -> int:
    """Index what the change log lists (the whole archive when there is no index yet; every
    difference with the archive when this engine's index lags behind another engine's);
    returns how many items were indexed or removed. Call it after each crawl.
    When another writer holds the lock past `wait`, returns 0: the changes stay queued."""
    with writer_lock(settings, wait) as locked:
        if not locked:
            return 0
        place = generations(settings)
        generation = place.current()
        if generation is None:
            return _rebuild(settings, factory)
        backend = backend_class(settings.search_backend).open(generation)
        try:
            if place.lag() is None:
                return _apply_changes(settings, backend, factory)
            report = _repair(settings, factory, backend)
            place.caught_up()
            return report.applied + report.fixed
        finally:
            backend.close()


def reindex(settings: Settings, factory: sessionmaker[Session], bar=None) -> int:
    """Rebuild the whole index into a new folder and swap it in; `bar` is a tqdm-like progress bar."""
    with writer_lock(settings) as locked:
        if not locked:
            raise IndexBusy("un autre processus écrit dans l'index de recherche ; réessayez dans un moment")
        return _rebuild(settings, factory, bar)


def _apply_changes(settings: Settings, backend: Backend, factory: sessionmaker[Session]) -> int:
    done = 0
    while True:
        with factory() as session:
            changes = session.execute(select(IndexChange.id, IndexChange.item_id)
                                      .order_by(IndexChange.id).limit(BATCH)).all()
            if not changes:
                return done
            ids = sorted({change.item_id for change in changes})
            documents = [document(item) for item in _items(session, ids)]
        backend.write(documents, deleted=set(ids) - {doc["id"] for doc in documents})
        with transaction(factory) as session:
            session.execute(delete(IndexChange).where(IndexChange.id.in_([c.id for c in changes])))
        note_missed(settings, len(ids))
        done += len(ids)


def _items(session: Session, ids: list[str]) -> list[Item]:
    """Those of these items that belong in the index (hidden ones do not), ready for `document`."""
    return list(session.scalars(select(Item).options(selectinload(Item.topics), selectinload(Item.origins))
                                .where(Item.id.in_(ids), INDEXED)))


def _rebuild(settings: Settings, factory: sessionmaker[Session], bar=None) -> int:
    with factory() as session:
        # changes logged after this point may be missed by the build: they stay queued
        high_water = session.scalar(select(func.max(IndexChange.id))) or 0
        total = session.scalar(select(func.count()).select_from(Item).where(INDEXED)) or 0
    if bar is not None:
        bar.reset(total=total)
    place = generations(settings)
    generation = place.new()
    try:
        backend = backend_class(settings.search_backend).create(generation)
        backend.build(all_documents(factory), on_batch=bar.update if bar is not None else None)
        backend.close()
    except BaseException:
        place.discard(generation)
        raise
    place.make_current(generation)
    with transaction(factory) as session:
        session.execute(delete(IndexChange).where(IndexChange.id <= high_water))
    return total


def all_documents(factory: sessionmaker[Session], batch: int = 1000) -> Iterator[dict]:
    """Every item of the archive that belongs in the index (hidden ones do not) as a document,
    read in id order, a batch at a time."""
    last = ""
    while True:
        with factory() as session:
            ids = session.scalars(select(Item.id).where(Item.id > last, INDEXED)
                                  .order_by(Item.id).limit(batch)).all()
            if not ids:
                return
            items = sorted(_items(session, list(ids)), key=lambda item: item.id)
            documents = [document(item) for item in items]
        yield from documents
        last = ids[-1]


@dataclass
class CheckReport:
    items: int = 0  # in the archive
    hidden: int = 0  # of which hidden by an editor: not to be indexed
    indexed: int = 0  # in the index
    pending: int = 0  # change log rows not yet indexed
    missing: list[str] = field(default_factory=list)  # in the archive, not in the index
    stale: list[str] = field(default_factory=list)  # indexed from an older version
    extra: list[str] = field(default_factory=list)  # in the index, no longer in the archive or hidden
    repaired: bool = False
    applied: int = 0  # items indexed from the change log by the repair

    @property
    def fixed(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)

    @property
    def consistent(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check(settings: Settings, factory: sessionmaker[Session], repair: bool = False) -> CheckReport:
    """Compare the index with the archive, item by item; with `repair`, index the pending
    changes and fix every difference (the writer lock is held for the whole comparison)."""
    place = generations(settings)
    if place.current() is None:
        report = CheckReport()
        with factory() as session:
            report.items = session.scalar(select(func.count()).select_from(Item)) or 0
            report.missing = list(session.scalars(select(Item.id).where(INDEXED).order_by(Item.id)))
            report.hidden = report.items - len(report.missing)
        if repair:
            report.applied = index_pending(settings, factory)
            report.repaired = True
        return report
    if not repair:
        return _compare(settings, factory)
    with writer_lock(settings) as locked:
        if not locked:
            raise IndexBusy("un autre processus écrit dans l'index de recherche ; réessayez dans un moment")
        backend = backend_class(settings.search_backend).open(place.current())
        try:
            report = _repair(settings, factory, backend)
            place.caught_up()
            return report
        finally:
            backend.close()


def _repair(settings: Settings, factory: sessionmaker[Session], backend: Backend) -> CheckReport:
    """Index the pending changes, then fix every difference with the archive (lock held)."""
    with factory() as session:
        pending = session.scalar(select(func.count()).select_from(IndexChange)) or 0
    applied = _apply_changes(settings, backend, factory)
    report = _compare(settings, factory, backend)
    report.pending, report.applied = pending, applied
    wrong = report.missing + report.stale
    for start in range(0, max(len(wrong), len(report.extra)), BATCH):
        with factory() as session:
            documents = [document(item) for item in _items(session, wrong[start:start + BATCH])]
        backend.write(documents, deleted=report.extra[start:start + BATCH])
    report.repaired = True
    return report


def _compare(settings: Settings, factory: sessionmaker[Session], backend: Backend | None = None) -> CheckReport:
    own = backend is None
    if own:
        backend = backend_class(settings.search_backend).open(generations(settings).current())
    try:
        indexed = backend.fingerprints()
    finally:
        if own:
            backend.close()
    with factory() as session:
        pending_rows = session.scalar(select(func.count()).select_from(IndexChange)) or 0
        pending = set(session.scalars(select(IndexChange.item_id)))
        hidden = session.scalar(select(func.count()).select_from(Item).where(~INDEXED)) or 0
    report = CheckReport(items=hidden, hidden=hidden, indexed=len(indexed), pending=pending_rows)
    seen = set()
    for doc in all_documents(factory):
        report.items += 1
        seen.add(doc["id"])
        if doc["id"] in pending:
            continue
        version = indexed.get(doc["id"])
        if version is None:
            report.missing.append(doc["id"])
        elif version != doc["fingerprint"]:
            report.stale.append(doc["id"])
    report.extra = sorted(i for i in indexed if i not in seen and i not in pending)
    return report

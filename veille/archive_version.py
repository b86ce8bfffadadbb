"""The archive's version: one number, raised in the same transaction as every change the
reader's pages could show (a new item, an edit, a rubrique, an item hidden or shown again, an
edition, the search index catching up), so that caches of pages and feeds know with one
primary-key read whether what they hold is still current.

Every session made by `veille.db.session_factory` is watched: ORM writes (flushed objects and
ORM-enabled insert/update/delete statements) on any table but the few below mark the
transaction, and its commit raises the number. The raise comes last, at commit time, so that
on PostgreSQL concurrent writers wait on the one row only while committing (no deadlock with
their other row locks). A table a page never shows may join UNSEEN_TABLES; a new table is
watched by default, so a forgotten one costs cache hits, never a stale page.
"""
from __future__ import annotations

from sqlalchemy import Connection, Engine, Integer, event, text, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, object_mapper, sessionmaker

from .models import Base

# Written often, shown on no cached page: fetch state and logs, mail delivery, subscriptions,
# accounts and their sessions (a logged-in user's pages are never cached).
UNSEEN_TABLES = frozenset({"archive_version", "sources", "fetch_log", "outbox", "subscribers", "users",
                           "web_sessions", "email_links", "pending_subscriptions"})
CHANGED = "veille.archive_changed"  # in Session.info: this transaction changed what pages show
CURRENT_SQL = "SELECT number FROM archive_version WHERE id = 1"
CURRENT = text(CURRENT_SQL)


class ArchiveVersion(Base):
    """A single row (id 1) whose number only grows."""

    __tablename__ = "archive_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)


def current(bind: Session | Connection) -> int:
    """The archive's version now: one primary-key read."""
    return (bind.connection() if isinstance(bind, Session) else bind).execute(CURRENT).scalar() or 0


def read(engine: Engine) -> int | None:
    """The version now, through a pooled driver connection without SQLAlchemy's statement layer
    (a third of the cost of a page served from the cache); None when the database cannot answer."""
    try:
        connection = engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error:
        return None
    try:
        cursor = connection.cursor()
        cursor.execute(CURRENT_SQL)
        row = cursor.fetchone()
        cursor.close()
    except engine.dialect.loaded_dbapi.Error:
        return None
    finally:
        connection.close()
    return row[0] if row else 0


def watch(factory: sessionmaker[Session]) -> None:
    """Raise the version on every commit of a session of `factory` that changed a watched table."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "do_orm_execute", _on_statement)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", _forget)
    event.listen(factory, "after_soft_rollback", _forget_on_rollback)


def _seen(instance) -> bool:
    return any(table.name not in UNSEEN_TABLES for table in object_mapper(instance).tables)


def _before_flush(session: Session, context, instances) -> None:
    if CHANGED in session.info:
        return
    touched = [*session.new, *session.deleted, *(i for i in session.dirty if session.is_modified(i))]
    if any(_seen(instance) for instance in touched):
        session.info[CHANGED] = True


def _on_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        if state.statement.table.name not in UNSEEN_TABLES:
            state.session.info[CHANGED] = True


def _before_commit(session: Session) -> None:
    session.flush()  # what is still pending is part of this commit
    if session.info.pop(CHANGED, False):
        session.connection().execute(update(ArchiveVersion).where(ArchiveVersion.id == 1)
                                     .values(number=ArchiveVersion.number + 1))


def _forget(session: Session) -> None:
    session.info.pop(CHANGED, None)


def _forget_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(CHANGED, None)

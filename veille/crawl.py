"""Crawling: pick the sources, fetch and parse them in parallel, store each in its own transaction.

One failing source never stops the others: every outcome, good or bad, is recorded on the
source and in the fetch log, and returned for the summary table.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from sqlalchemy.orm import Session, sessionmaker

from .catalog import Catalog, Source
from .dates import PARIS
from .db import transaction
from .entry import Entry, ParseError, brief
from .fetch import FetchError, Fetcher
from .ingest import store_entries, withdraw_items
from .models import FetchLog, SourceState
from .schedule import is_due, next_after_failure, next_after_success
from .sources import Position, Reading, reader_for
from .jo_issue import day_labels

OK, NOT_MODIFIED, ERROR = "ok", "not-modified", "error"
SILENT_DAYS = 180  # a source whose newest entry is older than this is called silent


@dataclass
class Outcome:
    source_id: str
    status: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    http_status: int | None = None
    withdrawn: int = 0  # items hidden because the publisher withdrew them


@dataclass
class _Fetched:
    source: Source
    started: datetime
    elapsed: float
    reading: Reading | None = None
    error: FetchError | ParseError | None = None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def sync_sources(session: Session, catalog: Catalog) -> dict[str, SourceState]:
    """Make the archive's source rows match feeds.yaml, keeping their fetch state."""
    states = {s.id: s for s in session.query(SourceState).all()}
    for source in catalog.sources.values():
        state = states.get(source.id)
        if state is None:
            state = SourceState(id=source.id, config_url=source.url, url=source.url, failures=0)
            session.add(state)
            states[source.id] = state
        elif state.config_url != source.url:
            # The URL was changed by hand in feeds.yaml: start afresh from it.
            state.config_url = state.url = source.url
            state.etag = state.last_modified = state.retired_at = None
            state.failures = 0
        state.name, state.kind, state.category = source.name, source.kind, source.category
    session.flush()
    return states


def select_sources(catalog: Catalog, states: dict[str, SourceState], now: datetime,
                   only: Iterable[str] | None = None, due: bool = False) -> list[Source]:
    if only:
        return [catalog.sources[i] for i in only]
    chosen = []
    for source in catalog.sources.values():
        state = states[source.id]
        if not source.enabled or state.retired_at is not None:
            continue
        if due and not is_due(state.next_check_at, now):
            continue
        chosen.append(source)
    return chosen


def crawl(catalog: Catalog, factory: sessionmaker[Session], fetcher: Fetcher, *,
          only: list[str] | None = None, due: bool = False, workers: int = 8,
          on_start: Callable[[int], None] | None = None,
          on_done: Callable[[Outcome], None] | None = None,
          stopping: Callable[[], bool] = lambda: False) -> list[Outcome]:
    """Fetch the chosen sources; `on_start` gets how many, `on_done` each outcome as it comes.
    Once `stopping()` turns true no other source is started: those left stay due, untouched."""
    now = utcnow()
    with transaction(factory) as session:
        states = sync_sources(session, catalog)
        sources = select_sources(catalog, states, now, only, due)
        positions = {s.id: Position(states[s.id].url, states[s.id].etag, states[s.id].last_modified,
                                    states[s.id].cursor) for s in sources}

    if on_start:
        on_start(len(sources))
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(_read, fetcher, s, positions[s.id], stopping) for s in sources]
        for future in as_completed(futures):
            if future.result() is None:
                continue
            outcome = _record(factory, catalog, future.result())
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    order = {s.id: i for i, s in enumerate(sources)}  # sources left out by `stopping` have no outcome
    return sorted(outcomes, key=lambda o: order[o.source_id])


def _read(fetcher: Fetcher, source: Source, position: Position, stopping: Callable[[], bool]) -> _Fetched | None:
    if stopping():
        return None
    started, clock = utcnow(), time.monotonic()
    fetched = _Fetched(source, started, 0.0)
    try:
        fetched.reading = reader_for(source.kind)(fetcher, source, position)
    except (FetchError, ParseError) as exc:
        fetched.error = exc
    except Exception as exc:  # a parser bug must not take the crawl down
        fetched.error = ParseError(f"erreur inattendue en lisant la source : {brief(exc)}")
    fetched.elapsed = time.monotonic() - clock
    return fetched


def _record(factory: sessionmaker[Session], catalog: Catalog, fetched: _Fetched) -> Outcome:
    source, reading = fetched.source, fetched.reading
    now = utcnow()
    status = reading.result.status if reading else getattr(fetched.error, "status", None)
    outcome = Outcome(source.id, OK, http_status=status)
    if fetched.error is None:
        try:
            with transaction(factory) as session:
                state = session.get(SourceState, source.id)
                parsed = reading.parsed
                if parsed is None:
                    outcome.status = NOT_MODIFIED
                else:
                    counts = store_entries(session, source, reading.result.url, parsed.entries,
                                           catalog.topics, now, catalog.model)
                    outcome.new, outcome.updated, outcome.unchanged = counts.new, counts.updated, counts.unchanged
                    outcome.withdrawn = len(withdraw_items(session, source, parsed.withdrawn, now))
                    outcome.warnings = parsed.notes()
                    if not counts.new:
                        outcome.warnings += silence_note(parsed.entries, now)
                    _health(state, len(parsed.entries) if parsed.found is None else parsed.found, outcome)
                _succeeded(state, source, reading, now)
                _log(session, fetched, outcome)
            return outcome
        except Exception as exc:  # the transaction rolled back: nothing half-stored
            fetched.error = ParseError(f"échec de l'enregistrement : {brief(exc)}")
            outcome = Outcome(source.id, ERROR, http_status=outcome.http_status)
    outcome.status = ERROR
    outcome.message = getattr(fetched.error, "message", None) or str(fetched.error)
    with transaction(factory) as session:
        state = session.get(SourceState, source.id)
        _failed(state, source, fetched.error, now)
        _log(session, fetched, outcome)
    return outcome


def silence_note(entries: list[Entry], now: datetime, days: int = SILENT_DAYS) -> list[str]:
    """A source that brought nothing new and whose newest entry is older than `days` days still
    answers, but publishes nothing: say since when, so that it is retired or fixed. (Its first
    read stores its old entries as new: the next read says it.)"""
    dates = [entry.published for entry in entries if entry.published]
    if not dates or now - max(dates) < timedelta(days=days):
        return []
    newest = day_labels([max(dates).astimezone(PARIS).date()])[0]
    return [f"source muette : rien de publié depuis le {newest} (plus de {days} jours)"]


def _health(state: SourceState, count: int, outcome: Outcome) -> None:
    """What this read noticed stays on the source until the next read: entries left out and
    why, an uncertain encoding, a source that suddenly lists nothing."""
    expected = state.last_item_count
    if count == 0 and expected:
        outcome.warnings.append(f"0 élément alors que {expected} étaient attendus")
    state.health_warning = " ; ".join(outcome.warnings) or None
    state.last_item_count = count


def _succeeded(state: SourceState, source: Source, reading: Reading, now: datetime) -> None:
    result = reading.result
    if result.moved_to:
        state.url = result.moved_to
    if result.status == 200 and reading.complete:
        state.etag, state.last_modified = result.etag, result.last_modified
    state.cursor = reading.cursor
    state.last_checked_at = state.last_success_at = now
    state.failures = 0
    state.last_error = None
    state.retired_at = None
    state.next_check_at = next_after_success(now, source.interval)


def _failed(state: SourceState, source: Source, error: Exception, now: datetime) -> None:
    state.failures = (state.failures or 0) + 1
    state.last_checked_at = state.last_error_at = now
    state.last_error = getattr(error, "message", None) or str(error)
    if getattr(error, "gone", False):
        state.retired_at = now
    state.next_check_at = next_after_failure(now, source.interval, state.failures,
                                             getattr(error, "retry_after", None))


def _log(session: Session, fetched: _Fetched, outcome: Outcome) -> None:
    session.add(FetchLog(
        source_id=fetched.source.id, started_at=fetched.started,
        duration_ms=int(fetched.elapsed * 1000), http_status=outcome.http_status,
        outcome=outcome.status, new=outcome.new, updated=outcome.updated,
        unchanged=outcome.unchanged, error=outcome.message or None,
    ))

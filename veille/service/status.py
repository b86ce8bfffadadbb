"""What `veille status` tells about the service: the scheduler (running or not, where), the next
runs, the sources failing or silent first, the last edition of each kind and its deliveries, the
sizes on disk. Read from the database and the scheduler lock, so any process can tell."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..bulletins.models import DAILY, WEEKLY, Edition, OutboxMessage
from ..bulletins.wording import long_day
from ..commandline import size_text
from ..config import Settings
from ..models import Item, SourceState
from .lock import scheduler_lock
from .plan import REPAIR_AT, Schedule, next_moments
from .silence import RECENT_ITEMS, silent

NEXT_RUNS = {"crawl": "relevé des sources dues", "daily": "édition quotidienne",
             "weekly": "récapitulatif hebdomadaire", "repair": "vérification et réparation de l'index"}
DELIVERY_WORDS = {"sent": "envoyés", "skipped": "ignorés", "failed": "en échec", "pending": "en attente",
                  "sending": "en cours"}


def collect(settings: Settings, session: Session, now: datetime) -> dict:
    holder = scheduler_lock(settings).holder()
    return {
        "scheduler": ({"running": True, "pid": holder.pid, "host": holder.host,
                       "since": holder.since.isoformat() if holder.since else None}
                      if holder else {"running": False}),
        "next_runs": _next_runs(settings, session, now),
        "sources": _sources(session, now),
        "editions": {kind: _last_edition(session, kind) for kind in (DAILY, WEEKLY)},
        "database_bytes": _database_bytes(settings, session),
    }


def _next_runs(settings: Settings, session: Session, now: datetime) -> dict:
    moments = next_moments(now, Schedule.from_settings(settings))
    local = now.astimezone(settings.timezone)
    repair = local.replace(**REPAIR_AT, second=0, microsecond=0)
    if repair <= local:
        repair += timedelta(days=1)
    due = session.scalar(select(func.min(SourceState.next_check_at)).where(SourceState.retired_at.is_(None)))
    return {"crawl": max(due, now).isoformat() if due else None, "daily": moments["daily"].isoformat(),
            "weekly": moments["weekly"].isoformat(), "repair": repair.isoformat()}


def _sources(session: Session, now: datetime) -> list[dict]:
    """Failing ones first, then silent ones, then the others."""
    rows = []
    for state in session.scalars(select(SourceState).order_by(SourceState.id)):
        arrivals = session.scalars(select(Item.fetched_at).where(Item.source_id == state.id)
                                   .order_by(Item.fetched_at.desc()).limit(RECENT_ITEMS)).all()
        quiet = silent(arrivals, now)
        rows.append({"id": state.id, "failures": state.failures or 0, "last_error": state.last_error,
                     "silent": quiet, "retired": state.retired_at is not None,
                     "last_success": state.last_success_at.isoformat() if state.last_success_at else None,
                     "last_item": arrivals[0].isoformat() if arrivals else None})
    return sorted(rows, key=lambda row: (not row["failures"], not row["silent"]))


def _last_edition(session: Session, kind: str) -> dict | None:
    edition = session.scalar(select(Edition).where(Edition.kind == kind).order_by(Edition.day.desc()).limit(1))
    if edition is None:
        return None
    states = dict(session.execute(select(OutboxMessage.state, func.count()).where(
        OutboxMessage.edition_id == edition.id).group_by(OutboxMessage.state)).all())
    return {"day": edition.day.isoformat(), "built_at": edition.built_at.isoformat(), "deliveries": states}


def _database_bytes(settings: Settings, session: Session) -> int | None:
    url = settings.database_url
    if url.startswith("postgresql"):
        return session.scalar(text("SELECT pg_database_size(current_database())"))
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.is_file())


def print_text(report: dict, settings: Settings) -> None:
    tz = settings.timezone

    def local(text: str | None) -> str:
        return datetime.fromisoformat(text).astimezone(tz).strftime("%d/%m/%Y %H:%M") if text else "—"

    scheduler = report["scheduler"]
    if scheduler["running"]:
        print(f"Planificateur : en marche (pid {scheduler['pid']} sur l'hôte « {scheduler['host']} », "
              f"depuis le {local(scheduler['since'])})")
    else:
        print("Planificateur : arrêté (lancez « veille run »)")
    runs = report["next_runs"]
    for key, what in NEXT_RUNS.items():
        print(f"  prochain : {what} — {local(runs[key])}")
    troubled = [s for s in report["sources"] if s["failures"] or s["silent"]]
    print(f"Sources en échec ou silencieuses : {len(troubled)} sur {len(report['sources'])}")
    for source in troubled:
        why = (f"en échec ({source['failures']}) : {source['last_error']}" if source["failures"]
               else f"silencieuse depuis le {local(source['last_item'])}")
        print(f"  {source['id']} : {why}")
    for kind, label, none in ((DAILY, "Dernière édition quotidienne", "aucune"),
                              (WEEKLY, "Dernier récapitulatif hebdomadaire", "aucun")):
        edition = report["editions"][kind]
        if edition is None:
            print(f"{label} : {none}")
            continue
        deliveries = ", ".join(f"{DELIVERY_WORDS.get(state, state)} : {count}"
                               for state, count in sorted(edition["deliveries"].items())) or "aucun"
        day = long_day(date.fromisoformat(edition["day"]))
        print(f"{label} : {'semaine du ' if kind == WEEKLY else ''}{day} (construction : {local(edition['built_at'])}) ; envois : {deliveries}")
    if report["database_bytes"] is not None:
        print(f"Taille de la base : {size_text(report['database_bytes'])}")

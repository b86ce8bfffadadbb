"""/healthz for load balancers and supervisors, /metrics in the Prometheus text format.
Both read the database at each request and are never cached."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..bulletins.models import Edition, OutboxMessage
from ..models import FetchLog, IndexChange, Item, SourceState
from .context import veille

blueprint = Blueprint("health", __name__)
NO_STORE = {"Cache-Control": "no-store"}


def _service():
    """The scheduler running in this process (`veille run`), or None (`veille serve`)."""
    return current_app.extensions["veille"].get("service")


@blueprint.get("/healthz")
def healthz():
    """200 when the database answers and, when this process schedules, its scheduler is alive
    and its last crawl tick recent; 503 otherwise."""
    body = {"database": "ok", "scheduler": "none", "last_crawl": None, "index_lag": None}
    healthy = True
    try:
        with veille("factory")() as session:
            last = session.scalar(select(func.max(FetchLog.started_at)))
            body["index_lag"] = session.scalar(select(func.count()).select_from(IndexChange))
        body["last_crawl"] = last.isoformat() if last else None
    except SQLAlchemyError:
        body["database"], healthy = "error", False
    service = _service()
    if service is not None:
        alive = service.alive(datetime.now(timezone.utc))
        body["scheduler"] = "ok" if alive else ("stale" if service.scheduler.running else "stopped")
        healthy = healthy and alive
    return jsonify(body), 200 if healthy else 503, NO_STORE


@blueprint.get("/metrics")
def metrics():
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Archive(veille("factory")))
    try:
        data = generate_latest(registry)
    except SQLAlchemyError:
        return Response("database unavailable\n", 503, mimetype="text/plain", headers=NO_STORE)
    return Response(data, 200, headers={**NO_STORE, "Content-Type": CONTENT_TYPE_LATEST})


class _Archive:
    """The figures of the archive, read when Prometheus scrapes."""

    def __init__(self, factory):
        self.factory = factory

    def collect(self):
        with self.factory() as session:
            yield GaugeMetricFamily("veille_items", "Articles archivés",
                                    value=session.scalar(select(func.count()).select_from(Item)))
            yield _counted(session, FetchLog.outcome,
                           CounterMetricFamily("veille_crawls", "Relevés de sources, par résultat", labels=["outcome"]))
            yield GaugeMetricFamily("veille_sources_failing", "Sources dont le dernier relevé a échoué",
                                    value=session.scalar(select(func.count()).where(SourceState.failures > 0)))
            yield GaugeMetricFamily("veille_index_lag", "Changements en attente d'indexation",
                                    value=session.scalar(select(func.count()).select_from(IndexChange)))
            yield _counted(session, OutboxMessage.state,
                           GaugeMetricFamily("veille_outbox_messages", "Messages des bulletins, par état", labels=["state"]))
            sent = GaugeMetricFamily("veille_last_edition_sent_timestamp_seconds",
                                     "Dernier message envoyé d'une édition, par type", labels=["kind"])
            for kind, when in session.execute(select(Edition.kind, func.max(OutboxMessage.sent_at))
                                              .join(OutboxMessage, OutboxMessage.edition_id == Edition.id)
                                              .group_by(Edition.kind)):
                if when is not None:
                    sent.add_metric([kind], when.timestamp())
            yield sent


def _counted(session, column, family):
    """The family with one sample per value of `column`: how many rows have it."""
    for value, count in session.execute(select(column, func.count()).group_by(column)):
        family.add_metric([value], count)
    return family

"""The service's log on stderr: one line per job run (job, start, duration, outcome, counts),
as text or as JSON objects (`--log-format json`) for a log collector. Expected failures are one
line with their cause; only a bug brings a traceback."""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy.exc import OperationalError

from ..config import ConfigError
from .jobs import JobFailed

log = logging.getLogger("veille.service")
EXPECTED = (JobFailed, ConfigError, OperationalError)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")
        return f"{when} {record.levelname} {record.getMessage()}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "job_fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in ("veille", "waitress"):
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # our own line says how each run went


def recorded(name: str, job: Callable[[], dict]) -> Callable[[], None]:
    """The job, logging one line per run."""
    def run() -> None:
        started, clock = datetime.now(timezone.utc), time.monotonic()
        counts, outcome, cause, exc_info = {}, "ok", None, None
        try:
            counts = job() or {}
        except EXPECTED as exc:
            outcome, cause = "erreur", _first_line(exc)
        except Exception as exc:  # a bug: the traceback helps
            outcome, cause, exc_info = "erreur", _first_line(exc), True
        duration = time.monotonic() - clock
        fields = {"job": name, "start": started.isoformat(timespec="seconds"), "duration_s": round(duration, 3),
                  "outcome": outcome, "counts": counts}
        if cause:
            fields["cause"] = cause
        shown = ", ".join(f"{key} {value}" for key, value in counts.items())
        message = (f"tâche {name} : {outcome} en {duration:.1f} s".replace(".", ",")
                   + f" (début {started.astimezone():%H:%M:%S})" + (f" ; {shown}" if shown else "")
                   + (f" ; {cause}" if cause else ""))
        log.log(logging.ERROR if cause else logging.INFO, message, exc_info=exc_info,
                extra={"job_fields": fields})
    run.__name__ = name
    return run


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

"""An edition's PDF as a file in `VEILLE_HOME/cache/pdf`: rendered once per build of the edition
and set of items withdrawn since, by the command that builds the edition, or else by the first
reader who asks for it.

Rendering takes seconds and much memory: the process renders one PDF at a time, and a reader who
asks for a PDF meanwhile is told to come back in a few seconds rather than holding one of the
server's threads (or the command that builds an edition waits its turn).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

from ..config import Settings
from .editions import content_of
from .models import Edition
from .render import Links, Reading, pdf, reading

log = logging.getLogger(__name__)
RENDERS_AT_ONCE = 1  # WeasyPrint holds the interpreter lock: a second rendering would only add memory
_renders = threading.BoundedSemaphore(RENDERS_AT_ONCE)
_editions: dict[str, threading.Lock] = {}  # one lock per edition (a few thousand at most)
_editions_guard = threading.Lock()


def folder_of(settings: Settings) -> Path:
    return settings.home / "cache" / "pdf"


def prepare(settings: Settings, edition: Edition) -> Path:
    """Render the PDF of an edition just built, so that no reader waits for it."""
    return pdf_file(folder_of(settings), edition, reading(content_of(edition)), Links(settings.base_url),
                    settings.mail_from_name)


def pdf_file(folder: Path, edition: Edition, view: Reading, links: Links, sender: str,
             withdrawn: list[str] | tuple[str, ...] = (), wait: bool = True) -> Path | None:
    """The file of this build of the edition without the `withdrawn` items, rendered if missing;
    the files of earlier builds or sets are removed. `links` absolute: a PDF is read away from the
    site. Without `wait`, None rather than waiting while a PDF is being rendered."""
    stem = f"{edition.kind}-{edition.day.isoformat()}-{edition.id}-"
    variant = hashlib.sha256(" ".join(withdrawn).encode()).hexdigest()[:12] if withdrawn else "complet"
    path = folder / f"{stem}{edition.built_at:%Y%m%dT%H%M%S%f}-{variant}.pdf"
    if path.exists():
        return path
    with _editions_guard:
        lock = _editions.setdefault(stem, threading.Lock())
    if not lock.acquire(blocking=wait):
        return None
    try:
        if path.exists():  # rendered while this one waited
            return path
        if not _renders.acquire(blocking=wait):
            return None
        try:
            started = time.monotonic()
            data = pdf(view, links, sender)
        finally:
            _renders.release()
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)  # whole files only, should another process render it too
        for old in folder.glob(stem + "*.pdf"):
            if old != path:
                old.unlink(missing_ok=True)
    finally:
        lock.release()
    log.info("PDF rendu : %s (%.1f s)", path.name, time.monotonic() - started)
    return path

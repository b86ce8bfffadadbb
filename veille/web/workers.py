"""`veille serve --processes N`: N worker processes accepting on one listening socket, each
running waitress with its own threads, so that pages use every core (one Python process runs
Python code on one core at a time).

The parent binds the socket and builds the app (migrations, catalogue: errors stop it before any
fork), then forks the workers; each worker drops the database connections it inherited and
serves until told to stop. The parent only waits: SIGTERM or SIGINT stops every worker, and a
worker that dies stops the others and the parent with status 1, for the service manager to
restart the whole. Each worker keeps its own page cache and rate-limit counts (see the README).
"""
from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def serve(app, listener, count: int, make_worker_server) -> int:
    """Fork `count` workers serving `listener`'s socket with `make_worker_server(app, socket)`;
    wait for them. The exit status: 0 when stopped by a signal, 1 when a worker died."""
    engine = app.extensions["veille"]["factory"].kw["bind"]
    listener.task_dispatcher.shutdown()  # no thread of the parent's own server crosses a fork
    engine.dispose()
    workers: set[int] = set()
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in workers:
            _signal(pid, signal.SIGTERM)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # the worker
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_DFL)
            engine.dispose(close=False)  # never use the parent's connections
            status = 0
            try:
                make_worker_server(app, listener.socket).run()
            except BaseException:
                log.exception("processus web arrêté sur une erreur")
                status = 1
            os._exit(status)
        workers.add(pid)
    status = 0
    while workers:
        try:
            pid, code = os.wait()
        except ChildProcessError:
            break
        workers.discard(pid)
        if not stopping:
            log.error("processus web %d arrêté (%s) : arrêt des autres", pid, _how(code))
            stopping, status = True, 1
            for other in workers:
                _signal(other, signal.SIGTERM)
    return status


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _how(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"signal {os.WTERMSIG(code)}"
    return f"code {os.WEXITSTATUS(code)}"

"""The scheduler lock of `veille run` outlives nothing and is never silently lost: a PostgreSQL
server that restarts ends the lock's connection, and so the lock; the scheduler notices within a
tick, takes it again, or stops when another process took it meanwhile (two schedulers must
never run). A server restart is played by ending the lock's backend (pg_terminate_backend)."""
import os

import pytest
from sqlalchemy import create_engine, text

from tests import databases
from tests.test_service_run import Run, wait_for
from veille.config import Settings
from veille.service.lock import AdvisoryLock, scheduler_lock

postgresql_only = pytest.mark.skipif(not databases.POSTGRESQL, reason="verrou consultatif de PostgreSQL : passe "
                                     "VEILLE_TEST_DATABASE=postgresql de make test")
LOCK_BACKEND = "FROM pg_stat_activity WHERE application_name LIKE :name AND pid <> pg_backend_pid()"


def end_lock_connection(url: str, pid: int, then_take: bool = False):
    """Ends the backend holding `pid`'s lock, as a server restart does; with `then_take`, takes
    the lock in the same statement (no scheduler can slip in between) and returns the connection
    that holds it."""
    connection = create_engine(url, isolation_level="AUTOCOMMIT").connect()
    take = f", pg_try_advisory_lock({AdvisoryLock.SPACE}, {AdvisoryLock.SCHEDULER})" if then_take else ""
    ended = connection.execute(text(f"SELECT pg_terminate_backend(pid, 5000){take} {LOCK_BACKEND}"),
                               {"name": f"veille run pid={pid} %"}).all()
    assert ended and all(ended[0]), ended
    if then_take:
        return connection
    connection.close()


def test_a_file_lock_is_held_until_released(env):
    lock = scheduler_lock(Settings.from_env())
    assert lock.acquire() and lock.held()
    lock.release()
    assert not lock.held()


@postgresql_only
def test_the_advisory_lock_knows_when_its_connection_died(env):
    url = os.environ["VEILLE_DATABASE_URL"]
    lock, other = AdvisoryLock(url), AdvisoryLock(url)
    assert lock.acquire() and lock.held() and not other.acquire()
    end_lock_connection(url, os.getpid())
    assert not lock.held()
    assert other.acquire() and other.held()
    assert not lock.acquire()
    other.release()


@pytest.fixture
def scheduler(env, tmp_path, monkeypatch):
    """A `veille run --no-web` holding the lock, a tick of one second."""
    monkeypatch.setenv("VEILLE_TICK_SECONDS", "1")
    env.write_feeds([])
    run = Run(tmp_path, "--no-web")
    wait_for(lambda: "planificateur démarré" in run.log, what=run.log)
    yield run
    run.end()


@postgresql_only
def test_a_scheduler_takes_its_lock_again_after_a_server_restart(scheduler):
    end_lock_connection(os.environ["VEILLE_DATABASE_URL"], scheduler.process.pid)
    wait_for(lambda: "puis repris : ce processus planifie toujours" in scheduler.log, what=scheduler.log)
    assert scheduler.process.poll() is None
    assert not AdvisoryLock(os.environ["VEILLE_DATABASE_URL"]).acquire()  # held by the scheduler again
    assert scheduler.stop() == 0


@postgresql_only
def test_a_scheduler_whose_lock_was_taken_meanwhile_stops(scheduler):
    holder = end_lock_connection(os.environ["VEILLE_DATABASE_URL"], scheduler.process.pid, then_take=True)
    assert scheduler.process.wait(timeout=60) == 1
    assert "pris par un autre « veille run » : arrêt de ce processus" in scheduler.log
    assert "Traceback" not in scheduler.log
    holder.close()

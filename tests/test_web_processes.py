"""`veille serve --processes N`: N worker processes on one listening socket, stopped together."""
import os
import signal
import time
from pathlib import Path

import httpx

from tests.served import Served
from tests.test_bulletin_build import week  # noqa: F401  (fixture)

EDITION = "/bulletins/quotidien/2017-03-29"


def workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_workers_serve_the_site_and_stop_together(week):
    with Served("--processes", "3") as served:
        assert wait_until(lambda: len(workers(served.process.pid)) == 3)
        pids = workers(served.process.pid)
        for _ in range(30):  # a new connection each time: any worker may take it
            page = httpx.get(served.url + EDITION, timeout=30)
            assert page.status_code == 200 and "L&#39;actualité du mercredi 29 mars 2017" in page.text
        served.stop()
        assert served.process.returncode == 0
        assert wait_until(lambda: not any(alive(pid) for pid in pids))


def test_a_dead_worker_stops_the_others_and_the_server_exits_1(week):
    with Served("--processes", "2") as served:
        assert wait_until(lambda: len(workers(served.process.pid)) == 2)
        first, second = workers(served.process.pid)
        os.kill(first, signal.SIGKILL)
        _, log = served.process.communicate(timeout=20)
        assert served.process.returncode == 1
        assert f"processus web {first} arrêté (signal {signal.SIGKILL}) : arrêt des autres" in log
        assert wait_until(lambda: not alive(second))

"""`veille run` as a real process against local HTTP sources and a real SMTP server (aiosmtpd):
it crawls, sends each subscriber one bulletin, answers /healthz, refuses a second scheduler,
picks up feeds.yaml edits, stops on SIGTERM, and loses nothing to SIGTERM or SIGKILL mid-send.

The tick is one second (VEILLE_TICK_SECONDS) and the daily edition due from midnight (it is
sent at start-up, as a catch-up) except in the first test, which waits for it to fall due at
the next minute, so that the tests take seconds."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests import databases
from tests.livesite import free_port
from tests.test_bulletin_mail import SmtpSink
from tests.test_crawl import rss
from veille.bulletins.models import PENDING, SENDING, SENT, OutboxMessage
from veille.models import Item, ItemOrigin

PARIS = ZoneInfo("Europe/Paris")
SUBSCRIBERS = [f"agent{n}@mairie-exemple.fr" for n in range(3)]


class Run:
    """One `veille run` process, its log in a file."""

    def __init__(self, root, *args: str):
        self.log_path = root / f"run-{time.monotonic_ns()}.log"
        self.port = free_port()
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "veille", "run", "--port", str(self.port), *args],
                                            stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def get(self, path: str) -> tuple[int, dict, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self, signum=signal.SIGTERM, timeout: float = 30) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_for(condition, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"toujours pas au bout de {timeout} s : {what}")


@pytest.fixture
def service(env, server, monkeypatch, tmp_path):
    """Two subscribers' worth of archive crawled once, mail on, the daily edition due now."""
    monkeypatch.setenv("VEILLE_TICK_SECONDS", "1")
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")
    monkeypatch.setenv("VEILLE_SMTP_RETRY_PERIOD", "5s")
    monkeypatch.setenv("VEILLE_DAILY_DAYS", "tous")
    monkeypatch.setenv("VEILLE_DAILY_AT", "00:00")
    server.route("/a.xml", rss({"title": "Élections municipales : le calendrier", "link": "https://exemple.gouv.fr/a1",
                                "guid": "a1"}))
    env.write_feeds([{"id": "a", "name": "Source A", "url": server.url("/a.xml")}])
    assert env.cli("crawl").code == 0
    for address in SUBSCRIBERS:
        assert env.cli("subscribers", "add", address).code == 0
    runs: list[Run] = []
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)

        def start(*args: str) -> Run:
            runs.append(Run(tmp_path, *args))
            return runs[-1]
        yield env, sink, start
        for run in runs:
            run.end()


def received(sink) -> dict[str, int]:
    counts = {}
    for address, _ in sink.inbox.messages:
        counts[address] = counts.get(address, 0) + 1
    return counts


def sent_rows(env) -> int:
    with env.session() as session:
        return session.scalar(select(func.count()).where(OutboxMessage.state == SENT))


def test_the_service_crawls_sends_once_serves_and_stops(service, server, monkeypatch):
    env, sink, start = service
    due = (datetime.now(PARIS) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    monkeypatch.setenv("VEILLE_DAILY_AT", f"{due:%H:%M}")  # the next minute
    run = start()
    wait_for(lambda: "planificateur démarré" in run.log, what="le démarrage\n" + run.log)

    status, headers, body = run.get("/healthz")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    health = json.loads(body)
    assert health["database"] == "ok" and health["scheduler"] == "ok" and health["index_lag"] == 0
    assert health["last_crawl"]

    second = start("--no-web")  # one scheduler per database
    assert second.process.wait(timeout=30) == 1
    assert f"un autre « veille run » planifie déjà sur cette base (pid {run.process.pid} sur l'hôte" in second.log
    assert "Traceback" not in second.log

    server.route("/b.xml", rss({"title": "Fibre optique : nouveau plan", "link": "https://exemple.gouv.fr/b1",
                                "guid": "b1"}))
    env.write_feeds([{"id": "a", "name": "Source A", "url": server.url("/a.xml")},
                     {"id": "b", "name": "Source B", "url": server.url("/b.xml")}])

    def crawled_b():
        with env.session() as session:
            return session.scalar(select(func.count()).where(ItemOrigin.source_id == "b")) == 1
    wait_for(crawled_b, what="la source ajoutée à feeds.yaml relevée\n" + run.log)

    env.feeds.write_text("sources: [\n", encoding="utf-8")  # broken: reported once, the last good one kept
    wait_for(lambda: "feeds.yaml contient des erreurs" in run.log, what="l'erreur de feeds.yaml dans le journal")
    time.sleep(2.5)
    assert run.log.count("feeds.yaml contient des erreurs, la dernière version valide reste en service") == 1
    assert "tâche crawl : ok" in run.log.split("feeds.yaml contient des erreurs")[-1]

    if datetime.now(PARIS) < due - timedelta(seconds=1):
        assert sink.inbox.messages == []  # not before its time
    wait_for(lambda: len(sink.inbox.messages) == 3, timeout=90, what="un bulletin par abonné\n" + run.log)
    assert datetime.now(PARIS) >= due
    time.sleep(3)
    assert received(sink) == {address: 1 for address in SUBSCRIBERS}  # once each, ticks later too
    status, headers, body = run.get("/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert b"veille_items 2.0" in body and b'veille_outbox_messages{state="sent"} 3.0' in body
    assert run.stop() == 0
    assert "arrêté proprement" in run.log and "Traceback" not in run.log
    for job in ("crawl", "bulletins", "index"):
        assert f"tâche {job} : ok en " in run.log


def test_json_log_lines(service):
    env, sink, start = service
    run = start("--no-web", "--log-format", "json")
    wait_for(lambda: '"job": "crawl"' in run.log, what="une ligne JSON du relevé")
    assert run.stop() == 0
    records = [json.loads(line) for line in run.log.splitlines()]
    crawl = next(r for r in records if r.get("job") == "crawl")
    assert crawl["outcome"] == "ok" and set(crawl) >= {"time", "level", "start", "duration_s", "counts"}
    assert crawl["counts"]["sources"] >= 0


def sending_slowly(sink, start) -> Run:
    """A run caught in the middle of a send: each message takes a second to be accepted, and the
    first one has just been kept."""
    first = threading.Event()

    def on_message(count):
        first.set()
        time.sleep(1.0)
    sink.inbox.on_message = on_message
    run = start("--no-web")
    assert first.wait(30), run.log
    return run


def test_sigterm_during_a_send_then_restart(service, monkeypatch):
    env, sink, start = service
    monkeypatch.setenv("VEILLE_SMTP_CONNECTIONS", "1")  # one message in flight at a time: the others wait
    run = sending_slowly(sink, start)
    began = time.monotonic()
    assert run.stop() == 0  # the message in flight is finished, the others wait
    assert time.monotonic() - began < 30
    assert 1 <= sent_rows(env) < 3 and len(sink.inbox.messages) == sent_rows(env)
    sink.inbox.on_message = None
    again = start("--no-web")
    wait_for(lambda: len(sink.inbox.messages) == 3, what="les messages restants\n" + again.log)
    assert received(sink) == {address: 1 for address in SUBSCRIBERS}
    assert again.stop() == 0


def test_sigkill_during_a_send_then_restart(service):
    env, sink, start = service
    run = sending_slowly(sink, start)
    run.stop(signal.SIGKILL)
    # The rows the killed run had in flight: "sending"; on PostgreSQL their claim died with the
    # connection and they are pending again, among those not yet tried.
    left = PENDING if databases.POSTGRESQL else SENDING
    with env.session() as session:
        in_flight = set(session.scalars(select(OutboxMessage.email).where(OutboxMessage.state == left)))
    assert in_flight
    sink.inbox.on_message = None
    again = start("--no-web")  # the killed process left no lock behind
    wait_for(lambda: sent_rows(env) == 3, what="tous les messages envoyés\n" + again.log)
    counts = received(sink)
    assert set(counts) == set(SUBSCRIBERS)  # nobody misses the bulletin
    duplicated = {address for address, times in counts.items() if times > 1}
    assert duplicated <= in_flight and max(counts.values()) <= 2  # only what was in flight, at most twice
    assert again.stop() == 0


def test_standby_takes_over(service):
    env, sink, start = service
    first = start("--no-web")
    wait_for(lambda: "planificateur démarré" in first.log, what="le premier planificateur")
    standby = start("--no-web", "--standby")
    wait_for(lambda: "en attente" in standby.log, what="le second en attente\n" + standby.log)
    assert f"pid {first.process.pid}" in standby.log
    assert first.stop() == 0
    wait_for(lambda: "relais pris" in standby.log, timeout=15, what="le relais\n" + standby.log)
    assert standby.stop() == 0


def test_refuses_to_start_with_mail_settings_that_cannot_work(service, monkeypatch):
    env, sink, start = service
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1:5000")
    run = start("--no-web")
    assert run.process.wait(timeout=30) == 2
    assert "VEILLE_MAIL_FROM" in run.log and "VEILLE_BASE_URL" in run.log and "Traceback" not in run.log
    with env.session() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 1  # nothing done


def test_a_busy_port_stops_it_before_any_job(service):
    env, sink, start = service
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = start("--port", str(port))
        assert busy.process.wait(timeout=30) == 2
    assert f"impossible d'écouter sur 127.0.0.1:{port} : adresse déjà utilisée" in busy.log
    assert "tâche" not in busy.log and "Traceback" not in busy.log and sink.inbox.messages == []
    after = start("--no-web")  # the lock was released
    wait_for(lambda: "planificateur démarré" in after.log, what="le lock libéré\n" + after.log)
    assert after.stop() == 0


def test_a_hanging_fetch_does_not_hold_the_stop_past_30_seconds(service, server):
    env, sink, start = service
    slow = rss({"title": "Une source qui goutte", "link": "https://exemple.gouv.fr/lente", "guid": "lente",
                "text": "x" * 5000})  # 64 bytes every half second: 40 s to read, under the fetch deadline
    server.route("/lente.xml", slow, drip=0.5)
    env.write_feeds([{"id": "a", "name": "Source A", "url": server.url("/a.xml")},
                     {"id": "lente", "name": "Lente", "url": server.url("/lente.xml")}])
    run = start("--no-web")
    wait_for(lambda: server.hits.get("/lente.xml"), what="le relevé de la source lente\n" + run.log)
    began = time.monotonic()
    assert run.stop(timeout=40) == 0
    assert time.monotonic() - began < 30
    assert "tâches encore en cours après 25 s (crawl) : arrêt sans les attendre" in run.log

"""`veille status [--json]`: the scheduler (running or not, where), the next runs, failing and
silent sources first, the last editions and their deliveries, sizes."""
import json
import os
import socket
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from tests.livesite import LiveSite
from tests.test_crawl import rss
from veille.bulletins.wording import long_day
from veille.config import Settings
from veille.service.jobs import Jobs
from veille.service.lock import scheduler_lock
from veille.service.scheduler import Running


def test_status_shows_failing_sources_first_and_the_scheduler(env, server):
    server.route("/ok.xml", rss({"title": "Marchés publics : seuils 2026", "link": "https://exemple.gouv.fr/1", "guid": "1"}))
    server.route("/ko.xml", "erreur", status=500)
    env.write_feeds([{"id": "bonne", "name": "Bonne", "url": server.url("/ok.xml")},
                     {"id": "cassee", "name": "Cassée", "url": server.url("/ko.xml")}])
    assert env.cli("crawl").code == 0
    assert env.cli("bulletin", "build", "daily").code == 0

    result = env.cli("status", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["scheduler"] == {"running": False}
    assert [s["id"] for s in report["sources"]] == ["cassee", "bonne"]
    assert report["sources"][0]["failures"] == 1 and "500" in report["sources"][0]["last_error"]
    assert report["editions"]["daily"]["deliveries"] == {} and report["editions"]["weekly"] is None
    assert report["archive"]["items"] == 1 and report["index"]["engine"] == "tantivy"
    assert report["index"]["lag"] == 0 and report["database_bytes"] > 0
    assert set(report["next_runs"]) == {"crawl", "daily", "weekly", "repair"}

    lock = scheduler_lock(Settings.from_env())  # as a running `veille run` holds it
    assert lock.acquire()
    try:
        text = env.cli("status").out
    finally:
        lock.release()
    assert f"Planificateur : en marche (pid {os.getpid()} sur l'hôte « {socket.gethostname()} »" in text
    assert "Sources en échec ou silencieuses : 1 sur 2" in text and "  cassee : en échec (1)" in text
    today = long_day(datetime.now(Settings.from_env().timezone).date())
    assert f"Dernière édition quotidienne : {today} (construction : " in text
    assert "Dernier récapitulatif hebdomadaire : aucun\n" in text
    assert "Planificateur : arrêté" in env.cli("status").out


def test_healthz_is_503_when_the_scheduler_of_this_process_is_down(env):
    env.write_feeds([])
    assert env.cli("init").code == 0
    settings = Settings.from_env()
    with LiveSite() as site:
        with urllib.request.urlopen(site.url + "/healthz") as response:  # `veille serve`: no scheduler here
            assert response.status == 200 and json.loads(response.read())["scheduler"] == "none"
        jobs = Jobs(settings, site.app.extensions["veille"]["factory"], None)
        stopped = Running(BackgroundScheduler(), jobs, 60, datetime.now(timezone.utc) - timedelta(hours=1))
        site.app.extensions["veille"]["service"] = stopped
        try:
            urllib.request.urlopen(site.url + "/healthz")
            raise AssertionError("200 alors que le planificateur est arrêté")
        except urllib.error.HTTPError as error:
            assert error.code == 503 and error.headers["Cache-Control"] == "no-store"
            assert json.loads(error.read()) == {"database": "ok", "scheduler": "stopped", "last_crawl": None,
                                                "index_lag": 0}

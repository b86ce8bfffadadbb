"""Several processes on one archive, as the README's multi-process deployment runs them: one
`veille run --no-web` (scheduler and sender), a second one on standby, and two `veille serve`
web processes. The bulletin goes out once; both web processes answer the same searches. In the
PostgreSQL pass of make test the archive is a PostgreSQL database (advisory lock, shared outbox)."""
import subprocess
import sys
import time
import urllib.request

from bs4 import BeautifulSoup

from tests.livesite import free_port
from tests.test_service_run import SUBSCRIBERS, received, sent_rows, service, wait_for  # noqa: F401  (fixture)


def web_process(tmp_path, name: str):
    port = free_port()
    log = open(tmp_path / f"{name}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "veille", "serve", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def answer(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except OSError:
        return 0, ""


def hits(page: str) -> list[str]:
    return [" ".join(h.get_text().split()) for h in BeautifulSoup(page, "html.parser").select("ol.items .item-title")]


def test_two_web_processes_and_one_scheduler_share_the_archive(service, tmp_path):
    env, sink, start = service
    scheduler = start("--no-web")
    wait_for(lambda: "planificateur démarré" in scheduler.log, what="le démarrage\n" + scheduler.log)
    standby = start("--no-web", "--standby")
    wait_for(lambda: "en attente : un autre « veille run » planifie déjà" in standby.log, what=standby.log)
    webs = [web_process(tmp_path, f"web{n}") for n in (1, 2)]
    try:
        wait_for(lambda: sent_rows(env) == len(SUBSCRIBERS), what="l'envoi du bulletin\n" + scheduler.log)
        time.sleep(3)  # three more ticks: nothing more goes out
        assert received(sink) == {address: 1 for address in SUBSCRIBERS}
        for _process, base in webs:
            wait_for(lambda: answer(base, "/healthz")[0] == 200, what=f"{base}/healthz")
        wait_for(lambda: hits(answer(webs[0][1], "/recherche?q=calendrier")[1]), what="l'indexation")
        for query in ("calendrier", "%C3%A9lections+municipales", "rubrique%3Aelections"):
            first, second = (answer(base, f"/recherche?q={query}") for _process, base in webs)
            assert first[0] == second[0] == 200 and hits(first[1]) == hits(second[1]), query
        assert hits(answer(webs[1][1], "/recherche?q=calendrier")[1]) == ["Élections municipales : le calendrier"]
        assert scheduler.stop() == 0
        wait_for(lambda: "relais pris : ce processus planifie désormais" in standby.log, what=standby.log)
        time.sleep(3)
        assert received(sink) == {address: 1 for address in SUBSCRIBERS}  # the new scheduler sends nothing again
    finally:
        for process, _base in webs:
            process.terminate()
            process.wait(timeout=30)

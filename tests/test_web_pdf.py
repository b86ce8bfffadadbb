"""An edition's PDF: rendered when the edition is built, else once for many simultaneous first
readers, one rendering at a time in the process (the readers who ask meanwhile are answered at once
and come back), and without WeasyPrint warnings."""
import logging
import threading
import time
from datetime import date
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.livesite import LiveSite
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import cli
from tests.test_web import text
from veille.bulletins import pdfcache
from veille.bulletins.editions import content_of, find
from veille.bulletins.render import Links, pdf, reading


class Renders:
    """The real renderer, counting its runs and how many overlap; held at `gate` while it is closed."""

    def __init__(self):
        self.count = self.running = self.most = 0
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, *args):
        with self.lock:
            self.count += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            assert self.gate.wait(60)
            return pdf(*args)
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
def renders(monkeypatch):
    counter = Renders()
    monkeypatch.setattr(pdfcache, "pdf", counter)
    return counter


def cached(week, day="2017-03-29"):
    return list((week.root / "var" / "cache" / "pdf").glob(f"daily-{day}-*.pdf"))


def test_simultaneous_first_readers_get_one_rendering_and_hold_no_thread(week, renders):
    paths = ["/bulletins/quotidien/2017-03-29.pdf"] * 10 + ["/bulletins/quotidien/2017-03-28.pdf"] * 3 + \
            ["/bulletins/hebdomadaire/2017-03-27.pdf"] * 3
    with LiveSite() as site, httpx.Client(base_url=site.url, timeout=120) as client:
        renders.gate.clear()  # the first rendering lasts until the others are answered
        with ThreadPoolExecutor(len(paths)) as pool:
            asked = [pool.submit(client.get, path) for path in paths]
            for _ in range(600):
                if sum(future.done() for future in asked) == len(paths) - 1:
                    break
                time.sleep(0.1)
            waiting = [future for future in asked if not future.done()]
            assert len(waiting) == 1 and renders.count == 1  # all but the renderer answered meanwhile
            renders.gate.set()
            answers = [future.result() for future in asked]
        assert waiting[0].result().status_code == 200 and waiting[0].result().content.startswith(b"%PDF-")
        for answer in answers:
            if answer is not waiting[0].result():
                assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
                assert answer.headers["refresh"] == "5"  # the browser asks again by itself
                assert "Le PDF est en préparation : nouvel essai automatique dans 5 secondes." in text(answer.text)
        for _ in range(4):  # as the browsers do, five seconds later
            again = pool_map(client, paths)
            if all(answer.status_code == 200 for answer in again):
                break
        assert [answer.status_code for answer in again] == [200] * len(paths)
        assert len({answer.content for answer in again[:10]}) == 1 and again[0].content.startswith(b"%PDF-")
        assert renders.count == 3 and renders.most == 1  # once per edition, one at a time


def pool_map(client, paths):
    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(client.get, paths))


def test_building_an_edition_renders_its_pdf(week, renders):
    assert cached(week) == []
    result = cli(week, "bulletin", "build", "daily", "--date", "2017-03-29", "--rebuild")
    assert result.code == 0, result.err
    assert renders.count == 1 and len(cached(week)) == 1
    assert cli(week, "bulletin", "build", "daily", "--date", "2017-03-29").code == 0  # already built: not again
    with LiveSite() as site:
        answer = httpx.get(site.url + "/bulletins/quotidien/2017-03-29.pdf", timeout=60)
    assert answer.status_code == 200 and answer.content == cached(week)[0].read_bytes()
    assert renders.count == 1  # the reader got the file the command rendered


def test_rendering_a_pdf_logs_no_warning(week, caplog):
    with week.session() as session:
        edition = find(session, "daily", date(2017, 3, 29))
        view = reading(content_of(edition))
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    assert pdf(view, Links("https://veille.test"), "Veille").startswith(b"%PDF-")
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []

"""An edition's PDF: rendered when the edition is built, once for many simultaneous first readers,
one rendering at a time in the process, and without WeasyPrint warnings."""
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
from veille.bulletins import pdfcache
from veille.bulletins.editions import content_of, find
from veille.bulletins.render import Links, pdf, reading


class Renders:
    """The real renderer, counting its runs and how many overlap."""

    def __init__(self):
        self.count = self.running = self.most = 0
        self.lock = threading.Lock()

    def __call__(self, *args):
        with self.lock:
            self.count += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.3)  # a slower renderer: overlapping requests really overlap
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


def test_simultaneous_first_readers_get_one_rendering(week, renders):
    paths = ["/bulletins/quotidien/2017-03-29.pdf"] * 10 + ["/bulletins/quotidien/2017-03-28.pdf"] * 3 + \
            ["/bulletins/hebdomadaire/2017-03-27.pdf"] * 3
    with LiveSite() as site, httpx.Client(base_url=site.url, timeout=120) as client:
        with ThreadPoolExecutor(len(paths)) as pool:
            answers = list(pool.map(client.get, paths))
        assert [answer.status_code for answer in answers] == [200] * len(paths)
        assert len({answer.content for answer in answers[:10]}) == 1 and answers[0].content.startswith(b"%PDF-")
        assert renders.count == 3  # one per edition, not one per request
        assert renders.most == 1  # one at a time in the process
        client.get("/bulletins/quotidien/2017-03-29.pdf")
        assert renders.count == 3


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

"""The bulletin job of `veille run` by time travel over a real archive and a real SMTP server
(aiosmtpd): catch-up once, nothing the day after, no item lost, two racing runs send once."""
import re
import threading
from datetime import date

import pytest
from sqlalchemy import select

from tests.test_bulletin_build import factory_of, paris, seed
from tests.test_bulletin_mail import AGENT, ELU, SmtpSink, subscribe
from veille.bulletins.editions import find
from veille.bulletins.mailsettings import mail_settings
from veille.bulletins.models import DAILY, Edition
from veille.bulletins.pdfcache import folder_of
from veille.config import Settings
from veille.service.jobs import JobFailed, Jobs


@pytest.fixture
def archive(env, monkeypatch):
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")
    monkeypatch.setenv("VEILLE_SMTP_RETRY_PERIOD", "2s")
    seed(env)
    subscribe(env, (AGENT,), (ELU, "--frequency", "both"))
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        yield env, sink


def jobs_at(moment: str) -> Jobs:
    settings = Settings.from_env()
    return Jobs(settings, factory_of(None), mail_settings(settings), clock=lambda: paris(moment))


def editions(env) -> list[tuple[str, date]]:
    with env.session() as session:
        return [(e.kind, e.day) for e in session.scalars(select(Edition).order_by(Edition.day, Edition.kind))]


def test_catch_up_once_then_nothing_the_day_after(archive):
    env, sink = archive
    assert jobs_at("2017-03-29T06:29").bulletins()["éditions"] == 0
    counts = jobs_at("2017-03-29T06:31").bulletins()  # started late: catches up
    assert counts == {"éditions": 1, "construites": 1, "envoyés": 2, "en attente": 0}
    assert len(sink.inbox.to(AGENT)) == 1 and len(sink.inbox.to(ELU)) == 1
    assert list(folder_of(Settings.from_env()).glob("daily-2017-03-29-*.pdf"))  # rendered now, not on a request
    assert jobs_at("2017-03-29T06:45").bulletins()["éditions"] == 0
    assert jobs_at("2017-03-29T23:59").bulletins()["éditions"] == 0
    assert len(sink.inbox.messages) == 2

    # Down all Thursday; back on Friday after midnight: Thursday's edition is not sent any more...
    assert jobs_at("2017-03-31T00:05").bulletins()["éditions"] == 0
    assert editions(env) == [(DAILY, date(2017, 3, 29))]
    # ...and Friday's holds what arrived since Wednesday's (the FCTVA item of Wednesday 09:00).
    jobs_at("2017-03-31T06:30").bulletins()
    assert editions(env) == [(DAILY, date(2017, 3, 29)), (DAILY, date(2017, 3, 31))]
    with env.session() as session:
        wednesday, friday = find(session, DAILY, date(2017, 3, 29)), find(session, DAILY, date(2017, 3, 31))
        assert friday.window_start == wednesday.window_end
        assert "FCTVA" in str(friday.content)
    [friday_mail] = [m for m in sink.inbox.to(AGENT) if "31 mars" in m["Subject"]]
    assert friday_mail["Subject"] == "Veille – L'actualité du vendredi 31 mars 2017"


def test_temporary_refusals_are_logged_with_their_count_and_reason(archive, caplog):
    env, sink = archive
    sink.inbox.rcpt[AGENT] = ["451 4.7.1 Greylisted, try again later"]
    assert jobs_at("2017-03-29T06:31").bulletins()["envoyés"] == 2
    assert any(re.fullmatch(r"bulletin : 1 message différé : « destinataire refusé \(451 4\.7\.1 Greylisted, try again "
                     r"later\) » ; nouvel essai à \d\d:\d\d:\d\d\.", message)
               for message in caplog.messages), caplog.messages


def test_weekly_recap_on_monday(archive):
    env, sink = archive
    jobs_at("2017-04-03T07:00").bulletins()
    assert ("weekly", date(2017, 3, 27)) in editions(env)
    assert [m["Subject"] for m in sink.inbox.to(ELU) if "Récapitulatif" in m["Subject"]] == [
        "Veille – Récapitulatif de la semaine du 27 mars au 2 avril 2017"]


def test_two_racing_runs_make_one_edition_and_one_mail_each(archive):
    env, sink = archive
    racers = [jobs_at("2017-03-29T06:31") for _ in range(2)]
    failures = []

    def ring(jobs):
        try:
            jobs.bulletins()
        except JobFailed as exc:  # the other one holds this edition's send lock
            failures.append(str(exc))

    threads = [threading.Thread(target=ring, args=(jobs,)) for jobs in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert editions(env) == [(DAILY, date(2017, 3, 29))]
    assert len(sink.inbox.to(AGENT)) == 1 and len(sink.inbox.to(ELU)) == 1
    assert all("un autre envoi de cette édition est en cours" in failure for failure in failures)
    racers[0].bulletins()  # and later runs find nothing to do
    assert len(sink.inbox.messages) == 2

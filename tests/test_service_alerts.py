"""Alerts to VEILLE_ADMIN_EMAILS: one French email per problem per day, one when fixed; the
decision by time travel, the emails through a real SMTP server (aiosmtpd)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.test_bulletin_build import paris, seed
from tests.test_bulletin_mail import SmtpSink
from tests.test_crawl import rss
from veille.bulletins.mailsettings import mail_settings
from veille.config import Settings
from veille.db import make_engine, session_factory
from veille.service.alerts import decide
from veille.service.jobs import Jobs

ADMIN = "dsi@mairie-exemple.fr"
MONDAY, TUESDAY = date(2026, 11, 30), date(2026, 12, 1)


def test_once_a_day_while_it_lasts_then_once_when_fixed():
    problem = {"failing:a": "la source « a » est en échec"}
    alerts, memory = decide(problem, [], {}, MONDAY)
    assert [a.subject for a in alerts] == ["Problème : la source « a » est en échec"]
    alerts, memory = decide(problem, [], memory, MONDAY)
    assert alerts == []
    alerts, memory = decide(problem, [], memory, TUESDAY)
    assert [a.subject for a in alerts] == ["Problème : la source « a » est en échec"]
    alerts, memory = decide({}, [], memory, TUESDAY)
    assert [a.subject for a in alerts] == ["Réglé : la source « a » est en échec"] and memory == {}
    assert decide({}, [], memory, TUESDAY) == ([], {})


def test_events_are_told_once():
    alerts, memory = decide({}, ["l'index de recherche a dû être réparé"], {}, MONDAY)
    assert [a.subject for a in alerts] == ["l'index de recherche a dû être réparé"] and memory == {}


@pytest.fixture
def admin_mail(env, monkeypatch):
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")
    monkeypatch.setenv("VEILLE_ADMIN_EMAILS", f"{ADMIN}, ")
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        yield sink


def jobs_at(moment: datetime) -> Jobs:
    settings = Settings.from_env()
    return Jobs(settings, session_factory(make_engine(settings)), mail_settings(settings), clock=lambda: moment)


def subjects(sink) -> list[str]:
    return [message["Subject"] for message in sink.inbox.to(ADMIN)]


def test_a_source_failing_for_24_hours(env, server, admin_mail, monkeypatch):
    monkeypatch.setenv("VEILLE_DAILY_AT", "10:00")  # no bulletin due before 09:00 in this test
    server.route("/ko.xml", "panne", status=500)
    env.write_feeds([{"id": "cassee", "name": "Cassée", "url": server.url("/ko.xml")}])
    assert env.cli("crawl").code == 0
    now = datetime.now(timezone.utc)
    assert jobs_at(now + timedelta(hours=23)).alerts() == {"problèmes": 0, "alertes": 0}
    assert jobs_at(now + timedelta(hours=25)).alerts() == {"problèmes": 1, "alertes": 1}
    [subject] = subjects(admin_mail)
    assert subject.startswith("Veille – Problème : la source « cassee » est en échec depuis plus de 24 heures (")
    assert "500" in subject
    [message] = admin_mail.inbox.to(ADMIN)
    assert "un autre dira quand il est réglé" in message.get_content()
    jobs_at(now + timedelta(hours=25, minutes=5)).alerts()
    assert len(subjects(admin_mail)) == 1  # not twice the same day

    server.route("/ko.xml", rss({"title": "Retour à la normale", "link": "https://exemple.gouv.fr/1", "guid": "1"}))
    assert env.cli("crawl").code == 0
    jobs_at(now + timedelta(hours=26)).alerts()
    assert subjects(admin_mail)[1].startswith("Veille – Réglé : la source « cassee » est en échec")
    jobs_at(now + timedelta(hours=27)).alerts()
    assert len(subjects(admin_mail)) == 2


def test_an_edition_not_sent_by_nine(env, admin_mail):
    seed(env)
    assert jobs_at(paris("2017-03-29T08:59")).alerts()["problèmes"] == 0
    jobs_at(paris("2017-03-29T09:05")).alerts()
    assert subjects(admin_mail) == ["Veille – Problème : l'édition quotidienne du 29/03/2017 n'est pas "
                                    "entièrement envoyée à 9 h (pas construite)"]
    jobs = jobs_at(paris("2017-03-29T09:10"))
    jobs.bulletins()  # built and sent (no subscriber: nothing to send)
    jobs.alerts()
    assert subjects(admin_mail)[-1].startswith("Veille – Réglé : l'édition quotidienne du 29/03/2017")

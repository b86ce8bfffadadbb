"""Mail settings: no invented sender, sending only when VEILLE_SMTP_URL is set, every error at
once (`bulletin send` and `check-config`), checked before any connection to the SMTP server."""
import pytest

from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import AGENT, SmtpSink, cli, send, subscribe
from veille.config import ConfigError, Settings, default_sender, parse_days

LUN, MAR, MER, JEU, VEN, SAM, DIM = range(7)


@pytest.mark.parametrize("text, days", [
    ("lun-ven", {LUN, MAR, MER, JEU, VEN}), ("tous", set(range(7))), ("lun,mer,ven", {LUN, MER, VEN}),
    ("Lundi - Mercredi, samedi", {LUN, MAR, MER, SAM}), ("sam-lun", {SAM, DIM, LUN}), ("dim", {DIM}),
])
def test_daily_days_in_french(text, days):
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", "monday", "lun-", "lun;mer", "tout", "lun-xyz"])
def test_daily_days_refused(text):
    assert parse_days(text) is None


@pytest.mark.parametrize("base_url, sender", [
    ("https://veille.mairie-exemple.fr", "veille@veille.mairie-exemple.fr"),
    ("https://veille.test:8443/", "veille@veille.test"),
    ("http://localhost:5000", None), ("http://127.0.0.1:5000", None), ("https://[::1]", None),
    ("https://intranet", None),
])
def test_default_sender_only_from_a_domain_name(base_url, sender):
    assert default_sender(base_url) == sender
    assert Settings.from_env({"VEILLE_BASE_URL": base_url}).mail_from == sender


def test_defaults_send_nothing_and_schedule_weekdays():
    settings = Settings.from_env({})
    assert settings.smtp_url is None and not settings.sending and settings.mail_from is None
    assert settings.daily_time.isoformat() == "06:30:00" and settings.daily_days == frozenset(range(5))


def test_every_settings_error_at_once():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"VEILLE_TIMEZONE": "Europe/Lutece", "VEILLE_DAILY_AT": "25:00",
                           "VEILLE_DAILY_DAYS": "weekdays", "VEILLE_SMTP_RATE": "vite"})
    assert [error.split(" :")[0] for error in caught.value.errors] == [
        "VEILLE_TIMEZONE", "VEILLE_SMTP_RATE", "VEILLE_DAILY_AT", "VEILLE_DAILY_DAYS"]


def test_sender_from_the_base_url_domain(week, monkeypatch):
    monkeypatch.delenv("VEILLE_MAIL_FROM")
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        subscribe(week, (AGENT,))
        assert send(week).code == 0
        [message] = sink.inbox.to(AGENT)
    assert message["From"] == "Veille <veille@veille.test>"


def test_send_stops_before_connecting_and_names_every_variable(week, monkeypatch):
    monkeypatch.delenv("VEILLE_MAIL_FROM")
    monkeypatch.setenv("VEILLE_BASE_URL", "http://localhost:5000")
    subscribe(week, (AGENT,))
    with SmtpSink() as sink:
        connections = []
        sink.inbox.handle_EHLO = lambda *args: connections.append(args)
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        result = send(week)
        assert result.code == 2 and "Traceback" not in result.err
        assert "2 erreurs dans les réglages" in result.err
        assert "VEILLE_MAIL_FROM : expéditeur non défini" in result.err
        assert "VEILLE_BASE_URL : les liens de désabonnement des courriels doivent être en https" in result.err
        assert sink.inbox.messages == [] and connections == []


def test_send_without_smtp_url_says_which_variable(week, monkeypatch):
    monkeypatch.delenv("VEILLE_SMTP_URL", raising=False)
    subscribe(week, (AGENT,))
    result = send(week)
    assert result.code == 2 and "VEILLE_SMTP_URL : non défini, aucun bulletin n'est envoyé" in result.err


def test_check_config_reports_settings_mail_and_catalog_errors_together(env, monkeypatch):
    env.feeds.write_text("topics: []\nsources:\n  - id: a\n", encoding="utf-8")
    monkeypatch.setenv("VEILLE_SMTP_URL", "smtp://127.0.0.1:25?starttls=peut-être")
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1:5000")
    result = cli(env, "check-config")
    assert result.code == 2 and "Traceback" not in result.err
    assert "3 erreurs dans les réglages" in result.err
    for variable in ("VEILLE_MAIL_FROM :", "VEILLE_SMTP_URL : options invalides", "VEILLE_BASE_URL :"):
        assert variable in result.err
    assert "erreurs dans la configuration des sources" in result.err

    monkeypatch.setenv("VEILLE_DAILY_DAYS", "jamais")  # a settings error hides no other
    result = cli(env, "check-config")
    assert "4 erreurs dans les réglages" in result.err and "VEILLE_DAILY_DAYS" in result.err
    assert "erreurs dans la configuration des sources" in result.err


def test_check_config_says_whether_bulletins_are_mailed(env, monkeypatch):
    env.write_feeds([{"id": "a", "name": "A", "url": "https://exemple.gouv.fr/rss"}])
    monkeypatch.delenv("VEILLE_SMTP_URL", raising=False)
    result = cli(env, "check-config")
    assert result.code == 0 and "Envoi des bulletins désactivé : VEILLE_SMTP_URL n'est pas défini." in result.out
    monkeypatch.setenv("VEILLE_SMTP_URL", "smtp://smtp.mairie-exemple.fr:587?starttls=true")
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.mairie-exemple.fr")
    result = cli(env, "check-config")
    assert result.code == 0, result.err
    assert ("Envoi des bulletins : par smtp://smtp.mairie-exemple.fr:587, "
            "de « Veille » <veille@veille.mairie-exemple.fr>.") in result.out

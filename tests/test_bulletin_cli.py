"""The bulletin and subscriber commands as an operator uses them: output, errors, settings."""
import os
import re
import subprocess
import sys
from datetime import date, datetime, time, timedelta

import pytest

from tests.livesite import free_port
from tests.test_bulletin_build import PARIS, build_at, paris, seed, week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import AGENT, ELU, cli, send, sink, subscribe  # noqa: F401  (fixture)
from veille.bulletins.editions import find


def test_subscribers_add_update_and_list(week):
    added = cli(week, "subscribers", "add", "Agent@Mairie-Évry.fr", "--topics", "elections,forets", "--frequency", "both")
    assert added.code == 0
    assert added.out == ("Abonné ajouté : Agent@xn--mairie-vry-h7a.fr (quotidien et hebdomadaire ; "
                         "rubriques : Élections, Environnement - Forêts)\n")
    updated = cli(week, "subscribers", "add", "Agent@mairie-évry.fr", "--frequency", "weekly")
    assert updated.out.startswith("Abonnement mis à jour : Agent@xn--mairie-vry-h7a.fr (hebdomadaire ; rubriques : toutes)")
    listing = cli(week, "subscribers", "list").out.splitlines()
    assert listing[0].split() == ["adresse", "adresse", "professionnelle", "envoi", "à", "fréquence", "rubriques", "état"]
    assert listing[2].split() == ["Agent@xn--mairie-vry-h7a.fr", "—", "personnelle", "hebdomadaire", "toutes", "actif"]


def test_subscribers_add_refuses_unknown_rubriques(week):
    result = cli(week, "subscribers", "add", "agent@mairie.fr", "--topics", "elections,urbanisme")
    assert result.code == 2 and "rubrique inconnue : urbanisme (rubriques : finances-locales" in result.err


def test_build_shows_the_stored_edition(env):
    seed(env)
    first = cli(env, "bulletin", "build", "daily", "--date", "2017-03-29")
    assert first.code == 0, first.err
    lines = first.out.splitlines()
    assert lines[0].startswith("L'actualité du mercredi 29 mars 2017 : construite le ")
    # A past day: the first edition covers that calendar day.
    assert lines[1] == "Articles arrivés du 29/03/2017 00:00 au 30/03/2017 00:00 (Europe/Paris)"
    assert lines[2] == "JOURNAL OFFICIEL n°75 du 29 mars 2017"
    assert "Journal officiel         2" in first.out and "Total : 3 articles." in first.out
    again = cli(env, "bulletin", "build", "daily", "--date", "2017-03-29")
    assert "déjà construite" in again.out and "--rebuild" in again.out
    rebuilt = cli(env, "bulletin", "build", "daily", "--date", "2017-03-29", "--rebuild")
    assert rebuilt.code == 0 and "reconstruite" in rebuilt.out
    weekly = cli(env, "bulletin", "build", "weekly", "--date", "2017-03-29")
    assert weekly.out.startswith("Récapitulatif de la semaine du 27 mars au 2 avril 2017 : construit le ")
    assert "Finances locales - Dotations         3" in weekly.out


def test_build_in_the_future_is_refused(env):
    seed(env)
    result = cli(env, "bulletin", "build", "daily", "--date", "2099-01-01")
    assert result.code == 2 and "ne peut pas être construite à l'avance" in result.err


def test_output_is_in_french_typography(week):
    result = week.cli("bulletin", "build", "daily", "--date", "2017-03-29")
    assert "Total\xa0: 9 articles." in result.out


@pytest.mark.parametrize("name, value, message", [
    ("VEILLE_SMTP_RATE", "vite", "VEILLE_SMTP_RATE : débit invalide « vite »"),
    ("VEILLE_SMTP_RETRY_PERIOD", "2 semaines", "VEILLE_SMTP_RETRY_PERIOD : durée invalide « 2 semaines »"),
    ("VEILLE_BOUNCE_LIMIT", "0", "VEILLE_BOUNCE_LIMIT : nombre entier positif attendu"),
    ("VEILLE_DAILY_WHEN_EMPTY", "parfois", "VEILLE_DAILY_WHEN_EMPTY : valeur inconnue « parfois »"),
    ("VEILLE_WEEKLY_AT", "lundi 25:00", "VEILLE_WEEKLY_AT : moment invalide « lundi 25:00 »"),
    ("VEILLE_MAIL_FROM", "veille\r\nBcc: pirate@exemple.com", "VEILLE_MAIL_FROM : adresse électronique invalide"),
])
def test_bad_settings_are_clear_errors(week, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    result = cli(week, "bulletin", "send", "daily", "--date", "2017-03-29")
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def test_render_needs_no_mail_settings(env, tmp_path):
    seed(env)
    cli(env, "bulletin", "build", "daily", "--date", "2017-03-29")
    result = cli(env, "bulletin", "render", "daily", "--date", "2017-03-29", "--format", "text")
    assert result.code == 0 and result.out.startswith("Veille – L'actualité du mercredi 29 mars 2017")


def test_render_suggests_only_a_build_that_will_work(week):
    """The 28th and 29th are built: the 27th can no longer be (windows follow one another), the
    30th can, and the suggested command does it."""
    too_old = cli(week, "bulletin", "render", "daily", "--date", "2017-03-27", "--format", "text")
    assert too_old.code == 2 and "veille bulletin build" not in too_old.err
    assert ("L'édition quotidienne du lundi 27 mars 2017 n'a pas été construite et ne peut pas l'être : "
            "L'édition quotidienne du mardi 28 mars 2017 existe déjà") in too_old.err
    early = cli(week, "bulletin", "render", "daily", "--date", "2999-01-01", "--format", "text")
    assert early.code == 2 and "à l'avance" in early.err and "veille bulletin build" not in early.err
    missing = cli(week, "bulletin", "render", "daily", "--date", "2017-03-30", "--format", "text")
    assert missing.code == 2
    suggested = re.search(r"veille (bulletin build daily --date 2017-03-30)$", missing.err.strip()).group(1)
    assert cli(week, *suggested.split()).code == 0
    assert cli(week, "bulletin", "render", "daily", "--date", "2017-03-30", "--format", "text").code == 0


def test_weekly_rebuild_keeps_the_window_end(env):
    """A recap built mid-week covers Monday to the moment it was built; a rebuild keeps that end."""
    seed(env)
    build_at(env, "weekly", "2017-03-29", "2017-03-30T10:00")
    build_at(env, "weekly", "2017-03-29", "2017-04-03T07:00", rebuild=True)
    with env.session() as session:
        edition = find(session, "weekly", date(2017, 3, 29))
        assert (edition.window_start, edition.window_end) == (paris("2017-03-27T00:00"), paris("2017-03-30T10:00"))


def test_a_second_send_reports_its_own_figures(week, sink):
    subscribe(week, (AGENT,), (ELU,))
    assert "2 envoyés, 0 ignoré (rien de nouveau), 0 en échec, 0 en attente." in send(week).out
    again = send(week)
    assert again.code == 0
    assert "0 envoyé (2 envoyés lors d'un envoi précédent), 0 ignoré (rien de nouveau), 0 en échec" in again.out
    assert len(sink.inbox.messages) == 2


def test_send_says_at_once_that_it_waits_for_an_unreachable_server(week):
    """With the default retry period (2 h) the run waits minutes between tries: it says so at
    once, with the time of the next try and the time it gives up."""
    subscribe(week, (AGENT,))
    env = {**os.environ, "VEILLE_SMTP_URL": f"smtp://127.0.0.1:{free_port()}", "VEILLE_SMTP_RETRY_PERIOD": "2h"}
    process = subprocess.Popen([sys.executable, "-m", "veille", "bulletin", "send", "daily", "--date", "2017-03-29"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    started = datetime.now(PARIS)
    try:
        line = process.stderr.readline()  # blocks until the first line: it must come at once
        waited = (datetime.now(PARIS) - started).total_seconds()
    finally:
        process.kill()
        process.wait()
    line = line.replace("\xa0", " ")
    assert waited < 30 and line.startswith("Serveur SMTP injoignable ("), line
    retry, give_up = re.search(r"nouvel essai à (\d\d:\d\d:\d\d) ; sans réponse d'ici (\d\d:\d\d:\d\d), "
                               r"l'envoi s'arrête et les messages restent en attente", line).groups()
    at = lambda text: datetime.combine(started.date(), time.fromisoformat(text), PARIS)  # noqa: E731
    assert timedelta(minutes=3) < (at(retry) - started) % timedelta(days=1) < timedelta(minutes=5)  # 2 h / 32
    assert timedelta(minutes=119) < (at(give_up) - started) % timedelta(days=1) < timedelta(minutes=121)

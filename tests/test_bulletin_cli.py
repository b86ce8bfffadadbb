"""The bulletin and subscriber commands as an operator uses them: output, errors, settings."""
import pytest

from tests.test_bulletin_build import seed, week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import cli


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

"""French dates as pages write them, to aware UTC datetimes and to calendar days."""
import threading
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from veille.frenchdates import parse_french_date, parse_french_day

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    # A day without a time is midnight in Paris: 23:00 UTC in winter, 22:00 UTC in summer.
    ("3 février 2020", utc(2020, 2, 2, 23)),
    ("1er mars 2021", utc(2021, 2, 28, 23)),
    ("1ᵉʳ mars 2021", utc(2021, 2, 28, 23)),
    ("1 er mars 2021", utc(2021, 2, 28, 23)),
    ("04/02/2020", utc(2020, 2, 3, 23)),
    ("4.2.2020", utc(2020, 2, 3, 23)),
    ("4-2-2020", utc(2020, 2, 3, 23)),
    ("2020-02-04", utc(2020, 2, 3, 23)),
    ("27 juillet 2020", utc(2020, 7, 26, 22)),
    ("mardi 4 février 2020 à 10h", utc(2020, 2, 4, 9)),
    ("le 4 février 2020 à 10 h 30", utc(2020, 2, 4, 9, 30)),
    ("4 février 2020 à 10 heures 15", utc(2020, 2, 4, 9, 15)),
    ("10 mars 2026, 14:05", utc(2026, 3, 10, 13, 5)),
    ("12/03/2026 14:05:33", utc(2026, 3, 12, 13, 5, 33)),
    ("Publié le 12/03/2026", utc(2026, 3, 11, 23)),
    ("Mis à jour le 30 juin 2020 - 18h00", utc(2020, 6, 30, 16)),
    ("4 janv. 2020", utc(2020, 1, 3, 23)),
    ("4 févr. 2020", utc(2020, 2, 3, 23)),
    ("4 fév. 2020", utc(2020, 2, 3, 23)),
    ("4 déc. 2020", utc(2020, 12, 3, 23)),
    ("4 dec 2020", utc(2020, 12, 3, 23)),
    ("14 sept. 2021", utc(2021, 9, 13, 22)),
    ("15 août 2021", utc(2021, 8, 14, 22)),
    ("15 aout 2021", utc(2021, 8, 14, 22)),
    ("4 FÉVRIER 2020", utc(2020, 2, 3, 23)),
    ("4 FEVRIER 2020", utc(2020, 2, 3, 23)),
    ("4\u00a0février\u00a02020", utc(2020, 2, 3, 23)),
    ("4\u202ffévrier\u202f2020 à\u00a010\u202fh", utc(2020, 2, 4, 9)),
    ("4février2020", utc(2020, 2, 3, 23)),
    ("LOI n° 2012-410 du 27 mars 2012 relative à la protection de l'identité", utc(2012, 3, 26, 22)),
    ("Arrêté du 3 décembre 2020, publié le 5 décembre 2020", utc(2020, 12, 2, 23)),
    ("du 31/02/2020 au 3 mars 2020", utc(2020, 3, 2, 23)),  # the impossible one is passed over
    ("2020-02-04T10:00:00+01:00", utc(2020, 2, 4, 9)),
    ("2020-02-04T10:00:00.000Z", utc(2020, 2, 4, 10)),
    ("2020-07-04 10:00", utc(2020, 7, 4, 8)),
    ("4 février 2020 à 25h", utc(2020, 2, 3, 23)),  # impossible time: the day alone
    ("4 février 2020 à 10 habitants", utc(2020, 2, 3, 23)),
    # The last minute and second of a day are times; one more is not, and only the day is kept.
    ("4 février 2020 à 23 h 59", utc(2020, 2, 4, 22, 59)),
    ("12/03/2020 10:30:59", utc(2020, 3, 12, 9, 30, 59)),
    ("4 février 2020 à 24h", utc(2020, 2, 3, 23)),
    ("12/03/2020 10:60", utc(2020, 3, 11, 23)),
    ("12/03/2020 10:30:60", utc(2020, 3, 11, 23)),
    # Offsets count their minutes, up to 23:59; beyond, the time is read in Paris.
    ("2020-02-04T10:00:00+05:30", utc(2020, 2, 4, 4, 30)),
    ("2020-02-04T10:00:00-0930", utc(2020, 2, 4, 19, 30)),
    ("2020-02-04T10:00:00+23:59", utc(2020, 2, 3, 10, 1)),
    ("2020-02-04T10:00:00+24:00", utc(2020, 2, 4, 9)),
    ("2020-02-04T10:00:00+01:60", utc(2020, 2, 4, 9)),
])
def test_reads_french_dates(text, expected):
    assert parse_french_date(text, now=NOW) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "fév. 2020", "février 2020", "en 2020", "31/02/2020", "29/02/2021", "32 janvier 2020",
    "4 maison 2020", "0/0/2020", "2020-13-01", "1er trimestre 2020", "4 février 20",
    "2999-01-01", "22/02/2222", "1 janvier 1850",
    "12/03/2027",  # after now: no page published it yet
    "Loi n° 2012-410", "n°12-2020-04",
])
def test_no_date_gives_none(text):
    assert parse_french_date(text, now=NOW) is None



def test_a_date_without_time_stays_a_datetime_at_midnight_in_the_given_zone():
    value = parse_french_date("3 février 2020", tz=ZoneInfo("America/Cayenne"), now=NOW)
    assert value == utc(2020, 2, 3, 3)
    assert value.tzinfo is UTC


def test_an_explicit_offset_wins_over_the_zone():
    assert parse_french_date("2020-02-04T10:00:00-03:00", now=NOW) == utc(2020, 2, 4, 13)
    assert parse_french_date("2020-02-04T10:00:00+99:99", now=NOW) == utc(2020, 2, 4, 9)


def test_now_defaults_to_the_clock():
    assert parse_french_date("3 février 2020") == utc(2020, 2, 2, 23)
    assert parse_french_date("3 février 2999") is None


@pytest.mark.parametrize("text, expected", [
    ("3 février 2020", date(2020, 2, 3)),
    ("Publié le 12/03/2026 à 23 h 30", date(2026, 3, 12)),
    ("2020-02-04T23:30:00-05:00", date(2020, 2, 4)),  # the day as written
    ("le 1er janvier 2030", date(2030, 1, 1)),  # a day may be in the future (entry into force)
    ("31/02/2020", None),
    ("fév. 2020", None),
    ("2999-01-01", None),
    ("", None),
])
def test_parse_french_day(text, expected):
    assert parse_french_day(text) == expected


@pytest.mark.parametrize("hostile, expected", [
    ("1 " * 50_000, None),
    ("1" + " " * 100_000 + "er", None),
    ("12/" * 30_000, None),
    ("1er " * 30_000 + "mars", None),
    ("1er " * 300 + "mars 2020", date(2020, 3, 1)),
    ("\x00\ufffd" * 100 + "3 février 2020", date(2020, 2, 3)),
    ("\x00\ufffd" * 10_000 + "3 février 2020", None),  # beyond the first 10,000 characters scanned
])
def test_hostile_text_reads_what_it_says_and_never_hangs(hostile, expected):
    found = []
    # A guard against catastrophic backtracking, not a speed measure (that is in bench/).
    worker = threading.Thread(target=lambda: found.append((parse_french_day(hostile),
                                                          parse_french_date(hostile, now=NOW))), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert found, "the date reader did not finish"
    day, moment = found[0]
    assert day == expected
    assert (moment.astimezone(ZoneInfo("Europe/Paris")).date() if moment else None) == expected


@pytest.mark.parametrize("text", ["١٠ mars ٢٠٢٦", "10/03/٢٠٢٦", "٢٠٢٦-03-10", "1٠ mars 2026"])
def test_only_ascii_digits_make_a_date(text):
    """Python's \\d and int() take Arabic-Indic digits for numbers: official sources write none."""
    assert parse_french_date(text, tz=timezone.utc) is None and parse_french_day(text) is None


def test_fullwidth_digits_fold_to_ascii_ones():
    assert parse_french_day("１０ mars ２０２６") == date(2026, 3, 10)  # NFKD, as for every folded text

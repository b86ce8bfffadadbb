"""The outbox's waiting rules as the README states them: the backoff of temporary failures, and
the line that says which messages wait, until when, in the readers' time zone."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from veille.bulletins.outbox import Deferred, Policy


def test_the_backoff_starts_at_a_32nd_of_the_retry_period_and_doubles_up_to_a_quarter():
    policy = Policy(rate=0, retry_period=timedelta(hours=2), bounce_limit=3)
    assert [policy.backoff(tries) for tries in range(1, 7)] == [
        timedelta(minutes=minutes) for minutes in (3.75, 7.5, 15, 30, 30, 30)]


def test_deferred_messages_are_said_with_their_next_try_in_the_given_time_zone():
    deferred = Deferred("destinataire refusé (451 4.7.1 Greylisted)", 2, datetime(2017, 3, 29, 4, 31, 4, tzinfo=timezone.utc))
    assert deferred.said(ZoneInfo("Europe/Paris")) == (
        "2 messages différés : « destinataire refusé (451 4.7.1 Greylisted) » ; nouvel essai à 06:31:04.")
    assert Deferred("boîte pleine", 1, deferred.retry_at).said(timezone.utc).startswith("1 message différé : ")

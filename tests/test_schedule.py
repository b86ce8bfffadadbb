from datetime import datetime, timedelta, timezone

from veille.fetch import retry_after_seconds
from veille.schedule import MAX_BACKOFF, is_due, next_after_failure, next_after_success

NOW = datetime(2017, 3, 29, 6, 0, tzinfo=timezone.utc)


def test_success_waits_one_interval():
    assert next_after_success(NOW, timedelta(hours=2)) == NOW + timedelta(hours=2)


def test_failures_back_off_exponentially_up_to_a_cap():
    delays = [next_after_failure(NOW, timedelta(minutes=15), n) - NOW for n in range(1, 12)]
    assert delays[0] == timedelta(minutes=15)
    assert delays[1] == timedelta(minutes=30)
    assert delays == sorted(delays)
    assert max(delays) == MAX_BACKOFF


def test_daily_source_never_retried_sooner_than_backoff_floor_nor_later_than_its_interval():
    delays = [next_after_failure(NOW, timedelta(days=1), n) - NOW for n in range(1, 10)]
    assert delays[0] == timedelta(hours=1)
    assert max(delays) == timedelta(days=1)


def test_retry_after_is_honoured():
    assert next_after_failure(NOW, timedelta(minutes=15), 1, retry_after=7200) == NOW + timedelta(hours=2)


def test_retry_after_header_forms():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 29 Mar 2017 06:10:00 GMT", now=NOW) == 600
    assert retry_after_seconds("n'importe quoi") is None


def test_is_due():
    assert is_due(None, NOW)
    assert is_due(NOW, NOW)
    assert not is_due(NOW + timedelta(seconds=1), NOW)

"""The per-address limit on token routes: the counting itself, then the unsubscribe routes over real
HTTP against `veille serve`."""
import re

import pytest

from tests.served import Served
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import AGENT, subscribe
from tests.test_web import subscriber, text, token_of
from veille.web.ratelimit import RateLimit, client_key


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_attempts_beyond_the_limit_wait_for_the_oldest_to_expire():
    clock = Clock()
    limit = RateLimit(3, 60, clock)
    for _ in range(3):
        assert limit.attempt("192.0.2.1") == (0.0, 0)
        clock.now += 10
    assert limit.attempt("192.0.2.1") == (30.0, 1)  # the first attempt expires at 1060
    assert limit.attempt("192.0.2.1") == (30.0, 2)  # refused attempts do not count, but are counted
    assert limit.attempt("192.0.2.2") == (0.0, 0)  # another client has its own count
    clock.now += 30
    assert limit.attempt("192.0.2.1") == (0.0, 0)
    assert limit.attempt("192.0.2.1") == (10.0, 1)
    clock.now += 3600
    assert limit.attempt("192.0.2.3") == (0.0, 0)
    assert set(limit._attempts) == {"192.0.2.3"}  # clients long gone are forgotten


@pytest.mark.parametrize("address, key", [
    ("192.0.2.1", "192.0.2.1"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),  # a machine holds its whole /64
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.1", "192.0.2.1"),
    (None, "?"),
])
def test_client_key(address, key):
    assert client_key(address) == key


def test_token_routes_answer_429_after_30_tries_a_minute(week):
    subscribe(week, (AGENT,))
    token = token_of(week, AGENT)
    assert len(token) == 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 256 random bits, base64url
    with Served() as served:
        guesses = [served.request(f"/desabonnement/devine-{n:026d}").status for n in range(29)]
        assert guesses == [404] * 29
        assert served.request(f"/desabonnement/{token}").status == 200  # the 30th
        for method, path in [("GET", f"/desabonnement/{token}"), ("POST", f"/desabonnement/{token}"),
                             ("POST", f"/desabonnement/{token}/reabonnement"), ("GET", "/desabonnement/devine")]:
            refused = served.request(path, method=method)
            assert refused.status == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            assert refused.headers["cache-control"] == "no-store"
            assert "content-security-policy" in refused.headers and '<html lang="fr">' in refused.text
            assert ("Trop de demandes sur les liens de désabonnement depuis votre adresse. Réessayez dans une minute."
                    in text(refused.text))
        assert served.request("/bulletins/quotidien/2017-03-29").status == 200  # other pages are not limited
        log = served.stop()
    assert subscriber(week, AGENT).disabled_at is None  # the refused POST did nothing
    assert log.count("trop de requêtes (429) de 127.0.0.1 sur unsubscribe") == 1, log


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(week, monkeypatch):
    monkeypatch.setenv("VEILLE_TRUSTED_PROXIES", "1")
    with Served() as served:
        def guess(client: str) -> int:
            return served.raw(f"GET /desabonnement/devine-devine-devine HTTP/1.1\r\nHost: veille.exemple.fr\r\n"
                              f"X-Forwarded-For: {client}\r\nX-Forwarded-Proto: https\r\n"
                              "Connection: close\r\n\r\n".encode()).status
        assert [guess(f"203.0.113.{n}") for n in range(40)] == [404] * 40  # forty readers, one try each
        assert [guess("198.51.100.7") for _ in range(31)] == [404] * 30 + [429]
        log = served.stop()
    assert "trop de requêtes (429) de 198.51.100.7 sur unsubscribe" in log

"""Hostile and odd requests against `veille serve` (waitress, its own process), sent as raw bytes
where an HTTP client would normalise them: no request gets a 500, every answer of the app is a
French page with the security headers."""
import socket
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from tests.served import Served
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_web import item_ids, text
from veille.bulletins.models import Edition

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")
BAD_HOSTS = ["a..b", ".example", "a" * 64 + ".fr", "a" * 64, "xn--zz", "xn--zz.example:5000", "exemple.fr:0",
             "exemple.fr:65536", "[::1", "[zz::1]", "exemple.fr..", ""]


@pytest.fixture
def served(week):
    with Served() as running:
        yield running


def french_page(answer, status: int) -> str:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in answer.text and "Traceback" not in answer.text
    for name in SECURITY_HEADERS:
        assert name in answer.headers, name
    return text(answer.text)


def test_a_bad_host_header_is_a_french_400_logged_in_one_line(served):
    paths = ["/", "/bulletins", "/bulletins/hebdomadaire/2017-03-29", "/nulle-part"]
    for host in BAD_HOSTS:
        for path in paths:
            page = french_page(served.request(path, host=host), 400)
            assert "L'adresse du site indiquée par la requête (en-tête Host) n'est pas valide." in page
    for host in ("veille.exemple.fr", "VEILLE.Exemple.FR.", "xn--bcher-kva.example", "[::1]:8080", "127.0.0.1:5000"):
        assert served.request("/", host=host).status == 200, host
    log = served.stop()
    assert log.count("en-tête Host invalide") == len(BAD_HOSTS) * len(paths)
    # One line each from the app (waitress may add its own « Task queue depth » notes under load).
    ours = [line for line in log.splitlines() if "waitress" not in line]
    assert len(ours) == len(BAD_HOSTS) * len(paths), log[-3000:]
    assert "Traceback" not in log


def test_a_redirect_body_does_not_name_the_claimed_host(served):
    for path, target in [("/bulletins", "/bulletins/"),
                         ("/bulletins/hebdomadaire/2017-03-29", "/bulletins/hebdomadaire/2017-03-27"),
                         ("/bulletins/hebdomadaire/2017-03-29.pdf", "/bulletins/hebdomadaire/2017-03-27.pdf")]:
        moved = served.request(path, host="evil.example")
        assert moved.status in (302, 308) and moved.headers["location"] == target
        assert "evil.example" not in moved.text
        assert f'<a href="{target}">{target}</a>' in moved.text and '<html lang="fr">' in moved.text
        for name in SECURITY_HEADERS:
            assert name in moved.headers


def test_numbers_are_ascii_digits_only(served, week):
    start = datetime(2016, 1, 1, tzinfo=timezone.utc)
    with week.session() as session, session.begin():  # two pages of editions: "page 2" exists
        for n in range(70):
            session.add(Edition(kind="daily", day=date(2016, 1, 1) + timedelta(days=n), window_start=start,
                                window_end=start, built_at=start, content={}))
    assert "Page 2 sur 2" in text(served.request("/bulletins/?page=2").text)
    guide = item_ids(week)["Guide des marchés publics innovants"]
    for digit in ("²", "¹", "①", "２", "٢", "𝟐"):  # all of them str.isdigit()
        encoded = "".join(f"%{byte:02X}" for byte in digit.encode())
        for path in (f"/bulletins/?page={encoded}", f"/bulletins/?page=1{encoded}", f"/bulletins/?page={encoded}0",
                     f"/bulletins/quotidien/{encoded}017-03-29", f"/bulletins/quotidien/2017-03-{encoded}9",
                     f"/bulletins/quotidien/2017-03-29{encoded}.pdf", f"/articles/{guide}{encoded}"):
            page = french_page(served.request(path), 404)
            assert "n'existe pas" in page or "la date s'écrit AAAA-MM-JJ" in page, path
        raw = served.request(f"/bulletins/?page={digit}")  # not percent-encoded: waitress refuses the line
        assert raw.status == 400
    log = served.stop()
    assert "Traceback" not in log and "erreur interne" not in log


def test_slow_clients_do_not_stall_the_site(served):
    slow = []
    try:
        for _ in range(120):  # each sends half its headers, then nothing
            connection = socket.create_connection(("127.0.0.1", served.port), timeout=10)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: lent")
            slow.append(connection)
        page = httpx.get(served.url + "/bulletins/quotidien/2017-03-29", timeout=2)  # within 2 s, or fails
        assert page.status_code == 200 and "L'actualité du mercredi 29 mars 2017" in text(page.text)
    finally:
        for connection in slow:
            connection.close()

"""The HTTP chokepoint against a real server on 127.0.0.1."""
import gzip

import pytest

from veille.config import DEFAULT_USER_AGENT, ConfigError, Settings
from veille.fetch import FetchError, Fetcher, FetchPolicy

BODY = "<rss version='2.0'><channel><title>Flux</title></channel></rss>".encode()


@pytest.fixture
def fetcher():
    with Fetcher(FetchPolicy(deadline=3, read_timeout=1, connect_timeout=1, max_bytes=64 * 1024)) as f:
        yield f


def get(fetcher, url, **kw):
    return fetcher.get(url, allow_private=True, **kw)


def test_plain_get_sends_an_honest_user_agent(server, fetcher):
    result = get(fetcher, server.route("/flux.xml", BODY))
    assert result.status == 200 and result.content == BODY
    agent = server.requests[-1][1]["User-Agent"]
    assert agent == DEFAULT_USER_AGENT
    assert agent.startswith("Veille/") and "+https://" in agent and "Mozilla" not in agent


def test_crawl_sends_the_configured_user_agent_on_every_request(env, server, monkeypatch):
    agent = "Veille-Mairie-de-Test/2.0 (+https://mairie.example/veille; contact@mairie.example)"
    monkeypatch.setenv("VEILLE_USER_AGENT", agent)
    redirect = server.redirect("/ancien.xml", server.route("/flux.xml", BODY), status=302)
    env.write_feeds([{"id": "flux", "name": "Flux", "url": redirect}])
    assert env.cli("crawl").code == 0
    assert [path for path, _ in server.requests] == ["/ancien.xml", "/flux.xml"]
    assert [headers["User-Agent"] for _, headers in server.requests] == [agent, agent]


@pytest.mark.parametrize("agent, error", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0", "se fait passer pour un navigateur"),
    ("Veille", "ne donne pas l'adresse"),
    ("Veille/1.0 (+https://exemple.fr) é", "ASCII imprimables"),
])
def test_dishonest_or_unusable_user_agent_is_a_configuration_error(agent, error):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"VEILLE_USER_AGENT": agent})
    assert raised.value.errors == [raised.value.errors[0]]
    assert raised.value.errors[0].startswith("VEILLE_USER_AGENT : ") and error in raised.value.errors[0]


def test_user_agent_default_and_override():
    assert Settings.from_env({}).user_agent == DEFAULT_USER_AGENT
    assert Settings.from_env({"VEILLE_USER_AGENT": " Veille/2 (+https://x.fr) "}).user_agent == "Veille/2 (+https://x.fr)"


def test_conditional_get_with_etag_and_last_modified(server, fetcher):
    url = server.route("/flux.xml", BODY, etag='"v1"', last_modified="Wed, 29 Mar 2017 06:00:00 GMT")
    first = get(fetcher, url)
    assert first.etag == '"v1"' and first.last_modified == "Wed, 29 Mar 2017 06:00:00 GMT"
    again = get(fetcher, url, etag=first.etag)
    assert again.not_modified and again.content == b""
    by_date = get(fetcher, url, last_modified=first.last_modified)
    assert by_date.not_modified


def test_gzip_body_is_decoded(server, fetcher):
    result = get(fetcher, server.route("/flux.xml", BODY, gzip=True))
    assert result.content == BODY


def test_body_size_cap_with_and_without_content_length(server, fetcher):
    big = b"<rss>" + b"x" * (70 * 1024) + b"</rss>"
    for path, options in (("/gros.xml", {}), ("/gros-chunked.xml", {"chunked": True})):
        with pytest.raises(FetchError, match="trop volumineuse"):
            get(fetcher, server.route(path, big, **options))


def test_gzip_bomb_is_capped_on_decoded_size(server, fetcher):
    bomb = gzip.compress(b"\0" * (10 * 1024 * 1024))
    url = server.route("/bombe.xml", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="trop volumineuse"):
        get(fetcher, url)


def test_slow_server_hits_the_deadline(server):
    url = server.route("/lent.xml", b"x" * 6400, drip=0.1)  # 100 chunks of 64 bytes: 10 s
    with Fetcher(FetchPolicy(deadline=1, read_timeout=1)) as fetcher:
        with pytest.raises(FetchError, match="délai dépassé"):
            get(fetcher, url)


def test_permanent_redirect_reports_the_new_address(server, fetcher):
    target = server.route("/nouveau.xml", BODY)
    result = get(fetcher, server.redirect("/ancien.xml", "/nouveau.xml", 301))
    assert result.url == target and result.moved_to == target


def test_temporary_redirect_keeps_the_address(server, fetcher):
    server.route("/nouveau.xml", BODY)
    result = get(fetcher, server.redirect("/tmp.xml", "/nouveau.xml", 302))
    assert result.content == BODY and result.moved_to is None
    mixed = get(fetcher, server.redirect("/a.xml", "/tmp.xml", 301))
    assert mixed.moved_to is None  # a temporary hop on the way


def test_redirect_loop_and_too_many_redirects(server, fetcher):
    server.redirect("/boucle-a", "/boucle-b")
    server.redirect("/boucle-b", "/boucle-a")
    with pytest.raises(FetchError, match="boucle de redirections"):
        get(fetcher, server.url("/boucle-a"))
    for i in range(8):
        server.redirect(f"/r{i}", f"/r{i + 1}", 302)
    with pytest.raises(FetchError, match="trop de redirections"):
        get(fetcher, server.url("/r0"))


def test_every_hop_is_checked(server, fetcher):
    server.redirect("/vers-metadonnees", "http://169.254.169.254/latest/meta-data/", 302)
    with pytest.raises(FetchError, match="adresse refusée : 169.254.169.254"):
        get(fetcher, server.url("/vers-metadonnees"))
    server.redirect("/vers-fichier", "file:///etc/passwd", 302)
    with pytest.raises(FetchError, match="n'est pas une adresse http ou https"):
        get(fetcher, server.url("/vers-fichier"))
    assert server.hits.get("/latest/meta-data/") is None


def test_private_addresses_refused_unless_allowed(server, fetcher):
    url = server.route("/flux.xml", BODY)
    with pytest.raises(FetchError, match="allow_private"):
        fetcher.get(url)
    assert server.hits.get("/flux.xml") is None


@pytest.mark.parametrize("status, pattern, gone", [
    (404, "HTTP 404 : introuvable", False),
    (500, "HTTP 500 : erreur interne du serveur", False),
    (410, "HTTP 410 .* source retirée", True),
])
def test_error_statuses(server, fetcher, status, pattern, gone):
    with pytest.raises(FetchError, match=pattern) as caught:
        get(fetcher, server.route(f"/s{status}", b"", status=status))
    assert caught.value.status == status and caught.value.gone is gone


def test_429_and_503_carry_retry_after(server, fetcher):
    with pytest.raises(FetchError, match="nouvel essai dans 3600 s") as caught:
        get(fetcher, server.route("/lim", b"", status=429, headers={"Retry-After": "3600"}))
    assert caught.value.retry_after == 3600
    with pytest.raises(FetchError, match="HTTP 503 : service indisponible") as caught:
        get(fetcher, server.route("/indispo", b"", status=503))
    assert caught.value.retry_after is None
    for odd in ("²", "¹0"):  # str.isdigit() says yes to both: the delay is ignored, the fetch fails cleanly
        with pytest.raises(FetchError, match="HTTP 429") as caught:
            get(fetcher, server.route(f"/lim-{len(odd)}", b"", status=429, headers={"Retry-After": odd}))
        assert caught.value.retry_after is None


def test_connection_refused_is_a_clean_error(fetcher):
    with pytest.raises(FetchError, match="connexion impossible"):
        get(fetcher, "http://127.0.0.1:9/flux.xml")


def test_unknown_host_is_a_clean_error(fetcher):
    with pytest.raises(FetchError, match="nom de domaine introuvable"):
        fetcher.get("https://nexistepas.invalid/flux.xml")

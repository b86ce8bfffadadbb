"""Helpers for the account tests over real HTTP: a site with accounts enabled, forms read from
the pages as a browser would (their CSRF token included), logging in."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager
from html import unescape

import httpx
import pytest
from sqlalchemy import select

from tests.livesite import LiveSite
from tests.test_bulletin_mail import SmtpSink
from veille.models import Item

SECRET = "une-clé-secrète-de-test-assez-longue-pour-signer"
PASSWORD = "un mot de passe solide"
TOULOUSE, RENNES = "213105554", "213502388"
FULL_TEXT = "Article 1er du texte intégral réservé aux abonnés."


@contextmanager
def mailing_site(week, monkeypatch):
    """`week`'s archive served with accounts enabled, mail through a real SMTP server (the
    site's `sink`), one item with a full text (at the site's `env.item_path`)."""
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1")
    with week.session() as session, session.begin():
        item = session.scalar(select(Item).where(Item.title.like("Guide des marchés publics innovants%")))
        item.content_html = f"<p>{FULL_TEXT}</p>"
        week.item_path = f"/articles/{item.id}"
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        with LiveSite() as running:
            running.sink, running.env = sink, week
            yield running


def cli(env, *args, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin + "\n"))
    result = env.cli(*args)
    assert result.code == 0, result.err
    return result


def add_user(env, monkeypatch, email: str, siren: str = TOULOUSE, role: str = "lecteur") -> None:
    cli(env, "user", "add", email, "--org", siren, "--role", role, "--password-stdin",
        stdin=PASSWORD, monkeypatch=monkeypatch)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return unescape(match.group(1))


def text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ").split())


class Browser:
    """An HTTP client with its cookies, filling the site's forms."""

    def __init__(self, site: LiveSite, headers: dict | None = None):
        self.site = site
        self.client = httpx.Client(base_url=site.url, timeout=30, headers=headers or {})

    def get(self, path: str, **options) -> httpx.Response:
        return self.client.get(self.site.url + path, **options)

    def post(self, path: str, data: dict, form_page: str | None = None, **options) -> httpx.Response:
        """POST as the form of `form_page` (default: `path`) would, with its CSRF token."""
        page = self.get(form_page or path)
        return self.client.post(self.site.url + path, data={"csrf_token": csrf_of(page.text), **data}, **options)

    def log_in(self, email: str, password: str = PASSWORD, next_path: str = "/") -> httpx.Response:
        return self.post("/connexion", {"email": email, "password": password, "next": next_path})

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def accounts_site(week, monkeypatch):
    """The week's archive served with accounts enabled, over plain HTTP (cookies not Secure)."""
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1")
    with LiveSite() as site:
        yield site

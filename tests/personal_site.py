"""Test set-up for the pages of logged-in readers and editors: the bulletin archive of March 2017
(tests.test_bulletin_build.seed_week), a licensed commune with a reader, an editor and an
administrator made by the real CLI, and the site served on 127.0.0.1 with accounts enabled."""
from __future__ import annotations

import httpx
import pytest

from tests.livesite import LiveSite, free_port
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.web_accounts import PASSWORD, SECRET, TOULOUSE, add_user, cli, csrf_of

READER, EDITOR, ADMIN = "lecteur@mairie-exemple.fr", "redac@mairie-exemple.fr", "admin@mairie-exemple.fr"
ROLES = {READER: "lecteur", EDITOR: "editeur", ADMIN: "admin"}


@pytest.fixture
def members(week, monkeypatch):
    """`week` with accounts enabled, its members, and the site served over HTTP on 127.0.0.1."""
    port = free_port()
    monkeypatch.setenv("VEILLE_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    cli(week, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune",
        "--licence-jusqu", "2099-12-31")
    for email, role in ROLES.items():
        add_user(week, monkeypatch, email, role=role)
    with LiveSite(port) as site:
        site.env = week
        yield site


def client_of(site, email: str | None = None) -> httpx.Client:
    """An HTTP client of the site, logged in as `email` when given."""
    client = httpx.Client(base_url=site.url, timeout=60)
    if email:
        answer = client.post("/connexion", data={"email": email, "password": PASSWORD, "next": "/",
                                                 "csrf_token": csrf_of(client.get("/connexion").text)})
        assert answer.status_code == 303, answer.text
    return client


def log_in(page, site, email: str) -> None:
    """Log in through the real form in a browser page."""
    page.goto(site.url + "/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()

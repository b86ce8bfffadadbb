"""Alerts end to end: a reader's saved search, then a crawl (real HTTP server on 127.0.0.1)
bringing an item it finds, then the daily edition sent to a real SMTP server (aiosmtpd): the
« Vos alertes » section is in that reader's email only."""
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.test_bulletin_build import factory_of
from tests.test_bulletin_mail import SmtpSink
from tests.test_bulletin_mail import cli as french_cli
from tests.web_accounts import TOULOUSE, add_user, cli
from tests.test_crawl import rss
from veille.accounts.models import User
from veille.catalog import load_catalog
from veille.dates import PARIS
from veille.db import transaction
from veille.personal import account, alerts
from veille.personal.models import AlertHit
from veille.search.params import read

AGENT, ELU, DSI = "agent@mairie-exemple.fr", "elu@mairie-exemple.fr", "dsi@mairie-exemple.fr"
CONCOURS = {"title": "Arrêté relatif aux concours de la fonction publique", "guid": "c1",
            "link": "https://ex.gouv.fr/concours", "text": "Les marchés publics de la formation."}
FIBRE = {"title": "Décret relatif au déploiement de la fibre optique", "guid": "f1",
         "link": "https://ex.gouv.fr/fibre", "text": "Le très haut débit dans les zones rurales."}


@pytest.fixture
def installed(env, server, monkeypatch):
    """A commune with two readers (AGENT and ELU) and a subscriber without an account (DSI); a
    source on the local server, crawled once."""
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")
    monkeypatch.setenv("VEILLE_MAIL_FROM", "bulletin@veille.test")
    monkeypatch.setenv("VEILLE_MAIL_FROM_NAME", "Veille")
    server.route("/f.xml", rss(CONCOURS))
    env.write_feeds([{"id": "f", "name": "Ministère", "url": server.url("/f.xml")}])
    assert env.cli("crawl").code == 0
    cli(env, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune", "--licence-jusqu", "2099-12-31")
    for email in (AGENT, ELU):
        add_user(env, monkeypatch, email)
    with env.session() as session:
        env.users = dict(session.execute(select(User.email, User.id)).all())
    cli(env, "subscribers", "add", DSI, "--topics", "commande-publique")
    return env


def test_an_alert_brings_a_new_item_into_that_readers_bulletin_only(installed, server, monkeypatch):
    env = installed
    topics = load_catalog(env.feeds).topics
    now = datetime.now(timezone.utc)
    with transaction(factory_of(env)) as session:
        for email, query in ((AGENT, "fibre optique"), (ELU, "piscines municipales")):
            user = session.get(User, env.users[email])
            # Rubriques with nothing new: only an alert can bring them a bulletin.
            account.subscribe(session, user, ["elections"], "daily", None, "personal", now)
            alerts.add(session, user.id, "", read({"q": query}, topics), now)

    server.route("/f.xml", rss(CONCOURS, FIBRE))  # the next crawl brings the item AGENT's alert finds
    assert "1 nouveau" in env.cli("crawl").out
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        today = datetime.now(PARIS).date().isoformat()
        result = french_cli(env, "bulletin", "send", "daily", "--date", today)
        assert result.code == 0, result.err
        assert "2 envoyés, 1 ignoré (rien de nouveau)" in result.out  # ELU: nothing in rubriques nor alerts

        [agent] = sink.inbox.to(AGENT)
        text = agent.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = agent.get_body(("html",)).get_content()
        assert "VOS ALERTES\n" in text and "--- fibre optique ---" in text
        alerts_part = text[text.index("VOS ALERTES"):text.index("JOURNAL OFFICIEL")]
        assert "Déploiement de la fibre optique" in alerts_part and "concours" not in alerts_part
        assert re.search(r"<h2[^>]*>Vos alertes</h2>", html) and re.search(r"<h3[^>]*>fibre optique</h3>", html)
        assert html.index("Vos alertes") < html.index("Journal officiel")

        [dsi] = sink.inbox.to(DSI)  # same edition, no alert of his own
        for part in ("plain", "html"):
            body = dsi.get_body((part,)).get_content()
            assert "alertes" not in body.lower() and "Déploiement de la fibre optique" not in body
            assert "Concours de la fonction publique" in body
        assert sink.inbox.to(ELU) == []

        again = french_cli(env, "bulletin", "send", "daily", "--date", today)  # matched once, sent once
        assert again.code == 0 and len(sink.inbox.messages) == 2
    with env.session() as session:
        assert session.scalar(select(func.count()).select_from(AlertHit)) == 1


def test_at_most_twenty_alerts_and_never_an_empty_one(installed):
    env = installed
    topics = load_catalog(env.feeds).topics
    now = datetime.now(timezone.utc)
    with transaction(factory_of(env)) as session:
        with pytest.raises(alerts.AlertError, match="une alerte a besoin de mots à chercher ou d'un filtre"):
            alerts.add(session, env.users[AGENT], "vide", read({}, topics), now)
        for n in range(alerts.ALERTS_MAX):
            alerts.add(session, env.users[AGENT], f"alerte {n}", read({"q": f"mot{n}"}, topics), now)
        with pytest.raises(alerts.AlertError, match="vous avez déjà 20 alertes, le maximum"):
            alerts.add(session, env.users[AGENT], "une de trop", read({"q": "encore"}, topics), now)

"""`veille migrate-data`: a SQLite archive (items, sources' state, editions, subscribers, outbox,
editors' changes) moved whole into an empty database, PostgreSQL in the PostgreSQL pass of
make test (another SQLite file otherwise); a non-empty target refused in French."""
import re

import pytest
from sqlalchemy import select

from tests import databases
from tests.test_bulletin_build import seed_week
from tests.test_bulletin_mail import SmtpSink, cli, send, subscribe
from veille.bulletins.models import OutboxMessage, Subscriber
from veille.models import Item

AGENT, ELU = "agent@mairie-exemple.fr", "elu@mairie-exemple.fr"


@pytest.fixture
def moved(env, monkeypatch, tmp_path):
    """A SQLite archive used for a week (bulletins sent, an item hidden), and an empty target."""
    target = databases.new_database_url(empty=True) or f"sqlite:///{tmp_path / 'cible.db'}"
    source = f"sqlite:///{tmp_path / 'source.db'}"
    monkeypatch.setenv("VEILLE_DATABASE_URL", source)
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")
    monkeypatch.setenv("VEILLE_MAIL_FROM", "bulletin@veille.test")
    seed_week(env)
    subscribe(env, (AGENT,), (ELU, "--frequency", "both"))
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        assert send(env).code == 0
    with env.session() as session:
        hidden = session.scalars(select(Item.id).order_by(Item.id)).first()
    assert cli(env, "hide", hidden, "--reason", "Doublon").code == 0
    yield env, source, target, hidden
    databases.drop(target if target.startswith("postgresql") else None)


def snapshot(env) -> dict:
    """What a reader and the sender see of the archive of VEILLE_DATABASE_URL."""
    with env.session() as session:
        return {"items": sorted((i.id, i.title, i.hidden_reason, i.published_at, tuple(i.topic_slugs))
                                for i in session.scalars(select(Item))),
                "outbox": sorted((o.email, o.state, o.sent_at) for o in session.scalars(select(OutboxMessage)))}


def test_everything_moves_with_row_counts_and_the_target_works(moved, monkeypatch):
    env, source, target, hidden = moved
    before = snapshot(env)
    result = cli(env, "migrate-data", "--from", source, "--to", target)
    assert result.code == 0, result.err
    rows = {name: (int(a), int(b)) for name, a, b in re.findall(r"^(\w+)\s+(\d+)\s+(\d+)$", result.out, re.M)}
    assert {"items", "item_topics", "sources", "editions", "subscribers", "outbox", "fetch_log"} <= set(rows)
    assert all(a == b for a, b in rows.values()), result.out  # the same on both sides
    assert rows["outbox"] == (2, 2) and rows["subscribers"] == (2, 2) and rows["items"][0] > 5
    assert "Pour la recherche, lancez maintenant « veille reindex »" in result.out

    monkeypatch.setenv("VEILLE_DATABASE_URL", target)
    after = snapshot(env)
    assert after == before and any(reason == "Doublon" for _id, _t, reason, _p, _s in after["items"])
    # The copy is a working archive: search after reindex, new rows take new ids, nothing sent twice.
    assert cli(env, "reindex").code == 0
    found = cli(env, "search", "électoral")
    assert found.code == 0 and "1 résultat" in found.out and "Décret n° 2017-431 du 28 mars 2017" in found.out
    subscribe(env, ("dgs@mairie-exemple.fr",))
    with env.session() as session:
        assert len(set(session.scalars(select(Subscriber.id)))) == 3
    with SmtpSink() as sink:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        again = send(env)
        assert again.code == 0, again.err
        assert [rcpt for rcpt, _ in sink.inbox.messages] == ["dgs@mairie-exemple.fr"]


def test_a_target_that_is_not_empty_is_refused(moved):
    env, source, target, _hidden = moved
    assert cli(env, "migrate-data", "--from", source, "--to", target).code == 0
    again = cli(env, "migrate-data", "--from", source, "--to", target)
    assert again.code == 2
    assert re.search(r"erreur : la base cible n.est pas vide \(.*sources : 6 lignes, .*items : \d+ lignes", again.err)
    assert "ne copie que dans une base vide" in again.err and "Traceback" not in again.err


def test_bad_urls_are_named(env):
    result = cli(env, "migrate-data", "--from", "nimportequoi://", "--to", "sqlite:///x.db")
    assert result.code == 2 and "--from : base de données inutilisable « nimportequoi:// »" in result.err
    same = cli(env, "migrate-data", "--from", "sqlite:///x.db", "--to", "sqlite:///x.db")
    assert same.code == 2 and "--from et --to désignent la même base" in same.err

"""Subscribers: one per address whatever its case, and the operator's commands to manage them."""
import json
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.databases import json_value
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import cli, send, sink, subscribe  # noqa: F401  (fixture)
from veille.config import Settings
from veille.db import MIGRATIONS, make_engine

DGS, WORK = "DGS@mairie-exemple.fr", "secretariat@mairie-exemple.fr"


def listing(env) -> list[list[str]]:
    """The rows of `veille subscribers list`, cells split on runs of two spaces or more."""
    return [re.split(r"\s{2,}", line.strip()) for line in cli(env, "subscribers", "list").out.splitlines()[2:]]


def test_an_address_in_another_case_is_the_same_subscriber(week, sink):
    subscribe(week, (DGS, "--topics", "elections"))
    again = cli(week, "subscribers", "add", "dgs@MAIRIE-exemple.fr", "--frequency", "both")
    assert again.out.startswith(f"Abonnement mis à jour : {DGS} (quotidien et hebdomadaire")  # first spelling kept
    assert [row[0] for row in listing(week)] == [DGS]
    result = send(week)
    assert "1 envoyé" in result.out, result.out
    assert [rcpt for rcpt, _ in sink.inbox.messages] == [DGS]


def test_subscriber_lookups_ignore_case(week):
    subscribe(week, (DGS,))
    rendered = cli(week, "bulletin", "render", "daily", "--date", "2017-03-29", "--format", "text",
                   "--subscriber", "dgs@mairie-exemple.fr")
    assert rendered.code == 0, rendered.err
    disabled = cli(week, "subscribers", "disable", "Dgs@Mairie-Exemple.fr")
    assert disabled.code == 0 and disabled.out.startswith(f"{DGS} : désactivé, aucun bulletin")
    [row] = listing(week)
    assert row[-1].startswith("désactivé le ") and "administrateur" in row[-1]


def test_disable_then_enable_stops_then_resumes_delivery(week, sink):
    subscribe(week, (DGS,), ("elu@mairie-exemple.fr",))
    assert cli(week, "subscribers", "disable", "dgs@mairie-exemple.fr").code == 0
    assert cli(week, "subscribers", "disable", DGS).out.startswith(f"{DGS} : déjà désactivé")
    send(week, day="2017-03-28")
    assert sink.inbox.to(DGS) == [] and len(sink.inbox.to("elu@mairie-exemple.fr")) == 1
    enabled = cli(week, "subscribers", "enable", "dgs@mairie-exemple.fr")
    assert enabled.code == 0 and enabled.out.startswith(f"{DGS} : réactivé, il reçoit de nouveau les bulletins à {DGS}")
    assert listing(week)[0][-1] == "actif"
    send(week, day="2017-03-29")
    assert len(sink.inbox.to(DGS)) == 1


def test_remove_forgets_the_subscriber(week, sink):
    subscribe(week, (DGS,), ("elu@mairie-exemple.fr",))
    send(week)
    removed = cli(week, "subscribers", "remove", "dgs@mairie-exemple.fr")
    assert removed.code == 0 and removed.out == f"Abonné supprimé : {DGS} (avec l'historique de ses envois).\n"
    assert [row[0] for row in listing(week)] == ["elu@mairie-exemple.fr"]
    again = cli(week, "subscribers", "remove", DGS)
    assert again.code == 2 and f"abonné inconnu « {DGS} » (voir « veille subscribers list »)" in again.err
    invalid = cli(week, "subscribers", "enable", "pas-une-adresse")
    assert invalid.code == 2 and "adresse électronique invalide" in invalid.err


def test_list_shows_the_work_address_and_where_bulletins_go(week):
    subscribe(week, (DGS, "--work-email", WORK, "--deliver-to", "work"), ("elu@mairie-exemple.fr",))
    lines = cli(week, "subscribers", "list").out.splitlines()
    assert lines[0].split("  ")[0] == "adresse" and "adresse professionnelle" in lines[0] and "envoi à" in lines[0]
    assert listing(week) == [
        [DGS, WORK, "professionnelle", "quotidien", "toutes", "actif"],
        ["elu@mairie-exemple.fr", "—", "personnelle", "quotidien", "toutes", "actif"],
    ]


# --- Migration 0007 ----------------------------------------------------------------------

@pytest.mark.empty_database
def test_migration_merges_subscribers_differing_only_in_case(env):
    engine = make_engine(Settings.from_env())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    def migrate_to(revision: str) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    migrate_to("0006")
    day = lambda n: datetime(2026, 11, n, 6, 0)  # noqa: E731  (naive UTC, as SQLite stores it)
    with engine.begin() as connection:
        insert = sa.text("INSERT INTO subscribers (id, email, topics, frequency, token, bounces, created_at, "
                         "disabled_at, disabled_reason, deliver_to) VALUES (:id, :email, :topics, 'daily', :token, 0, "
                         ":created, :disabled, :reason, 'personal')")
        for row in ((1, "DGS@mairie-exemple.fr", [], day(1), None),  # subscribed first
                    (2, "dgs@mairie-exemple.fr", ["elections"], day(2), day(3)),  # then unsubscribed: the last word
                    (3, "Maire@commune.fr", [], day(1), day(2)),  # unsubscribed, then subscribed again
                    (4, "maire@commune.fr", ["forets"], day(4), None),
                    (5, "elu@commune.fr", [], day(1), None)):
            connection.execute(insert, {"id": row[0], "email": row[1], "topics": json.dumps(row[2]),
                                        "token": f"jeton-{row[0]}", "created": row[3], "disabled": row[4],
                                        "reason": "désabonnement demandé par l'abonné" if row[4] else None})
        for edition in (1, 2):
            connection.execute(sa.text(
                "INSERT INTO editions (id, kind, day, window_start, window_end, built_at, content) "
                f"VALUES ({edition}, 'daily', '2026-11-0{edition}', :when, :when, :when, '{{}}')"), {"when": day(1)})
        for outbox_id, edition, subscriber, state in ((1, 1, 1, "pending"), (2, 1, 2, "sent"), (3, 2, 1, "sent"),
                                                      (4, 2, 2, "sent"), (5, 1, 3, "sent"), (6, 2, 4, "pending")):
            connection.execute(sa.text(
                "INSERT INTO outbox (id, edition_id, subscriber_id, email, state, attempts, created_at) "
                "VALUES (:id, :edition, :subscriber, 'x@y.fr', :state, 0, :when)"),
                {"id": outbox_id, "edition": edition, "subscriber": subscriber, "state": state, "when": day(1)})
    migrate_to("head")
    with engine.connect() as connection:
        subscribers = connection.execute(sa.text(
            "SELECT id, email, email_key, topics, token, disabled_at FROM subscribers ORDER BY id")).all()
        outbox = connection.execute(sa.text(
            "SELECT edition_id, subscriber_id, state FROM outbox ORDER BY edition_id, subscriber_id")).all()
    assert [(s.id, s.email, s.email_key, json_value(s.topics), s.token, s.disabled_at is not None)
            for s in subscribers] == [
        (2, "dgs@mairie-exemple.fr", "dgs@mairie-exemple.fr", ["elections"], "jeton-2", True),
        (4, "maire@commune.fr", "maire@commune.fr", ["forets"], "jeton-4", False),
        (5, "elu@commune.fr", "elu@commune.fr", [], "jeton-5", False),
    ]
    # One row per edition and subscriber, a sent one kept: nothing already sent goes out again.
    assert [tuple(row) for row in outbox] == [(1, 2, "sent"), (1, 4, "sent"), (2, 2, "sent"), (2, 4, "pending")]
    with engine.begin() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(sa.text("INSERT INTO subscribers (email, email_key, topics, frequency, token, bounces, "
                                   "created_at, deliver_to) VALUES ('Elu@commune.fr', 'elu@commune.fr', '[]', "
                                   "'daily', 'jeton-6', 0, :when, 'personal')"), {"when": day(5)})

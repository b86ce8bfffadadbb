"""Migration 0010 (readers' own things, subscribers.user_id) on an archive that already sends
bulletins: subscribers and their outbox rows come through the upgrade and the downgrade whole."""
from datetime import datetime

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from veille.config import Settings
from veille.db import MIGRATIONS, make_engine


def test_upgrade_and_downgrade_keep_subscribers_and_their_outbox(env):
    engine = make_engine(Settings.from_env())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    def migrate(revision: str, down: bool = False) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

    def rows() -> list[tuple]:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(
                "SELECT s.email, o.state FROM subscribers s JOIN outbox o ON o.subscriber_id = s.id ORDER BY s.id"))]

    migrate("0009")
    when = datetime(2026, 12, 1, 6, 0)  # naive UTC, as SQLite stores it
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO subscribers (id, email, email_key, topics, frequency, token, bounces, created_at, deliver_to) "
            "VALUES (1, 'dgs@mairie.fr', 'dgs@mairie.fr', '[]', 'daily', 'jeton-1', 0, :when, 'personal')"),
            {"when": when})
        connection.execute(sa.text(
            "INSERT INTO editions (id, kind, day, window_start, window_end, built_at, content) "
            "VALUES (1, 'daily', '2026-12-01', :when, :when, :when, '{}')"), {"when": when})
        connection.execute(sa.text(
            "INSERT INTO outbox (id, edition_id, subscriber_id, email, state, attempts, created_at) "
            "VALUES (1, 1, 1, 'dgs@mairie.fr', 'sent', 1, :when)"), {"when": when})
    migrate("head")
    assert rows() == [("dgs@mairie.fr", "sent")]
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT user_id FROM subscribers")).scalar_one() is None
        assert {"alerts", "alert_hits", "saved_items", "personal_feeds"} <= set(sa.inspect(connection).get_table_names())
    migrate("0009", down=True)
    assert rows() == [("dgs@mairie.fr", "sent")]
    with engine.connect() as connection:
        assert "user_id" not in {column["name"] for column in sa.inspect(connection).get_columns("subscribers")}
        assert "alerts" not in sa.inspect(connection).get_table_names()

"""Editors hide an item and show it again, through the real CLI: bulletins and search leave a
hidden item out, `veille index check` stays consistent, and the interim extra["hidden"] marks
are carried over by migration 0005."""
import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import func, select

from tests.databases import json_value
from tests.fixtures.search.corpus import ENTRIES
from tests.test_bulletin_build import ORDER, build_at, seed, titles
from tests.test_search_cli import archive, backend, search_json  # noqa: F401  (fixtures)
from veille.config import Settings
from veille.db import MIGRATIONS, make_engine, transaction
from veille.editorial import REASON_MAX, EditorialError, clean_reason, hide
from veille.models import IndexChange, Item
from veille.search.indexer import index_pending

FOREST = "Aides aux communes forestières"  # the headline of ORDER in the bulletin archive
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)


def search_ids(env, *args) -> list[str]:
    return [found["id"] for found in search_json(env, *args)]


def listed(env, item_id: str) -> dict:
    result = env.cli("items", "--json", "--limit", "1000")
    assert result.code == 0, result.err
    return next(r for r in map(json.loads, result.out.splitlines()) if r["id"] == item_id)


# --- Bulletins ---------------------------------------------------------------------------

def test_hidden_item_is_left_out_of_the_daily_edition_until_shown_again(env):
    seed(env)
    with env.session() as session:
        item_id = session.scalar(select(Item.id).where(Item.jorf_id == ORDER))
    result = env.cli("hide", item_id, "--reason", "Doublon du texte publié la veille")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (f"Article {item_id} masqué : il n'apparaîtra plus dans les bulletins "
                                          "ni dans la recherche.")
    assert FOREST not in titles(build_at(env, "daily", "2017-03-29", "2017-03-29T07:00"))
    result = env.cli("unhide", item_id)
    assert result.code == 0 and result.out.splitlines()[0] == f"Article {item_id} de nouveau visible."
    assert FOREST in titles(build_at(env, "daily", "2017-03-29", "2017-03-29T08:00", rebuild=True))


# --- Search ------------------------------------------------------------------------------

def test_hidden_item_is_not_found_and_the_index_stays_consistent(env, archive):
    seuils = archive.ids["seuils"]
    assert seuils in search_ids(env, "seuils", "marchés", "publics")
    assert env.cli("hide", seuils, "--reason", "Texte abrogé").code == 0
    assert seuils not in search_ids(env, "seuils", "marchés", "publics")
    assert search_ids(env, "ECOM2031868D") == []  # not even by its NOR
    assert seuils not in search_ids(env, "--category", "journal-officiel")
    check = env.cli("index", "check")
    assert check.code == 0, check.out
    assert f"Archive : {len(ENTRIES)} articles dont 1 masqué ; " in check.out
    assert f"{len(ENTRIES) - 1} documents" in check.out and "Index cohérent avec l'archive." in check.out
    record = listed(env, seuils)
    assert record["hidden"] is True and record["hidden_reason"] == "Texte abrogé"
    assert "[masqué] Décret n° 2020-1622" in env.cli("items", "--limit", "1000").out

    assert env.cli("unhide", seuils).code == 0
    assert search_ids(env, "ECOM2031868D") == [seuils]
    check = env.cli("index", "check")
    assert check.code == 0 and f"Archive : {len(ENTRIES)} articles ; " in check.out
    assert "Index cohérent avec l'archive." in check.out
    assert listed(env, seuils)["hidden"] is False and listed(env, seuils)["hidden_reason"] is None
    assert listed(env, archive.ids["idf"])["hidden"] is False


def test_hidden_item_stays_out_through_rebuilds_and_crawler_updates(env, archive):
    seuils = archive.ids["seuils"]
    assert env.cli("hide", seuils).code == 0
    result = env.cli("reindex")
    assert result.code == 0 and f"reconstruit : {len(ENTRIES) - 1} articles" in result.out
    assert search_ids(env, "ECOM2031868D") == []
    with transaction(archive.factory) as session:  # the source rewrote the text: the crawler queues it
        session.add(IndexChange(item_id=seuils, op="upsert", created_at=NOW))
    assert index_pending(archive.settings, archive.factory) == 1
    assert search_ids(env, "ECOM2031868D") == []
    assert env.cli("index", "check").code == 0


def test_check_reports_and_repairs_an_item_hidden_behind_the_indexers_back(env, archive):
    seuils = archive.ids["seuils"]
    with transaction(archive.factory) as session:  # no IndexChange: the index still holds it
        session.get(Item, seuils).hidden_at = NOW
    result = env.cli("index", "check")
    assert result.code == 1 and f"1 article dans l'index mais plus dans l'archive : {seuils}" in result.out
    assert env.cli("index", "check", "--repair").code == 0
    assert "Index cohérent avec l'archive." in env.cli("index", "check").out
    assert search_ids(env, "ECOM2031868D") == []


def test_hiding_again_keeps_the_first_date_and_the_reason_unless_a_new_one_is_given(env, archive):
    seuils = archive.ids["seuils"]
    with transaction(archive.factory) as session:
        hide(session, seuils, "Texte abrogé", NOW, "redac@exemple.fr")
    with transaction(archive.factory) as session:
        item = hide(session, seuils, "  ", NOW.replace(hour=9), "redac@exemple.fr")
        assert (item.hidden_at, item.hidden_reason) == (NOW, "Texte abrogé")
        item = hide(session, seuils, "Remplacé par le décret 2021-1234", NOW.replace(hour=10), "redac@exemple.fr")
        assert (item.hidden_at, item.hidden_reason) == (NOW, "Remplacé par le décret 2021-1234")
        assert session.scalar(select(func.count()).select_from(IndexChange)
                              .where(IndexChange.item_id == seuils)) == 3


# --- Bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("command_name", ["hide", "unhide"])
def test_unknown_item_exits_2_with_a_french_message(env, command_name):
    env.write_feeds([])
    result = env.cli(command_name, "0123456789abcdef")
    assert result.code == 2 and result.out == ""
    assert "erreur : article introuvable : 0123456789abcdef" in result.err
    assert "Traceback" not in result.err


def test_unknown_item_message_is_tame_whatever_the_id(env):
    env.write_feeds([])
    result = env.cli("hide", "x\x1b[31m" + "y" * 200)
    assert result.code == 2 and "\x1b" not in result.err and "y" * 60 not in result.err


def test_reason_is_cleaned_on_one_line(env, archive):
    seuils = archive.ids["seuils"]
    reason = "  Doublon :\r\nvoir l'article\tJORF\x00 du 19 décembre\u202e  "
    assert env.cli("hide", seuils, "--reason", reason).code == 0
    with env.session() as session:
        assert session.get(Item, seuils).hidden_reason == "Doublon : voir l'article JORF du 19 décembre"


def test_clean_reason():
    assert clean_reason("") == "" and clean_reason(None) == "" and clean_reason(" \n\t ") == ""
    assert clean_reason("a\x07b\u2028c") == "ab c"
    assert len(clean_reason("é" * 600)) == REASON_MAX
    assert clean_reason("mot " * 124 + "fin  suite") == ("mot " * 124 + "fin").strip()


def test_editorial_error_for_an_unknown_id(env, archive):
    with archive.factory() as session, pytest.raises(EditorialError, match="article introuvable : absent"):
        hide(session, "absent", "", NOW, "redac@exemple.fr")


# --- Migration 0005 ----------------------------------------------------------------------

@pytest.mark.empty_database
def test_migration_turns_the_interim_extra_mark_into_the_column_and_back(env):
    engine = make_engine(Settings.from_env())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    def migrate_to(revision: str, down: bool = False) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

    migrate_to("0004")
    when = datetime(2026, 11, 1, 6, 0)  # naive UTC, as the column stores it on SQLite
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO sources (id, name, kind, category, config_url, url, failures) "
            "VALUES ('dgcl', 'DGCL', 'rss', 'actualite', 'https://a.fr/', 'https://a.fr/', 0)"))
        for item_id, extra in (("masque", {"hidden": "1", "headline": "Titre simple"}),
                               ("visible", {"hidden": "0", "ecli": "ECLI:FR:CE:2020:1"}), ("vide", {})):
            connection.execute(sa.text(
                "INSERT INTO items (id, source_id, category, title, summary, content_html, text, fetched_at, "
                "updated_at, content_hash, tags, extra) VALUES (:id, 'dgcl', 'actualite', 'Titre', '', '', '', "
                ":when, :when, 'h', '[]', :extra)"), {"id": item_id, "when": when, "extra": json.dumps(extra)})
        connection.execute(sa.text("INSERT INTO item_topics (item_id, topic, origin, reason) "
                                   "VALUES ('masque', 'elections', 'manual', '')"))
    migrate_to("head")
    with env.session() as session:
        hidden, visible, empty = (session.get(Item, i) for i in ("masque", "visible", "vide"))
        assert hidden.hidden_at is not None and hidden.hidden_at.tzinfo is not None
        assert abs((datetime.now(timezone.utc) - hidden.hidden_at).total_seconds()) < 60
        assert hidden.hidden_reason == "masqué avant la version 0005"
        assert hidden.extra == {"headline": "Titre simple"}
        assert visible.hidden_at is None and visible.extra == {"hidden": "0", "ecli": "ECLI:FR:CE:2020:1"}
        assert empty.hidden_at is None and empty.extra == {}
        # the indexer before 0005 had indexed it: the next index_pending takes it out
        assert list(session.scalars(select(IndexChange.item_id))) == ["masque"]

    migrate_to("0004", down=True)
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("items")}
        assert "hidden_at" not in columns and "hidden_reason" not in columns
        extra = connection.scalar(sa.text("SELECT extra FROM items WHERE id = 'masque'"))
        assert json_value(extra) == {"headline": "Titre simple", "hidden": "1"}
        # the table was altered in place: the rubriques of its items are still there
        assert connection.scalar(sa.text("SELECT count(*) FROM item_topics")) == 1

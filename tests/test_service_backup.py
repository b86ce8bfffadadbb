"""`veille backup` while the archive is being written, and `veille restore`."""
import sqlite3
import threading

import pytest

from tests.databases import POSTGRESQL, sqlite_only
from tests.test_bulletin_build import seed
from tests.test_bulletin_mail import AGENT, subscribe


@sqlite_only
def test_backup_is_consistent_while_writing_and_restores(env, tmp_path, monkeypatch):
    seed(env)
    subscribe(env, (AGENT,))
    database = env.root / "var" / "veille.db"
    writing, stop = threading.Event(), threading.Event()

    def writer():  # another process's open transaction: its rows are not in the copy, which stays whole
        connection = sqlite3.connect(database, timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE items SET title = 'en cours'")
        writing.set()
        stop.wait(30)
        connection.rollback()
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    writing.wait(10)
    copy = tmp_path / "sauvegarde.db"
    result = env.cli("backup", str(copy))
    stop.set()
    thread.join()
    assert result.code == 0 and f"Archive sauvegardée dans {copy} (" in result.out
    saved = sqlite3.connect(copy)
    assert saved.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    items = saved.execute("SELECT count(*) FROM items").fetchone()[0]
    assert items > 5 and saved.execute("SELECT count(*) FROM items WHERE title = 'en cours'").fetchone() == (0,)
    saved.close()

    refused = env.cli("restore", str(copy))  # the archive in place is not empty
    assert refused.code == 2 and "l'archive actuelle n'est pas vide" in refused.err and "--force" in refused.err

    monkeypatch.setenv("VEILLE_HOME", str(tmp_path / "ailleurs"))  # a new machine
    monkeypatch.setenv("VEILLE_INDEX_DIR", str(tmp_path / "ailleurs" / "index"))
    restored = env.cli("restore", str(copy))
    assert restored.code == 0, restored.err
    assert f"(articles : {items}, abonnés : 1, éditions : 0)" in restored.out and "veille reindex" in restored.out
    assert env.cli("reindex").code == 0
    found = env.cli("search", "FCTVA")
    assert found.code == 0 and "FCTVA" in found.out
    assert env.cli("restore", str(copy), "--force").code == 0


@sqlite_only
def test_restore_refuses_what_is_not_an_archive(env, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("rien à voir", encoding="utf-8")
    result = env.cli("restore", str(bogus))
    assert result.code == 2 and "n'est pas une archive de Veille" in result.err
    assert "fichier introuvable" in env.cli("restore", str(tmp_path / "absent.db")).err


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL seulement : la passe PostgreSQL de make test")
def test_a_postgresql_archive_is_saved_with_its_own_tools(env, tmp_path):
    env.write_feeds([])
    assert env.cli("init").code == 0
    result = env.cli("backup", str(tmp_path / "copie.db"))
    assert result.code == 2 and "pour PostgreSQL, utilisez pg_dump et pg_restore" in result.err
    assert not (tmp_path / "copie.db").exists()

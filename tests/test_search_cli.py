"""The search commands through the real CLI: search, reindex, index check, status; the index
kept in step with crawls, crashes and concurrent readers."""
import argparse
import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, func, select, text, update

from tests.databases import SEARCH_ENGINES
from tests.fixtures.search.corpus import ENTRIES, store, write_feeds
from veille.config import Settings
from veille.models import IndexChange, Item
from veille.search import backend_class, open_backend, SearchRequest
from veille.search import indexer
from veille.search.commands import ADVICE_ITEMS, advice
from veille.search.indexer import index_pending, writer_lock
from veille.search import layout
from veille.search.layout import current_generation, generations
from veille.search.query import parse

RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Flux</title>
<link>https://exemple.gouv.fr/</link><description>d</description>{items}</channel></rss>"""
ITEM = ("<item><title>{title}</title><link>https://exemple.gouv.fr/{n}</link><guid>g{n}</guid>"
        "<pubDate>Wed, 29 Mar 2017 06:00:00 +0200</pubDate><description>{text}</description></item>")


@pytest.fixture(params=SEARCH_ENGINES)
def backend(request, monkeypatch):
    monkeypatch.setenv("VEILLE_SEARCH", request.param)
    return request.param


@pytest.fixture
def archive(env, backend):
    """The corpus stored and indexed in the env's archive."""
    stored = store(Settings.from_env())
    index_pending(stored.settings, stored.factory)
    return stored


def search_json(env, *args) -> list[dict]:
    result = env.cli("search", "--json", *args)
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


def test_crawled_items_are_searchable_after_index_pending(env, server, backend):
    items = [ITEM.format(n=1, title="Très haut débit : le plan France THD", text="Fibre optique pour tous."),
             ITEM.format(n=2, title="Élections municipales", text="Le répertoire électoral unique.")]
    server.route("/flux.xml", RSS.format(items="".join(items)).encode())
    env.write_feeds([{"id": "flux", "name": "Flux", "url": server.url("/flux.xml")}])
    assert env.cli("crawl").code == 0
    settings = Settings.from_env()
    with env.session() as session:
        factory = session.get_bind()
    from veille.db import session_factory
    index_pending(settings, session_factory(factory))
    hits = search_json(env, "fibre optique")
    assert [h["title"] for h in hits] == ["Très haut débit : le plan France THD"]
    assert set(hits[0]) == {"id", "title", "url", "published", "score", "snippet"}
    assert hits[0]["published"] == "2017-03-29T04:00:00+00:00"
    assert "<mark>Fibre</mark> <mark>optique</mark>" in hits[0]["snippet"]
    with env.session() as session:
        assert session.scalar(select(func.count()).select_from(IndexChange)) == 0


def test_listing_in_french_with_snippets_and_facets(env, archive):
    result = env.cli("search", "marchés", "publics")
    assert result.code == 0, result.err
    out = result.out
    assert "« marchés publics » : 3 résultats, page 1 sur 1, tri par pertinence" in out
    assert "Décret n° 2020-1622 du 18 décembre 2020 relatif aux seuils des marchés publics" in out
    assert "**marchés** **publics**" in out
    assert "Rubriques : Commande publique - Marchés publics (3)" in out
    assert "Sources : " in out and "Journal officiel (1)" in out
    assert "Natures : Décret (1)" in out
    assert "Années : 2020 (2) · 2019 (1)" in out


def test_did_you_mean_and_no_result(env, archive):
    result = env.cli("search", "dématérialisation des acts")
    assert result.code == 0
    assert "Aucun résultat pour « dématérialisation des acts »." in result.out
    assert "Vouliez-vous dire : dématérialisation des actes ?" in result.out


def test_filters_dates_sort_and_pages_on_the_command_line(env, archive):
    hits = search_json(env, "intercommunalité", "--sort", "date", "--limit", "5", "--page", "2")
    assert [h["title"] for h in hits] == [f"Lettre de l'intercommunalité n° {m}" for m in (7, 6, 5, 4, 3)]
    hits = search_json(env, "--since", "2021-03-02", "--until", "2021-11-08")
    assert {h["title"][:20] for h in hits} == {"État civil : dématér", "Arrêté du 3 mars 202", "Circulaire relative "}
    hits = search_json(env, "--topic", "commande-publique", "--category", "journal-officiel")
    assert len(hits) == 1 and hits[0]["title"].startswith("Décret n° 2020-1622")
    result = env.cli("search", "intercommunalité", "--page", "9")
    assert result.code == 0 and "La page 9 est au-delà de la dernière (1)." in result.out
    assert "« intercommunalité » : 12 résultats, tri par pertinence" in result.out
    assert "sur 1" not in result.out  # never « page 9 sur 1 »
    result = env.cli("search", "intercommunalité", "--limit", "5", "--page", "3")
    assert "12 résultats, page 3 sur 3, tri" in result.out and "au-delà" not in result.out


@pytest.mark.parametrize("args, message", [
    (("x", "--page", "0"), "nombre entier positif attendu, pas « 0 »"),
    (("x", "--page", "-1"), "nombre entier positif attendu, pas « -1 »"),
    (("x", "--limit", "0"), "nombre entier positif attendu"),
    (("x", "--since", "2020-13-01"), "date invalide « 2020-13-01 »"),
    (("x", "--sort", "hasard"), "choix invalide"),
    (("x", "--since", "2021-01-02", "--until", "2021-01-01"), "période vide"),
    (("x", "--category", "presse"), "catégorie inconnue « presse »"),
    (("x", "--topic", "jardinage"), "rubrique inconnue « jardinage »"),
])
def test_bad_usage_exits_2_with_a_french_message(env, archive, args, message):
    if "--page" in args or "--limit" in args or "--sort" in args or "2020-13-01" in args:
        with pytest.raises(SystemExit) as exit_info:
            env.cli("search", *args)
        assert exit_info.value.code == 2
        err = env._capsys.readouterr().err
    else:
        result = env.cli("search", *args)
        assert result.code == 2
        err = result.err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("query", ['"unbalanced', "((", ")", "OR", "-", "*", "x" * 10_000, "licence:secret",
                                   "rubrique:inconnue"])
def test_hostile_queries_on_the_command_line(env, archive, query):
    result = env.cli("search", query)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert "résultat" in result.out


def test_overlong_query_is_cut_with_a_warning(env, archive):
    result = env.cli("search", "fibre " * 400)
    assert result.code == 0
    assert "attention : requête trop longue" in result.err


def test_crash_between_store_and_index_then_repair(env, backend):
    settings = Settings.from_env()
    first = store(settings, [n for n in ENTRIES if not n.startswith("epci")])
    index_pending(settings, first.factory)
    store(settings, [n for n in ENTRIES if n.startswith("epci")])  # stored, then the process dies
    result = env.cli("index", "check")
    assert result.code == 0
    assert "12 changements en attente d'indexation" in result.out
    assert search_json(env, "intercommunalité") == []
    result = env.cli("index", "check", "--repair")
    assert result.code == 0
    assert "Index réparé : 12 articles indexés depuis le journal des changements, 0 différence corrigée." in result.out
    assert len(search_json(env, "intercommunalité")) == 12
    assert "0 changement en attente" in env.cli("index", "check").out


def test_check_finds_and_repairs_missing_stale_and_extra_documents(env, backend):
    settings = Settings.from_env()
    stored = store(settings)
    index_pending(settings, stored.factory)
    # an index restored from an old copy, an archive edited behind the indexer's back
    backend_class(backend).open(current_generation(settings)).write([], deleted=[stored.ids["idf"]])
    with stored.factory() as session, session.begin():
        session.execute(update(Item).where(Item.id == stored.ids["etat-civil"]).values(title="Registres paroissiaux"))
        session.execute(delete(Item).where(Item.id == stored.ids["fibre-body"]))
    result = env.cli("index", "check")
    assert result.code == 1
    assert f"1 article absent de l'index : {stored.ids['idf']}" in result.out
    assert f"1 article indexé dans une version ancienne : {stored.ids['etat-civil']}" in result.out
    assert f"1 article dans l'index mais plus dans l'archive : {stored.ids['fibre-body']}" in result.out
    assert env.cli("index", "check", "--repair").code == 0
    result = env.cli("index", "check")
    assert result.code == 0 and "Index cohérent avec l'archive." in result.out
    assert [h["title"] for h in search_json(env, "registres paroissiaux")] == ["Registres paroissiaux"]
    assert len(search_json(env, "Île-de-France")) == 1
    assert search_json(env, "rapport annuel") == []


def test_reindex_builds_a_new_generation_and_swaps_it_in(env, archive):
    settings = Settings.from_env()
    before = current_generation(settings)
    result = env.cli("reindex")
    assert result.code == 0, result.err
    assert f"reconstruit : {len(ENTRIES)} articles" in result.out
    after = current_generation(settings)
    assert after != before
    assert generations(settings).all() == [after]  # the old generation removed
    assert len(search_json(env, "intercommunalité")) == 12


def test_switching_engines_keeps_both_indexes_and_catches_up(env, backend, monkeypatch):
    settings = Settings.from_env()
    first = store(settings, [n for n in ENTRIES if not n.startswith("epci")])
    index_pending(settings, first.factory)
    kept = current_generation(settings)
    other = SEARCH_ENGINES[(SEARCH_ENGINES.index(backend) + 1) % len(SEARCH_ENGINES)]  # postgres: once each way
    monkeypatch.setenv("VEILLE_SEARCH", other)
    result = env.cli("search", "--json", "fibre")
    assert result.code == 0 and "création de l'index" in result.err
    assert len(result.out.splitlines()) == 2
    assert current_generation(settings) == kept  # the first engine's index is kept
    store(Settings.from_env(), [n for n in ENTRIES if n.startswith("epci")])  # crawled meanwhile
    assert index_pending(Settings.from_env(), first.factory) == 12
    out = env.cli("status").out
    assert f"Moteur de recherche : {other} (" in out
    assert f"Index {backend} (moteur non choisi) : gardé, " in out
    assert "12 changements manqués depuis le " in out
    assert f"rattrapés s'il est de nouveau choisi (VEILLE_SEARCH={backend})" in out

    monkeypatch.setenv("VEILLE_SEARCH", backend)
    result = env.cli("search", "--json", "intercommunalité")
    assert result.code == 0, result.err
    assert f"Index {backend} : 12 changements manqués depuis le " in result.err
    assert len(result.out.splitlines()) == 12
    assert current_generation(settings) == kept  # caught up in place, not rebuilt
    out = env.cli("status").out
    assert f"Index {other} (moteur non choisi) : gardé, " in out and ", à jour" in out
    assert "manqué" not in out
    assert "Index cohérent avec l'archive." in env.cli("index", "check").out


def test_status_reports_archive_index_and_latency(env, archive, backend):
    result = env.cli("status")
    assert result.code == 0, result.err
    assert f"Archive : {len(ENTRIES)} articles" in result.out
    assert f"Moteur de recherche : {backend} (" in result.out
    assert f"Index de recherche : {backend}, {len(ENTRIES)} documents" in result.out
    assert "Changements en attente d'indexation : 0" in result.out
    assert "ms en médiane sur 5 requêtes types" in result.out
    assert "Conseil" not in result.out
    assert f"Index {'whoosh' if backend == 'tantivy' else 'tantivy'} (moteur non choisi) : absent" in result.out


def test_tantivy_is_the_default_engine_and_status_says_why(env, archive, monkeypatch):
    monkeypatch.delenv("VEILLE_SEARCH")
    assert Settings.from_env().search_backend == "tantivy"
    out = env.cli("status").out
    assert "Moteur de recherche : tantivy (moteur par défaut : à 100 000 articles, 9 ms par recherche" in out
    assert "2 à 3 s et 1 Go pour Whoosh ; VEILLE_SEARCH=whoosh pour le moteur en Python pur)" in out


def test_advice_to_move_to_tantivy_past_30000_items_on_whoosh():
    tip = advice("whoosh", ADVICE_ITEMS + 1, 420.4)
    assert "Retirez VEILLE_SEARCH=whoosh" in tip and "veille reindex" in tip and "420 ms" in tip
    assert advice("whoosh", ADVICE_ITEMS, 420.4) is None
    assert advice("tantivy", 10 * ADVICE_ITEMS, 3.0) is None


def test_a_reader_is_never_blocked_while_a_writer_indexes(env, backend, monkeypatch):
    """The writer stops half-way (lock held, one batch committed) until the reader has searched
    three times: the reader is served meanwhile, and sees the half-written index."""
    settings = Settings.from_env()
    first = store(settings, ["etat-civil"])
    index_pending(settings, first.factory)
    store(settings, [n for n in ENTRIES if n != "etat-civil"])
    monkeypatch.setattr(indexer, "BATCH", 3)  # many small commits
    index = open_backend(settings)
    writing, served, done = threading.Event(), threading.Event(), threading.Event()
    during, waits, errors = [], [], []
    note_missed = indexer.note_missed

    def pause_after_first_batch(*args):
        note_missed(*args)
        if not writing.is_set():
            writing.set()
            assert served.wait(30), "the reader was blocked while the writer held the index"

    def read():
        try:
            writing.wait(30)
            while not served.is_set():
                started = time.perf_counter()
                during.append(index.search(SearchRequest(parse(""))).total)
                waits.append(time.perf_counter() - started)
                if len(during) == 3:
                    served.set()
            done.wait(30)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            served.set()

    monkeypatch.setattr(indexer, "note_missed", pause_after_first_batch)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert index_pending(settings, first.factory) == len(ENTRIES) - 1
    finally:
        done.set()
        reader.join()
    final = index.search(SearchRequest(parse(""))).total
    index.close()
    assert errors == []
    assert during == [1 + 3] * 3  # the first batch of 3 committed, the rest not yet
    assert final == len(ENTRIES)
    print(f"reader's wait while the writer held the index: max {max(waits) * 1000:.1f} ms")


def test_one_writer_at_a_time(env, archive, monkeypatch):
    settings = Settings.from_env()
    monkeypatch.setattr(indexer, "WAIT_SECONDS", 0.1)
    with archive.factory() as session, session.begin():  # an update waiting in the change log
        session.add(IndexChange(item_id=archive.ids["idf"], op="upsert", created_at=datetime.now(timezone.utc)))
    with writer_lock(settings) as locked:
        assert locked
        assert index_pending(settings, archive.factory) == 0  # gives up, the change stays queued
        result = env.cli("reindex")
        assert result.code == 1 and "un autre processus écrit dans l'index" in result.err
    assert index_pending(settings, archive.factory) == 1


def test_an_empty_archive_is_a_normal_state(env, backend):
    """What `make run` leaves offline: nothing crawled, nothing indexed."""
    write_feeds(Settings.from_env().feeds_path)
    assert env.cli("init").code == 0
    result = env.cli("search", "commune")
    assert result.code == 0, result.err
    assert "Aucun résultat pour « commune »." in result.out
    assert search_json(env, "commune", "--sort", "date") == []
    result = env.cli("reindex")
    assert result.code == 0, result.err
    assert f"Index {backend} reconstruit : 0 article en" in result.out
    result = env.cli("index", "check")
    assert result.code == 0, result.err
    assert f"Archive : 0 article ; index {backend} : 0 document ; 0 changement en attente" in result.out
    assert "Index cohérent avec l'archive." in result.out
    result = env.cli("status")
    assert result.code == 0, result.err
    assert "Archive : 0 article (" in result.out and f"Index de recherche : {backend}, 0 document," in result.out


@pytest.mark.parametrize("args", [("marchés", "publics", "-décret"), ("-décret", "marchés", "publics"),
                                  ("marchés", "-décret", "--json", "publics")])
def test_an_excluded_word_needs_no_double_dash(env, archive, args):
    everything = {h["title"] for h in search_json(env, "marchés", "publics")}
    assert any(t.startswith("Décret n° 2020-1622") for t in everything)
    result = env.cli("search", "--json", *args) if "--json" not in args else env.cli("search", *args)
    assert result.code == 0, result.err
    found = {json.loads(line)["title"] for line in result.out.splitlines()}
    assert found == {t for t in everything if not t.startswith("Décret n° 2020-1622")}


def test_real_options_still_work_and_unknown_long_options_are_refused(env, archive):
    hits = search_json(env, "-circulaire", "--limit", "1", "intercommunalité")
    assert len(hits) == 1
    with pytest.raises(SystemExit) as exit_info:
        env.cli("search", "fibre", "--couleur")
    assert exit_info.value.code == 2
    assert "arguments inconnus : --couleur" in env._capsys.readouterr().err


def test_every_search_command_argument_has_help_text():
    from veille.cli import build_parser
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parsers = [commands.choices[name] for name in ("search", "reindex", "status")]
    index = commands.choices["index"]
    parsers += next(a for a in index._actions if isinstance(a, argparse._SubParsersAction)).choices.values()
    missing = [(p.prog, a.dest) for p in parsers for a in p._actions if not a.help]
    assert missing == []



def test_an_index_of_an_older_format_is_rebuilt(env, archive, backend, monkeypatch):
    settings = Settings.from_env()
    old = current_generation(settings)
    point_to_format_1(settings, old)
    assert current_generation(settings) is None
    assert f"Index de recherche {backend} : d'une version ancienne (lancez « veille reindex »" in env.cli("status").out
    result = env.cli("search", "--json", "intercommunalité")
    assert result.code == 0, result.err
    assert f"Index {backend} d'une version ancienne : reconstruction…" in result.err
    assert len(result.out.splitlines()) == 12
    assert current_generation(settings) not in (None, old) and old not in generations(settings).all()
    point_to_format_1(settings, current_generation(settings))
    monkeypatch.setenv("VEILLE_SEARCH", "tantivy" if backend == "whoosh" else "whoosh")
    out = env.cli("status").out
    assert f"Index {backend} (moteur non choisi) : d'une version ancienne, reconstruit s'il est de nouveau choisi" in out



def point_to_format_1(settings, generation) -> None:
    """Make `generation` the engine's index in use as format 1 wrote it (no format named)."""
    if settings.search_backend != "postgres":
        (generation.parent / "current").write_text(generation.name, encoding="utf-8")
        return
    from veille.search.postgres_tables import SCHEMA, database
    with database(settings.database_url).begin() as connection:
        connection.execute(text(f"UPDATE {SCHEMA}.state SET generation = :name, format = '1'"),
                           {"name": generation.name})


@pytest.mark.parametrize("args", [("intercommunalité",), ("--json", "intercommunalité")])
def test_a_closed_pipe_ends_the_search_quietly(env, archive, args):
    command = [sys.executable, "-m", "veille", "search", *args]
    piped = subprocess.run(" ".join(f"'{a}'" for a in command) + " | head -1", shell=True,
                           capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0 and piped.stderr == ""
    assert len(piped.stdout.splitlines()) == 1 and piped.stdout.strip()
    # the reader gone before the first line is written: the pipe is closed for certain
    reader_gone = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader_gone.stdout.close()
    err = reader_gone.communicate(timeout=60)[1].decode()
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err


def test_check_without_an_index_lists_every_item_and_repair_builds_it(env, backend):
    settings = Settings.from_env()
    store(settings)  # stored, never indexed
    result = env.cli("index", "check")
    assert result.code == 1
    assert f"{len(ENTRIES)} articles absents de l'index" in result.out
    assert current_generation(settings) is None  # a check writes nothing
    result = env.cli("index", "check", "--repair")
    assert result.code == 0, result.err
    assert current_generation(settings) is not None
    assert "Index cohérent avec l'archive." in env.cli("index", "check").out
    assert len(search_json(env, "intercommunalité")) == 12


def test_a_rebuild_that_fails_half_way_leaves_the_index_as_it_was(env, archive, monkeypatch):
    settings = Settings.from_env()
    before = current_generation(settings)

    real = indexer.all_documents

    def half_then_fail(factory, batch=1000):
        for number, document in enumerate(real(factory, batch)):
            if number == 3:
                raise OSError("disque plein")
            yield document

    monkeypatch.setattr(indexer, "all_documents", half_then_fail)
    with pytest.raises(OSError, match="disque plein"):
        indexer.reindex(settings, archive.factory)
    assert current_generation(settings) == before
    assert generations(settings).all() == [before]  # no half-built folder or table
    assert len(search_json(env, "intercommunalité")) == 12


@pytest.mark.parametrize("args", [("check-config",), ("search", "commune"), ("crawl",), ("status",)])
def test_the_postgres_engine_on_a_sqlite_archive_is_a_clear_error(env, monkeypatch, args):
    write_feeds(env.feeds)
    monkeypatch.setenv("VEILLE_SEARCH", "postgres")
    monkeypatch.setenv("VEILLE_DATABASE_URL", f"sqlite:///{env.root / 'veille.db'}")
    result = env.cli(*args)
    assert result.code == 2
    assert result.err == ("erreur : VEILLE_SEARCH=postgres demande une base PostgreSQL "
                          "(VEILLE_DATABASE_URL=postgresql+psycopg://…)\n")


@pytest.mark.skipif("postgres" not in SEARCH_ENGINES, reason="le moteur postgres demande une base PostgreSQL")
def test_a_search_follows_a_generation_removed_under_it(env, monkeypatch):
    """Another machine's `veille reindex` swaps the generation and drops the old table between this
    process's check of the generation in use and its search: the search reads the new one."""
    monkeypatch.setenv("VEILLE_SEARCH", "postgres")
    settings = Settings.from_env()
    stored = store(settings)
    index_pending(settings, stored.factory)
    index = open_backend(settings)
    old = index.generation
    assert env.cli("reindex").code == 0
    real = layout.current_generation
    answers = iter([old])  # the check sees the old generation, as it was a moment before
    monkeypatch.setattr(layout, "current_generation", lambda *args: next(answers, None) or real(*args))
    result = index.search(SearchRequest(parse("intercommunalité")))
    index.close()
    assert result.total == 12 and index.generation == real(settings) != old

"""Phrases mean the same on every engine: on a corpus whose phrase words also come apart, in
another order, or with other stop words between them, each engine finds the same items, with the
same totals, for every phrase query."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from tests.databases import SEARCH_ENGINES
from tests.test_search import indexed

WORDS = ("conseil", "d'État", "de l'État", "État", "membre", "municipal", "code", "général", "des", "collectivités",
         "territoriales", "impôts", "la", "le", "de", "du", "commande", "publique", "marchés", "publics", "l'eau",
         "agence", "régionale", "de santé", "préfet", "région", "Île-de-France", "coup", "d'administration")
PHRASE_QUERIES = ['"conseil d\'État"', '"conseil de l\'État"', '"État membre"', '"conseil municipal"',
                  '"code général des collectivités territoriales"', '"général des collectivités"',
                  '"collectivités territoriales"', '"code général des impôts"', '"commande publique"',
                  '"marchés publics"', '"agence régionale de santé"', '"préfet de région"', '"de la"', '"le conseil"',
                  '"conseil d\'administration"', '"coup d\'État"', '"Île-de-France"', '"préfet d\'Île-de-France"',
                  '"des marchés publics"', '"la commande publique"', '"conseil État"', '"État conseil"']


def corpus(size: int = 80, seed: int = 7) -> dict:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    return {f"doc-{n}": ("dgcl", dict(title=" ".join(rng.choices(WORDS, k=rng.randint(4, 9))).capitalize(),
                                      summary=" ".join(rng.choices(WORDS, k=rng.randint(8, 20))) + ".",
                                      published=start + timedelta(days=n)))
            for n in range(size)}


CORPUS = corpus()


@pytest.fixture(scope="module")
def engines(database_server, tmp_path_factory):
    """Every engine (whoosh first) on the corpus; postgres too where the tests run on PostgreSQL."""
    opened = [indexed(tmp_path_factory.mktemp(name), name, CORPUS) for name in SEARCH_ENGINES]
    yield [next(each) for each in opened]
    for each in opened:
        next(each, None)


@pytest.mark.parametrize("query", PHRASE_QUERIES)
def test_every_engine_finds_the_same_items_for_a_phrase(engines, query):
    found = [{s.names[hit.id] for hit in s.search(query, per_page=100).hits} for s in engines]
    totals = [s.search(query).total for s in engines]
    assert found == [found[0]] * len(engines) and totals == [len(found[0])] * len(engines)


def test_the_corpus_puts_phrase_words_apart_as_well_as_together(engines):
    whoosh = engines[0]
    together = whoosh.search('"conseil d\'État"').total
    apart = whoosh.search("conseil État").total
    assert 0 < together < apart  # so the phrase queries above test something

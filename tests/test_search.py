"""Search behaviour, the same tests for every backend: French analysis, relevance, filters,
dates, sorting, facets, pages, suggestions and odd input. The archive is stored through the
real pipeline (ingest.store_entries writes the change log) and indexed by index_pending."""
from datetime import datetime, timezone

import pytest

from tests.databases import SEARCH_ENGINES
from tests.fixtures.search.corpus import ENTRIES, TOPICS, settings_for, store
from veille.search import SearchRequest, open_backend
from veille.search.indexer import index_pending
from veille.search.query import parse

BACKENDS = SEARCH_ENGINES


class Searchable:
    def __init__(self, archive, index):
        self.archive = archive
        self.index = index
        self.names = {item_id: name for name, item_id in archive.ids.items()}

    def search(self, text: str = "", **options):
        parsed = parse(text, {t["slug"]: t["label"] for t in TOPICS})
        return self.index.search(SearchRequest(parsed, **options), text)

    def found(self, text: str = "", **options) -> list[str]:
        """Names of the hits, best first."""
        return [self.names[hit.id] for hit in self.search(text, per_page=100, **options).hits]


def indexed(folder, backend: str, corpus: dict = ENTRIES):
    """The corpus stored and indexed, ready to search; closed when the caller's fixture ends."""
    settings = settings_for(folder, backend)
    stored = store(settings, corpus=corpus)
    assert index_pending(settings, stored.factory) == len(corpus)
    index = open_backend(settings)
    yield Searchable(stored, index)
    index.close()


@pytest.fixture(scope="module", params=BACKENDS)
def archive(database_server, request, tmp_path_factory):
    yield from indexed(tmp_path_factory.mktemp(request.param), request.param)


EPCI = {f"epci-{month:02d}" for month in range(1, 13)}
MARKETS = {"seuils", "marche-public", "jorf-cited"}
ARRETES = {"arrete", "nor-own", "nor-cited"}


@pytest.mark.parametrize("query, expected, first", [
    ("etat civil", {"etat-civil"}, "etat-civil"),  # case and accents folded
    ("ÉTAT CIVIL", {"etat-civil"}, "etat-civil"),
    ("marchés publics", MARKETS, "seuils"),  # plural finds singular (stemming)...
    ("marché public", MARKETS, "marche-public"),  # ...and the reverse; the exact form ranks first
    ("l'arrêté", ARRETES, "arrete"),  # elision
    ("arrêtés", ARRETES, "arrete"),
    ("tiers-lieux", {"tiers-lieux"}, "tiers-lieux"),  # hyphenated words
    ("tiers lieux", {"tiers-lieux"}, "tiers-lieux"),
    ("Île-de-France", {"idf"}, "idf"),
    ("ile de france", {"idf"}, "idf"),
    ("TERB2001234A", {"nor-own", "nor-cited"}, "nor-own"),  # identifiers as typed
    ("terb2001234a", {"nor-own", "nor-cited"}, "nor-own"),
    ("2020-1622", {"seuils"}, "seuils"),
    ("décret n° 2020-1622", {"seuils"}, "seuils"),
    ("L. 1211-1", {"article"}, "article"),
    ("L 1211-1", {"article"}, "article"),
    ("fabriques de territoire", {"tiers-lieux"}, "tiers-lieux"),  # stop words dropped
    ("le décret sur les seuils de 2020", {"seuils"}, "seuils"),
    ("œuvre OR intercommunalité", EPCI, None),  # one side absent from the archive
])
def test_french_analysis_finds_what_is_meant(archive, query, expected, first):
    """What is meant is found, nothing unrelated is, and where it matters it ranks first."""
    found = archive.found(query)
    assert set(found) == expected
    assert len(found) == len(expected)
    if first:
        assert found[0] == first


def test_code_article_is_not_confused_with_another_code(archive):
    assert archive.found("L. 1211-1") == ["article"]
    assert archive.found("R. 1211-1") == ["article-r"]


def test_stop_words_alone_do_not_narrow_anything(archive):
    assert set(archive.found("le la les")) == set(ENTRIES)


def test_phrases_need_the_words_side_by_side(archive):
    assert archive.found('"fibre optique"')[0] == "fibre-title"
    assert archive.found('"optique fibre"') == []
    assert archive.found('« état civil »') == ["etat-civil"]


def test_title_ranks_above_a_single_mention_in_the_body(archive):
    assert archive.found("fibre optique")[:2] == ["fibre-title", "fibre-body"]


@pytest.mark.parametrize("identifier, owner, citing", [
    ("TERB2001234A", "nor-own", "nor-cited"),
    ("JORFTEXT000042702330", "seuils", "jorf-cited"),
])
def test_exact_official_id_goes_straight_to_its_item(archive, identifier, owner, citing):
    # the citing item names the id more often, and in its title or summary: the owner still wins
    assert archive.found(identifier)[:2] == [owner, citing]


def test_or_and_exclusion(archive):
    assert set(archive.found("tiers-lieux OR Île-de-France")) == {"tiers-lieux", "idf"}
    with_decree = set(archive.found("marchés publics"))
    assert "seuils" in with_decree
    assert set(archive.found("marchés publics -décret")) == with_decree - {"seuils"}
    assert set(archive.found("(fibre OR tiers-lieux) -rapport")) == {"fibre-title", "tiers-lieux"}


def test_field_filters_in_the_query(archive):
    assert set(archive.found("rubrique:commande-publique")) == {"seuils", "marche-public", "jorf-cited"}
    assert set(archive.found("rubrique:commande")) == {"seuils", "marche-public", "jorf-cited"}  # slug prefix
    assert set(archive.found("nature:décret")) == {"seuils"}
    assert set(archive.found("nature:ARRETE")) == {"arrete", "nor-own"}
    assert set(archive.found("source:circulaires")) == {"article", "article-r"}  # a category
    assert set(archive.found("source:jorf")) == {"seuils", "arrete", "nor-own"}  # a source id
    assert set(archive.found("dotations -source:jorf")) == {"nor-cited"}


def test_request_filters_combine_with_words(archive):
    assert set(archive.found("marchés", topics=("commande-publique",), categories=("journal-officiel",))) == {"seuils"}
    assert archive.found("fibre", categories=("circulaires",)) == []


def test_date_ranges_include_since_and_exclude_until(archive):
    since, until = datetime(2021, 3, 2, 6, tzinfo=timezone.utc), datetime(2021, 11, 8, 6, tzinfo=timezone.utc)
    assert set(archive.found(since=since, until=until)) == {"etat-civil", "arrete"}
    assert set(archive.found("circulaire", since=since)) == {"article", "article-r"}


def test_sort_by_date_newest_first(archive):
    found = archive.found("intercommunalité", sort="date")
    assert found == [f"epci-{m:02d}" for m in range(12, 0, -1)]
    dates = [hit.published for hit in archive.search("", sort="date", per_page=100).hits]
    assert dates == sorted(dates, reverse=True) and len(dates) == len(ENTRIES)


def test_pages_cover_every_hit_once(archive):
    pages = [archive.search("intercommunalité", sort="date", page=p, per_page=5) for p in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [12] * 4
    assert [len(p.hits) for p in pages] == [5, 5, 2, 0]
    ids = [hit.id for page in pages for hit in page.hits]
    assert len(set(ids)) == 12
    by_relevance = [archive.search("intercommunalité", page=p, per_page=5).hits for p in (1, 2, 3)]
    assert len({hit.id for hits in by_relevance for hit in hits}) == 12


def test_page_zero_or_negative_reads_as_the_first(archive):
    first = [h.id for h in archive.search("intercommunalité", sort="date", per_page=5).hits]
    for page in (0, -1):
        assert [h.id for h in archive.search("intercommunalité", sort="date", page=page, per_page=5).hits] == first


def test_facets_count_the_whole_result(archive):
    result = archive.search("dotations OR marchés", per_page=1)
    names = set(archive.found("dotations OR marchés"))
    assert result.total == len(names) and len(result.hits) == 1
    facets = {name: dict(values) for name, values in result.facets.items()}
    categories = {"jorf": "journal-officiel", "dgcl": "actualite", "circ": "circulaires", "doc": "documentation"}
    assert facets["category"] == _count(categories[ENTRIES[n][0]] for n in names)
    assert facets["year"] == _count(str(ENTRIES[n][1]["published"].year) for n in names)
    assert facets["nature"] == _count(ENTRIES[n][1]["nature"].replace("Ê", "E").replace("É", "E").lower()
                                      for n in names if ENTRIES[n][1].get("nature"))
    assert facets["topics"]["commande-publique"] == len({"seuils", "marche-public", "jorf-cited"} & names)


def _count(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def test_snippets_mark_the_words_found(archive):
    hit = archive.search("comité des finances locales").hits[0]
    assert archive.names[hit.id] == "article"
    marked = {hit.snippet.text[start:end].lower() for start, end in hit.snippet.marks}
    assert {"comité", "finances", "locales"} <= marked


def test_did_you_mean_on_a_misspelt_word(archive):
    result = archive.search("fibre optiqe")
    assert result.total == 0
    assert result.suggestion == "fibre optique"
    assert archive.search("fibre optique").suggestion is None


@pytest.mark.parametrize("query", [
    '"unbalanced', "((marchés", "marchés))", ")(", "OR", "AND", "NOT", "-", "--", "- -", "*", "**", "?",
    "marchés OR", "OR marchés", "-marchés", "licence:secret", "organisation:xyz", "rubrique:", "source:",
    ":", "a:b:c", "\\", "'", "’", "«", "»", "x" * 10_000, "marchés " * 2000, "(" * 500 + "fibre",
    "\x00\x01", "🙂 émoji", "SELECT * FROM items; --", "<script>alert(1)</script>",
    # tsquery's own syntax, quotes and escapes (the postgres engine writes queries as tsquery text)
    "fibre:*", "fib:* & !x", "a & b | !c <-> d", "'fibre'", "fibre' | 'x", "\\' OR 1=1 --", "f\\:*",
    "rubrique:'a\\b", "source:\x00jorf", "nature:&|!", '"fibre\x00 optique"', "<2> <-> !",
    "é" * 10_000, "a:" * 3000, "rubrique:" + "x" * 5000,
])
def test_hostile_queries_give_a_result_never_an_error(archive, query):
    result = archive.search(query, page=1)
    assert result.total >= 0
    assert len(result.hits) <= 20


@pytest.mark.parametrize("hostile, plain", [
    ("fibre:*", "fibre"), ("'fibre'", "fibre"), ("fibre & optique", "fibre optique"),
    ("fibre | !optique", "fibre optique"), ("fibre <-> optique", "fibre optique"), ("fibre\\ optique", "fibre optique"),
    ('"fibre\x00 optique"', '"fibre optique"'), ("fibre' | 'rapport", "fibre rapport"),
])
def test_tsquery_syntax_in_a_query_is_read_as_plain_words(archive, hostile, plain):
    """Quotes, backslashes and tsquery's operators are no operators: the words around them are searched."""
    assert archive.found(plain)
    assert archive.found(hostile) == archive.found(plain)


def test_unknown_field_names_are_read_as_words(archive):
    assert archive.found("organisation:fibre") == archive.found("organisation fibre")


def test_every_backend_finds_the_same_items(database_server, tmp_path_factory):
    queries = ["marchés publics", "dotations -source:jorf", '"fibre optique"', "TERB2001234A", "arrêté OR circulaire",
               "rubrique:finances-locales", "intercommunalité", "", '"code général des collectivités territoriales"',
               '"comité des finances locales"', '"de la"', '"des marchés publics"', '"l\'État soutient"']
    answers = {}
    for backend in BACKENDS:
        settings = settings_for(tmp_path_factory.mktemp(f"same-{backend}"), backend)
        stored = store(settings)
        index_pending(settings, stored.factory)
        index = open_backend(settings)
        names = {v: k for k, v in stored.ids.items()}
        answers[backend] = {q: (sorted(names[h.id] for h in index.search(SearchRequest(parse(q), per_page=100)).hits),
                                index.search(SearchRequest(parse(q))).facets) for q in queries}
        index.close()
    assert all(answer == answers["tantivy"] for answer in answers.values())


# One stem, "commun", for all of these: the exact form typed must rank first.
SAME_STEM = {
    "concours-commun": ("doc", dict(title="Concours commun d'attaché territorial : le calendrier",
                                    summary="Les épreuves du concours commun ont lieu en mars.",
                                    published=datetime(2023, 3, 1, tzinfo=timezone.utc))),
    "communes-touristiques": ("dgcl", dict(title="Communes touristiques : le classement",
                                           summary="Les conditions du classement en station.",
                                           published=datetime(2023, 3, 2, tzinfo=timezone.utc))),
    "commune-nouvelle": ("dgcl", dict(title="Créer une commune nouvelle : le guide",
                                      summary="Les étapes de la fusion de deux collectivités.",
                                      published=datetime(2023, 3, 3, tzinfo=timezone.utc))),
    "commune-summary": ("doc", dict(title="Guide des nouveaux élus",
                                    summary="Le rôle du maire et du conseil municipal dans la commune.",
                                    published=datetime(2023, 3, 4, tzinfo=timezone.utc))),
}


@pytest.fixture(scope="module", params=BACKENDS)
def same_stem(database_server, request, tmp_path_factory):
    yield from indexed(tmp_path_factory.mktemp(f"stem-{request.param}"), request.param, SAME_STEM)


@pytest.mark.parametrize("query, ranks", [
    # the exact form first, in the title then in the summary; the stem alone after, title first
    ("commune", ["commune-nouvelle", "commune-summary", "concours-commun", "communes-touristiques"]),
    ("communes", ["communes-touristiques"]),
    ("commun", ["concours-commun"]),
    ("COMMUNE", ["commune-nouvelle", "commune-summary"]),  # case and accents do not make a form inexact
])
def test_the_exact_word_form_outranks_a_match_on_the_stem_alone(same_stem, query, ranks):
    found = same_stem.found(query)
    assert set(found) == set(SAME_STEM)  # the stem still finds them all
    assert found[:len(ranks)] == ranks


# Phrases whose words also appear apart, or with other stop words between them.
PHRASES = {
    "ce": ("jorf", dict(title="Avis du Conseil d'État sur le projet de loi",
                        summary="Le Conseil d'État a rendu son avis.", published=datetime(2023, 5, 1, tzinfo=timezone.utc))),
    "ce-apart": ("dgcl", dict(title="Le conseil municipal et l'État, partenaires",
                              summary="Le conseil de l'État membre se réunit.",
                              published=datetime(2023, 5, 2, tzinfo=timezone.utc))),
    "ce-pieces": ("dgcl", dict(title="Conseil d'administration du centre de gestion",
                               summary="Le coup d'État de 1851 au programme de la classe patrimoine.",
                               published=datetime(2023, 5, 3, tzinfo=timezone.utc))),
    "cgct": ("circ", dict(title="Article L. 2121-29 du code général des collectivités territoriales",
                          summary="Rappel du code général des collectivités territoriales.",
                          published=datetime(2023, 5, 4, tzinfo=timezone.utc))),
    "cgi": ("circ", dict(title="Code général des impôts : ce qui change",
                         summary="La fiscalité des collectivités territoriales évolue.",
                         published=datetime(2023, 5, 5, tzinfo=timezone.utc))),
}
PHRASE_QUERIES = {
    '"Conseil d\'État"': {"ce"},
    '"conseil de l\'État"': {"ce-apart"},
    '"conseil État"': set(),
    '"code général des collectivités territoriales"': {"cgct"},
    '"général des collectivités"': {"cgct"},
    '"collectivités territoriales"': {"cgct", "cgi"},
    '"le conseil"': {"ce", "ce-apart"},
    '"de la"': {"ce-pieces"},
    '"conseil d\'État" -avis': set(),
}


@pytest.fixture(scope="module", params=BACKENDS)
def phrases(database_server, request, tmp_path_factory):
    yield from indexed(tmp_path_factory.mktemp(f"phrases-{request.param}"), request.param, PHRASES)


@pytest.mark.parametrize("query, expected", PHRASE_QUERIES.items())
def test_a_phrase_means_its_words_in_that_order_stop_words_included(phrases, query, expected):
    result = phrases.search(query, per_page=100)
    assert {phrases.names[hit.id] for hit in result.hits} == expected
    assert result.total == len(expected)

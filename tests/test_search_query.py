"""The query syntax and the French analysis, without an index."""
import pytest

from veille.search.analysis import folded, identifiers, stems, word_stems
from veille.official import NATURES
from veille.search.document import nature_key
from veille.search.query import MAX_CLAUSES, MAX_DEPTH, And, Filter, Identifier, Not, Or, Phrase, Term, parse
from veille.sources.jorf import NATURE_WORDS


def _term(word: str) -> Term:
    """A typed word: its stem, and its form as written (folded) for ranking exact forms first."""
    return Term(stems(word)[0], " ".join(folded(word)))


def test_typed_words_keep_their_exact_form():
    assert parse("Communes").root == Term("commun", "communes")
    assert parse("l'arrêté").root == Term(stems("arrêté")[0], "arrete")


def test_analysis_folds_stems_and_splits_as_documents_are_indexed():
    assert stems("État civil") == stems("etat civil")
    assert stems("marchés publics") == stems("marché public")
    assert stems("œuvre") == stems("oeuvre")
    assert word_stems("l'arrêté") == stems("arrêté")
    assert word_stems("les") == []  # a stop word alone looks for nothing
    assert word_stems("Île-de-France") == stems("ile de france")  # kept whole, stop word included


def test_identifiers_are_found_whole_and_normalised():
    found = identifiers("Décret n° 2020-1622, NOR : TERB2001234A, JORFTEXT000042702330, article L. 1211-1, "
                        "R.2121-29 et D 1617-19")
    assert {"2020-1622", "terb2001234a", "jorftext000042702330", "l1211-1", "1211-1", "r2121-29",
            "d1617-19"} <= found


def test_words_phrases_or_and_exclusion():
    query = parse('marchés "seuil de dispense" OR plafond -circulaire')
    assert query.root == And((_term("marchés"),
                              Or((Phrase(tuple(stems("seuil de dispense"))), _term("plafond"))),
                              Not(_term("circulaire"))))
    assert parse("a OU b NOT c") == parse("a OR b -c")


def test_field_filters_and_identifiers():
    query = parse("rubrique:urbanisme nature:Décret source:jorf TERB2001234A",
                  topics={"urbanisme-amenagement": "Urbanisme - Aménagement", "eau": "Eau"})
    assert query.root == And((Filter("topics", ("urbanisme-amenagement",)), Filter("nature", ("decret",)),
                              Or((Filter("category", ("jorf",)), Filter("source", ("jorf",)))),
                              Identifier("terb2001234a")))
    assert parse('source:"Journal officiel"').root.nodes[0] == Filter("category", ("journal-officiel",))


def test_unknown_rubrique_is_said():
    query = parse("rubrique:jardinage", topics={"eau": "Eau"})
    assert query.warnings == ("rubrique inconnue « jardinage » (voir feeds.yaml)",)


NOTHING_TO_SEARCH = "aucun mot à chercher dans la requête : tous les articles sont listés"
TOO_LONG = "requête trop longue : seuls les 1000 premiers caractères sont pris en compte"


@pytest.mark.parametrize("text, warnings", [
    ('"', (NOTHING_TO_SEARCH,)), ("((", (NOTHING_TO_SEARCH,)), ("))", (NOTHING_TO_SEARCH,)),
    (")(", (NOTHING_TO_SEARCH,)), ("OR", (NOTHING_TO_SEARCH,)), ("AND OR NOT", (NOTHING_TO_SEARCH,)),
    ("-", (NOTHING_TO_SEARCH,)), ("- -", (NOTHING_TO_SEARCH,)), ("*", (NOTHING_TO_SEARCH,)),
    ("«", (NOTHING_TO_SEARCH,)), ("rubrique:", (NOTHING_TO_SEARCH,)), ("\x00", (NOTHING_TO_SEARCH,)),
    ("(" * 10_000, (TOO_LONG, NOTHING_TO_SEARCH)), ("-" * 5000, (TOO_LONG, NOTHING_TO_SEARCH)), ("", ()),
])
def test_odd_input_without_a_word_lists_everything_and_says_why(text, warnings):
    query = parse(text)
    assert query.root is None and query.warnings == warnings


def test_odd_input_with_words_searches_those_words():
    assert parse("x:y:z").root == And((_term("x"), Phrase(("y", "z"))))  # not a field: words
    assert parse('"' * 9_999).root is None
    assert parse("((fibre").root == _term("fibre")
    assert parse("- fibre").root == _term("fibre")  # a lone dash excludes nothing


def test_unbalanced_quotes_and_parentheses_are_closed():
    assert parse('"fibre optique').root == Phrase(tuple(stems("fibre optique")))
    assert parse("(fibre OR cuivre").root == Or((_term("fibre"), _term("cuivre")))
    assert parse("fibre)").root == _term("fibre")


def test_a_query_of_only_operators_or_stop_words_lists_everything_and_says_so():
    for text in ("OR", "le la les", "*"):
        query = parse(text)
        assert query.root is None
        assert query.warnings == ("aucun mot à chercher dans la requête : tous les articles sont listés",)


def test_overlong_queries_are_cut_with_a_warning():
    query = parse("fibre " * 5000)
    assert len(query.root.nodes) == MAX_CLAUSES
    assert any("1000 premiers caractères" in w for w in query.warnings)
    assert any(f"{MAX_CLAUSES} premiers termes" in w for w in query.warnings)


def test_a_query_of_exactly_the_limit_is_whole():
    exact = "fibre" + " " * 989 + "cuivre"
    assert len(exact) == 1000 and parse(exact) == parse("fibre cuivre")
    cut = parse(exact + "s")  # « cuivres » is cut back to « cuivre »
    assert cut.root == parse("fibre cuivre").root and cut.warnings == (TOO_LONG,)


def test_unknown_field_names_are_words():
    assert parse("licence:secret") == parse("licence secret")


def test_parentheses_group_what_they_hold():
    assert parse("(marchés publics) OR concession").root == Or((And((_term("marchés"), _term("publics"))),
                                                               _term("concession")))
    assert parse("décret -(arrêté OR circulaire)").root == And((_term("décret"), Not(Or((_term("arrêté"),
                                                                                        _term("circulaire"))))))
    assert parse("(fibre cuivre) (réseau)").root == And((And((_term("fibre"), _term("cuivre"))), _term("réseau")))
    assert parse("fibre OR (cuivre réseau)").root == Or((_term("fibre"), And((_term("cuivre"), _term("réseau")))))
    assert parse("(fibre -) OR cuivre").root == Or((_term("fibre"), _term("cuivre")))  # a lone dash, then the group ends
    assert parse("fibre) cuivre").root == And((_term("fibre"), _term("cuivre")))  # a stray parenthesis is skipped


def test_nesting_deeper_than_the_limit_is_read_flat_and_keeps_its_exclusions():
    group = "fibre -(cuivre OR réseau)"
    within = parse("(" * (MAX_DEPTH - 1) + group + ")" * (MAX_DEPTH - 1)).root
    assert within == And((_term("fibre"), Not(Or((_term("cuivre"), _term("réseau"))))))
    beyond = parse("(" * MAX_DEPTH + group + ")" * MAX_DEPTH).root  # the group's parenthesis is one too deep
    assert beyond == And((_term("fibre"), Or((Not(_term("cuivre")), _term("réseau")))))
    assert parse("(" * 50 + "-(fibre").root == Not(_term("fibre"))


def test_phrases_end_at_their_closing_quote():
    assert parse('"fibre optique" « haut débit »').root == And((Phrase(tuple(stems("fibre optique"))),
                                                                Phrase(tuple(stems("haut débit")))))
    assert parse('"fibre optique" OR "haut débit"').root == Or((Phrase(tuple(stems("fibre optique"))),
                                                                 Phrase(tuple(stems("haut débit")))))
    assert parse('"fibre optique"cuivre').root == And((Phrase(tuple(stems("fibre optique"))), _term("cuivre")))
    assert parse('"" fibre').root == _term("fibre")  # an empty phrase looks for nothing


def test_stray_closing_quotes_are_ignored():
    assert parse("tempête »Xynthia” »").root == And((_term("tempête"), _term("Xynthia")))


def test_only_a_single_dash_before_a_word_excludes_it():
    assert parse("fibre -x").root == And((_term("fibre"), Not(_term("x"))))
    for dashes in ("--", "---"):  # a run of dashes is punctuation
        assert parse(f"décret {dashes}arrêté").root == parse("décret arrêté").root, dashes


def test_a_quoted_word_is_that_word_and_a_phrase_keeps_its_stop_words():
    assert parse('"Communes"').root == Term("commun")  # a phrase of one word: no preferred form
    assert parse('"Conseil d\'État"').root == Phrase(tuple(stems("Conseil d'État")))
    assert parse('"le conseil"').root == Phrase(tuple(stems("le conseil")))


def test_searched_words_are_kept_as_typed_for_suggestions():
    assert parse("Marchés l'arrêté -circulaire").words == (("Marchés", "marches"), ("arrêté", "arrete"),
                                                           ("circulaire", "circulaire"))


def test_highlighted_stems_are_the_searched_words_never_the_excluded_ones():
    query = parse('-circulaire marchés "seuil de dispense" OR plafond -(arrêté OR décret)')
    assert query.stems() == set(stems("marchés seuil de dispense plafond"))
    assert parse("").stems() == parse("-circulaire").stems() == set()


def test_category_and_nature_filters():
    assert parse("categorie:JORF").root == Filter("category", ("jorf",))
    assert parse("catégorie:actualite").root == Filter("category", ("actualite",))
    assert parse("nature:Décret.").root == Filter("nature", ("decret",))  # punctuation typed around it


def test_a_nature_filter_finds_every_nature_the_sources_write():
    written = {name for name, _ in NATURES} | set(NATURE_WORDS.values()) | {"CIRCULAIRE", "LOI ORGANIQUE"}
    for nature in written:
        assert parse(f'nature:"{nature}"').root == Filter("nature", (nature_key(nature),)), nature


TOPICS = {"urbanisme-amenagement": "Urbanisme - Aménagement", "eau": "Eau",
          "eau-assainissement": "Eau - Assainissement", "gestion-de-l-eau": "Ressource en eau"}


def test_rubrique_takes_a_slug_its_start_or_the_words_of_its_label():
    def slugs(text, topics=TOPICS):
        return parse(text, topics=topics).root.values
    assert slugs("rubrique:eau") == ("eau",)  # a whole slug is that rubrique, not every slug it starts
    assert slugs("rubrique:urba") == ("urbanisme-amenagement",)
    assert slugs("rubrique:aménagement") == ("urbanisme-amenagement",)
    assert slugs('rubrique:"aménagement urbanisme"') == ("urbanisme-amenagement",)  # every word, any order
    assert slugs("rubrique:ressource") == ("gestion-de-l-eau",)
    assert slugs("rubrique:assainissement") == ("eau-assainissement",)
    assert slugs("rubrique:Urbanisme", topics=None) == ("urbanisme",)  # no catalogue: the slug as typed

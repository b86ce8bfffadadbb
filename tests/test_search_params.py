"""The search page's parameters (`/recherche`, its feeds, the JSON API, saved searches) read
against the real catalogue: an empty value is an absent one, a wrong one a French message naming
the parameter, and the request made is the one `veille search` would make."""
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from veille.catalog import load_catalog
from veille.search.params import MAX_PAGE, BadParameter, SearchParams, read
from veille.search.query import MAX_CHARS, parse

TOPICS = load_catalog(Path(__file__).resolve().parents[1] / "feeds.yaml").topics
PARIS = ZoneInfo("Europe/Paris")


def test_absent_and_empty_values_are_the_defaults():
    assert read({}, TOPICS) == SearchParams() == SearchParams("", None, None, None, None, "pertinence", 1)
    empty = {"q": "", "rubrique": "", "categorie": " ", "depuis": "", "jusqu": "", "tri": "", "page": ""}
    assert read(empty, TOPICS) == SearchParams()


def test_every_parameter_read():
    found = read({"q": "  dotation \t globale ", "rubrique": " intercommunalite ", "categorie": "journal-officiel",
                  "depuis": "2020-02-05", "jusqu": "2020-02-05", "tri": "date", "page": str(MAX_PAGE)}, TOPICS)
    assert found == SearchParams("dotation globale", "intercommunalite", "journal-officiel",
                                 date(2020, 2, 5), date(2020, 2, 5), "date", MAX_PAGE)  # one day is a period
    assert read({"page": "1", "tri": "pertinence"}, TOPICS) == SearchParams()


def test_the_words_are_cut_where_the_parser_would_cut_them():
    assert read({"q": "é" * (MAX_CHARS + 10)}, TOPICS).q == "é" * MAX_CHARS


@pytest.mark.parametrize("args, message", [
    ({"page": "0"}, "paramètre « page » : « 0 » n'est pas un numéro de page entre 1 et 500"),
    ({"page": "501"}, "paramètre « page » : « 501 » n'est pas un numéro de page entre 1 et 500"),
    ({"page": "²"}, "paramètre « page » : « ² » n'est pas un numéro de page entre 1 et 500"),
    ({"page": "9" * 100}, f"paramètre « page » : « {'9' * 80} » n'est pas un numéro de page entre 1 et 500"),
    ({"tri": "hasard"}, "paramètre « tri » : « hasard » : tri par « pertinence » ou par « date »"),
    ({"tri": "h" * 100}, f"paramètre « tri » : « {'h' * 80} » : tri par « pertinence » ou par « date »"),
    ({"rubrique": "voirie"}, "paramètre « rubrique » : rubrique inconnue « voirie » (voir la liste des rubriques)"),
    ({"rubrique": "v" * 100}, f"paramètre « rubrique » : rubrique inconnue « {'v' * 80} » (voir la liste des rubriques)"),
    ({"categorie": "p" * 100}, f"paramètre « categorie » : catégorie inconnue « {'p' * 80} » (catégories : "
                              "journal-officiel, parlement, union-europeenne, circulaires, jurisprudence, "
                              "reponses-ministerielles, infos-rh, documentation, actualite)"),
    ({"categorie": "presse"}, "paramètre « categorie » : catégorie inconnue « presse » (catégories : journal-officiel, "
                              "parlement, union-europeenne, circulaires, jurisprudence, reponses-ministerielles, "
                              "infos-rh, documentation, actualite)"),
    ({"depuis": "2020-13-01"}, "paramètre « depuis » : « 2020-13-01 » n'est pas une date AAAA-MM-JJ (par exemple 2020-02-05)"),
    ({"jusqu": "20200205"}, "paramètre « jusqu » : « 20200205 » n'est pas une date AAAA-MM-JJ (par exemple 2020-02-05)"),
    ({"jusqu": "2020-02-05T10:00"}, "paramètre « jusqu » : « 2020-02-05T10:00 » n'est pas une date AAAA-MM-JJ "
                                    "(par exemple 2020-02-05)"),
    ({"depuis": "2" * 100}, f"paramètre « depuis » : « {'2' * 80} » n'est pas une date AAAA-MM-JJ (par exemple 2020-02-05)"),
    ({"depuis": "2021-01-02", "jusqu": "2021-01-01"}, "paramètre « depuis » : période vide : du 2021-01-02 au 2021-01-01"),
])
def test_a_wrong_value_names_its_parameter_in_french(args, message):
    with pytest.raises(BadParameter) as raised:
        read(args, TOPICS)
    assert str(raised.value) == message
    assert raised.value.name == message.split("« ")[1].split(" »")[0]


def test_links_leave_the_defaults_out_and_go_back_to_page_one():
    found = SearchParams("dgf", "intercommunalite", "journal-officiel", date(2020, 2, 5), date(2020, 3, 1), "date", 3)
    assert found.args() == {"q": "dgf", "rubrique": "intercommunalite", "categorie": "journal-officiel",
                            "depuis": "2020-02-05", "jusqu": "2020-03-01", "tri": "date"}
    assert found.args(page=4)["page"] == "4"
    assert found.args(rubrique=None, tri="pertinence") == {"q": "dgf", "categorie": "journal-officiel",
                                                           "depuis": "2020-02-05", "jusqu": "2020-03-01"}
    assert SearchParams(page=7).args() == {} and SearchParams(page=7).args(page=1) == {}


def test_only_filters_make_a_filtered_search():
    assert not SearchParams(q="dgf", tri="date", page=2).filtered
    for change in ({"rubrique": "intercommunalite"}, {"categorie": "actualite"},
                   {"depuis": date(2020, 1, 1)}, {"jusqu": date(2020, 1, 1)}):
        assert SearchParams(**change).filtered, change


def test_the_request_is_the_one_veille_search_makes():
    found = SearchParams("dotation OR dgf rubrique:interco", "intercommunalite", "journal-officiel",
                         date(2020, 3, 1), date(2020, 3, 31), "date", 3)
    request = found.request(TOPICS, PARIS, per_page=50, facets=False)
    # `rubrique:` in the words is read against the catalogue: a slug's first letters name it.
    assert request.query == parse("dotation OR dgf rubrique:intercommunalite")
    assert (request.topics, request.categories) == (("intercommunalite",), ("journal-officiel",))
    # From midnight in Paris on the first day to midnight after the last (summer time from 29 March).
    assert request.since == datetime(2020, 2, 29, 23, tzinfo=timezone.utc)
    assert request.until == datetime(2020, 3, 31, 22, tzinfo=timezone.utc)
    assert (request.sort, request.page, request.per_page, request.facets) == ("date", 3, 50, False)
    plain = SearchParams().request(TOPICS, PARIS)
    assert (plain.topics, plain.categories, plain.since, plain.until, plain.sort) == ((), (), None, None, "relevance")
    assert SearchParams(tri="date").request(TOPICS, PARIS, sort="relevance").sort == "relevance"  # the caller's sort wins

"""The JSON API over real HTTP on 127.0.0.1: items page by page while new ones arrive, one item,
search, rubriques; every error in JSON with a French message and its status."""
from datetime import datetime, timezone

import pytest

from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_feeds import add_item, ids_of
from tests.test_web import get, site  # noqa: F401  (fixture)

ITEM_FIELDS = {"id", "source", "sources", "category", "title", "url", "published", "fetched", "topics", "nature",
               "nor", "jorf_id", "eli", "jo", "effective", "hidden", "hidden_reason"}


def json_of(response, status=200):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


def test_items_come_in_keyset_pages_that_new_arrivals_do_not_shift(site, week):
    everything = json_of(get(site, "/api/items?limit=200"))
    assert everything["next"] is None and len(everything["items"]) == len(ids_of(week))
    assert set(everything["items"][0]) == ITEM_FIELDS
    assert everything["items"][0]["title"] == "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"
    first = json_of(get(site, "/api/items?limit=5"))
    assert [item["id"] for item in first["items"]] == [item["id"] for item in everything["items"][:5]]
    add_item(week, "nouveau", "Arrivé pendant la lecture")  # newest of all: on no page already read
    seen, cursor = [item["id"] for item in first["items"]], first["next"]
    while cursor:
        page = json_of(get(site, "/api/items", params={"limit": "5", "curseur": cursor}))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
    assert seen == [item["id"] for item in everything["items"]]  # no repeat, no gap
    assert json_of(get(site, "/api/items?limit=1"))["items"][0]["id"] == "nouveau"


def test_a_rubriques_keyset_pages_keep_their_order_through_equal_arrival_times(site, week):
    """The page of a rubrique is chosen on its ids in arrival order (veille.web.api._arrived): items that
    arrived at the same moment come by id, descending, the cursor continues after the last one,
    a hidden item is on no page, an item of another rubrique never comes in."""
    moment = datetime(2017, 3, 30, 8, 0, tzinfo=timezone.utc)
    for name in ("t-b", "t-d", "t-a", "t-e", "t-c", "t-hidden"):
        add_item(week, name, f"Même instant {name}", topics=("finances-locales",), fetched_at=moment)
    add_item(week, "t-other", "Même instant, autre rubrique", topics=("elections",), fetched_at=moment)
    assert week.cli("hide", "t-hidden").code == 0
    whole = [item["id"] for item in json_of(get(site, "/api/items?rubrique=finances-locales&limit=200"))["items"]]
    tied = [name for name in whole if name.startswith("t-")]
    assert tied == ["t-e", "t-d", "t-c", "t-b", "t-a"]
    assert whole.index("t-a") - whole.index("t-e") == 4  # together, where their arrival puts them
    seen, cursor = [], None
    while True:
        page = json_of(get(site, "/api/items", params={"rubrique": "finances-locales", "limit": "2",
                                                      **({"curseur": cursor} if cursor else {})}))
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next"]):
            break
    assert seen == whole  # no repeat, no gap, the same order


def test_items_filters(site, week):
    elections = json_of(get(site, "/api/items?rubrique=elections"))["items"]
    assert {item["title"][:20] for item in elections} == {"Décret n° 2017-431 d", "Élections municipale"}
    assert all("elections" in item["topics"] for item in elections)
    jo = json_of(get(site, "/api/items?categorie=journal-officiel"))["items"]
    assert jo and all(item["category"] == "journal-officiel" for item in jo)
    since = json_of(get(site, "/api/items?depuis=2017-03-29"))["items"]
    assert since and all(item["published"] >= "2017-03-28T22:00" for item in since)  # 29 March in Paris
    partielles = ids_of(week)["Élections municipales partielles <script>alert(1)</script> Bcc: pirate@exemple.com"]
    assert week.cli("hide", partielles).code == 0
    assert partielles not in {item["id"] for item in json_of(get(site, "/api/items?limit=200"))["items"]}


def test_one_item_with_its_links_and_hidden_or_unknown_ones(site, week):
    ids = ids_of(week)
    decree = ids["Décret n° 2017-431 du 28 mars 2017 relatif au répertoire électoral unique "
                 "et à la tenue des listes électorales"]
    record = json_of(get(site, f"/api/items/{decree}"))
    assert set(record) == ITEM_FIELDS | {"links"}
    assert record["nor"] == "INTA1708123D" and record["effective"] == "2017-07-01"
    assert record["jo"] == {"number": "0075", "date": "2017-03-29"}
    assert week.cli("hide", decree).code == 0
    assert json_of(get(site, f"/api/items/{decree}"), 410)["message"] == "Cet article a été retiré par la rédaction."
    assert "n'existe pas" in json_of(get(site, "/api/items/inconnu"), 404)["message"]
    assert "n'existe pas" in json_of(get(site, "/api/items/%3Cscript%3E"), 404)["message"]


def test_search_takes_the_search_page_parameters(site, week):
    found = json_of(get(site, "/api/search?q=dotation&categorie=actualite"))
    assert found["total"] == 1 and found["next"] is None
    assert [item["title"] for item in found["items"]] == ["Dotation globale de fonctionnement 2017 : les montants sont en ligne"]
    assert set(found["items"][0]) == ITEM_FIELDS
    paged = json_of(get(site, "/api/search?q=dotation&limit=1"))
    assert paged["total"] >= 2 and paged["next"] == 2 and len(paged["items"]) == 1
    assert json_of(get(site, "/api/search?q=dotation&limit=1&page=2"))["items"][0]["id"] != paged["items"][0]["id"]


def test_rubriques_with_counts_and_feeds(site):
    topics = json_of(get(site, "/api/rubriques", headers={"Host": "pirate.example"}))["rubriques"]
    assert [topic["slug"] for topic in topics] == ["finances-locales", "elections", "tic-reseaux-telephonie",
                                                   "commande-publique", "forets"]
    assert topics[1] == {"slug": "elections", "label": "Élections", "items": 2,
                         "rss": "https://veille.test/flux/rubriques/elections.rss",
                         "atom": "https://veille.test/flux/rubriques/elections.atom"}


@pytest.mark.parametrize("path, status, message", [
    ("/api/items?limit=0", 400, "paramètre « limit » : nombre entier de 1 à 200 attendu"),
    ("/api/items?limit=201", 400, "paramètre « limit »"),
    ("/api/items?limit=%EF%BC%92", 400, "paramètre « limit »"),  # fullwidth 2
    ("/api/items?curseur=abc", 400, "paramètre « curseur » : valeur invalide"),
    ("/api/items?curseur=999999999999999999.x", 400, "paramètre « curseur »"),  # past the year 9999
    ("/api/items?rubrique=inconnue", 400, "paramètre « rubrique » : rubrique inconnue « inconnue »"),
    ("/api/items?categorie=presse", 400, "paramètre « categorie » : catégorie inconnue « presse »"),
    ("/api/items?depuis=2020-02-30", 400, "paramètre « depuis » : « 2020-02-30 » n'est pas une date AAAA-MM-JJ"),
    ("/api/search?q=dgf&page=0", 400, "paramètre « page »"),
    ("/api/search?q=dgf&page=abc", 400, "paramètre « page »"),
    ("/api/search?q=dgf&tri=hasard", 400, "paramètre « tri »"),
    ("/api/inconnu", 404, "Cette adresse n'existe pas dans l'API"),
    ("/api/", 404, "Cette adresse n'existe pas dans l'API"),
])
def test_errors_are_json_with_a_french_message(site, path, status, message):
    body = json_of(get(site, path), status)
    assert message in body["message"] and body["status"] == status


def test_wrong_method_is_json_with_allow(site):
    response = site.client.post(site.url + "/api/items")
    assert json_of(response, 405)["message"] == "Cette adresse de l'API ne se lit qu'avec GET."
    assert "GET" in response.headers["allow"]


def test_search_survives_hostile_queries(site):
    for query in ('"dotation', "(dotation", "x" * 10_000, "<script>alert(1)</script>"):
        assert "items" in json_of(get(site, "/api/search", params={"q": query}))

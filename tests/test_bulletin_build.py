"""Editions: their window of arrival, what they keep and leave out, their order, and what each
reader sees. The archive is filled through the real pipeline (JO dump reader, ingest) at fixed times."""
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import TEST_TOPICS
from tests.test_jorf import full_dump
from veille.catalog import CATEGORIES, load_catalog
from veille.crawl import sync_sources
from veille.config import Settings
from veille.db import make_engine, session_factory, transaction
from veille.entry import Entry
from veille.ingest import store_entries
from veille.models import Item
from veille.bulletins.build import daily_sections, due_week, headline, reader_topics, weekly_groups
from veille.bulletins.build import seen as count_seen
from veille.bulletins.editions import EditionError, build, content_of, find

REPO_ROOT = Path(__file__).resolve().parents[1]
PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
TOPICS = TEST_TOPICS + [{"slug": "forets", "label": "Environnement - Forêts", "keywords": ["communes forestières"]}]
SOURCES = [
    {"id": "dila-jorf", "name": "DILA – Journal officiel", "kind": "jorf", "category": "journal-officiel",
     "url": "https://echanges.dila.gouv.fr/OPENDATA/JORF/", "options": {"exclude_nominative": True}},
    {"id": "senat", "name": "Sénat – Textes déposés", "category": "parlement", "url": "https://www.senat.fr/rss/textes.rss"},
    {"id": "circulaires", "name": "Légifrance – Circulaires", "category": "circulaires",
     "url": "https://www.legifrance.gouv.fr/circulaires.rss"},
    {"id": "questions", "name": "Sénat – Questions écrites", "category": "reponses-ministerielles",
     "url": "https://www.senat.fr/rss/questions.rss"},
    {"id": "dgcl", "name": "DGCL – Actualités", "category": "actualite", "url": "https://www.collectivites-locales.gouv.fr/rss.xml"},
    {"id": "tresor", "name": "DG Trésor", "category": "documentation", "url": "https://www.tresor.economie.gouv.fr/rss.xml"},
]
DECREE, ORDER, NOMINATION = "JORFTEXT000034300001", "JORFTEXT000034300003", "JORFTEXT000034300002"


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def arrivals() -> list[tuple[str, str, list[Entry]]]:
    """(when it arrived, source, entries): a week of March 2017 around Wednesday the 29th."""
    return [
        ("2017-03-27T10:00", "dgcl", [Entry(
            key="fibre-2017", title="Fibre optique : appel à projets 2017",
            url="https://www.collectivites-locales.gouv.fr/fibre-2017",
            summary="Un appel à projets soutient le très haut débit dans les territoires ruraux.",
            published=paris("2017-03-27T09:00"))]),
        ("2017-03-28T18:00", "senat", [Entry(
            key="ppl16-412", url="https://www.senat.fr/leg/ppl16-412.html",
            title="Proposition de loi visant à accélérer le déploiement de la fibre optique dans les zones rurales",
            summary="Texte n° 412 (2016-2017) déposé au Sénat le 28 mars 2017. Le très haut débit pour tous : "
                    "qui paiera ? Les auteurs proposent un fonds de péréquation !",
            published=paris("2017-03-28T16:30"))]),
        ("2017-03-28T18:00", "circulaires", [Entry(
            key="circ-42001", url="https://www.legifrance.gouv.fr/circulaire/id/42001",
            title="Circulaire du 27 mars 2017 relative à la dotation globale de fonctionnement des communes pour 2017",
            summary="La présente circulaire précise la répartition de la DGF en 2017 : dotation forfaitaire, "
                    "péréquation et « contribution au redressement des finances publiques ».",
            nor="INTB1708123C", nature="CIRCULAIRE", published=paris("2017-03-27T00:00"))]),
        ("2017-03-28T18:00", "questions", [Entry(
            key="q-25123", url="https://www.senat.fr/questions/base/2017/qSEQ170325123.html",
            title="Délais de paiement des marchés publics locaux",
            summary="Question écrite n° 25123 : les délais de paiement des marchés publics locaux sont-ils "
                    "respectés ? Réponse : le délai global de paiement reste fixé à trente jours.",
            published=paris("2017-03-28T10:00"))]),
        ("2017-03-28T18:00", "dgcl", [
            Entry(key="dgf-2017", url="https://www.collectivites-locales.gouv.fr/dgf-2017",
                  title="Dotation globale de fonctionnement 2017 : les montants sont en ligne",
                  summary="Les montants individuels de la DGF 2017 sont publiés ; le comité des finances locales "
                          "s'est réuni le 28 mars.", published=paris("2017-03-28T15:00")),
            Entry(key="partielles", url="javascript:alert(1)",
                  title="Élections municipales partielles &lt;script&gt;alert(1)&lt;/script&gt;\r\nBcc: pirate@exemple.com",
                  summary="<p>Le calendrier des élections municipales partielles est publié ! "
                          "<a href=\"javascript:alert(2)\">Consultez-le</a>.</p>", published=paris("2017-03-28T14:00")),
            Entry(key="journee", url="https://www.collectivites-locales.gouv.fr/journee-nationale",
                  title="Journée nationale des collectivités : inscriptions ouvertes",
                  summary="Les inscriptions sont ouvertes jusqu'au 15 avril.", published=paris("2017-03-28T11:00")),
        ]),
        ("2017-03-28T18:00", "tresor", [Entry(
            key="guide-innovation", url="https://www.tresor.economie.gouv.fr/guide-marches-innovants",
            title="Guide des marchés publics innovants",
            summary="Le guide explique comment ouvrir les marchés publics aux solutions innovantes.",
            published=paris("2017-03-28T09:00"))]),
        ("2017-03-29T03:00", "dila-jorf", full_dump().entries),
        ("2017-03-29T09:00", "dgcl", [Entry(
            key="fctva", url="https://www.collectivites-locales.gouv.fr/fctva",
            title="FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles",
            summary="Le FCTVA s'ouvre aux dépenses d'entretien des bâtiments publics.",
            published=paris("2017-03-29T08:30"))]),
    ]


def seed(env, arrivals_list=None, sources=None) -> None:
    """Feeds written, and each batch stored by the real ingest as if crawled at its time."""
    env.write_feeds(sources or SOURCES, TOPICS)
    assert env.cli("init").code == 0
    catalog = load_catalog(env.feeds)
    factory = factory_of(env)
    for when, source_id, entries in arrivals_list or arrivals():
        with transaction(factory) as session:
            sync_sources(session, catalog)
            source = catalog.sources[source_id]
            store_entries(session, source, source.url, entries, catalog.topics, paris(when))


def factory_of(env):
    return session_factory(make_engine(Settings.from_env()))


def build_at(env, kind: str, day: str, now: str, rebuild: bool = False):
    """Build an edition as if it were `now` in Paris; returns its content."""
    catalog = load_catalog(env.feeds)
    with transaction(factory_of(env)) as session:
        edition, _ = build(session, kind, date.fromisoformat(day), catalog, PARIS, paris(now), rebuild)
        return content_of(edition)


def seed_week(env) -> None:
    """The archive, the daily editions of Tuesday 28 and Wednesday 29 March 2017 (built at 7:00)
    and the recap of that week (built on Monday 3 April at 7:00)."""
    seed(env)
    build_at(env, "daily", "2017-03-28", "2017-03-28T07:00")
    build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    build_at(env, "weekly", "2017-03-29", "2017-04-03T07:00")


@pytest.fixture
def week(env, monkeypatch):
    """seed_week, with the web app and the sender of a real installation."""
    monkeypatch.setenv("VEILLE_BASE_URL", "https://veille.test")
    monkeypatch.setenv("VEILLE_MAIL_FROM", "bulletin@veille.test")
    monkeypatch.setenv("VEILLE_MAIL_FROM_NAME", "Veille")
    seed_week(env)
    return env


def titles(content) -> list[str]:
    return [item.headline for item in content.items]


# --- The daily edition -------------------------------------------------------------------

def test_daily_edition_holds_what_arrived_since_the_previous_one(env):
    seed(env)
    first = build_at(env, "daily", "2017-03-28", "2017-03-28T07:00")
    assert titles(first) == ["Fibre optique : appel à projets 2017"]  # the very first: the last 24 hours
    content = build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    assert content.title == "L'actualité du mercredi 29 mars 2017"
    assert content.jo_line == "JOURNAL OFFICIEL n°75 du 29 mars 2017"
    assert [item.category for item in content.items] == sorted(
        (item.category for item in content.items), key=list(CATEGORIES).index)
    assert titles(content) == [
        "Répertoire électoral unique et tenue des listes électorales",  # décret before arrêté
        "Aides aux communes forestières",
        "Proposition de loi visant à accélérer le déploiement de la fibre optique dans les zones rurales",
        "Dotation globale de fonctionnement des communes pour 2017",
        "Délais de paiement des marchés publics locaux",
        "Guide des marchés publics innovants",
        "Dotation globale de fonctionnement 2017 : les montants sont en ligne",
        "Élections municipales partielles <script>alert(1)</script> Bcc: pirate@exemple.com",
        "Journée nationale des collectivités : inscriptions ouvertes",
    ]
    ids = {item.headline: item for item in content.items}
    assert "Nomination au cabinet du ministre de l'intérieur" not in ids  # individual measure
    assert "FCTVA" not in " ".join(ids)  # arrived at 9:00, after the edition: tomorrow's
    decree = content.items[0]
    assert decree.official_title == ("Décret n° 2017-431 du 28 mars 2017 relatif au répertoire électoral unique "
                                     "et à la tenue des listes électorales")
    assert decree.reference == "JORF n°0075 du 29 mars 2017 - NOR : INTA1708123D"
    assert decree.effective == date(2017, 7, 1)
    assert decree.url == "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000034300001"
    assert decree.topics == ("elections",)
    circular = ids["Dotation globale de fonctionnement des communes pour 2017"]
    assert circular.reference == "Légifrance – Circulaires - 27 mars 2017 - NOR : INTB1708123C"
    assert ids["Délais de paiement des marchés publics locaux"].official_title is None
    assert ids["Élections municipales partielles <script>alert(1)</script> Bcc: pirate@exemple.com"].url is None


def test_next_edition_starts_where_the_last_one_ended(env):
    seed_week(env)
    content = build_at(env, "daily", "2017-03-30", "2017-03-30T07:00")
    assert titles(content) == ["FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"]
    assert content.jo_line == ""


def test_an_edition_is_a_snapshot_until_rebuilt(env):
    seed_week(env)
    catalog = load_catalog(env.feeds)
    with transaction(factory_of(env)) as session:  # the DGCL rewrites its item after the edition
        store_entries(session, catalog.sources["dgcl"], catalog.sources["dgcl"].url, [Entry(
            key="dgf-2017", url="https://www.collectivites-locales.gouv.fr/dgf-2017",
            title="DGF 2017 : montants rectifiés", summary="Rectificatif.")], catalog.topics, paris("2017-03-29T12:00"))
    again = build_at(env, "daily", "2017-03-29", "2017-03-30T10:00")
    assert "Dotation globale de fonctionnement 2017 : les montants sont en ligne" in titles(again)
    rebuilt = build_at(env, "daily", "2017-03-29", "2017-03-30T10:00", rebuild=True)
    assert "DGF 2017 : montants rectifiés" in titles(rebuilt)
    with env.session() as session:  # a rebuild keeps the window: tomorrow's item stays tomorrow's
        edition = find(session, "daily", date(2017, 3, 29))
        assert edition.window_end == paris("2017-03-29T07:00")


def test_editions_cannot_overlap_nor_come_early(env):
    seed_week(env)
    with pytest.raises(EditionError, match="L'édition quotidienne du mardi 28 mars 2017 existe déjà"):
        build_at(env, "daily", "2017-03-27", "2017-03-30T07:00")
    with pytest.raises(EditionError, match="ne peut pas être construite à l'avance"):
        build_at(env, "daily", "2017-03-31", "2017-03-30T07:00")
    with pytest.raises(EditionError, match="Le récapitulatif de la semaine du 3 au 9 avril 2017 ne peut pas être construit"):
        build_at(env, "weekly", "2017-04-05", "2017-03-30T07:00")


def test_monday_edition_after_a_sunday_jo_names_both_issues(env):
    def jo_text(key, number, day, title):
        return Entry(key=key, jorf_id=key, title=title, nature="DÉCRET", jo_number=number, jo_date=day,
                     url=f"https://www.legifrance.gouv.fr/jorf/id/{key}",
                     published=datetime.combine(day, time.min, tzinfo=PARIS))
    seed(env, [
        ("2017-06-24T03:00", "dila-jorf", [jo_text("JORFTEXT000034999001", "0147", date(2017, 6, 24),
                                                   "Décret n° 2017-1001 du 23 juin 2017 relatif aux marchés publics")]),
        ("2017-06-25T03:00", "dila-jorf", [jo_text("JORFTEXT000034999002", "0148", date(2017, 6, 25),
                                                   "Décret n° 2017-1002 du 24 juin 2017 portant diverses mesures")]),
    ])
    build_at(env, "daily", "2017-06-23", "2017-06-23T07:00")
    monday = build_at(env, "daily", "2017-06-26", "2017-06-26T07:00")
    assert monday.jo_line == "JOURNAUX OFFICIELS n°s 147 et 148 des 24 et 25 juin 2017"
    assert [i.reference for i in monday.items] == ["JORF n°0147 du 24 juin 2017", "JORF n°0148 du 25 juin 2017"]
    assert monday.title == "L'actualité du lundi 26 juin 2017"


def test_individual_measures_kept_when_the_source_says_so(env):
    sources = [dict(SOURCES[0], options={"exclude_nominative": False})] + SOURCES[1:]
    seed(env, sources=sources)
    content = build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    assert "Nomination au cabinet du ministre de l'intérieur" in titles(content)


def test_items_hidden_by_an_editor_are_left_out(env):
    seed(env)
    with transaction(factory_of(env)) as session:
        item = session.scalar(select(Item).where(Item.jorf_id == ORDER))
        item.hidden_at = paris("2017-03-29T06:30")
    content = build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    assert "Aides aux communes forestières" not in titles(content)


# --- What each reader sees ---------------------------------------------------------------

def test_reader_gets_their_rubriques_grouped_and_every_category_in_order(env):
    seed_week(env)
    content = build_at(env, "daily", "2017-03-29", "2017-03-30T07:00")
    sections = daily_sections(content, reader_topics(["commande-publique", "elections"], content))
    assert [s.label for s in sections] == list(CATEGORIES.values())
    seen = {s.category: [(g.label, [i.headline[:20] for i in g.items]) for g in s.groups] for s in sections}
    assert seen["journal-officiel"] == [("Élections", ["Répertoire électoral"])]
    assert seen["parlement"] == [] and seen["union-europeenne"] == []  # quiet: said so when rendered
    assert seen["reponses-ministerielles"] == [("Commande publique - Marchés publics", ["Délais de paiement d"])]
    assert seen["actualite"] == [("Élections", ["Élections municipale"])]
    assert [s.jo_line for s in sections] == ["JOURNAL OFFICIEL n°75 du 29 mars 2017"] + [""] * (len(sections) - 1)
    assert count_seen(content, reader_topics(["commande-publique", "elections"], content)) == 4  # the decree, the question, the guide, the partial elections
    assert count_seen(content, None) == len(content.items)


def test_reader_of_every_rubrique_also_gets_items_without_one(env):
    seed_week(env)
    content = build_at(env, "daily", "2017-03-29", "2017-03-30T07:00")
    assert reader_topics([], content) is None and reader_topics(["disparue"], content) is None
    actualite = daily_sections(content, None)[-1]
    assert [g.label for g in actualite.groups] == ["Finances locales - Dotations", "Élections", "Autres textes"]


def test_item_in_two_rubriques_appears_once_under_the_first_the_reader_follows(env):
    seed_week(env)
    content = build_at(env, "daily", "2017-03-29", "2017-03-30T07:00")
    law = next(i for i in content.items if i.category == "parlement")
    assert law.topics == ("tic-reseaux-telephonie",)
    both = [i for i in content.items if len(i.topics) > 1]
    for item in both:
        groups = [g for s in daily_sections(content, None) for g in s.groups if item in g.items]
        assert [g.slug for g in groups] == [item.topics[0]]


def test_weekly_recap_by_rubrique_with_counts(env):
    seed_week(env)
    content = build_at(env, "weekly", "2017-03-29", "2017-04-03T07:00")
    assert content.title == "Récapitulatif de la semaine du 27 mars au 2 avril 2017"
    groups = weekly_groups(content, None)
    assert [(g.label, len(g.items)) for g in groups] == [
        ("Finances locales - Dotations", 3), ("Élections", 2), ("TIC - Réseaux - Téléphonie", 2),
        ("Commande publique - Marchés publics", 2), ("Environnement - Forêts", 1), ("Autres textes", 1)]
    assert weekly_groups(content, reader_topics(["forets"], content))[0].items[0].headline == "Aides aux communes forestières"


# --- Pure helpers ------------------------------------------------------------------------

@pytest.mark.parametrize("now, weekday, at, monday", [
    ("2017-04-03T06:59", 0, time(7), "2017-03-20"),  # Monday before 7:00: last week's recap is not due yet
    ("2017-04-03T07:00", 0, time(7), "2017-03-27"),  # Monday 7:00: the week just ended
    ("2017-04-06T12:00", 0, time(7), "2017-03-27"),
    ("2017-03-31T17:30", 4, time(17), "2017-03-27"),  # sent on Friday at 17:00: the current week
    ("2017-03-31T16:00", 4, time(17), "2017-03-20"),
    ("2017-04-03T00:45", 0, time(0, 30), "2017-03-27"),  # the due moment is read in Paris, not in UTC
    ("2017-04-04T09:00", 1, time(8), "2017-04-03"),  # sent on Tuesday: the current week
    ("2017-04-05T12:00", 1, time(8), "2017-04-03"),
    ("2017-04-03T12:00", 1, time(7), "2017-03-27"),  # Monday: the Tuesday before was the last due moment
    ("2017-04-04T06:00", 1, time(7), "2017-03-27"),  # Tuesday before 7:00: still that one
])
def test_due_week(now, weekday, at, monday):
    assert due_week(paris(now), PARIS, weekday, at) == date.fromisoformat(monday)


@pytest.mark.parametrize("title, plain", [
    ("Arrêté du 24 mars 2017 relatif aux aides aux communes forestières", "Aides aux communes forestières"),
    ("Loi n° 2017-86 du 27 janvier 2017 relative à l'égalité et à la citoyenneté", "Égalité et citoyenneté"),
    ("Décret n° 2017-1002 du 24 juin 2017 portant diverses mesures", "Diverses mesures"),
    ("Décret n° 2017-431 du 28 mars 2017", None),
    ("Dotation globale de fonctionnement relative à 2017", None),  # not an official text
])
def test_headline_of_an_official_title(title, plain):
    assert headline(title) == plain

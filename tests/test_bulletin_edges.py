"""What an edition holds at its edges: windows that end at midnight in Paris, the order of items
within a category, Journal officiel texts without an issue number, and items whose source or
rubrique has left the catalogue. The archive is filled through the real ingest at fixed times."""
from datetime import date

from tests.test_bulletin_build import SOURCES, TOPICS, arrivals, build_at, paris, seed, titles
from veille.bulletins.build import daily_sections
from veille.entry import Entry

DGCL = "https://www.collectivites-locales.gouv.fr/"


def news(key: str, title: str, published: str, summary: str = "Les précisions de la DGCL.") -> Entry:
    return Entry(key=key, title=title, url=DGCL + key, summary=summary, published=paris(published))


def test_a_daily_edition_built_late_ends_at_midnight_in_paris(env):
    seed(env, arrivals() + [("2017-03-30T00:30", "dgcl", [news("nuit", "Avis publié après minuit", "2017-03-30T00:20")])])
    build_at(env, "daily", "2017-03-28", "2017-03-28T07:00")
    late = build_at(env, "daily", "2017-03-29", "2017-03-30T10:00")
    assert late.kind == "daily"
    assert "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles" in titles(late)
    assert "Avis publié après minuit" not in titles(late)
    assert titles(build_at(env, "daily", "2017-03-30", "2017-03-30T12:00")) == ["Avis publié après minuit"]


def test_a_weekly_recap_holds_monday_to_sunday_in_paris(env):
    seed(env, arrivals() + [("2017-03-27T00:30", "dgcl", [news("lundi", "Ouverture de la semaine", "2017-03-27T00:10")]),
                            ("2017-04-03T00:30", "dgcl", [news("suivante", "Semaine suivante", "2017-04-03T00:10")])])
    recap = build_at(env, "weekly", "2017-03-29", "2017-04-04T07:00")
    assert recap.kind == "weekly"
    assert {"Ouverture de la semaine", "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"} <= set(titles(recap))
    assert "Semaine suivante" not in titles(recap)


def test_within_a_category_items_go_by_their_day_in_paris_then_by_title(env):
    seed(env, arrivals()[:1] + [("2017-03-28T06:00", "dgcl", [
        news("appel", "Appel à candidatures pour les écoles", "2017-03-28T00:30"),
        news("zones", "Zones rurales : le bilan", "2017-03-27T23:30", summary="Zones rurales : le bilan"),
    ])])
    first = build_at(env, "daily", "2017-03-28", "2017-03-28T07:00")
    assert titles(first) == ["Fibre optique : appel à projets 2017", "Zones rurales : le bilan",
                             "Appel à candidatures pour les écoles"]
    assert [item.summary for item in first.items] == [
        "Un appel à projets soutient le très haut débit dans les territoires ruraux.",
        "",  # a summary that repeats the title is not shown twice
        "Les précisions de la DGCL."]


def test_a_journal_officiel_text_without_issue_number(env):
    """A text of the JO dump whose issue has no number: referenced by its source and day, named in
    no issue of the JO line, after the day's texts of known nature; individual measures are left
    out by default for the Journal officiel."""
    sources = [{key: value for key, value in SOURCES[0].items() if key != "options"}] + SOURCES[1:]
    unnumbered = Entry(key="JORFTEXT000034300099", jorf_id="JORFTEXT000034300099", jo_date=date(2017, 3, 29),
                       title="Décret n° 2017-432 du 28 mars 2017 relatif aux fonds de péréquation",
                       summary="Décret n° 2017-432 du 28 mars 2017 relatif aux fonds de péréquation",
                       url="https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000034300099",
                       published=paris("2017-03-29T00:00"))
    seed(env, arrivals() + [("2017-03-29T03:00", "dila-jorf", [unnumbered])], sources=sources)
    build_at(env, "daily", "2017-03-28", "2017-03-28T07:00")
    content = build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    assert content.jo_line == "JOURNAL OFFICIEL n°75 du 29 mars 2017"
    assert titles(content)[:3] == ["Répertoire électoral unique et tenue des listes électorales",
                                   "Aides aux communes forestières", "Fonds de péréquation"]
    assert "Nomination au cabinet du ministre de l'intérieur" not in titles(content)
    text = content.items[2]
    assert text.reference == "DILA – Journal officiel - 29 mars 2017"
    assert text.summary == ""  # it repeats the official title


def test_items_whose_source_or_rubrique_left_the_catalogue_are_still_shown(env):
    both = news("nouvelles", "Élections municipales et DGF des communes nouvelles", "2017-03-28T12:00")
    seed(env, arrivals() + [("2017-03-28T18:00", "dgcl", [both])])
    content = build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    item = next(i for i in content.items if i.headline == both.title)
    assert item.topics == ("finances-locales", "elections")  # the catalogue's order, not the alphabet's

    env.write_feeds([s for s in SOURCES if s["id"] != "tresor"], [t for t in TOPICS if t["slug"] != "finances-locales"])
    rebuilt = build_at(env, "daily", "2017-03-29", "2017-03-29T08:00", rebuild=True)
    items = {i.headline: i for i in rebuilt.items}
    assert items[both.title].topics == ("elections", "finances-locales")  # a rubrique gone: last
    assert items["Guide des marchés publics innovants"].reference == "tresor - 28 mars 2017"  # its source's id
    actualite = daily_sections(rebuilt, None)[-1]
    assert [(g.label, [i.headline[:25] for i in g.items]) for g in actualite.groups] == [
        ("Élections", ["Élections municipales et ", "Élections municipales par"]),
        ("finances-locales", ["Dotation globale de fonct"]),
        ("Autres textes", ["Journée nationale des col"])]

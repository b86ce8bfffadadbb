"""Editors' changes: headline, summary and rubriques that survive re-crawls (real HTTP server on
127.0.0.1, real CLI) and `veille reclassify`, each recorded in the history; items pinned
« À la une », shown first in every reader's copy of the next daily edition."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.test_bulletin_build import NOMINATION, SOURCES, build_at, factory_of, seed
from veille.bulletins.build import seen
from tests.test_crawl import rss
from veille.bulletins.render import Links, Reader, email_text, reading
from veille.catalog import load_catalog
from veille.db import transaction
from veille.editorial import (PINS_MAX, EditorialError, edit_headline, edit_summary, hide, history, pin,
                              release_topics, set_topics, unpin)
from veille.ingest import reclassify_items
from veille.models import FrontPin, Item

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
EDITOR = "redac@mairie-exemple.fr"
FIBRE = {"title": "Décret relatif au déploiement de la fibre optique", "guid": "fibre-1",
         "link": "https://ex.gouv.fr/fibre", "text": "Le très haut débit pour tous."}


def only_item(env) -> Item:
    with env.session() as session:
        [item] = session.scalars(select(Item)).all()
        item.topic_slugs  # loaded before the session closes
        return item


def test_edits_survive_a_recrawl_and_a_reclassification_and_are_recorded(env, server):
    server.route("/f.xml", rss(FIBRE))
    env.write_feeds([{"id": "f", "name": "F", "url": server.url("/f.xml")}])
    assert env.cli("crawl").code == 0
    item = only_item(env)
    assert item.topic_slugs == ["tic-reseaux-telephonie"]
    catalog = load_catalog(env.feeds)
    with transaction(factory_of(env)) as session:
        edit_headline(session, item.id, "  Fibre :\nle décret\tattendu ", NOW, EDITOR)
        edit_summary(session, item.id, "Ce que change le décret pour les communes rurales.", NOW, EDITOR)
        set_topics(session, item.id, ["elections", "commande-publique"], catalog.topics, NOW, EDITOR)

    # The source rewrites the text: the item is updated, the editor's changes stay.
    server.route("/f.xml", rss({**FIBRE, "title": FIBRE["title"] + " (rectificatif)",
                                "text": "Le très haut débit et la fibre optique pour tous."}))
    assert "1 mis à jour" in env.cli("crawl").out
    assert env.cli("reclassify").code == 0
    item = only_item(env)
    assert item.title.endswith("(rectificatif)")
    assert (item.edited_headline, item.edited_summary) == ("Fibre : le décret attendu",
                                                            "Ce que change le décret pour les communes rurales.")
    assert item.topic_slugs == ["commande-publique", "elections"]

    with env.session() as session:
        changes = [(e.field, e.editor, e.before, e.after) for e in reversed(history(session, item.id))]
    assert changes == [
        ("headline", EDITOR, "Déploiement de la fibre optique", "Fibre : le décret attendu"),
        ("summary", EDITOR, "Le très haut débit pour tous.", "Ce que change le décret pour les communes rurales."),
        ("topics", EDITOR, ["tic-reseaux-telephonie"], ["commande-publique", "elections"]),
    ]

    # Given back to the rules, the rubriques follow them again; an empty headline is the title's.
    with transaction(factory_of(env)) as session:
        release_topics(session, item.id, NOW, EDITOR)
        reclassify_items(session, [item.id], catalog, NOW)
        edit_headline(session, item.id, "", NOW, EDITOR)
    item = only_item(env)
    assert item.topic_slugs == ["tic-reseaux-telephonie"] and item.edited_headline is None
    with env.session() as session:
        latest = [(e.field, e.before, e.after) for e in history(session, item.id)[:2]]
    assert ("topics", ["commande-publique", "elections"], None) in latest
    assert ("headline", "Fibre : le décret attendu", "Déploiement de la fibre optique (rectificatif)") in latest


def test_unknown_rubrique_is_refused_by_name(env, server):
    server.route("/f.xml", rss(FIBRE))
    env.write_feeds([{"id": "f", "name": "F", "url": server.url("/f.xml")}])
    env.cli("crawl")
    item = only_item(env)
    with pytest.raises(EditorialError, match="rubrique inconnue : « voirie »"):
        with transaction(factory_of(env)) as session:
            set_topics(session, item.id, ["elections", "voirie"], load_catalog(env.feeds).topics, NOW, EDITOR)
    assert only_item(env).topic_slugs == ["tic-reseaux-telephonie"]


# --- « À la une » ------------------------------------------------------------------------

def item_id(env, headline_start: str) -> str:
    with env.session() as session:
        return next(i.id for i in session.scalars(select(Item)) if i.title.startswith(headline_start))


def test_pinned_items_come_first_for_every_reader_of_the_next_edition_only(env):
    seed(env)
    build_at(env, "daily", "2017-03-28", "2017-03-28T07:00")
    question, guide = item_id(env, "Délais de paiement"), item_id(env, "Guide des marchés")
    with transaction(factory_of(env)) as session:
        pin(session, guide, NOW, EDITOR)
        pin(session, question, NOW, EDITOR)
        pin(session, question, NOW, EDITOR)  # twice is once
    content = build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    assert [entry.id for entry in content.front] == [guide, question]
    assert {guide, question}.isdisjoint(entry.id for entry in content.items)  # not twice

    links = Links("https://veille.test")
    for topics in ((), ("elections",)):  # whatever their rubriques
        text = email_text(reading(content, Reader("agent@mairie.fr", topics, "t")), links, "Veille")
        first = text.index("À LA UNE")
        assert first < text.index("Guide des marchés publics innovants") < text.index("Délais de paiement")
        assert text.index("Délais de paiement") < text.index("JOURNAL OFFICIEL\n")

    # A rebuild shows the same pins; the next edition none.
    rebuilt = build_at(env, "daily", "2017-03-29", "2017-03-29T08:00", rebuild=True)
    assert [entry.id for entry in rebuilt.front] == [guide, question]
    assert build_at(env, "daily", "2017-03-30", "2017-03-30T07:00").front == ()
    with env.session() as session:
        assert [e.field for e in history(session, guide)] == ["pinned"]


def test_a_pinned_item_reads_as_it_would_below_and_follows_its_source_options(env):
    """An individual measure its source keeps may be pinned; pinned, every item reads exactly as
    it would among the others (reference in Paris time, rubriques, summary), and is counted once."""
    seed(env, sources=[dict(SOURCES[0], options={"exclude_nominative": False})] + SOURCES[1:])
    build_at(env, "daily", "2017-03-28", "2017-03-28T07:00")
    with env.session() as session:
        nomination = session.scalar(select(Item.id).where(Item.jorf_id == NOMINATION))
    circular = item_id(env, "Circulaire du 27 mars 2017")
    with transaction(factory_of(env)) as session:
        pin(session, nomination, NOW, EDITOR)
        pin(session, circular, NOW, EDITOR)
    pinned = build_at(env, "daily", "2017-03-29", "2017-03-29T07:00")
    assert [entry.id for entry in pinned.front] == [nomination, circular]
    assert seen(pinned, None) == len(pinned.front) + len(pinned.items)
    below = {entry.id: entry for entry in build_at(env, "weekly", "2017-03-29", "2017-04-03T07:00").items}  # no pins
    assert pinned.front == (below[nomination], below[circular])
    assert pinned.front[1].reference == "Légifrance – Circulaires - 27 mars 2017 - NOR : INTB1708123C"


def test_at_most_three_pins_and_never_a_hidden_item(env):
    seed(env)
    with env.session() as session:
        ids = session.scalars(select(Item.id).order_by(Item.id)).all()
    with transaction(factory_of(env)) as session:
        for one in ids[:PINS_MAX]:
            pin(session, one, NOW, EDITOR)
    with pytest.raises(EditorialError, match="« À la une » compte déjà 3 articles"):
        with transaction(factory_of(env)) as session:
            pin(session, ids[PINS_MAX], NOW, EDITOR)
    with transaction(factory_of(env)) as session:
        unpin(session, ids[0], NOW, EDITOR)
        hide(session, ids[PINS_MAX], "doublon", NOW, EDITOR)
    with pytest.raises(EditorialError, match="un article masqué ne peut pas être mis « À la une »"):
        with transaction(factory_of(env)) as session:
            pin(session, ids[PINS_MAX], NOW, EDITOR)
    with env.session() as session:
        assert [p.item_id for p in session.scalars(select(FrontPin).order_by(FrontPin.id))] == ids[1:PINS_MAX]
        assert [(e.field, e.before, e.after) for e in history(session, ids[0])] == [
            ("pinned", True, False), ("pinned", False, True)]

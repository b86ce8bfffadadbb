"""Written questions end to end: served on 127.0.0.1, crawled, classified, linked across sources."""
import io
import json
import zipfile
from datetime import datetime, timezone

from tests.conftest import FIXTURES
from veille.links import links_of, update_refs
from veille.models import Item


def fixture(name: str) -> bytes:
    return (FIXTURES / "questions" / name).read_bytes()


def test_an_zip_and_legacy_xml_of_the_same_question_make_one_item(env, server):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("json/QANR5L16QE4521.json", fixture("an_qe_answered.json"))
        zipped.writestr("json/QANR5L16QE4522.json", fixture("an_qe_unanswered.json"))
    server.route("/Questions_ecrites.json.zip", archive.getvalue(), headers={"Content-Type": "application/zip"})
    legacy = fixture("an_legacy_qe.xml").replace(b"<LEGISLATURE>14<", b"<LEGISLATURE>16<") \
        .replace(b'DEPOT NUMERO="61234"', b'DEPOT NUMERO="4521"')
    server.route("/q16-4521QE.xml", legacy, headers={"Content-Type": "application/xml"})
    topics = [{"slug": "fpt-recrutement", "label": "Fonction publique territoriale - Recrutement",
               "keywords": ["contrat de projet"], "an_rubriques": ["fonction publique territoriale"]}]
    env.write_feeds([
        {"id": "an-qe", "name": "AN – Questions écrites", "kind": "questions", "category": "reponses-ministerielles",
         "url": server.url("/Questions_ecrites.json.zip")},
        {"id": "an-legacy", "name": "AN – page de question", "kind": "questions", "category": "reponses-ministerielles",
         "url": server.url("/q16-4521QE.xml")},
    ], topics=topics)
    first = env.cli("crawl", "--source", "an-qe")  # the first source to bring an item is its primary
    assert first.code == 0 and "1 source relevée : 1 nouveau," in first.out, first.out
    second = env.cli("crawl")
    assert "2 sources relevées : 0 nouveau," in second.out, second.out
    (answered,) = map(json.loads, env.cli("items", "--json").out.splitlines())  # the unanswered one is left out
    assert answered["sources"] == ["an-legacy", "an-qe"]
    assert answered["url"] == "https://questions.assemblee-nationale.fr/q16/16-4521QE.htm"
    assert answered["title"].startswith("Question écrite n° 4521")
    assert answered["topics"] == ["fpt-recrutement"]
    assert answered["category"] == "reponses-ministerielles"
    explained = env.cli("classify", "--explain", answered["id"]).out
    assert "rubrique « fonction publique territoriale » de la source" in explained


def test_question_published_under_two_addresses_is_linked(env):
    extra = {"legislature": "16", "question_number": "4521", "question_type": "QE"}
    env.write_feeds([{"id": "a", "name": "A", "url": "https://exemple.gouv.fr/"}])
    env.cli("sources")  # creates the database and the source row
    with env.session() as session, session.begin():
        for item_id in ("question", "answer"):
            item = Item(id=item_id, source_id="a", category="reponses-ministerielles", title=item_id,
                        text="", extra=extra, content_hash="", fetched_at=_now(), updated_at=_now(), refs=[])
            update_refs(item)
            session.add(item)
    with env.session() as session:
        assert [(l.kind, l.item_id, l.via) for l in links_of(session, "question")] == [("same", "answer", "Q16-4521QE")]


def _now():
    return datetime.now(timezone.utc)

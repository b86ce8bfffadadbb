"""DILA Questions-Réponses (AN): the listing of .taz archives, the REDIF_ANQ file, the crawl.

The fixtures under tests/fixtures/dila_questions/ are hand-built in the shape of DILA's REDIF_ANQ
files as documented by public parsers: no real sample of the format exists in ../shared/samples.
The .taz archives (tar.gz, as the `.taz` suffix means) are built here at run time from them.
"""
import io
import json
from datetime import datetime, timezone

import pytest

from tests.conftest import FIXTURES
from tests.test_jorf import make_tar
from tests.test_jorf_crawl import listing
from veille.entry import ParseError
from veille.links import refs_of
from veille.models import Item
from veille.sources import dila, questions
from veille.sources.dila_questions import TAZ_NAMES, parse_redif, read_archive

HERE = FIXTURES / "dila_questions"
BASE = "https://echanges.dila.gouv.fr/OPENDATA/Questions-Reponses/AN/Annee_en_cours/"
UTC = timezone.utc
FIRST, SECOND = "ANQ20250040.taz", "ANQ20250046.taz"


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def taz(redif: str, number: str = "20250040") -> bytes:
    """One JO issue as DILA ships it: the REDIF file, and the two others the reader leaves aside."""
    return make_tar([(f"REDIF_ANQ{number}.xml", fixture(redif)),
                     (f"XML1JO_AN{number}.xml", b"<index/>"), (f"XML2JO_AN{number}.xml", b"<rectificatifs/>")])


def by_key(result):
    return {entry.key: entry for entry in result.entries}


def an_open_data(number: str) -> bytes:
    """The AN open-data JSON of question n° `number` of the 17th legislature."""
    data = json.loads((FIXTURES / "questions" / "an_qe_answered.json").read_bytes())
    data["question"].update(uid=f"QANR5L17QE{number}", identifiant={"numero": number, "legislature": "17"})
    return json.dumps(data).encode()


# --- The listing -------------------------------------------------------------------------------

def test_listing_keeps_taz_archives_in_issue_order():
    dumps = dila.parse_listing(fixture("listing_annee_en_cours.html"), BASE, TAZ_NAMES)
    assert [d.name for d in dumps] == ["ANQ20250040.taz", "ANQ20250043.taz", "ANQ20250046.taz"]
    assert dumps[0] == dila.Dump("ANQ20250040.taz", BASE + "ANQ20250040.taz", None)


def test_the_next_year_sorts_after_this_one():
    page = listing("ANQ20260001.taz", "ANQ20250052.taz").encode()
    assert [d.name for d in dila.parse_listing(page, BASE, TAZ_NAMES)] == ["ANQ20250052.taz", "ANQ20260001.taz"]


# --- One REDIF_ANQ file ------------------------------------------------------------------------

def test_questions_asked_are_entries_dated_by_their_issue():
    result = parse_redif(fixture("REDIF_ANQ20250040.xml"))
    assert [e.key for e in result.entries] == ["QANR5L17QE9801", "QANR5L17QE9802", "QANR5L17QE5210", "QANR5L17QE7118"]
    assert result.warnings == [] and result.skipped == {}
    asked = by_key(result)["QANR5L17QE9801"]
    assert asked.title == "Question écrite n° 9801 : Dotation globale de fonctionnement des communes nouvelles"
    assert asked.url == "https://questions.assemblee-nationale.fr/q17/17-9801QE.htm"
    assert asked.published == datetime(2025, 10, 6, 22, tzinfo=UTC)  # 7 October, 00:00 in Paris
    assert asked.content_html.startswith("<h2>Question</h2><p>Mme Claire Martin attire")  # header "9801. — …" cut
    assert "Réponse" not in asked.content_html
    assert asked.summary.startswith("Mme Claire Martin attire l'attention")
    assert (asked.nature, asked.ministry) == ("QUESTION ÉCRITE", "Aménagement du territoire et décentralisation")
    assert asked.extra == {"question_number": "9801", "question_type": "QE", "legislature": "17",
                           "author": "Mme Claire Martin", "question_date": "2025-10-07", "question_jo_page": "7954"}
    assert "Les collectivités &amp; leurs syndicats" in by_key(result)["QANR5L17QE9802"].content_html


def test_answers_hold_question_and_answer_dated_by_the_answer():
    answered = by_key(parse_redif(fixture("REDIF_ANQ20250040.xml")))["QANR5L17QE5210"]
    assert answered.url.endswith("/q17/17-5210QE.htm")  # <type>REP</type> names the section, not the question
    assert answered.content_html.startswith("<h2>Question</h2><p>Mme Sophie Bernard appelle")
    assert "<h2>Réponse</h2><p>Le contrat de projet, créé par la loi du 6 août 2019" in answered.content_html
    assert answered.summary.startswith("Le contrat de projet")
    assert answered.published == datetime(2025, 10, 6, 22, tzinfo=UTC)
    # The question's referencePublication is the answer's: its own day comes from the text's header.
    assert answered.extra == {"question_number": "5210", "question_type": "QE", "legislature": "17",
                              "author": "Mme Sophie Bernard", "question_date": "2025-06-17",
                              "answer_date": "2025-10-07", "answer_jo_page": "8120"}


def test_a_joint_answer_answers_each_of_its_questions():
    result = by_key(parse_redif(fixture("REDIF_ANQ20250046.xml")))
    first, second = result["QANR5L17QE9801"], result["QANR5L17QE9655"]
    assert first.published == second.published == datetime(2025, 11, 17, 23, tzinfo=UTC)  # winter time
    assert all("La loi de finances pour 2025" in entry.content_html for entry in (first, second))
    assert first.extra["question_date"] == "2025-10-07" and second.extra["question_date"] == "2025-09-30"


def test_same_question_from_an_open_data_has_the_same_identity():
    """Same key, address, title and link reference: one item, linked to its answer from either source."""
    (an,) = questions.parse_document(an_open_data("5210")).entries
    dila_entry = by_key(parse_redif(fixture("REDIF_ANQ20250040.xml")))["QANR5L17QE5210"]
    assert (dila_entry.key, dila_entry.url, dila_entry.nature) == (an.key, an.url, an.nature)
    assert all(entry.title.startswith("Question écrite n° 5210 : ") for entry in (an, dila_entry))
    assert set(dila_entry.extra) <= set(an.extra)
    as_item = [Item(title="", text="", extra=entry.extra) for entry in (an, dila_entry)]
    assert refs_of(as_item[0]) & refs_of(as_item[1]) == {("Q17-5210QE", "self")}


def test_broken_identities_leave_out_their_question_only():
    result = parse_redif(fixture("missing_ids.xml"))
    assert [e.key for e in result.entries] == ["QANR5L17QE9900"]
    assert result.entries[0].extra.get("question_jo_page") is None  # "p. 12" is no page number
    assert result.skipped == {questions.EMPTY: 1}  # 9901: neither text nor answer
    assert result.warnings == [
        "question 1 de la section QE ignorée : champ « idQuestion/numeroQuestion » absent",
        "question n° 9897 de la section QE ignorée : champ « idQuestion/legislature » invalide « XVII »",
        "question n° 9898 de la section QE ignorée : champ « idQuestion/source » : « CESE » inattendu "
        "(AN ou SENAT attendu)",
        "question n° 9899 de la section QE ignorée : champ « idQuestion/type » : « QG » inattendu (QE attendu)",
        "question 5 de la section QE ignorée : champ « idQuestion/numeroQuestion » invalide "
        "« 99999999999999999999 »",
        "question n° 5000 de la section REP ignorée : élément « reponse » absent",
        "question n° 5001 de la section REP ignorée : champ « reponse/texteReponse » vide",
    ]


def test_bad_dates_leave_out_their_question_only():
    result = parse_redif(fixture("bad_dates.xml"))
    (kept,) = result.entries
    assert kept.key == "QANR5L17QE9911" and kept.published == datetime(2025, 10, 6, 22, tzinfo=UTC)
    assert result.warnings == [
        "question n° 9910 de la section QE ignorée : champ « referencePublication/datePublication » : "
        "date illisible « 2025-02-30 »",
        "question n° 5100 de la section REP ignorée : champ « reponse/referencePublication/datePublication » : "
        "date illisible « demain »",
        "question n° 5101 de la section REP ignorée : champ « reponse/referencePublication/datePublication » "
        "absent",
    ]


def test_empty_sections_give_nothing_and_say_nothing():
    result = parse_redif(fixture("empty_sections.xml"))
    assert (result.entries, result.warnings, result.skipped) == ([], [], {})


@pytest.mark.parametrize("content, message", [
    (b"<QUESTION TYPE='QE'/>", "élément racine « QUESTION » sans section QE ni REP"),
    (b"<QuestionsPublieesAS><Section part='AUTRE'/></QuestionsPublieesAS>", "sans section QE ni REP"),
    (b"<QuestionsPublieesAS><Section part='QE'>", "XML mal formé, ligne 1"),
])
def test_a_file_that_is_not_redif_is_refused(content, message):
    with pytest.raises(ParseError, match=message):
        parse_redif(content)


# --- The .taz archive --------------------------------------------------------------------------

def test_archive_reads_its_redif_member_only():
    result = read_archive(io.BytesIO(taz("REDIF_ANQ20250040.xml")), None)
    assert len(result.entries) == 4 and result.warnings == []


def test_hostile_members_are_warnings_naming_them():
    members = [("REDIF_ANQ20250040.xml", fixture("xxe.xml")), ("REDIF_ANQ20250041.xml", fixture("missing_ids.xml"))]
    result = read_archive(io.BytesIO(make_tar(members)), None)
    assert [e.key for e in result.entries] == ["QANR5L17QE9900"]
    assert result.warnings[0] == ("membre « REDIF_ANQ20250040.xml » ignoré : le document déclare des entités XML "
                                  "(DTD) : refusé par sécurité")
    assert result.warnings[1].startswith("membre « REDIF_ANQ20250041.xml » : question 1 de la section QE ignorée")


def test_archive_without_redif_member_is_a_warning():
    result = read_archive(io.BytesIO(make_tar([("XML1JO_AN20250040.xml", b"<index/>")])), None)
    assert (result.entries, result.warnings) == ([], ["aucun fichier REDIF_….xml dans l'archive"])


def test_an_archive_that_is_not_a_tar_gz_is_refused():
    plain_tar = make_tar([("REDIF_ANQ20250040.xml", fixture("REDIF_ANQ20250040.xml"))], mode="w")
    with pytest.raises(ParseError, match="archive tar.gz illisible : compression gzip invalide"):
        read_archive(io.BytesIO(plain_tar), None)


# --- End to end: the directory served on 127.0.0.1, crawled by the CLI -------------------------

def items(env) -> dict[str, dict]:
    out = env.cli("items", "--json", "--limit", "100").out
    return {i["url"].rsplit("/", 1)[-1]: i for i in map(json.loads, out.splitlines())}


def test_an_answer_in_a_later_issue_updates_its_question(env, server):
    html = {"Content-Type": "text/html"}
    server.route("/AN/", listing(FIRST), etag='"l1"', headers=html)
    server.route(f"/AN/{FIRST}", taz("REDIF_ANQ20250040.xml"))
    env.write_feeds([{"id": "dila-qe", "name": "JO Débats – Questions (AN)", "kind": "questions",
                      "url": server.url("/AN/"), "category": "reponses-ministerielles", "options": {"format": "dila"}}])

    first = env.cli("crawl")
    assert first.code == 0 and "4 nouveaux" in first.out, first.out
    asked = items(env)["17-9801QE.htm"]
    assert asked["title"] == "Question écrite n° 9801 : Dotation globale de fonctionnement des communes nouvelles"
    assert asked["published"] == "2025-10-06T22:00:00+00:00" and asked["nature"] == "QUESTION ÉCRITE"
    assert asked["category"] == "reponses-ministerielles"
    assert "inchangé (304)" in env.cli("crawl").out

    server.route("/AN/", listing(FIRST, SECOND), etag='"l2"', headers=html)
    server.route(f"/AN/{SECOND}", taz("REDIF_ANQ20250046.xml", "20250046"))
    second = env.cli("crawl")
    assert "2 nouveaux, 1 mis à jour" in second.out, second.out
    assert server.hits[f"/AN/{FIRST}"] == 1
    now = items(env)
    assert len(now) == 6
    answered = now["17-9801QE.htm"]
    assert answered["id"] == asked["id"] and answered["published"] == "2025-11-17T23:00:00+00:00"
    with env.session() as session:
        item = session.get(Item, answered["id"])
        assert "<h2>Réponse</h2>" in item.content_html and item.extra["answer_date"] == "2025-11-18"
        assert item.extra["question_date"] == "2025-10-07"


def test_the_same_question_from_an_open_data_is_the_same_item(env, server):
    server.route("/AN/", listing(FIRST), headers={"Content-Type": "text/html"})
    server.route(f"/AN/{FIRST}", taz("REDIF_ANQ20250040.xml"))
    server.route("/QANR5L17QE5210.json", an_open_data("5210"), headers={"Content-Type": "application/json"})
    env.write_feeds([
        {"id": "dila-qe", "name": "JO Débats – Questions (AN)", "kind": "questions", "url": server.url("/AN/"),
         "category": "reponses-ministerielles", "options": {"format": "dila"}},
        {"id": "an-qe", "name": "AN – Questions écrites", "kind": "questions",
         "url": server.url("/QANR5L17QE5210.json"), "category": "reponses-ministerielles"},
    ])
    out = env.cli("crawl").out
    assert "2 sources relevées : 4 nouveaux" in out, out
    assert items(env)["17-5210QE.htm"]["sources"] == ["an-qe", "dila-qe"]


def test_a_question_number_in_other_digits_is_refused_not_rewritten():
    """int("٩٨٠١") is 9801: the question would take the key and address of another one."""
    redif = fixture("REDIF_ANQ20250040.xml").replace(
        b"<numeroQuestion>9801</numeroQuestion>", "<numeroQuestion>٩٨٠١</numeroQuestion>".encode())
    result = parse_redif(redif)
    assert "QANR5L17QE9801" not in by_key(result)
    assert result.warnings == ["question 1 de la section QE ignorée : champ « idQuestion/numeroQuestion » "
                               "invalide « ٩٨٠١ »"]


# --- The Sénat: the same REDIF shape under OPENDATA/Questions-Reponses/SENAT/ ------------------

def test_senat_questions_have_their_own_key_address_and_legislature():
    result = parse_redif(fixture("REDIF_SNQ20250045.xml"))
    assert result.warnings == []
    asked, answered = result.entries
    assert (asked.key, answered.key) == ("SENAT-17-QE-6412", "SENAT-17-QE-5120")  # empty legislature: from the day
    assert asked.title == ("Question écrite (Sénat) n° 6412 : Compensation de la suppression de la taxe "
                           "d'habitation pour les communes rurales")
    assert asked.url == "https://www.senat.fr/questions/base/2025/qSEQ251106412.html"
    assert answered.url == "https://www.senat.fr/questions/base/2025/qSEQ250605120.html"  # the question's month
    assert asked.extra["chamber"] == "Sénat" and asked.extra["legislature"] == "17"
    assert "<h2>Réponse</h2>" in answered.content_html
    assert answered.published == datetime(2025, 11, 12, 23, tzinfo=UTC)
    assert answered.extra["question_date"] == "2025-06-12" and answered.extra["answer_date"] == "2025-11-13"


def test_senat_question_without_legislature_nor_day_is_a_warning():
    content = fixture("REDIF_SNQ20250045.xml").replace(b"<datePublication>2025-11-13</datePublication>", b"", 1)
    content = content.replace("06412. — 13 novembre 2025. — ".encode(), b"")
    result = parse_redif(content)
    assert [e.key for e in result.entries] == ["SENAT-17-QE-5120"]
    assert result.warnings == ["question n° 06412 de la section QE ignorée : champ « idQuestion/legislature » "
                               "absent, et aucune date pour le déduire"]


def test_senat_directory_is_crawled_like_the_an_one(env, server):
    name = "SNQ20250045.taz"
    server.route("/SENAT/", listing(name), headers={"Content-Type": "text/html"})
    server.route(f"/SENAT/{name}", make_tar([("REDIF_SNQ20250045.xml", fixture("REDIF_SNQ20250045.xml"))]))
    env.write_feeds([{"id": "dila-questions-senat", "name": "JO Sénat – Questions", "kind": "questions",
                      "url": server.url("/SENAT/"), "category": "reponses-ministerielles",
                      "options": {"format": "dila"}}])
    out = env.cli("crawl").out
    assert "2 nouveaux" in out, out
    assert set(items(env)) == {"qSEQ251106412.html", "qSEQ250605120.html"}

"""Written questions and ministerial answers (kind `questions`)."""
from __future__ import annotations

import io
import json
import struct
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from tests.conftest import SAMPLES, needs_samples
from veille.catalog import Source
from veille.entry import ParseError
from veille.entry import ParseResult
from veille.sources import opendata
from veille.sources.opendata import first_paragraph, official_day, paris_midnight, well_formed_html
from veille.sources.questions import UNANSWERED, parse, parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "questions"
SOURCE = Source(id="an-questions-ecrites", name="Questions écrites (AN)", kind="questions",
                url="https://data.assemblee-nationale.fr/questions.json.zip",
                category="reponses-ministerielles", topics=(), interval=timedelta(hours=6))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def answered() -> dict:
    return json.loads(fixture("an_qe_answered.json"))


def as_bytes(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def only_entry(content: bytes):
    result = parse(content, SOURCE.url, "application/json", SOURCE)
    assert len(result.entries) == 1 and not result.warnings
    return result.entries[0]


def make_zip(members: list[tuple[str, bytes]], stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def parse_zip(content: bytes):
    return parse(content, SOURCE.url, "application/zip", SOURCE)


def patch_central_entry(content: bytes, name: str, offset: int, value: int) -> bytes:
    """Set a 2-byte field of one member's central directory record (flags: 8, method: 10)."""
    encoded = name.encode()
    start = content.index(b"PK\x01\x02")
    while content[start + 28:start + 30] != struct.pack("<H", len(encoded)) \
            or content[start + 46:start + 46 + len(encoded)] != encoded:
        start = content.index(b"PK\x01\x02", start + 4)
    return content[:start + offset] + struct.pack("<H", value) + content[start + offset + 2:]


# --- one question --------------------------------------------------------------------------

def test_written_question_json_with_answer():
    entry = only_entry(fixture("an_qe_answered.json"))
    assert entry.key == "QANR5L16QE4521"
    assert entry.title == "Question écrite n° 4521 : Recrutement"
    assert entry.url == "https://questions.assemblee-nationale.fr/q16/16-4521QE.htm"
    assert entry.nature == "QUESTION ÉCRITE"
    assert entry.ministry == "Transformation et fonction publiques"  # the last attribution answers
    assert entry.published == datetime(2023, 4, 3, 22, 0, tzinfo=timezone.utc)  # 4 April, 00:00 Paris
    assert entry.tags == ("fonction publique territoriale",)
    assert entry.extra == {
        "question_number": "4521", "question_type": "QE", "legislature": "16", "author": "PA720001",
        "group": "Démocrate (MoDem et Indépendants)", "question_date": "2023-01-17", "answer_date": "2023-04-04",
        "question_jo_page": "312", "answer_jo_page": "3120", "rubrique": "fonction publique territoriale",
        "analyse": "Contrats de projet ; Durée et renouvellement",
    }
    assert entry.summary.startswith("Le contrat de projet, prévu à l'article L. 332-24")
    assert "\xa0" not in entry.summary
    assert entry.content_html.startswith("<h2>Question</h2><p>Mme Claire Martin attire")
    assert "<h2>Réponse</h2><p>Le contrat de projet" in entry.content_html


def test_question_without_answer_is_skipped():
    result = parse(fixture("an_qe_unanswered.json"), SOURCE.url, "application/json", SOURCE)
    assert result.entries == [] and result.skipped == {UNANSWERED: 1} and result.warnings == []


def test_question_au_gouvernement_xml_in_the_an_namespace():
    entry = only_entry(fixture("an_qg_answered.xml"))
    assert entry.key == "QANR5L16QG456"
    assert entry.title == "Question au Gouvernement n° 456 : Transfert de la compétence eau aux intercommunalités"
    assert entry.url == "https://questions.assemblee-nationale.fr/q16/16-456QG.htm"
    assert entry.nature == "QUESTION AU GOUVERNEMENT"
    assert entry.ministry == "Collectivités territoriales et ruralité"
    assert entry.extra["group"] == "LR"  # `developpe` is nil
    assert entry.extra["answer_jo_page"] == "2101"  # only the closing carries the page
    assert entry.extra["question_date"] == "2023-03-15"  # asked in the sitting that answered it
    assert "question_jo_page" not in entry.extra
    # No question text: the whole exchange is the answer, its stray </p> and final <p> are gone.
    assert entry.content_html.startswith('<h2>Réponse</h2><p align="CENTER"> COMPÉTENCE EAU')
    assert entry.content_html.endswith("avant l'été.<br>")
    assert entry.summary.startswith("M. Paul Durand. Monsieur le ministre")


def test_legacy_question_xml_with_malformed_html():
    entry = only_entry(fixture("an_legacy_qe.xml"))
    assert entry.key == "14-61234QE"
    assert entry.title == "Question écrite n° 61234 : Finances"
    assert entry.url == "https://questions.assemblee-nationale.fr/q14/14-61234QE.htm"
    assert entry.ministry == "Décentralisation et fonction publique"
    assert entry.published == datetime(2014, 11, 17, 23, 0, tzinfo=timezone.utc)
    assert entry.extra["author"] == "Mme Anne Lefèvre"
    assert entry.extra["group"] == "Union des démocrates et indépendants"
    assert (entry.extra["question_date"], entry.extra["answer_date"]) == ("2014-07-22", "2014-11-18")
    assert entry.tags == ("communes",)
    html = entry.content_html
    assert "</br>" not in html and "<!--" not in html
    assert "DOTATION<br>forfaitaire<br>(en euros)" in html
    assert html.count("<td") == html.count("</td>") == 2
    assert html.endswith("<p>Ces montants tiennent compte de la contribution au redressement des finances publiques.</p>")
    assert entry.summary.startswith("La dotation globale de fonctionnement des communes de moins de 2 000 habitants")


def test_question_type_from_xsi_type_and_date_from_closing():
    document = answered()
    question = document["question"]
    del question["type"]
    question["@xsi:type"] = "QuestionOrale_Type"
    question["textesReponse"]["texteReponse"] = [
        {"infoJO": None, "texte": None},
        {"infoJO": {"dateJO": None, "pageJO": None}, "texte": "Réponse orale en séance."},
    ]
    question["minAttribs"] = None
    entry = only_entry(as_bytes(document))
    assert entry.nature == "QUESTION ORALE"
    assert entry.url == "https://questions.assemblee-nationale.fr/q16/16-4521QOSD.htm"
    assert entry.extra["answer_date"] == "2023-04-04" and entry.extra["answer_jo_page"] == "3120"
    assert entry.ministry == "Transformation et fonction publiques"  # from minInt
    assert entry.summary == "Réponse orale en séance."


def test_title_falls_back_on_the_analyses_and_numbers_are_accepted():
    document = answered()
    document["question"]["indexationAN"]["teteAnalyse"] = None
    document["question"]["identifiant"]["numero"] = 4521
    entry = only_entry(as_bytes(document))
    assert entry.title == "Question écrite n° 4521 : Contrats de projet, Durée et renouvellement"


def test_text_of_an_element_with_attributes():
    document = answered()
    document["question"]["uid"] = {"@xsi:type": "IdQuestion_type", "#text": "QANR5L16QE4521"}
    assert only_entry(as_bytes(document)).key == "QANR5L16QE4521"


def test_lone_surrogates_from_json_escapes_are_replaced():
    content = fixture("an_qe_answered.json").replace(b'"recrutement"', b'"recrutement \\ud800"')
    assert only_entry(content).title == "Question écrite n° 4521 : Recrutement ?"


def test_legacy_fallbacks():
    text = fixture("an_legacy_qe.xml").decode()
    for removed in ("<CIVILITE>Mme</CIVILITE>", "<NOM>Lefèvre</NOM>", "<PRENOM>Anne</PRENOM>",
                    "<LIBELLE>Union des démocrates et indépendants</LIBELLE>",
                    "<DATE_JO_REPONSE>18/11/2014</DATE_JO_REPONSE>"):
        text = text.replace(removed, "")
    text = text[:text.index("<MINA>")] + text[text.index("</MINA>") + len("</MINA>"):]
    entry = only_entry(text.encode())
    assert entry.extra["author"] == "1001" and entry.extra["group"] == "UDI"
    assert entry.ministry == "Intérieur"
    assert entry.extra["answer_date"] == "2014-11-18"  # from CLOTURE


@pytest.mark.parametrize("change, message", [
    (lambda q: q["identifiant"].pop("numero"), "question « QANR5L16QE4521 » : champ « numéro » absent"),
    (lambda q: q["identifiant"].update(legislature="16e"), "champ « législature » invalide « 16e »"),
    (lambda q: q.update(uid="QANR/../x"), "question : champ « uid » invalide « QANR/../x »"),
    (lambda q: q.update(type="QX"), "type de question inconnu « QX » (QE, QG ou QOSD attendu)"),
    (lambda q: q.update({"type": None, "@xsi:type": None}), "type de question inconnu (QE, QG ou QOSD attendu)"),
    (lambda q: q.update(uid={"valeur": 1}), "champ « question.uid » : texte attendu, trouvé un objet"),
    (lambda q: q.update(indexationAN="collectivités"), "champ « question.indexationAN » : objet attendu, trouvé un texte"),
    (lambda q: q["textesReponse"]["texteReponse"]["infoJO"].update(dateJO="04/13/2023"),
     "champ « question.textesReponse.texteReponse.infoJO.dateJO » : date illisible « 04/13/2023 »"),
    (lambda q: q["textesQuestion"]["texteQuestion"]["infoJO"].update(dateJO="hier"),
     "champ « question.textesQuestion.texteQuestion.infoJO.dateJO » : date illisible « hier »"),
    (lambda q: q["indexationAN"]["analyses"].update(analyse=[True]),
     "champ « question.indexationAN.analyses.analyse[0] » : texte attendu, trouvé un booléen"),
    (lambda q: q["identifiant"].update(numero=4.5), "champ « question.identifiant.numero » : texte attendu, trouvé un nombre"),
])
def test_wrong_fields_name_the_field(change, message):
    document = answered()
    change(document["question"])
    with pytest.raises(ParseError) as caught:
        parse_document(as_bytes(document))
    assert message in str(caught.value)


@pytest.mark.parametrize("name, message", [
    ("an_qe_wrong_types.json", "champ « question.indexationAN.rubrique » : texte attendu, trouvé une liste"),
    ("list_of_numbers.json", "le JSON n'est pas une question de l'Assemblée nationale"),
    ("xxe.xml", "le document déclare des entités XML"),
])
def test_hostile_fixtures_are_refused(name, message):
    with pytest.raises(ParseError) as caught:
        parse(fixture(name), SOURCE.url, "", SOURCE)
    assert message in str(caught.value)


@pytest.mark.parametrize("content, message", [
    (b"", "document vide"),
    (b"  \n", "document vide"),
    (b"%PDF-1.4", "document ni JSON, ni XML, ni archive ZIP"),
    (b'{"question": {"uid": }', "JSON mal formé, ligne 1, colonne 22 : valeur attendue"),
    (b'{"question": 1} x', "JSON mal formé, ligne 1, colonne 17 : données en trop après la fin"),
    (b'{"question": "\x00"}', "caractère de contrôle dans une chaîne"),
    (b"{'question': 1}", "nom de propriété entre guillemets attendu"),
    (b'{"question" 1}', "deux-points attendu"),
    (b'{"a": 1 "b": 2}', "virgule attendue"),
    (b'{"question": "abc', "chaîne non terminée"),
    (b'{"question": "\\q"}', "syntaxe invalide"),
    (b'{"question": "\xff"}', "JSON illisible : encodage invalide (UTF-8 attendu)"),
    (b"[" * 100_000, "imbrication trop profonde"),
    (b'{"n": ' + b"1" * 5000 + b"}", "nombre démesuré"),
    (b"<html><body>Erreur</body></html>", "élément racine « html » (question de l'Assemblée nationale attendue)"),
    (b"<QUESTION TYPE='QE'><LEGISLATURE>14", "XML mal formé"),
    (b"<QUESTION TYPE='QE'><LEGISLATURE>14</LEGISLATURE></QUESTION>", "question : champ « numéro » absent"),
    (b"\xef\xbb\xbf[1]", "objet « question » attendu"),
])
def test_unreadable_documents_raise_in_french(content, message):
    with pytest.raises(ParseError) as caught:
        parse_document(content)
    assert message in str(caught.value)


# --- archives ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def oversized() -> bytes:
    return b" " * (opendata.MAX_MEMBER_BYTES + 1)


def test_zip_of_questions(oversized):
    evil = answered()
    evil["question"]["uid"] = "QANR5L16QE666"
    content = make_zip([
        ("json/QANR5L16QE4521.json", fixture("an_qe_answered.json")),
        ("json/QANR5L16QE4522.json", fixture("an_qe_unanswered.json")),
        ("xml/QANR5L16QG456.xml", fixture("an_qg_answered.xml")),
        ("legacy/14-61234QE.XML", fixture("an_legacy_qe.xml")),
        ("json/", b""),
        ("LISEZMOI.txt", b"Licence Ouverte"),
        ("json/cassé.json", b'{"question": '),
        ("../evil.json", as_bytes(evil)),
        ("json/énorme.json", oversized),
    ])
    result = parse_zip(content)
    assert [entry.key for entry in result.entries] == ["QANR5L16QE4521", "QANR5L16QG456", "14-61234QE"]
    assert result.skipped == {UNANSWERED: 1}
    assert result.warnings == [
        "membre « json/cassé.json » ignoré : JSON mal formé, ligne 1, colonne 14 : valeur attendue",
        "membre « ../evil.json » ignoré : chemin suspect (absolu ou avec « .. »)",
        "membre « json/énorme.json » ignoré : trop volumineux (20971521 octets décompressés, limite 20 Mio)",
    ]


def test_zip_member_with_an_external_entity_is_refused():
    content = make_zip([("a.json", fixture("an_qe_answered.json")), ("b.xml", fixture("xxe.xml"))])
    result = parse_zip(content)
    assert len(result.entries) == 1
    assert result.warnings == ["membre « b.xml » ignoré : le document déclare des entités XML (DTD) : refusé par sécurité"]


def test_absolute_and_windows_member_paths_are_suspect():
    content = make_zip([("a.json", fixture("an_qe_answered.json")), ("/etc/b.xml", b"<x/>"),
                        ("C:/c.json", b"{}"), ("..\\d.xml", b"<x/>")])
    suspect = "ignoré : chemin suspect (absolu ou avec « .. »)"
    assert parse_zip(content).warnings == [f"membre « {name} » {suspect}" for name in ("/etc/b.xml", "C:/c.json", "..\\d.xml")]


def test_truncated_zip_is_refused():
    content = make_zip([("a.json", fixture("an_qe_answered.json"))])
    with pytest.raises(ParseError, match="archive ZIP illisible : tronquée ou corrompue"):
        parse_zip(content[: len(content) // 2])


def test_zip_where_no_member_can_be_read_is_refused():
    content = make_zip([("a.json", b"[1, 2]"), ("/etc/b.xml", b"<x/>")])
    with pytest.raises(ParseError) as caught:
        parse_zip(content)
    assert str(caught.value) == ("archive ZIP : aucun membre lisible (membre « a.json » ignoré : le JSON n'est "
                                 "pas une question de l'Assemblée nationale (objet « question » attendu))")


def test_zip_without_json_or_xml_members():
    result = parse_zip(make_zip([("notice.pdf", b"%PDF")]))
    assert result.entries == [] and result.warnings == ["archive ZIP sans fichier JSON ni XML"]
    empty = parse_zip(make_zip([]))
    assert empty.warnings == ["archive ZIP sans fichier JSON ni XML"]


def test_encrypted_unsupported_and_corrupt_members_are_named():
    content = make_zip([("bon.json", fixture("an_qe_answered.json")), ("chiffre.json", b"{}"),
                        ("methode.json", b"{}"), ("abime.json", b'{"marqueur": 1}')], stored=True)
    content = patch_central_entry(content, "chiffre.json", 8, 0x1)
    content = patch_central_entry(content, "methode.json", 10, 97)
    content = content.replace(b'{"marqueur": 1}', b'{"marqueur": 2}')
    result = parse_zip(content)
    assert len(result.entries) == 1
    assert result.warnings == [
        "membre « chiffre.json » ignoré : membre chiffré",
        "membre « methode.json » ignoré : méthode de compression non prise en charge",
        "membre « abime.json » ignoré : membre corrompu",
    ]


def test_zip_limits(monkeypatch):
    members = [("a.json", fixture("an_qe_answered.json"))] + [(f"{n}.json", b"[]") for n in range(4)]
    content = make_zip(members)
    monkeypatch.setattr(opendata, "MAX_WARNINGS", 2)
    capped = parse_zip(content)
    assert capped.warnings[2:] == ["… et 2 autres problèmes"] and len(capped.warnings) == 3

    monkeypatch.setattr(opendata, "MAX_TOTAL_BYTES", len(fixture("an_qe_answered.json")) + 1)
    stopped = parse_zip(content)
    assert len(stopped.entries) == 1
    assert stopped.warnings[0] == "archive ZIP : plus de 0 Mio décompressés, lecture arrêtée avant le membre « 0.json »"

    monkeypatch.setattr(opendata, "MAX_MEMBERS", 4)
    with pytest.raises(ParseError, match="archive ZIP : 5 membres, au-delà de la limite de 4"):
        parse_zip(content)


def test_member_warnings_are_prefixed_with_the_member_name():
    def parse_member(content: bytes):
        return ParseResult(entries=[], warnings=["texte tronqué"])
    result = opendata.read_zip(make_zip([("q.xml", b"<x/>")]), parse_member)
    assert result.warnings == ["membre « q.xml » : texte tronqué"]


# --- helpers -------------------------------------------------------------------------------------

def test_official_days():
    assert official_day("2022-10-05", "f") == date(2022, 10, 5)
    assert official_day("2022-10-05T00:00:00.000+02:00", "f") == date(2022, 10, 5)
    assert official_day("07/01/2014", "f") == date(2014, 1, 7)
    assert official_day("2999-01-01", "f") is None  # DILA's "no date"
    assert official_day("  ", "f") is None and official_day(None, "f") is None
    with pytest.raises(ParseError, match="champ « f » : date illisible « 2022-02-30 »"):
        official_day("2022-02-30", "f")
    assert paris_midnight(date(2022, 7, 1)) == datetime(2022, 6, 30, 22, 0, tzinfo=timezone.utc)
    assert paris_midnight(date.today() + timedelta(days=30)) is None
    assert paris_midnight(None) is None


def test_well_formed_html():
    assert well_formed_html("</p><p>Un<p>") == "<p>Un</p>"
    assert well_formed_html("Texte brut & simple") == "<p>Texte brut &amp; simple</p>"
    assert well_formed_html("<!-- DEBTAB -->") == ""
    assert well_formed_html("  ") == "" and well_formed_html(None) == ""
    assert well_formed_html("<!DOCTYPE html>") == "" and well_formed_html("<html>") == ""
    assert well_formed_html("<html><title>R &amp; D</title></html>") == "<p>R &amp; D</p>"
    assert well_formed_html("a\x00b<br>c") == "ab<br>c"


def test_first_paragraph():
    assert first_paragraph("<p>TITRE</p><p>Court.</p>") == "TITRE"
    assert first_paragraph("") == ""


# --- real samples -------------------------------------------------------------------------------

@needs_samples
def test_real_question_au_gouvernement_json():
    entry = only_entry((SAMPLES / "questions" / "an_opendata_qag_QANR5L16QG123_collectivites_2022-10-05.json").read_bytes())
    assert entry.key == "QANR5L16QG123"
    assert entry.title == "Question au Gouvernement n° 123 : Financement des collectivités territoriales"
    assert entry.url == "https://questions.assemblee-nationale.fr/q16/16-123QG.htm"
    assert entry.ministry == "Transition écologique et cohésion des territoires"
    assert entry.published == datetime(2022, 10, 4, 22, 0, tzinfo=timezone.utc)
    assert entry.tags == ("collectivités territoriales",)
    assert entry.extra["answer_jo_page"] == "3535" and entry.extra["author"] == "PA795270"
    assert entry.extra["group"] == "Horizons et apparentés"
    # NBSP: plain text gets ordinary spaces, the HTML keeps the typography.
    assert entry.summary.startswith("Mme Marie-Agnès Poussier-Winsback. Madame la Première ministre")
    assert "\xa0" not in entry.summary and "Mme\xa0la présidente" in entry.content_html
    answer = entry.content_html.removeprefix("<h2>Réponse</h2>")
    assert not answer.startswith("</p>") and not answer.rstrip().endswith("<p>")
    assert answer.count("<p") == answer.count("</p>")
    assert lxml.html.fragment_fromstring(answer, create_parent="div").text_content().strip().startswith("FINANCEMENT")


@needs_samples
def test_real_legacy_written_question_xml():
    entry = only_entry((SAMPLES / "questions" / "an_question_ecrite_q14_14-47351QE.xml").read_bytes())
    assert entry.key == "14-47351QE"
    assert entry.url == "https://questions.assemblee-nationale.fr/q14/14-47351QE.htm"
    assert entry.title == "Question écrite n° 47351 : Équipements"
    assert entry.ministry == "Défense"
    assert entry.extra["author"] == "M. François Cornut-Gentille"
    assert (entry.extra["question_date"], entry.extra["answer_date"]) == ("2014-01-07", "2014-05-13")
    assert entry.extra["analyse"] == "équipements militaires ; vieillissement ; bilan"
    assert entry.published == datetime(2014, 5, 12, 22, 0, tzinfo=timezone.utc)
    html = entry.content_html
    assert "</br>" not in html and "<!--" not in html
    assert html.count("<tr") == html.count("</tr>") == 18 and html.count("<td") == html.count("</td>")
    assert "NOMBRE DE MATÉRIEL<br>en service" in html and "194\xa0588" in html

"""Case law (kind `jurisprudence`): JADE XML, Judilibre JSON, justice administrative XML, ZIP archives."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, needs_samples
from veille.catalog import Source
from veille.entry import ParseError
from veille.sources.jurisprudence import fix_backticks, french_date, parse, parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "jurisprudence"
SOURCE = Source(id="conseil-etat-jade", name="Jurisprudence administrative (JADE)", kind="jurisprudence",
                url="https://echanges.dila.gouv.fr/OPENDATA/JADE/", category="jurisprudence",
                topics=(), interval=timedelta(hours=12))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def entries(content: bytes):
    result = parse(content, SOURCE.url, "", SOURCE)
    assert not result.warnings
    return result.entries


def make_zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


# --- DILA JADE -------------------------------------------------------------------------------

def test_jade_decision_with_abstracts():
    [entry] = entries(fixture("jade_ce_sommaire.xml"))
    assert entry.key == "CETATEXT000048500001"
    assert entry.title == "Conseil d'État, 3ème - 8ème chambres réunies, 01/12/2023, 470001, Publié au recueil Lebon"
    assert entry.url == "https://www.legifrance.gouv.fr/ceta/id/CETATEXT000048500001"
    assert entry.nature == "DÉCISION"
    assert entry.published == datetime(2023, 11, 30, 23, 0, tzinfo=timezone.utc)
    # The same analysis under two classification codes is given once, backtick made an apostrophe.
    assert entry.summary == "L’attribution d’une subvention à une association relève du conseil municipal."
    assert entry.content_html.startswith("1.\tIl résulte de l'instruction")
    assert "<br>\n<br>2.\tAux termes" in entry.content_html and "<i>sans</i>" in entry.content_html
    assert "&amp; rien ne permet" in entry.content_html
    assert entry.extra == {
        "number": "470001", "formation": "3ème - 8ème chambres réunies", "jurisdiction": "Conseil d'État",
        "ecli": "ECLI:FR:CECHR:2023:470001.20231201", "date": "2023-12-01", "publication": "Publié au recueil Lebon",
        "type_rec": "Plein contentieux", "solution": "Rejet", "rapporteur": "Mme Julie Exemple",
        "abstract_titles": "135-02-01 COLLECTIVITÉS TERRITORIALES. - COMMUNE. - ORGANISATION DE LA COMMUNE. - "
                           "COMPÉTENCE DE L’ASSEMBLÉE DÉLIBÉRANTE – SUBVENTION À UNE ASSOCIATION.\n"
                           "18-01 COMPTABILITÉ PUBLIQUE ET BUDGET. - SUBVENTIONS – ATTRIBUTION PAR LE MAIRE SEUL – ILLÉGALITÉ.",
    }


def test_jade_decision_without_title_nor_abstracts():
    [entry] = entries(fixture("jade_caa_inedit.xml"))
    assert entry.title == "Cour administrative d'appel de Lyon, 4ème chambre, 01/01/2024, 22LY00001"
    assert entry.summary.startswith("M. A... a demandé au tribunal administratif de Lyon")  # first real paragraph
    assert entry.extra["publication"] == "Inédit au recueil Lebon"
    assert "abstract_titles" not in entry.extra and "solution" not in entry.extra


def test_jade_with_nothing_but_an_id():
    [entry] = entries(b"<TEXTE_JURI_ADMIN><META><META_COMMUN><ID>CETATEXT000000000001</ID></META_COMMUN>"
                      b"</META></TEXTE_JURI_ADMIN>")
    assert (entry.title, entry.summary, entry.content_html, entry.published) == ("CETATEXT000000000001", "", "", None)
    assert entry.extra == {}


@pytest.mark.parametrize("content, message", [
    (b"<TEXTE_JURI_ADMIN><META/></TEXTE_JURI_ADMIN>", "décision JADE : élément « META/META_COMMUN/ID » absent"),
    (b"<TEXTE_JURI_ADMIN><META><META_COMMUN><ID>../../x</ID></META_COMMUN></META></TEXTE_JURI_ADMIN>",
     "décision JADE : identifiant invalide « ../../x »"),
    (b"<TEXTE_JURI_ADMIN><META><META_COMMUN><ID>CETATEXT000000000001</ID></META_COMMUN><META_SPEC><META_JURI>"
     b"<DATE_DEC>21 mars 2024</DATE_DEC></META_JURI></META_SPEC></META></TEXTE_JURI_ADMIN>",
     "champ « META_JURI/DATE_DEC » : date illisible « 21 mars 2024 »"),
])
def test_jade_errors_say_where(content, message):
    with pytest.raises(ParseError) as caught:
        parse_document(content)
    assert message in str(caught.value)


# --- opendata.justice-administrative.fr ------------------------------------------------------

def test_administrative_court_document():
    [entry] = entries(fixture("ta_document.xml"))
    assert entry.key == "TA69/DTA_2301234_20240215"
    assert entry.url == "https://opendata.justice-administrative.fr/recherche/shareFile/TA69/DTA_2301234_20240215"
    assert entry.title == "Tribunal Administratif de Lyon, 2ème chambre, 15/02/2024, 2301234"
    assert entry.published == datetime(2024, 2, 14, 23, 0, tzinfo=timezone.utc)
    assert entry.summary.startswith("Par une requête enregistrée le 3 mars 2023")
    assert entry.content_html.startswith("<p>Vu la procédure suivante :</p>")
    assert entry.extra == {
        "number": "2301234", "formation": "2ème chambre", "jurisdiction": "Tribunal Administratif de Lyon",
        "jurisdiction_code": "TA69", "date": "2024-02-15", "publication": "D", "type_decision": "Décision",
        "type_rec": "Excès de pouvoir", "solution": "Annulation",
    }  # "undefined" is no ECLI


@pytest.mark.parametrize("integral, expected", [
    ("&lt;p&gt;Vu la requête&lt;/p&gt;&lt;p&gt;Rejet", "<p>Vu la requête</p><p>Rejet</p>"),
    ("Vu la requête.\r\n\r\nConsidérant que…\nRejet.", "<p>Vu la requête.</p><p>Considérant que…<br>Rejet.</p>"),
])
def test_administrative_court_text_as_escaped_html_or_plain_text(integral, expected):
    content = (b"<Document><Donnees_Techniques><Identification>ORTA_2202099_20221129.xml</Identification>"
               b"</Donnees_Techniques><Dossier><Code_Juridiction>TA33</Code_Juridiction>"
               b"<Numero_ECLI>ECLI:FR:TABOR:2022:2202099.20221129</Numero_ECLI></Dossier>"
               b"<Decision><Texte_Integral>" + integral.encode() + b"</Texte_Integral></Decision></Document>")
    [entry] = entries(content)
    assert entry.content_html == expected
    assert entry.title == "TA33" and entry.extra["ecli"] == "ECLI:FR:TABOR:2022:2202099.20221129"


@pytest.mark.parametrize("content, message", [
    (b"<Document><Dossier><Code_Juridiction>TA33</Code_Juridiction></Dossier></Document>",
     "élément « Donnees_Techniques/Identification » absent"),
    (b"<Document><Donnees_Techniques><Identification>DTA_1.xml</Identification></Donnees_Techniques>"
     b"<Dossier><Code_Juridiction>TA 33/..</Code_Juridiction></Dossier></Document>",
     "élément « Dossier/Code_Juridiction » invalide « TA 33/.. »"),
])
def test_administrative_court_identity_is_checked(content, message):
    with pytest.raises(ParseError) as caught:
        parse_document(content)
    assert message in str(caught.value)


def test_administrative_court_without_text():
    [entry] = entries(b"<Document><Donnees_Techniques><Identification>DTA_1</Identification></Donnees_Techniques>"
                      b"<Dossier><Code_Juridiction>TA33</Code_Juridiction></Dossier></Document>")
    assert entry.content_html == "" and entry.key == "TA33/DTA_1"


# --- Judilibre ------------------------------------------------------------------------------------

def test_judilibre_search_envelope():
    first, second = entries(fixture("judilibre_search.json"))
    assert first.key == "64a1b2c3d4e5f60718293a4b"
    assert first.title == "Cour de cassation, Troisième chambre civile, 1er juin 2023, 22-10.001"
    assert first.url == "https://www.courdecassation.fr/decision/64a1b2c3d4e5f60718293a4b"
    assert first.published == datetime(2023, 5, 31, 22, 0, tzinfo=timezone.utc)
    assert first.summary.startswith("La commune qui résilie un marché de travaux")
    assert first.content_html == (
        "<h3>Motivation</h3><p>… la <em>commune</em> ne pouvait résilier le <em>marché</em> sans indemniser …</p>"
        "<p>… le titulaire du <em>marché</em> &amp; ses sous-traitants …</p>"
        "<h3>zone_inconnue</h3><p>… un extrait hors des zones connues …</p>")
    assert first.extra == {
        "number": "22-10.001", "formation": "Formation de section", "jurisdiction": "Cour de cassation",
        "chamber": "Troisième chambre civile", "ecli": "ECLI:FR:CCASS:2023:C300501", "date": "2023-06-01",
        "solution": "Cassation", "publication": "Publié au Bulletin, Publié au Rapport",
        "themes": "marché public ; résiliation ; indemnisation",
    }
    # Unresolved codes are kept as they are; null ECLI, summary and themes are simply absent.
    assert second.title == "cc, cr, 14 juin 2023, 22-80.002, 22-80.003"
    assert second.summary == "" and "ecli" not in second.extra and "themes" not in second.extra
    assert second.extra["formation"] == "fs" and second.extra["number"] == "22-80.002, 22-80.003"


def test_judilibre_decision_detail():
    [entry] = entries(fixture("judilibre_detail.json"))
    assert entry.key == "64a1b2c3d4e5f60718293a4d"
    assert entry.title == "Cour de cassation, Troisième chambre civile, 6 juillet 2023, 22-10.004"
    assert entry.summary == "Le bail consenti par une commune sur son domaine privé relève du juge judiciaire."
    assert entry.content_html.startswith("<p>CIV. 3</p><p>COUR DE CASSATION<br>______________________</p>")
    assert "&lt;sur son domaine privé&gt;" in entry.content_html
    assert entry.content_html.endswith("<p>PAR CES MOTIFS, la Cour :<br>REJETTE le pourvoi.</p>")


def test_judilibre_lists():
    search = json.loads(fixture("judilibre_search.json"))
    bare = entries(json.dumps(search["results"]).encode())
    resolved = entries(json.dumps({"resolved": search["results"][:1], "unresolved": search["results"]}).encode())
    unresolved = entries(json.dumps({"unresolved": search["results"]}).encode())
    assert [len(bare), len(resolved), len(unresolved)] == [2, 1, 2]


def test_judilibre_minimal_decision():
    [entry] = entries(b'{"id": "abc123"}')
    assert (entry.title, entry.content_html, entry.published, entry.extra) == ("abc123", "", None, {})


def test_judilibre_bad_results_are_warnings_while_others_are_read():
    search = json.loads(fixture("judilibre_search.json"))
    search["results"][1]["jurisdiction"] = ["cc"]
    search["results"].append(7)
    search["results"].append({"id": "../../admin"})
    result = parse(json.dumps(search).encode(), SOURCE.url, "application/json", SOURCE)
    assert len(result.entries) == 1
    assert result.warnings == [
        "décision « results[1] » ignorée : champ « results[1].jurisdiction » : texte attendu, trouvé une liste",
        "décision « results[2] » ignorée : champ « results[2] » : objet attendu, trouvé un nombre",
        "décision « results[3] » ignorée : champ « id » absent ou invalide « ../../admin »",
    ]


@pytest.mark.parametrize("content, message", [
    (b"[1, 2, 3]", "aucune décision lisible (décision « [0] » ignorée : champ « [0] » : objet attendu, trouvé un nombre)"),
    (b'{"results": 3}', "champ « results » : liste attendue"),
    (b'{"total": 0}', "JSON inattendu : ni décision Judilibre (« id »), ni liste de résultats (« results »)"),
    (b'{"resolved": null}', "champ « resolved » : liste attendue"),
    (b'{"id": "abc", "highlights": ["x"]}', "champ « highlights » : objet attendu, trouvé une liste"),
    (b'{"id": "abc", "decision_date": "2023-13-01"}', "champ « decision_date » : date illisible « 2023-13-01 »"),
    (b'{"id": 12.5}', "champ « id » : texte attendu, trouvé un nombre"),
    (b'{"id": ""}', "champ « id » absent ou invalide"),
    (b"[]", None),
])
def test_judilibre_hostile_json(content, message):
    if message is None:
        assert entries(content) == []
        return
    with pytest.raises(ParseError) as caught:
        parse_document(content)
    assert message in str(caught.value)


# --- archives and hostile documents -------------------------------------------------------------

def test_zip_of_decisions():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE TEXTE_JURI_ADMIN [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<TEXTE_JURI_ADMIN>&x;</TEXTE_JURI_ADMIN>")
    content = make_zip([
        ("CE/CETATEXT000048500001.xml", fixture("jade_ce_sommaire.xml")),
        ("CAA/CETATEXT000048600002.xml", fixture("jade_caa_inedit.xml")),
        ("TA/DTA_2301234_20240215.xml", fixture("ta_document.xml")),
        ("CE/piege.xml", xxe),
        ("CE/tronque.xml", fixture("jade_ce_sommaire.xml")[:300]),
    ])
    result = parse(content, SOURCE.url, "application/zip", SOURCE)
    assert [entry.key for entry in result.entries] == [
        "CETATEXT000048500001", "CETATEXT000048600002", "TA69/DTA_2301234_20240215"]
    assert result.warnings[0] == ("membre « CE/piege.xml » ignoré : le document déclare des entités XML (DTD) : "
                                  "refusé par sécurité")
    assert result.warnings[1].startswith("membre « CE/tronque.xml » ignoré : XML mal formé, ligne ")


def test_truncated_zip_of_decisions():
    content = make_zip([("a.xml", fixture("jade_ce_sommaire.xml"))])
    with pytest.raises(ParseError, match="archive ZIP illisible"):
        parse(content[:-30], SOURCE.url, "application/zip", SOURCE)


@pytest.mark.parametrize("content, message", [
    (b"<rss version='2.0'><channel/></rss>", "document XML inattendu : élément racine « rss »"),
    (b"", "document vide"),
    (b"Bad Gateway", "document ni JSON, ni XML, ni archive ZIP"),
])
def test_unexpected_documents(content, message):
    with pytest.raises(ParseError, match=message):
        parse_document(content)


def test_helpers():
    assert french_date(date(2020, 11, 1)) == "1er novembre 2020"
    assert french_date(date(2020, 8, 26)) == "26 août 2020"
    assert french_date(None) == ""
    assert fix_backticks("D`UTILISATION `code` 2`3") == "D’UTILISATION `code` 2`3"


# --- real samples -------------------------------------------------------------------------------

@needs_samples
def test_real_jade_decision():
    [entry] = entries((SAMPLES / "jurisprudence" / "dila_jade_CETATEXT000049314894_CE_2024-03-21_from-rust-const.xml").read_bytes())
    assert entry.key == "CETATEXT000049314894"
    assert entry.title == "Conseil d'État, 2ème - 7ème chambres réunies, 21/03/2024, 490536"
    assert entry.url == "https://www.legifrance.gouv.fr/ceta/id/CETATEXT000049314894"
    assert entry.published == datetime(2024, 3, 20, 23, 0, tzinfo=timezone.utc)
    assert entry.extra["ecli"] == "ECLI:FR:CECHR:2024:490536.20240321"
    assert entry.extra["number"] == "490536"
    assert entry.extra["publication"] == "Mentionné aux tables du recueil Lebon"
    assert "solution" not in entry.extra  # empty <SOLUTION/>
    assert "AUTORISATIONS D’UTILISATION DES SOLS" in entry.extra["abstract_titles"]
    assert entry.summary.startswith("1) a) Les c et j de l’article R. 421-9 du code de l’urbanisme")
    assert "\n" not in entry.summary  # the three identical analyses give one
    assert entry.content_html.startswith("2.\tEn vertu de l'article R. 421-1")
    assert entry.content_html.endswith("<br>\n<br>")


@needs_samples
def test_real_judilibre_samples():
    folder = SAMPLES / "jurisprudence"
    listed = entries((folder / "judilibre_sample_list_cc_trimmed.json").read_bytes())
    assert [entry.key for entry in listed] == ["5fca25d9cbbf603303c4ff89", "5fca498d7d77ec2640ac52ad",
                                               "607dde48bdd797b53ae6e137"]
    assert listed[0].title == "Cour de cassation, Chambre sociale, 25 novembre 2020, 19-60.222"
    assert listed[0].extra["ecli"] == "ECLI:FR:CCASS:2020:SO01153"
    assert listed[0].extra["publication"] == "Publié au Bulletin, Communiqué"
    assert "<em>d'hommes</em>" in listed[0].content_html

    [detail] = entries((folder / "judilibre_sample_detail_cc_resolved.json").read_bytes())
    assert detail.title == ("Cour de cassation, Chambre commerciale financière et économique, "
                            "18 novembre 2020, 19-19.463")
    assert detail.content_html.startswith("<p>COMM.</p><p>FB</p>")

    [raw] = entries((folder / "judilibre_sample_detail_tj_unresolved.json").read_bytes())
    assert raw.title == "tj33063, comm, 18 novembre 2020, 20/00804"
    assert "ecli" not in raw.extra and raw.summary == ""

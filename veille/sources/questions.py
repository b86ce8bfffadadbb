"""Written questions and ministerial answers from the Assemblée nationale.

Reads one question (open-data JSON, the same as XML in the AN namespace, or the legacy
`<QUESTION TYPE="QE">` XML) or a ZIP of many. Only answered questions become entries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree

from .. import xmlsafe
from ..catalog import Source
from ..entry import Entry, ParseError, ParseResult
from .opendata import (Node, document_kind, first_paragraph, is_zip, load_json, official_day, paris_midnight,
                       read_zip, shown, well_formed_html)

XSI = "http://www.w3.org/2001/XMLSchema-instance"
TYPES = {  # code -> (title label, nature)
    "QE": ("Question écrite", "QUESTION ÉCRITE"),
    "QG": ("Question au Gouvernement", "QUESTION AU GOUVERNEMENT"),
    "QOSD": ("Question orale sans débat", "QUESTION ORALE"),
}
XSI_TYPES = {"QuestionEcrite_Type": "QE", "QuestionGouvernement_Type": "QG", "QuestionOrale_Type": "QOSD"}
QUESTION_URL = "https://questions.assemblee-nationale.fr/q{leg}/{leg}-{number}{type}.htm"
# The Sénat files a question under the month of its JO: qSEQ + YYMM + the number on 5 digits.
SENAT_QUESTION_URL = "https://www.senat.fr/questions/base/{day:%Y}/qSEQ{day:%y%m}{number:0>5}.html"
AN, SENAT = "AN", "SENAT"
UID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
NUMBER_RE = re.compile(r"^[0-9]{1,7}$")
LEGISLATURE_RE = re.compile(r"^[0-9]{1,3}$")
UNANSWERED = "question sans réponse (enregistrée à sa réponse)"
EMPTY = "question sans texte ni réponse"


@dataclass
class Question:
    uid: str
    number: str
    qtype: str
    legislature: str
    chamber: str = AN  # AN or SENAT
    rubrique: str | None = None
    heading: str | None = None  # tête d'analyse
    analyses: list[str] = field(default_factory=list)
    author: str | None = None
    group: str | None = None
    ministry: str | None = None
    question_html: str | None = None
    question_date: date | None = None
    question_page: str | None = None
    answer_html: str | None = None
    answer_date: date | None = None
    answer_page: str | None = None


def parse(content: bytes, url: str, content_type: str, source: Source) -> ParseResult:
    if is_zip(content):
        return read_zip(content, parse_document)
    return parse_document(content)


def parse_document(content: bytes) -> ParseResult:
    """One question file: an entry when answered, else counted as skipped."""
    if document_kind(content) == "json":
        question = _from_json(load_json(content))
    else:
        question = _from_xml(xmlsafe.parse_bytes(content))
    if not well_formed_html(question.answer_html):
        return ParseResult(entries=[], skipped={UNANSWERED: 1})
    return ParseResult(entries=[entry(question)])


def _from_json(data: Any) -> Question:
    if not isinstance(data, dict) or not isinstance(data.get("question"), dict):
        raise ParseError("le JSON n'est pas une question de l'Assemblée nationale (objet « question » attendu)")
    return _from_tree(Node(data["question"], "question"))


def _from_xml(root: etree._Element) -> Question:
    if root.tag == "QUESTION":
        return _from_legacy(root)
    if etree.QName(root).localname == "question":
        return _from_tree(Node(_tree(root), "question"))
    raise ParseError(f"document XML inattendu : élément racine « {shown(etree.QName(root).localname)} » "
                     "(question de l'Assemblée nationale attendue)")


def _tree(element: etree._Element) -> Any:
    """AN XML as the JSON the AN ships: nil -> None, repeated elements -> list, xsi:type kept."""
    if element.get(f"{{{XSI}}}nil") == "true":
        return None
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip() or None
    grouped: dict[str, list[Any]] = {}
    for child in children:
        grouped.setdefault(etree.QName(child).localname, []).append(_tree(child))
    tree: dict[str, Any] = {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}
    if element.get(f"{{{XSI}}}type"):
        tree["@xsi:type"] = element.get(f"{{{XSI}}}type")
    return tree


def _from_tree(q: Node) -> Question:
    qtype = q.at("type").text() or XSI_TYPES.get(q.at("@xsi:type").text() or "")
    question = _checked(Question(uid=q.at("uid").text() or "", number=q.at("identifiant.numero").text() or "",
                                 qtype=qtype or "", legislature=q.at("identifiant.legislature").text() or ""))
    index = q.at("indexationAN")
    question.rubrique = index.at("rubrique").text()
    question.heading = index.at("teteAnalyse").text()
    question.analyses = index.at("analyses.analyse").texts()
    question.author = q.at("auteur.identite.acteurRef").text()
    question.group = q.at("auteur.groupe.developpe").text() or q.at("auteur.groupe.abrege").text()
    attributions = q.at("minAttribs.minAttrib").all()
    question.ministry = ((attributions[-1].at("denomination.abrege").text() if attributions else None)
                         or q.at("minInt.abrege").text())
    asked = _first_with_text(q.at("textesQuestion.texteQuestion"))
    if asked is not None:
        question.question_html = asked.at("texte").text()
        question.question_date = official_day(asked.at("infoJO.dateJO").text(), asked.at("infoJO.dateJO").path)
        question.question_page = asked.at("infoJO.pageJO").text()
    elif attributions:  # questions au Gouvernement are asked and answered in the same sitting
        first = attributions[0].at("infoJO.dateJO")
        question.question_date = official_day(first.text(), first.path)
    answer = _first_with_text(q.at("textesReponse.texteReponse"))
    if answer is not None:
        closing = q.at("cloture.infoJO")
        day = answer.at("infoJO.dateJO")
        if not day.text():
            day = closing.at("dateJO")
        question.answer_html = answer.at("texte").text()
        question.answer_date = official_day(day.text(), day.path)
        question.answer_page = answer.at("infoJO.pageJO").text() or closing.at("pageJO").text()
    return question


def _first_with_text(node: Node) -> Node | None:
    return next((item for item in node.all() if item.at("texte").text()), None)


def _checked(question: Question) -> Question:
    """The identity fields build the key and the URL: refuse what does not look like them."""
    where = f"question « {question.uid} »" if UID_RE.match(question.uid) else "question"
    checks = (("numéro", question.number, NUMBER_RE), ("législature", question.legislature, LEGISLATURE_RE),
              ("uid", question.uid, UID_RE))
    for name, value, pattern in checks:
        if not value:
            raise ParseError(f"{where} : champ « {name} » absent")
        if not pattern.match(value):
            raise ParseError(f"{where} : champ « {name} » invalide « {shown(value, 40)} »")
    if question.qtype not in TYPES:
        found = f" « {shown(question.qtype, 20)} »" if question.qtype else ""
        raise ParseError(f"{where} : type de question inconnu{found} (QE, QG ou QOSD attendu)")
    return question


def _from_legacy(root: etree._Element) -> Question:
    """The pre-2017 AN XML: dd/mm/yyyy dates, texts as CDATA holding legacy HTML."""
    filed = root.find("DEPOT[@NUMERO]")
    number = _clean(filed.get("NUMERO")) if filed is not None else None
    legislature, qtype = _xtext(root, "LEGISLATURE"), _clean(root.get("TYPE"))
    uid = f"{legislature}-{number}{qtype}" if legislature and number and qtype else ""
    question = _checked(Question(uid=uid, number=number or "",
                                 qtype=qtype or "", legislature=legislature or ""))
    index, group = root.find("INDEXATION_AN"), root.find("GROUPE")
    question.rubrique = _clean(index.get("RUBRIQUE")) if index is not None else None
    question.heading = _xtext(root, "INDEXATION_AN/TETE_ANALYSE")
    question.analyses = [text for text in (_clean(e.text) for e in root.iterfind("INDEXATION_AN/ANALYSE/ANA")) if text]
    name = " ".join(filter(None, (_xtext(root, f"AUTEUR/{part}") for part in ("CIVILITE", "PRENOM", "NOM"))))
    question.author = name or _xtext(root, "AUTEUR/ID_ACTEUR")
    question.group = (_xtext(group, "LIBELLE") or _clean(group.get("SIGLE"))) if group is not None else None
    attributions = root.findall("MINA/ORDRE")
    question.ministry = (_xtext(attributions[-1], "ABREGE") if attributions else None) or _xtext(root, "MINI/ABREGE")
    question.question_html = _xtext(root, "DEPOT/TEXTE_DEPOT")
    if filed is not None:
        question.question_date = official_day(filed.findtext("DATE_JO"), "DEPOT/DATE_JO")
        question.question_page = _xtext(filed, "PAGE_JO")
    question.answer_html = _xtext(root, "REPONSE/TEXTE_REPONSE")
    question.answer_date = official_day(_xtext(root, "REPONSE/DATE_JO_REPONSE") or _xtext(root, "CLOTURE/DATE_JO"),
                                        "REPONSE/DATE_JO_REPONSE")
    question.answer_page = _xtext(root, "REPONSE/PAGE_JO_REPONSE") or _xtext(root, "CLOTURE/PAGE_JO")
    return question


def _xtext(element: etree._Element, path: str) -> str | None:
    return _clean(element.findtext(path))


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def entry(q: Question) -> Entry | None:
    """A question with its answer, or alone (dated by its own JO) while it awaits one."""
    answer_html = well_formed_html(q.answer_html)
    question_html = well_formed_html(q.question_html)
    if not answer_html and not question_html:
        return None
    label, nature = TYPES[q.qtype]
    if q.chamber == SENAT:
        label += " (Sénat)"
    subject = q.heading or ", ".join(q.analyses)
    title = f"{label} n° {q.number}" + (f" : {subject[:1].upper()}{subject[1:]}" if subject else "")
    content = (f"<h2>Question</h2>{question_html}" if question_html else "") + \
        (f"<h2>Réponse</h2>{answer_html}" if answer_html else "")
    extra = {
        "question_number": q.number, "question_type": q.qtype, "legislature": q.legislature,
        "chamber": "Sénat" if q.chamber == SENAT else None,
        "author": q.author, "group": q.group,
        "question_date": q.question_date.isoformat() if q.question_date else None,
        "answer_date": q.answer_date.isoformat() if q.answer_date else None,
        "question_jo_page": q.question_page, "answer_jo_page": q.answer_page,
        "rubrique": q.rubrique, "analyse": " ; ".join(q.analyses),
    }
    return Entry(
        key=q.uid,
        title=title,
        url=question_url(q),
        summary=first_paragraph(answer_html or question_html),
        content_html=content,
        published=paris_midnight(q.answer_date if answer_html else q.question_date),
        nature=nature,
        ministry=q.ministry,
        tags=(q.rubrique,) if q.rubrique else (),
        extra={name: value for name, value in extra.items() if value},
    )


def question_url(q: Question) -> str | None:
    """The chamber's page of the question; a Sénat question without its JO day has none."""
    if q.chamber == SENAT:
        return SENAT_QUESTION_URL.format(day=q.question_date, number=q.number) if q.question_date else None
    return QUESTION_URL.format(leg=q.legislature, number=q.number, type=q.qtype)

"""Written questions and ministerial answers from the Assemblée nationale.

Reads one question (open-data JSON, the same as XML in the AN namespace, or the legacy
`<QUESTION TYPE="QE">` XML) or a ZIP of many. Only answered questions become entries.
The ZIP, JSON and date helpers here are shared with the case-law parser.
"""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, Callable

import lxml.html
from lxml import etree

from .. import xmlsafe
from ..catalog import Source
from ..dates import PARIS, plausible, plausible_date
from ..entry import Entry, ParseError, ParseResult
from ..text import CONTROL_RE, TAG_RE, html_to_text

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 100_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_WARNINGS = 50
MEMBER_SUFFIXES = (".json", ".xml")
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError)

XSI = "http://www.w3.org/2001/XMLSchema-instance"
TYPES = {  # code -> (title label, nature)
    "QE": ("Question écrite", "QUESTION ÉCRITE"),
    "QG": ("Question au Gouvernement", "QUESTION AU GOUVERNEMENT"),
    "QOSD": ("Question orale sans débat", "QUESTION ORALE"),
}
XSI_TYPES = {"QuestionEcrite_Type": "QE", "QuestionGouvernement_Type": "QG", "QuestionOrale_Type": "QOSD"}
QUESTION_URL = "https://questions.assemblee-nationale.fr/q{leg}/{leg}-{number}{type}.htm"
UID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
NUMBER_RE = re.compile(r"^\d{1,7}$")
LEGISLATURE_RE = re.compile(r"^\d{1,3}$")
ISO_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
FRENCH_DAY_RE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
CLOSING_BR_RE = re.compile(r"</br\s*>", re.IGNORECASE)  # browsers read </br> as <br>
SUMMARY_MIN_WORDS = 12


# --- helpers shared with jurisprudence.py -------------------------------------------------

def is_zip(content: bytes) -> bool:
    return content[:4] in ZIP_MAGICS


def read_zip(content: bytes, parse_member: Callable[[bytes], ParseResult]) -> ParseResult:
    """Parse each .json/.xml member from memory; a bad member becomes a warning naming it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except ZIP_ERRORS:
        raise ParseError("archive ZIP illisible : tronquée ou corrompue") from None
    if len(members) > MAX_MEMBERS:
        raise ParseError(f"archive ZIP : {len(members)} membres, au-delà de la limite de {MAX_MEMBERS}")
    result, problems, tried, total = ParseResult(entries=[]), [], 0, 0
    for info in members:
        if info.is_dir() or not info.filename.lower().endswith(MEMBER_SUFFIXES):
            continue
        tried += 1
        name = shown(info.filename)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            result.warnings.append(f"archive ZIP : plus de {MAX_TOTAL_BYTES // 2**20} Mio décompressés, "
                                   f"lecture arrêtée avant le membre « {name} »")
            break
        try:
            member = parse_member(_member_bytes(archive, info))
        except ParseError as exc:
            problems.append(f"membre « {name} » ignoré : {exc}")
            continue
        result.entries.extend(member.entries)
        result.skipped += member.skipped
        result.warnings.extend(f"membre « {name} » : {warning}" for warning in member.warnings)
    if tried == 0:
        result.warnings.append("archive ZIP sans fichier JSON ni XML")
    elif len(problems) == tried:
        raise ParseError(f"archive ZIP : aucun membre lisible ({problems[0]})")
    result.warnings.extend(capped(problems))
    return result


def _member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # Member paths are never used to write anything; a traversal name still betrays a forged archive.
    parts = info.filename.replace("\\", "/").split("/")
    if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
        raise ParseError("chemin suspect (absolu ou avec « .. »)")
    if info.file_size > MAX_MEMBER_BYTES:
        raise ParseError(f"trop volumineux ({info.file_size} octets décompressés, "
                         f"limite {MAX_MEMBER_BYTES // 2**20} Mio)")
    try:
        return archive.read(info)  # zipfile stops at the declared size and checks the CRC
    except NotImplementedError:  # a subclass of RuntimeError: first
        raise ParseError("méthode de compression non prise en charge") from None
    except RuntimeError:
        raise ParseError("membre chiffré") from None
    except ZIP_ERRORS:
        raise ParseError("membre corrompu") from None


def capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_WARNINGS:
        return problems
    return problems[:MAX_WARNINGS] + [f"… et {len(problems) - MAX_WARNINGS} autres problèmes"]


def shown(value: str, limit: int = 120) -> str:
    """A hostile name or value, safe to quote in a message."""
    value = CONTROL_RE.sub("", value).strip()
    return value if len(value) <= limit else value[:limit] + "…"


def clean_str(value: str) -> str:
    """Lone surrogates from JSON escapes cannot be stored: replace them."""
    return value.encode("utf-8", "replace").decode("utf-8")


def document_kind(content: bytes) -> str:
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return "json"
    if head == b"<":
        return "xml"
    if not head:
        raise ParseError("document vide")
    raise ParseError("document ni JSON, ni XML, ni archive ZIP")


def load_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        problem = _json_problem(exc.msg)
        raise ParseError(f"JSON mal formé, ligne {exc.lineno}, colonne {exc.colno} : {problem}") from None
    except UnicodeDecodeError:
        raise ParseError("JSON illisible : encodage invalide (UTF-8 attendu)") from None
    except (ValueError, RecursionError):
        raise ParseError("JSON illisible : nombre démesuré ou imbrication trop profonde") from None


def _json_problem(message: str) -> str:
    known = {
        "Expecting value": "valeur attendue",
        "Expecting property name enclosed in double quotes": "nom de propriété entre guillemets attendu",
        "Expecting ',' delimiter": "virgule attendue",
        "Expecting ':' delimiter": "deux-points attendu",
        "Unterminated string starting at": "chaîne non terminée",
        "Extra data": "données en trop après la fin",
        "Invalid control character at": "caractère de contrôle dans une chaîne",
    }
    return next((french for english, french in known.items() if message.startswith(english)), "syntaxe invalide")


def official_day(raw: str | None, field_name: str) -> date | None:
    """A calendar day written YYYY-MM-DD (AN, DILA, Judilibre) or dd/mm/yyyy (legacy AN)."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    iso, french = ISO_DAY_RE.match(raw), FRENCH_DAY_RE.match(raw)
    try:
        if iso:
            value = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        elif french:
            value = date(int(french.group(3)), int(french.group(2)), int(french.group(1)))
        else:
            raise ValueError(raw)
    except ValueError:
        raise ParseError(f"champ « {field_name} » : date illisible « {shown(raw, 40)} »") from None
    return plausible_date(value)


def paris_midnight(day: date | None) -> datetime | None:
    """Official publications are dated by day: 00:00 in Paris, stored in UTC."""
    if day is None:
        return None
    return plausible(datetime.combine(day, time(), PARIS).astimezone(timezone.utc))


def well_formed_html(raw: str | None) -> str:
    """Legacy HTML fragments (stray </p>, unclosed <p>, </br>) as balanced HTML."""
    if not raw or not raw.strip():
        return ""
    raw = CLOSING_BR_RE.sub("<br>", CONTROL_RE.sub("", raw))
    try:
        root = lxml.html.fragment_fromstring(raw, create_parent="div")
    except (ValueError, etree.ParserError, AssertionError):  # lxml asserts on a lone "<html>"
        text = " ".join(html.unescape(TAG_RE.sub(" ", raw)).split())
        return f"<p>{html.escape(text, quote=False)}</p>" if text else ""
    for comment in root.xpath("//comment()"):
        comment.drop_tree()
    for paragraph in root.xpath("//p[not(*) and not(normalize-space())]"):
        paragraph.drop_tree()
    if len(root) == 0:  # plain text, as most written questions are
        return f"<p>{html.escape(root.text.strip(), quote=False)}</p>" if root.text and root.text.strip() else ""
    return inner_html(root)


def inner_html(element: etree._Element) -> str:
    head = html.escape(element.text, quote=False) if element.text else ""
    body = "".join(etree.tostring(child, method="html", encoding="unicode") for child in element)
    return (head + body).strip()


def first_paragraph(fragment: str) -> str:
    """The first paragraph that reads as prose: headings and one-line stage directions are skipped."""
    lines = html_to_text(fragment).splitlines()
    for line in lines:
        if len(line.split()) >= SUMMARY_MIN_WORDS and line != line.upper():
            return line
    return lines[0] if lines else ""


class Node:
    """A value read from JSON (or from AN XML turned into the same tree), with its path for messages."""

    def __init__(self, value: Any, path: str = ""):
        self.value = value
        self.path = path

    def at(self, dotted: str) -> Node:
        node = self
        for name in dotted.split("."):
            node = node.child(name)
        return node

    def child(self, name: str) -> Node:
        path = f"{self.path}.{name}" if self.path else name
        if self.value is None:
            return Node(None, path)
        if not isinstance(self.value, dict):
            raise ParseError(f"champ « {self.path or 'racine'} » : objet attendu, trouvé {_kind(self.value)}")
        return Node(self.value.get(name), path)

    def all(self) -> list[Node]:
        """A list's items; a single object stands for a list of one (XML turned into JSON)."""
        if self.value is None:
            return []
        if isinstance(self.value, list):
            return [Node(value, f"{self.path}[{index}]") for index, value in enumerate(self.value)]
        return [self]

    def fields(self) -> list[tuple[str, Node]]:
        if self.value is None:
            return []
        if not isinstance(self.value, dict):
            raise ParseError(f"champ « {self.path} » : objet attendu, trouvé {_kind(self.value)}")
        return [(clean_str(str(name)), Node(value, f"{self.path}.{name}")) for name, value in self.value.items()]

    def text(self) -> str | None:
        value = self.value
        if isinstance(value, dict) and "#text" in value:
            value = value["#text"]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ParseError(f"champ « {self.path} » : texte attendu, trouvé {_kind(value)}")
        return clean_str(str(value)).strip() or None

    def texts(self) -> list[str]:
        return [text for text in (node.text() for node in self.all()) if text]


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "un objet"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, bool):
        return "un booléen"
    if isinstance(value, (int, float)):
        return "un nombre"
    return "un texte"


# --- questions ------------------------------------------------------------------------------

@dataclass
class Question:
    uid: str
    number: str
    qtype: str
    legislature: str
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
    entry = _entry(question)
    return ParseResult(entries=[entry]) if entry else ParseResult(entries=[], skipped=1)


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


def _entry(q: Question) -> Entry | None:
    """None while the question awaits its answer."""
    answer_html = well_formed_html(q.answer_html)
    if not answer_html:
        return None
    label, nature = TYPES[q.qtype]
    subject = q.heading or ", ".join(q.analyses)
    title = f"{label} n° {q.number}" + (f" : {subject[:1].upper()}{subject[1:]}" if subject else "")
    question_html = well_formed_html(q.question_html)
    content = (f"<h2>Question</h2>{question_html}" if question_html else "") + f"<h2>Réponse</h2>{answer_html}"
    extra = {
        "question_number": q.number, "question_type": q.qtype, "legislature": q.legislature,
        "author": q.author, "group": q.group,
        "question_date": q.question_date.isoformat() if q.question_date else None,
        "answer_date": q.answer_date.isoformat() if q.answer_date else None,
        "question_jo_page": q.question_page, "answer_jo_page": q.answer_page,
        "rubrique": q.rubrique, "analyse": " ; ".join(q.analyses),
    }
    return Entry(
        key=q.uid,
        title=title,
        url=QUESTION_URL.format(leg=q.legislature, number=q.number, type=q.qtype),
        summary=first_paragraph(answer_html),
        content_html=content,
        published=paris_midnight(q.answer_date),
        nature=nature,
        ministry=q.ministry,
        tags=(q.rubrique,) if q.rubrique else (),
        extra={name: value for name, value in extra.items() if value},
    )

"""Written questions and ministerial answers from DILA open data: the JO « Débats – Questions »
of the Assemblée nationale (`AN/`) and of the Sénat (`SENAT/`), one `.taz` archive (a tar.gz) per
issue, `ANQ20260010.taz`: a prefix, the year, the issue number.

Of each archive only the `REDIF_…{NUM}.xml` file is read (`REDIF_ANQ…` for the AN): its `<Section part="QE">` holds the questions
the issue publishes, its `<Section part="REP">` the answers, one block per answer with the
`<question>` elements it answers (several for a joint answer) and their `<reponse>`.
Entries have the shape of the AN open-data ones (questions.py): same key, title, address and
`extra`, so that a question read from both sources is one item, and an answer published in a
later issue updates the item of its question in place.

Sénat questions say `<source>SENAT</source>`: their key is `SENAT-{legislature}-QE-{number}` (the
Sénat numbers its questions on its own), their page is on senat.fr, and a missing legislature is
the one of the question's JO day (the Sénat cites its questions by the AN's legislature).
The Sénat's older `SEQ{NUM}.xml` files (before REDIF) are not read.
"""
from __future__ import annotations

import posixpath
import re
from datetime import date
from typing import IO, Iterator

from lxml import etree

from .. import xmlsafe
from ..catalog import Source
from ..entry import ParseError, ParseResult, failure
from ..frenchdates import parse_french_day
from . import questions
from .dila import DumpNames, iter_members
from .opendata import capped, inner_html, official_day, shown, well_formed_html
from .questions import LEGISLATURE_RE, NUMBER_RE, Question

# A prefix (ANQ for the AN; the Sénat's is not checked live), the year, then the issue number.
TAZ_NAMES = DumpNames(re.compile(r"^[A-Z]{2,5}[0-9]{8}\.taz$"), "ANQAAAANNNN.taz")
REDIF_RE = re.compile(r"^REDIF_[A-Z]{2,5}[0-9]{1,12}\.xml$")
# When each legislature began: the Sénat may leave <legislature> empty.
LEGISLATURES = ((date(2024, 7, 18), "17"), (date(2022, 6, 22), "16"), (date(2017, 6, 21), "15"),
                (date(2012, 6, 20), "14"), (date(2007, 6, 20), "13"))
# texteQuestion opens with the number and the JO day of the question: "13382. — 10 mars 2026. — Mme …".
HEADER_RE = re.compile(r"^\s*[0-9]{1,7}\s*\.\s*[—–-]\s*(?P<day>[^—–.<]{1,40}?)\s*\.\s*[—–-]\s*")
# An ANQ file holds written questions only: in the REP section, the type REP names the section.
WRITTEN_TYPES = ("QE", "REP", None)


def read_archive(fileobj: IO[bytes], source: Source) -> ParseResult:
    """One JO issue, as the DILA reader wants it; a bad member or question is a warning naming it."""
    result, members = ParseResult(entries=[]), 0
    for name, content in iter_members(fileobj, warn=result.warnings.append):
        if not REDIF_RE.match(posixpath.basename(name)):
            continue  # XML1JO_AN… and XML2JO_AN…: an index and the corrections, nothing to read
        members += 1
        try:
            parsed = parse_redif(content)
        except Exception as exc:  # one bad member never loses the others
            result.warnings.append(f"membre « {shown(name)} » ignoré : {failure(exc)}")
            continue
        result.add(parsed, f"membre « {shown(name)} » : ")
    if not members:
        result.warnings.append("aucun fichier REDIF_….xml dans l'archive")
    return result


def parse_redif(content: bytes) -> ParseResult:
    """One REDIF_ANQ file: an entry per question asked, then one per question answered."""
    root = xmlsafe.parse_bytes(content)
    if root.find("Section[@part='QE']") is None and root.find("Section[@part='REP']") is None:
        raise ParseError(f"élément racine « {shown(etree.QName(root).localname, 40)} » sans section QE ni REP "
                         "(fichier REDIF_ANQ attendu)")
    result, problems = ParseResult(entries=[]), []
    for part, position, element, block in _questions(root):
        try:  # one bad question never loses the others
            entry = questions.entry(_asked(element) if block is None else _answered(element, block))
        except Exception as exc:
            problems.append(f"{_where(element, position)} de la section {part} ignorée : {failure(exc)}")
            continue
        if entry is None:
            result.skip(questions.EMPTY)
        else:
            result.entries.append(entry)
    result.warnings += capped(problems)
    return result


def _questions(root: etree._Element) -> Iterator[tuple[str, int, etree._Element, etree._Element | None]]:
    """Each question with its answer block (None in the QE section). Questions come first: an
    issue that publishes a question and its answer leaves the answer last, so that it wins."""
    for position, element in enumerate(root.iterfind("Section[@part='QE']/question"), 1):
        yield "QE", position, element, None
    position = 0
    for block in root.iterfind("Section[@part='REP']/*"):
        for element in block.iterfind("question"):
            position += 1
            yield "REP", position, element, block


def _where(element: etree._Element, position: int) -> str:
    number = _text(element, "idQuestion/numeroQuestion")
    return f"question n° {number}" if number and NUMBER_RE.match(number) else f"question {position}"


def _asked(element: etree._Element) -> Question:
    question = _question(element)
    question.question_date = _day(element, "referencePublication/datePublication") or question.question_date
    question.question_page = _page(element, "referencePublication/pageJO")
    return question


def _answered(element: etree._Element, block: etree._Element) -> Question:
    """In the REP section the question's own referencePublication is the answer's: the question's
    JO day is only in the header of its text."""
    if block.find("reponse") is None:
        raise ParseError("élément « reponse » absent")
    question = _question(element)
    question.answer_html = _html(block.find("reponse/texteReponse"))
    if not well_formed_html(question.answer_html):
        raise ParseError("champ « reponse/texteReponse » vide")
    question.answer_date = _day(block, "reponse/referencePublication/datePublication")
    if question.answer_date is None:
        raise ParseError("champ « reponse/referencePublication/datePublication » absent")
    question.answer_page = _page(block, "reponse/referencePublication/pageJO")
    return question


def _question(element: etree._Element) -> Question:
    number = _identifier(element, "idQuestion/numeroQuestion", NUMBER_RE)
    _expect(element, "idQuestion/source", (questions.AN, questions.SENAT, None), "AN ou SENAT")
    _expect(element, "idQuestion/type", WRITTEN_TYPES, "QE")
    chamber = _text(element, "idQuestion/source") or questions.AN
    text, day = _question_text(element.find("texteQuestion"))
    if chamber == questions.SENAT and _text(element, "idQuestion/legislature") is None:
        legislature = _legislature_of(day or _day(element, "referencePublication/datePublication"))
    else:
        legislature = _identifier(element, "idQuestion/legislature", LEGISLATURE_RE)
    uid = f"SENAT-{legislature}-QE-{number}" if chamber == questions.SENAT else f"QANR5L{legislature}QE{number}"
    return Question(uid=uid, number=number, qtype="QE", legislature=legislature, chamber=chamber,
                    heading=_text(element, "Objet"), author=_text(element, "parlementaire"),
                    ministry=_text(element, "ministreJO"), question_html=text, question_date=day)


def _legislature_of(day: date | None) -> str:
    if day is None:
        raise ParseError("champ « idQuestion/legislature » absent, et aucune date pour le déduire")
    for start, legislature in LEGISLATURES:
        if day >= start:
            return legislature
    raise ParseError(f"champ « idQuestion/legislature » absent, et le {day.isoformat()} précède la 13e législature")


def _question_text(element: etree._Element | None) -> tuple[str | None, date | None]:
    """The question without its header, and the JO day the header gives."""
    text = _html(element)
    match = HEADER_RE.match(text or "")
    if match is None:
        return text, None
    return text[match.end():], parse_french_day(match["day"])


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    return " ".join("".join(found.itertext()).split()) or None


def _html(element: etree._Element | None) -> str | None:
    """A text field as HTML: its text escaped, any markup inside it kept for well_formed_html."""
    if element is None:
        return None
    return inner_html(element) or None


def _identifier(element: etree._Element, path: str, pattern: re.Pattern) -> str:
    """The number and the legislature build the key and the address: refuse what does not look like them."""
    value = _text(element, path)
    if value is None:
        raise ParseError(f"champ « {path} » absent")
    if not pattern.match(value):
        raise ParseError(f"champ « {path} » invalide « {shown(value, 40)} »")
    return str(int(value))  # "04521" is question 4521


def _expect(element: etree._Element, path: str, allowed: tuple[str | None, ...], wanted: str) -> None:
    value = _text(element, path)
    if value not in allowed:
        raise ParseError(f"champ « {path} » : « {shown(value, 20)} » inattendu ({wanted} attendu)")


def _day(element: etree._Element, path: str) -> date | None:
    return official_day(_text(element, path), path)


def _page(element: etree._Element, path: str) -> str | None:
    """A JO page only shows in `extra`: a garbled one is dropped rather than the question."""
    value = _text(element, path)
    return value if value and NUMBER_RE.match(value) else None

"""Reading official open-data documents: ZIP archives of many files, JSON as XML-converted
trees, dd/mm/yyyy and ISO days, legacy HTML made well-formed. Shared by the questions and
case-law parsers."""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
import zlib
from datetime import date, datetime, time, timezone
from typing import Any, Callable

import lxml.html
from lxml import etree

from ..dates import PARIS, plausible, plausible_date
from ..entry import ParseError, ParseResult, failure
from ..text import CONTROL_RE, TAG_RE, html_to_text

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 100_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_WARNINGS = 50
MEMBER_SUFFIXES = (".json", ".xml")
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError)
ISO_DAY_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ].*)?$")
FRENCH_DAY_RE = re.compile(r"^([0-9]{2})/([0-9]{2})/([0-9]{4})$")
CLOSING_BR_RE = re.compile(r"</br\s*>", re.IGNORECASE)  # browsers read </br> as <br>
SUMMARY_MIN_WORDS = 12


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
        except Exception as exc:  # one bad member never loses the others
            problems.append(f"membre « {name} » ignoré : {failure(exc)}")
            continue
        result.add(member, f"membre « {name} » : ")
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

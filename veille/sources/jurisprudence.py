"""Case law: DILA JADE decisions, Judilibre JSON, opendata.justice-administrative.fr XML, or a ZIP of them."""
from __future__ import annotations

import html
import re
from datetime import date
from typing import IO, Any

from lxml import etree

from .. import xmlsafe
from ..catalog import Source
from ..entry import Entry, ParseError, ParseResult, failure
from .dila import iter_members
from .opendata import (Node, capped, document_kind, first_paragraph, inner_html, is_zip, load_json,
                        official_day, paris_midnight, read_zip, shown, well_formed_html)

NATURE = "DÉCISION"
LEGIFRANCE_URL = "https://www.legifrance.gouv.fr/ceta/id/{id}"
JUDILIBRE_URL = "https://www.courdecassation.fr/decision/{id}"
JUSTICE_ADMIN_URL = "https://opendata.justice-administrative.fr/recherche/shareFile/{code}/{id}"
DILA_ID_RE = re.compile(r"^[A-Z]{4,8}[0-9]{12}$")
JUDILIBRE_ID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
JUSTICE_ADMIN_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# Recueil Lebon codes, in Légifrance's words; other codes are kept as they are.
PUBLICATIONS = {
    "A": "Publié au recueil Lebon",
    "B": "Mentionné aux tables du recueil Lebon",
    "C": "Inédit au recueil Lebon",
}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
ZONES = {"introduction": "Introduction", "expose": "Exposé du litige", "moyens": "Moyens",
         "motivations": "Motivation", "dispositif": "Dispositif", "annexes": "Annexes"}
BACKTICK_RE = re.compile(r"(?<=[^\W\d_])`(?=[^\W\d_])")  # D`UTILISATION -> D’UTILISATION
ABSTRACT_CODE_RE = re.compile(r"^\s*[0-9]{2,3}(?:-[0-9]{2,3})+\s+")  # "51-02-01 1) a) Les c et j…"
BLANK_LINE_RE = re.compile(r"\n[ \t]*\n\s*")
LIST_KEYS_IN_ORDER = ("results", "resolved", "unresolved")  # resolved labels beat raw codes
LIST_KEYS = set(LIST_KEYS_IN_ORDER)


def parse(content: bytes, url: str, content_type: str, source: Source) -> ParseResult:
    if is_zip(content):
        return read_zip(content, parse_document)
    return parse_document(content)


def read_archive(fileobj: IO[bytes], source: Source) -> ParseResult:
    """A DILA JADE daily dump: one decision per XML member; a bad member is a warning."""
    result = ParseResult(entries=[])
    for name, content in iter_members(fileobj, warn=result.warnings.append):
        try:
            result.add(parse_document(content), f"membre « {shown(name)} » : ")
        except Exception as exc:  # one bad member never loses the others
            result.warnings.append(f"membre « {shown(name)} » ignoré : {failure(exc)}")
    return result


def parse_document(content: bytes) -> ParseResult:
    if document_kind(content) == "json":
        return _judilibre(load_json(content))
    root = xmlsafe.parse_bytes(content)
    if root.tag == "TEXTE_JURI_ADMIN":
        return ParseResult(entries=[_jade_entry(root)])
    if root.tag == "Document":
        return ParseResult(entries=[_justice_admin_entry(root)])
    raise ParseError(f"document XML inattendu : élément racine « {shown(etree.QName(root).localname)} » "
                     "(TEXTE_JURI_ADMIN ou Document attendu)")


def french_date(day: date | None) -> str:
    if day is None:
        return ""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def fix_backticks(text: str) -> str:
    return BACKTICK_RE.sub("’", text)


def _title(*parts: str | None) -> str:
    return ", ".join(part for part in parts if part)


def _text_html(text: str) -> str:
    """Plain text as paragraphs: a blank line separates them, a single newline is a break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (html.escape(part.strip(), quote=False).replace("\n", "<br>")
                  for part in BLANK_LINE_RE.split(text))
    return "".join(f"<p>{part}</p>" for part in paragraphs if part)


# --- DILA JADE (TEXTE_JURI_ADMIN) -------------------------------------------------------------

def _jade_entry(root: etree._Element) -> Entry:
    ident = _xtext(root, "META/META_COMMUN/ID")
    if not ident:
        raise ParseError("décision JADE : élément « META/META_COMMUN/ID » absent")
    if not DILA_ID_RE.match(ident):
        raise ParseError(f"décision JADE : identifiant invalide « {shown(ident, 40)} »")
    meta = _fields(root, "META/META_SPEC/META_JURI/", ("TITRE", "DATE_DEC", "JURIDICTION", "NUMERO", "SOLUTION"))
    meta.update(_fields(root, "META/META_SPEC/META_JURI_ADMIN/",
                        ("FORMATION", "TYPE_REC", "PUBLI_RECUEIL", "RAPPORTEUR", "ECLI")))
    day = official_day(meta["DATE_DEC"], "META_JURI/DATE_DEC")
    title = meta["TITRE"] or _title(meta["JURIDICTION"], meta["FORMATION"],
                                    day.strftime("%d/%m/%Y") if day else None, meta["NUMERO"])
    decision = root.find("TEXTE/BLOC_TEXTUEL/CONTENU")
    content = inner_html(decision) if decision is not None else ""
    abstracts = _abstracts(root)
    titles = [fix_backticks(text) for text in
              (_clean("".join(e.itertext())) for e in root.iterfind("TEXTE/SOMMAIRE/SCT")) if text]
    publication = meta["PUBLI_RECUEIL"]
    extra = {
        "number": meta["NUMERO"], "formation": meta["FORMATION"], "jurisdiction": meta["JURIDICTION"],
        "ecli": meta["ECLI"], "date": day.isoformat() if day else None,
        "publication": PUBLICATIONS.get(publication or "", publication), "type_rec": meta["TYPE_REC"],
        "solution": meta["SOLUTION"], "rapporteur": meta["RAPPORTEUR"], "abstract_titles": "\n".join(titles),
    }
    return Entry(
        key=ident,
        title=fix_backticks(title or ident),
        url=LEGIFRANCE_URL.format(id=ident),
        summary="\n".join(abstracts) or first_paragraph(content),
        content_html=content,
        published=paris_midnight(day),
        nature=NATURE,
        extra=_filled(extra),
    )


def _abstracts(root: etree._Element) -> list[str]:
    """The ANA analyses, once each: the same analysis is repeated under every classification code."""
    seen: list[str] = []
    for element in root.iterfind("TEXTE/SOMMAIRE/ANA"):
        text = fix_backticks(ABSTRACT_CODE_RE.sub("", " ".join("".join(element.itertext()).split())))
        if text and text not in seen:
            seen.append(text)
    return seen


def _fields(root: etree._Element, prefix: str, names: tuple[str, ...]) -> dict[str, str | None]:
    return {name: _xtext(root, prefix + name) for name in names}


def _xtext(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    return _clean("".join(found.itertext())) if found is not None else None


def _clean(value: str | None) -> str | None:
    return " ".join((value or "").split()) or None


def _filled(extra: dict[str, str | None]) -> dict[str, str]:
    return {name: value for name, value in extra.items() if value}


# --- opendata.justice-administrative.fr (Document) ------------------------------------------

def _justice_admin_entry(root: etree._Element) -> Entry:
    ident = (_xtext(root, "Donnees_Techniques/Identification") or "").removesuffix(".xml")
    code = _xtext(root, "Dossier/Code_Juridiction") or ""
    for name, value in (("Donnees_Techniques/Identification", ident), ("Dossier/Code_Juridiction", code)):
        if not value:
            raise ParseError(f"décision de la juridiction administrative : élément « {name} » absent")
        if not JUSTICE_ADMIN_ID_RE.match(value):
            raise ParseError(f"décision de la juridiction administrative : élément « {name} » "
                             f"invalide « {shown(value, 40)} »")
    field = _fields(root, "Dossier/", ("Nom_Juridiction", "Numero_Dossier", "Date_Lecture", "Numero_ECLI",
                                       "Type_Decision", "Type_Recours", "Code_Publication", "Solution"))
    formation = _xtext(root, "Audience/Formation_Jugement")
    day = official_day(field["Date_Lecture"], "Dossier/Date_Lecture")
    content = _integral_html(root.find("Decision/Texte_Integral"))
    publication = field["Code_Publication"]
    extra = {
        "number": field["Numero_Dossier"], "formation": formation, "jurisdiction": field["Nom_Juridiction"],
        "jurisdiction_code": code, "ecli": None if field["Numero_ECLI"] == "undefined" else field["Numero_ECLI"],
        "date": day.isoformat() if day else None, "publication": PUBLICATIONS.get(publication or "", publication),
        "type_decision": field["Type_Decision"], "type_rec": field["Type_Recours"], "solution": field["Solution"],
    }
    return Entry(
        key=f"{code}/{ident}",  # file names repeat across courts; the code makes them unique
        title=_title(field["Nom_Juridiction"] or code, formation, day.strftime("%d/%m/%Y") if day else None,
                     field["Numero_Dossier"]),
        url=JUSTICE_ADMIN_URL.format(code=code, id=ident),
        summary=first_paragraph(content),
        content_html=content,
        published=paris_midnight(day),
        nature=NATURE,
        extra=_filled(extra),
    )


def _integral_html(element: etree._Element | None) -> str:
    """The full text holds <p> elements, or escaped HTML, or plain text."""
    if element is None:
        return ""
    if len(element):
        return inner_html(element)
    text = element.text or ""
    return well_formed_html(text) if "<" in text else _text_html(text)


# --- Judilibre ---------------------------------------------------------------------------------

def _judilibre(data: Any) -> ParseResult:
    if isinstance(data, dict) and "id" in data and not LIST_KEYS & data.keys():
        return ParseResult(entries=[_judilibre_entry(Node(data))])
    entries, problems = [], []
    decisions = _decisions(data)
    for node in decisions:
        try:  # one bad decision never loses the others
            entries.append(_judilibre_entry(node))
        except Exception as exc:
            problems.append(f"décision « {node.path} » ignorée : {failure(exc)}")
    if problems and len(problems) == len(decisions):
        raise ParseError(f"aucune décision lisible ({problems[0]})")
    return ParseResult(entries=entries, warnings=capped(problems))


def _decisions(data: Any) -> list[Node]:
    """A /search envelope (`results`), the `resolved` list of the samples, or a bare list."""
    if isinstance(data, list):
        return Node(data).all()
    for name in LIST_KEYS_IN_ORDER:
        if name in data:
            if not isinstance(data[name], list):
                raise ParseError(f"champ « {name} » : liste attendue")
            return Node(data[name], name).all()
    raise ParseError("JSON inattendu : ni décision Judilibre (« id »), ni liste de résultats (« results »)")


def _judilibre_entry(node: Node) -> Entry:
    ident = node.child("id").text()
    if not ident or not JUDILIBRE_ID_RE.match(ident):
        raise ParseError("champ « id » absent ou invalide" + (f" « {shown(ident, 40)} »" if ident else ""))
    day = official_day(node.child("decision_date").text(), node.child("decision_date").path)
    jurisdiction, chamber = node.child("jurisdiction").text(), node.child("chamber").text()
    number = ", ".join(node.child("number").texts() or node.child("numbers").texts())
    text = node.child("text").text()
    extra = {
        "number": number, "formation": node.child("formation").text(), "jurisdiction": jurisdiction,
        "chamber": chamber, "ecli": node.child("ecli").text(), "date": day.isoformat() if day else None,
        "solution": node.child("solution").text(), "publication": ", ".join(node.child("publication").texts()),
        "themes": " ; ".join(node.child("themes").texts()),
    }
    return Entry(
        key=ident,
        title=_title(jurisdiction, chamber, french_date(day), number) or ident,
        url=JUDILIBRE_URL.format(id=ident),
        summary=node.child("summary").text() or "",
        content_html=_text_html(text) if text else _highlights_html(node.child("highlights")),
        published=paris_midnight(day),
        nature=NATURE,
        extra=_filled(extra),
    )


def _highlights_html(highlights: Node) -> str:
    """Search excerpts by zone; Judilibre marks the matched words with <em>, the rest is plain text."""
    parts = []
    for zone, snippets in highlights.fields():
        texts = snippets.texts()
        if texts:
            parts.append(f"<h3>{html.escape(ZONES.get(zone, zone), quote=False)}</h3>")
            parts.extend(f"<p>… {_emphasis(text)} …</p>" for text in texts)
    return "".join(parts)


def _emphasis(snippet: str) -> str:
    return html.escape(snippet, quote=False).replace("&lt;em&gt;", "<em>").replace("&lt;/em&gt;", "</em>")

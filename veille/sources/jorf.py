"""The Journal officiel from DILA open data: the dump listing, the daily tar.gz and its XML.

A daily dump holds one XML file per record: TEXTE_VERSION (a text's metadata, visas, signataires),
TEXTELR (its outline), SECTION_TA (a section's outline), ARTICLE (one article each) and JO
(an issue's sommaire). They are read in whatever order the tar gives and joined at the end.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import IO, Iterator

from lxml import etree

from .. import xmlsafe
from .dila import iter_members
from ..dates import PARIS, plausible, plausible_date
from ..effective import find_effective_date, french_date
from ..catalog import Source
from ..entry import Entry, ParseError, ParseResult, failure
from ..official import BARE_NOR_RE
from ..jo_issue import NUMBER_RE, JoIssue
from ..text import clean_text, fold, html_to_text

LEGIFRANCE = "https://www.legifrance.gouv.fr"
TEXT_ID_RE = re.compile(r"^(?:JORF|LEGI)TEXT[0-9]{12}$")
ARTICLE_ID_RE = re.compile(r"^(?:JORF|LEGI)ARTI[0-9]{12}$")
CONTAINER_ID_RE = re.compile(r"^JORFCONT[0-9]{12}$")
SUPPRESSION_LIST_RE = re.compile(r"(?:^|/)liste_suppression_[a-z]+\.dat$", re.IGNORECASE)
SECTION_ID_RE = re.compile(r"^(?:JORF|LEGI)SCTA[0-9]{12}$")
JO_NUMBER_RE = re.compile(r"n\s*[°º]\s*([0-9]{1,6})(?![0-9])", re.IGNORECASE)
NOMINATIVE = "mesures nominatives"
SECTION_DEPTH = 20  # DILA outlines nest a handful of levels; deeper is hostile
CHRONICLE = "META/META_SPEC/META_TEXTE_CHRONICLE/"
VERSION = "META/META_SPEC/META_TEXTE_VERSION/"
CONTAINER = "META/META_SPEC/META_CONTENEUR/"
# DILA writes natures in ASCII capitals joined by underscores: give them back their French spelling.
NATURE_WORDS = {
    "DECRET": "DÉCRET", "ARRETE": "ARRÊTÉ", "DECISION": "DÉCISION", "DELIBERATION": "DÉLIBÉRATION",
    "RESOLUTION": "RÉSOLUTION", "DECLARATION": "DÉCLARATION", "REGLEMENT": "RÈGLEMENT",
    "COMMUNIQUE": "COMMUNIQUÉ", "CONSTIT": "CONSTITUTIONNELLE", "EURO": "EUROPÉENNE",
}


@dataclass
class DumpResult:
    entries: list[Entry]
    warnings: list[str]
    issues: list[JoIssue]
    withdrawn: list[str] = field(default_factory=list)  # JORFTEXT ids of liste_suppression_jorf.dat


# --- The XML records ---------------------------------------------------------------------

@dataclass
class _Text:
    entry: Entry
    modified: date | None  # DERNIERE_MODIFICATION: which of two copies of a record is newer
    start: date | None  # DATE_DEBUT when real
    visas: str
    signataires: str
    nota: str
    notice: str  # plain text, for the entry-into-force phrase


@dataclass
class _Article:
    id: str
    num: str
    text_id: str
    html: str
    plain: str


@dataclass(frozen=True)
class _Link:
    kind: str  # "article" or "section"
    id: str
    title: str


def parse_text(content: bytes) -> Entry:
    """One TEXTE_VERSION file, without its articles (they live in their own files)."""
    return _finish(_read_text(_root(content, "TEXTE_VERSION")), [], "")


def parse_container(content: bytes) -> JoIssue:
    """One JO container: the issue's sommaire."""
    return _read_container(_root(content, "JO"))


def _root(content: bytes, expected: str) -> etree._Element:
    root = xmlsafe.parse_bytes(content)
    if root.tag != expected:
        raise ParseError(f"élément racine <{expected}> attendu, <{root.tag}> trouvé")
    return root


def _value(root: etree._Element, path: str) -> str:
    element = root.find(path)
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _identifier(root: etree._Element, path: str, pattern: re.Pattern) -> str:
    value = _value(root, path)
    name = path.removeprefix("META/")
    if not value:
        raise ParseError(f"champ {name} absent")
    if not pattern.match(value):
        raise ParseError(f"champ {name} : identifiant invalide « {value[:40]} »")
    return value


def _day(raw: str) -> date | None:
    try:
        return plausible_date(date.fromisoformat(raw.strip()[:10]))
    except ValueError:
        return None


def _midnight(day: date | None) -> datetime | None:
    """A JO is dated by its Paris day: midnight there, in UTC."""
    return plausible(datetime.combine(day, time(0), tzinfo=PARIS).astimezone(timezone.utc)) if day else None


def _nature(raw: str) -> str | None:
    words = re.split(r"[_\s-]+", fold(raw).upper())
    nature = " ".join(NATURE_WORDS.get(word, word) for word in words if word)
    return nature.replace("DÉCRET LOI", "DÉCRET-LOI") or None


def _jo_number(origin: str) -> str | None:
    match = JO_NUMBER_RE.search(origin)
    return _padded(match.group(1)) if match else None


def _padded(number: str) -> str | None:
    """JO numbers as the JORF writes them: "0075"."""
    return f"{int(number):04d}" if NUMBER_RE.fullmatch(number) else (number or None)


def _inner_html(element: etree._Element | None) -> str:
    """The markup inside a CONTENU element, or "" when it holds no text (DILA writes empty <br/>s)."""
    if element is None or not "".join(element.itertext()).strip():
        return ""
    head = html.escape(element.text or "", quote=False)
    return (head + "".join(etree.tostring(child, encoding="unicode") for child in element)).strip()


def _url(text_id: str, nature: str | None) -> str:
    if text_id.startswith("JORF"):
        return f"{LEGIFRANCE}/jorf/id/{text_id}"
    return f"{LEGIFRANCE}/{'codes' if nature == 'CODE' else 'loda'}/id/{text_id}"


def _read_text(root: etree._Element) -> _Text:
    text_id = _identifier(root, "META/META_COMMUN/ID", TEXT_ID_RE)
    title = clean_text(_value(root, VERSION + "TITREFULL")) or clean_text(_value(root, VERSION + "TITRE"))
    if not title:
        raise ParseError("titre absent : champs META_TEXTE_VERSION/TITREFULL et TITRE vides")
    nature = _nature(_value(root, "META/META_COMMUN/NATURE"))
    origin = _value(root, CHRONICLE + "ORIGINE_PUBLI")
    published_on = _day(_value(root, CHRONICLE + "DATE_PUBLI"))
    jo_date = french_date(origin) or published_on
    nor = _value(root, CHRONICLE + "NOR")
    notice = _inner_html(root.find("NOTICE/CONTENU"))
    entry = Entry(
        key=text_id,
        title=title,
        url=_url(text_id, nature),
        summary=notice,
        published=_midnight(published_on or jo_date),
        jorf_id=text_id if text_id.startswith("JORF") else None,
        nor=nor if BARE_NOR_RE.match(nor) else None,
        eli=_value(root, "META/META_COMMUN/ID_ELI") or None,
        nature=nature,
        ministry=clean_text(_value(root, VERSION + "MINISTERE")) or None,
        jo_number=_jo_number(origin),
        jo_date=jo_date,
    )
    return _Text(
        entry=entry,
        modified=_day(_value(root, CHRONICLE + "DERNIERE_MODIFICATION")),
        start=_day(_value(root, VERSION + "DATE_DEBUT")),
        visas=_inner_html(root.find("VISAS/CONTENU")),
        signataires=_inner_html(root.find("SIGNATAIRES/CONTENU")),
        nota=_inner_html(root.find("NOTA/CONTENU")),
        notice=html_to_text(notice),
    )


def _read_article(root: etree._Element) -> _Article:
    contenu = root.find("BLOC_TEXTUEL/CONTENU")
    context = root.find("CONTEXTE/TEXTE")
    return _Article(
        id=_identifier(root, "META/META_COMMUN/ID", ARTICLE_ID_RE),
        num=_value(root, "META/META_SPEC/META_ARTICLE/NUM"),
        text_id=(context.get("cid") or "").strip() if context is not None else "",
        html=_inner_html(contenu),
        plain="".join(contenu.itertext()) if contenu is not None else "",
    )


def _links(parent: etree._Element | None) -> list[_Link]:
    links = []
    for child in parent if parent is not None else ():
        ident = (child.get("id") or "").strip()
        if child.tag == "LIEN_ART" and ident:
            links.append(_Link("article", ident, child.get("num") or ""))
        elif child.tag == "LIEN_SECTION_TA" and ident:
            links.append(_Link("section", ident, clean_text("".join(child.itertext()))))
    return links


def _read_container(root: etree._Element) -> JoIssue:
    structure = root.find("STRUCTURE_TXT")
    entries = []
    for link in structure.iter("LIEN_TXT") if structure is not None else ():
        text_id = (link.get("idtxt") or "").strip()
        if TEXT_ID_RE.match(text_id):
            entries.append((_tm_path(link), text_id))
    return JoIssue(
        id=_identifier(root, "META/META_COMMUN/ID", CONTAINER_ID_RE),
        number=_value(root, CONTAINER + "NUM"),
        date=_day(_value(root, CONTAINER + "DATE_PUBLI")),
        title=clean_text(_value(root, CONTAINER + "TITRE")),
        entries=entries,
    )


def _tm_path(link: etree._Element) -> str:
    """"Décrets, arrêtés, circulaires / Textes généraux / Ministère de l'intérieur"."""
    titles = [clean_text(_value(tm, "TITRE_TM")) for tm in link.iterancestors("TM")]
    return " / ".join(title for title in reversed(titles) if title)


# --- Joining a dump back together --------------------------------------------------------

class _DumpReader:
    def __init__(self) -> None:
        self.texts: dict[str, _Text] = {}
        self.articles: dict[str, _Article] = {}
        self.outlines: dict[str, list[_Link]] = {}  # TEXTELR and SECTION_TA, by id
        self.elis: dict[str, str] = {}
        self.issues: dict[str, JoIssue] = {}

    def add(self, content: bytes) -> None:
        root = xmlsafe.parse_bytes(content)
        if root.tag == "TEXTE_VERSION":
            self._add_text(_read_text(root))
        elif root.tag == "ARTICLE":
            article = _read_article(root)
            self.articles[article.id] = article
        elif root.tag == "TEXTELR":
            text_id = _identifier(root, "META/META_COMMUN/ID", TEXT_ID_RE)
            self.outlines[text_id] = _links(root.find("STRUCT"))
            if eli := _value(root, "META/META_COMMUN/ID_ELI"):
                self.elis[text_id] = eli
        elif root.tag == "SECTION_TA":
            self.outlines[_identifier(root, "ID", SECTION_ID_RE)] = _links(root.find("STRUCTURE_TA"))
        elif root.tag == "JO":
            issue = _read_container(root)
            self.issues[issue.id] = issue

    def _add_text(self, text: _Text) -> None:
        """Dumps re-issue old records: the latest DERNIERE_MODIFICATION wins, then the latest read."""
        known = self.texts.get(text.entry.key)
        if known is None or (text.modified or date.min) >= (known.modified or date.min):
            self.texts[text.entry.key] = text

    def result(self, warnings: list[str], exclude_nominative: bool) -> DumpResult:
        issues = sorted(self.issues.values(), key=lambda issue: (issue.date or date.max, issue.id))
        placements: dict[str, tuple[int, str, JoIssue]] = {}
        for issue in issues:
            for path, text_id in issue.entries:
                placements.setdefault(text_id, (len(placements), path, issue))
        by_text: dict[str, list[_Article]] = {}
        for article in self.articles.values():
            by_text.setdefault(article.text_id, []).append(article)
        entries = []
        for text_id, text in self.texts.items():
            position, path, issue = placements.get(text_id, (len(placements), "", None))
            if exclude_nominative and NOMINATIVE in fold(path):
                continue
            try:  # one text that cannot be put together never loses the others
                if issue is not None:
                    _place(text.entry, path, issue)
                text.entry.eli = text.entry.eli or self.elis.get(text_id)
                body, plain = self._body(text_id, by_text.get(text_id, []))
                entries.append((position, _finish(text, body, plain)))
            except Exception as exc:
                warnings.append(f"texte « {text_id} » ignoré : {failure(exc)}")
        entries.sort(key=lambda pair: (pair[0], pair[1].jo_date or date.max, pair[1].key))
        return DumpResult([entry for _, entry in entries], warnings, issues)

    def _body(self, text_id: str, articles: list[_Article]) -> tuple[list[str], str]:
        """Articles as HTML in the text's own order (TEXTELR, then SECTION_TA), then the strays."""
        if not articles:
            return [], ""
        by_id = {article.id: article for article in articles}
        parts, placed = [], []
        for link in self._outline(self.outlines.get(text_id, []), 0, set()):
            if link.kind == "section":
                parts.append(f"<h3>{html.escape(link.title)}</h3>")
            elif link.id in by_id:
                placed.append(by_id.pop(link.id))
                parts.append(_article_html(placed[-1]))
        strays = sorted(by_id.values(), key=_article_order)
        parts += [_article_html(article) for article in strays]
        return parts, "\n".join(article.plain for article in placed + strays)

    def _outline(self, links: list[_Link], depth: int, seen: set[str]) -> Iterator[_Link]:
        for link in links:
            yield link
            if link.kind == "section" and link.id not in seen and depth < SECTION_DEPTH:
                seen.add(link.id)
                yield from self._outline(self.outlines.get(link.id, []), depth + 1, seen)


def _place(entry: Entry, path: str, issue: JoIssue) -> None:
    """What the sommaire says about a text: where it sits, and what its own record left blank."""
    parts = tuple(part for part in path.split(" / ") if part)
    if path:
        entry.extra["sommaire"] = path
        entry.tags = parts
    if NOMINATIVE in fold(path):
        entry.extra["nominative"] = "1"
    if entry.ministry is None and parts and fold(parts[-1]).startswith(("ministere", "premier ministre")):
        entry.ministry = parts[-1]
    entry.jo_number = entry.jo_number or _padded(issue.number)
    entry.jo_date = entry.jo_date or issue.date
    entry.published = entry.published or _midnight(issue.date)


def _finish(text: _Text, body: list[str], articles_plain: str) -> Entry:
    entry = text.entry
    parts = [f"<div>{text.visas}</div>"] if text.visas else []
    parts += body
    if text.signataires:
        parts.append(f"<div>{text.signataires}</div>")
    if text.nota:
        parts.append(f"<h4>Nota</h4>\n<div>{text.nota}</div>")
    entry.content_html = "\n".join(parts)
    published_on = entry.jo_date or (entry.published.astimezone(PARIS).date() if entry.published else None)
    if text.start and published_on and text.start > published_on:
        entry.effective_date = text.start
    else:
        entry.effective_date = find_effective_date(f"{text.notice}\n{articles_plain}", published_on)
    return entry


def _article_html(article: _Article) -> str:
    num = article.num
    heading = num if fold(num).startswith(("article", "annexe")) else f"Article {num}".strip()
    return f"<h4>{html.escape(heading)}</h4>\n{article.html}"


def _article_order(article: _Article) -> tuple:
    match = NUMBER_RE.match(article.num)
    return (int(match.group()) if match else float("inf"), fold(article.num), article.id)


def read_dump(fileobj: IO[bytes], *, exclude_nominative: bool = False) -> DumpResult:
    """Every text of a daily dump with its articles and its place in the sommaire.

    A member that cannot be read is named in a warning and the dump goes on; an archive
    that cannot be read (corrupt, truncated, over its limits) raises ParseError.
    """
    reader = _DumpReader()
    warnings: list[str] = []
    withdrawn: list[str] = []
    for name, content in iter_members(fileobj, suffixes=(".xml", ".dat"), warn=warnings.append):
        try:
            if name.lower().endswith(".dat"):
                if SUPPRESSION_LIST_RE.search(name):
                    withdrawn += withdrawn_texts(content)
            else:
                reader.add(content)
        except Exception as exc:  # one bad member never loses the others
            warnings.append(f"membre « {name} » ignoré : {failure(exc)}")
    result = reader.result(warnings, exclude_nominative)
    gone = set(withdrawn)
    result.entries = [entry for entry in result.entries if entry.key not in gone]
    result.withdrawn = list(dict.fromkeys(withdrawn))
    return result


def withdrawn_texts(content: bytes) -> list[str]:
    """The texts a `liste_suppression_jorf.dat` withdraws: one record path a line
    (`JORF/TEXT/00/00/34/29/99/JORFTEXT000034299999`). Articles, sections and containers
    listed there are not items: only the JORFTEXT ids are kept."""
    ids = (line.strip().rsplit("/", 1)[-1] for line in content.decode("ascii", "replace").splitlines())
    return [text_id for text_id in ids if TEXT_ID_RE.match(text_id) and text_id.startswith("JORF")]


def read_archive(fileobj: IO[bytes], source: Source) -> ParseResult:
    """A daily dump as the DILA reader wants it. Individual measures are kept (marked in
    `extra`); leaving them out of bulletins is the bulletin's decision."""
    dump = read_dump(fileobj)
    return ParseResult(entries=dump.entries, warnings=dump.warnings, withdrawn=dump.withdrawn)

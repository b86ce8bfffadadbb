"""Circulaires and instructions from DILA open data: the `CIRCULAIRES/FLUX/` directories, one
tar.gz per export, `circulaire_221225 18h00` written `circulaire_22122518h00.tar.gz` (day, month,
two-digit year, hour, minute: the names do not sort by date, `order` does).

Each `cir_<ID>.xml` member is the metadata of one circulaire (root `<CIRCULAIRE>`): ID_CIRCULAIRE,
TITRE, NUMERO_NOR, DATE_SIGNATURE, DATE_DEPOT / DATE_EXPORT (put online), AUTEUR (the ministry),
RESUME, LISTE_DOMAINES/DOMAINE, ETAT (V in force; A withdrawn: a re-export that withdraws the
item), NOM_FICHIER_PDF (`/pdf/2025/12/cir_45634.pdf`, the path of the PDF on the circulaires site,
`pdf_base`) and TAILLE_FICHIER_PDF. The text itself is only in the PDF: an item stores the
metadata, the summary and the PDF link; the PDF is fetched and its text extracted (pypdf) for
search and classification only when it is small (`options: {pdf_max_mb: 2}`, 0: never). The PDFs
that the exports also carry are not read from the archive: the link is what readers open.
"""
from __future__ import annotations

import html
import io
import posixpath
import re
from typing import IO
from urllib.parse import urljoin, urlsplit

from .. import xmlsafe
from ..catalog import Source
from ..entry import Entry, ParseError, ParseResult, failure
from ..fetch import FetchError, Fetcher
from ..numbers import parse_int
from ..official import guess_nature
from .dila import DumpNames, dump_reader, iter_members
from .opendata import official_day, paris_midnight, shown
from .reading import Position, Reading

FLUX_RE = re.compile(r"^circulaire_(?P<day>[0-9]{2})(?P<month>[0-9]{2})(?P<year>[0-9]{2})"
                     r"(?P<hour>[0-9]{2})h(?P<minute>[0-9]{2})\.tar\.gz$")
MEMBER_RE = re.compile(r"^cir_[0-9]{1,12}\.xml$")
PAGE_URL = "https://www.legifrance.gouv.fr/circulaire/id/{id}"
PDF_BASE = "https://circulaires.legifrance.gouv.fr/"
PDF_MAX_MB = 2
PDF_MAX_PAGES = 60
PDF_MAX_CHARS = 200_000


def _order(name: str) -> str:
    """`circulaire_22122518h00.tar.gz` -> `2512221800`: year, month, day, hour, minute."""
    match = FLUX_RE.match(name)
    return "".join(match.group(g) for g in ("year", "month", "day", "hour", "minute")) if match else name


FLUX_NAMES = DumpNames(FLUX_RE, "circulaire_JJMMAAHHhMM.tar.gz", _order)


def read_archive(fileobj: IO[bytes], source: Source) -> ParseResult:
    """One export: an entry per circulaire in force, the withdrawn ones (ETAT A) as withdrawn."""
    result, members = ParseResult(entries=[]), 0
    for name, content in iter_members(fileobj, warn=result.warnings.append):
        if not MEMBER_RE.match(posixpath.basename(name)):
            continue
        members += 1
        try:
            entry, state = parse_circulaire(content, source)
        except Exception as exc:  # one bad member never loses the others
            result.warnings.append(f"membre « {shown(name)} » ignoré : {failure(exc)}")
            continue
        if state == "A":
            result.withdrawn.append(entry.key)
        else:
            result.entries.append(entry)
    if not members:
        result.warnings.append("aucun fichier cir_….xml dans l'archive")
    return result


def parse_circulaire(content: bytes, source: Source) -> tuple[Entry, str]:
    """The entry of one `cir_<ID>.xml` and its ETAT (V when absent)."""
    # Some records carry a summary cut in the middle of a UTF-8 sequence: keep the rest.
    root = xmlsafe.parse_bytes(content.decode("utf-8", "replace").encode("utf-8"))
    if root.tag != "CIRCULAIRE":
        raise ParseError(f"élément racine « {shown(str(root.tag), 40)} » (CIRCULAIRE attendu)")

    def text(tag: str) -> str:
        return " ".join((root.findtext(tag) or "").split())

    number = text("ID_CIRCULAIRE")
    if not re.fullmatch(r"[0-9]{1,12}", number):
        raise ParseError(f"champ « ID_CIRCULAIRE » absent ou invalide (« {shown(number, 40)} »)")
    title = text("TITRE")
    if not title:
        raise ParseError(f"circulaire {number} : champ « TITRE » absent ou vide")
    summary = text("RESUME")
    pdf = _pdf_link(text("NOM_FICHIER_PDF"), source)
    signed = official_day(text("DATE_SIGNATURE"), "DATE_SIGNATURE")
    online = official_day(text("DATE_EXPORT") or text("DATE_DEPOT"), "DATE_EXPORT")
    extra = {"id_circulaire": number, "pdf": pdf or "", "signataire": text("SIGNATAIRE"),
             "date_signature": signed.isoformat() if signed else "", "pdf_octets": text("TAILLE_FICHIER_PDF")}
    entry = Entry(
        key=f"cir_{number}",
        title=title,
        url=PAGE_URL.format(id=number),
        summary=summary,
        content_html=_content(summary, pdf, ""),
        published=paris_midnight(online or signed),
        nor=text("NUMERO_NOR").upper() or None,
        nature=guess_nature(title) or "CIRCULAIRE",
        ministry=text("AUTEUR") or None,
        tags=tuple(t for d in root.iter("DOMAINE") if (t := " ".join((d.text or "").split()))),
        extra={k: v for k, v in extra.items() if v},
    )
    return entry, text("ETAT").upper() or "V"


def _pdf_link(path: str, source: Source) -> str | None:
    """NOM_FICHIER_PDF on the circulaires site (`options: {pdf_base: …}`); None unless http(s)."""
    if not path:
        return None
    try:
        url = urljoin(source.options.get("pdf_base") or PDF_BASE, path)
        return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None
    except ValueError:  # « http://[ » and the like: no link, the circulaire stays
        return None


def _content(summary: str, pdf: str | None, pdf_text: str) -> str:
    parts = [f"<p>{html.escape(summary)}</p>"] if summary else []
    if pdf:
        parts.append(f'<p><a href="{html.escape(pdf)}">Texte de la circulaire (PDF)</a></p>')
    if pdf_text:
        parts.append("<h2>Texte extrait du PDF</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in re.split(r"\n\s*\n", pdf_text) if p.strip()]
    return "".join(parts)


# --- The PDFs ----------------------------------------------------------------------------

def read(fetcher: Fetcher, source: Source, position: Position) -> Reading:
    """The DILA directory as for every fonds, then the text of each small PDF."""
    reading = dump_reader(FLUX_NAMES, read_archive)(fetcher, source, position)
    if reading.parsed is not None:
        for entry in reading.parsed.entries:
            problem = add_pdf_text(fetcher, source, entry)
            if problem:
                reading.parsed.warnings.append(f"circulaire {entry.extra['id_circulaire']} : {problem}")
    return reading


def pdf_cap(source: Source) -> int:
    value = source.options.get("pdf_max_mb", PDF_MAX_MB)
    return int(value * 1024 * 1024) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else 0


def add_pdf_text(fetcher: Fetcher, source: Source, entry: Entry) -> str | None:
    """Put the PDF's text in the entry when the PDF is small; the problem met, else None.

    A PDF that says it is over the cap is not fetched; one that turns out bigger is cut off by
    the fetcher. The link is fetched like the source (same address rules), but a private address
    is allowed only on the host of the source itself.
    """
    cap, url = pdf_cap(source), entry.extra.get("pdf")
    declared = parse_int(entry.extra.get("pdf_octets"))
    if not url or not cap or (declared is not None and declared > cap):
        return None
    same_host = urlsplit(url).netloc == urlsplit(source.url).netloc
    try:
        content = fetcher.get(url, allow_private=source.allow_private and same_host, max_bytes=cap).content
        text = pdf_text(content)
    except (FetchError, ParseError) as exc:
        return f"PDF non lu ({getattr(exc, 'message', None) or exc})"
    entry.content_html = _content(entry.summary, url, text)
    return None


def pdf_text(content: bytes) -> str:
    """The text of the first PDF_MAX_PAGES pages, at most PDF_MAX_CHARS characters."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not content.startswith(b"%PDF-"):
        raise ParseError("ce n'est pas un PDF")
    pages = []
    try:
        for page in PdfReader(io.BytesIO(content), strict=False).pages[:PDF_MAX_PAGES]:
            pages.append(page.extract_text() or "")
            if sum(map(len, pages)) >= PDF_MAX_CHARS:
                break
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
            OSError, AssertionError) as exc:
        raise ParseError(f"PDF illisible : {type(exc).__name__}") from None
    return "\n\n".join(p.strip() for p in pages if p.strip())[:PDF_MAX_CHARS]

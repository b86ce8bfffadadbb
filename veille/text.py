"""Cleaning fetched text: titles to plain text, HTML to an allow-list, HTML to plain text.

Markup is stripped once, where the format says the text is HTML (`html_title`, `html_to_text`);
text that is plain already only gets tidied (`clean_text`), so that « seuil <40 000 €> » keeps
its brackets.
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import ftfy
import lxml.html
import nh3

from .urls import absolute_http_url

# Blocks that pages use around their text; kept by the sanitiser (words on either side of a dropped
# tag would join), and each a line of its own in plain text.
SECTION_TAGS = {"address", "article", "aside", "figcaption", "figure", "footer", "header", "main", "nav",
                "section"}
BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "pre", "dt", "dd", "table", "ul", "ol", "hr", "caption"} | SECTION_TAGS
CELL_TAGS = {"td", "th"}  # side by side on their row's line
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
} | SECTION_TAGS
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TAG_RE = re.compile(r"<[^>]*>")
# "et#8230;" is what one CMS made of "&#8230;": restore the entity before decoding.
BROKEN_ENTITY_RE = re.compile(r"et#([0-9]{2,5});")
# Only a complete reference is an entity in plain text: "&notes" or "R&D" stay as they are.
ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# What is left of a no-break space (C2 A0) read as Latin-1 once the space itself was trimmed.
# French never puts "Â" before a space or at the end of a text.
STRAY_NBSP_RE = re.compile(r"Â(?=\s|$)")
# UTF-8 read as Latin-1 or CP1252 always leaves one of these behind; ftfy is slow, so only
# text that shows one goes through it.
MOJIBAKE_HINT_RE = re.compile(r"[ÃÂ]|â[\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")


def fix_text(text: str) -> str:
    """Repair mojibake ("IntÃ©gration"), drop control characters, normalise to NFC."""
    if MOJIBAKE_HINT_RE.search(text):
        text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_latin_ligatures=False)
        text = STRAY_NBSP_RE.sub(" ", text)
    else:
        text = unicodedata.normalize("NFC", text)
    return CONTROL_RE.sub("", text)


def clean_text(raw: str | None) -> str:
    """Plain text on one line: a leftover entity decoded (titles are often escaped twice),
    mojibake repaired, whitespace collapsed. Angle brackets are text here and stay."""
    text = BROKEN_ENTITY_RE.sub(r"&#\1;", raw or "")
    text = ENTITY_RE.sub(lambda match: html.unescape(match.group()), text)
    return " ".join(fix_text(text).split())


def html_title(raw: str | None) -> str:
    """The text of an HTML title on one line: tags dropped, escaped « &lt;…&gt; » kept as text."""
    return clean_text(html_to_text(BROKEN_ENTITY_RE.sub(r"&#\1;", raw or "")))


def shorten(text: str, limit: int) -> str:
    """`text` on one line; past `limit` characters, cut after the last sentence that ends in the
    second half of the limit, else after the last whole word, with « … »."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if end >= limit // 2:
        return cut[: end + 1]
    return cut.rsplit(" ", 1)[0] + " …"


def sanitize_html(raw: str, base_url: str | None = None) -> str:
    """HTML restricted to an allow-list; only absolute http(s) links survive."""
    if not raw:
        return ""
    raw = fix_text(raw)
    if base_url:
        raw = _absolute_links(raw, base_url)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_absolute_http_only,
    ).strip()


def _absolute_http_only(tag: str, attribute: str, value: str) -> str | None:
    """The last gate: a link or image that is not absolute http(s) by now is dropped."""
    if attribute in ("href", "src"):
        return absolute_http_url(value)
    return value


def _absolute_links(raw: str, base_url: str) -> str:
    fragment = _parsed(raw)
    if fragment is None:
        return raw
    # A <base href> in the fragment wins over `base_url`: lxml resolves it whatever it is told.
    fragment.make_links_absolute(base_url, handle_failures="discard")
    inner = (fragment.text and html.escape(fragment.text)) or ""
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)


def _parsed(fragment: str) -> lxml.html.HtmlElement | None:
    """The fragment's nodes under one parent element; None when lxml finds nothing to parse or
    fails on a document without a body (« <html></html> », an AssertionError in lxml)."""
    try:
        return lxml.html.fragment_fromstring(fragment, create_parent=True)
    except (ValueError, AssertionError, lxml.etree.ParserError):
        return None


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block, for search and bulletins."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return _tidy_lines(html.unescape(fragment))
    root = _parsed(fragment)
    if root is None:
        return _tidy_lines(html.unescape(TAG_RE.sub(" ", fragment)))
    for element in root.iter():
        if element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        elif element.tag in CELL_TAGS:
            element.tail = " " + (element.tail or "")
    return _tidy_lines(root.text_content())


def _tidy_lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in fix_text(text).splitlines())
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Lower case without accents: "État civil" -> "etat civil"."""
    return unicodedata.normalize("NFKD", text.casefold()).translate(_combining_marks())


COMBINING_BELOW = 0x20000  # no combining character lies above (tests/test_text.py checks it)


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """Every combining character, deleted by `str.translate` (C speed, where a test per
    character took a third of classification)."""
    return dict.fromkeys(c for c in range(COMBINING_BELOW) if unicodedata.combining(chr(c)))

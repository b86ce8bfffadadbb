"""Cleaning fetched text: titles to plain text, HTML to an allow-list, HTML to plain text."""
from __future__ import annotations

import html
import re
import unicodedata

import ftfy
import lxml.html
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "pre", "dt", "dd", "table", "ul", "ol", "hr"}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TAG_RE = re.compile(r"<[^>]*>")
# "et#8230;" is what one CMS made of "&#8230;": restore the entity before decoding.
BROKEN_ENTITY_RE = re.compile(r"et#(\d{2,5});")
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


def plain_title(raw: str) -> str:
    """A title as plain text: tags removed, entities decoded, whitespace collapsed."""
    text = BROKEN_ENTITY_RE.sub(r"&#\1;", raw or "")
    text = TAG_RE.sub(" ", text)
    text = html.unescape(html.unescape(text))  # titles are often escaped twice
    text = fix_text(text)
    return " ".join(text.split())


def sanitize_html(raw: str, base_url: str | None = None) -> str:
    """HTML restricted to an allow-list; only absolute http(s) links survive."""
    if not raw or not raw.strip():
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
    ).strip()


def _absolute_links(raw: str, base_url: str) -> str:
    try:
        fragment = lxml.html.fragment_fromstring(raw, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return raw
    fragment.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")
    inner = (fragment.text and html.escape(fragment.text, quote=False)) or ""
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block, for search and bulletins."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return _tidy_lines(html.unescape(fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return _tidy_lines(html.unescape(TAG_RE.sub(" ", fragment)))
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag == "br":
                continue
            element.text = "\n" + (element.text or "")
    return _tidy_lines(root.text_content())


def _tidy_lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in fix_text(text).splitlines())
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Lower case without accents: "État civil" -> "etat civil"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

"""List pages without a feed: one Entry per block matched by the source's CSS selectors."""
from __future__ import annotations

import codecs
import hashlib
import re
import warnings
from datetime import datetime

import soupsieve
from bs4 import (BeautifulSoup, CData, Comment, MarkupResemblesLocatorWarning, NavigableString, Tag,
                 XMLParsedAsHTMLWarning)

from ..catalog import Source
from ..charset import BOMS, PRESCAN_BYTES, UNCERTAIN, declares_encoding, http_charset, uncertain_encoding
from ..entry import Entry, ParseError, ParseResult, Skip, failure
from ..frenchdates import parse_french_date
from ..official import OFFICIAL_CATEGORIES, find_jorf_id, find_nor, guess_nature
from ..plural import count
from ..text import BLOCK_TAGS, CELL_TAGS, clean_text, fold
from ..urls import absolute_http_url, canonical_url

SELECTOR_KEYS = ("item", "title", "link", "date", "summary")
MAX_ITEMS = 1000
META_CHARSET_RE = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# Browsers read Latin-1 and ASCII labels as windows-1252 (WHATWG Encoding), so do we.
SINGLE_BYTE = {"cp1252", "iso8859-15"}
AS_WINDOWS_1252 = {"iso8859-1", "ascii"}
JSESSIONID_RE = re.compile(r";jsessionid=[^?#/]*", re.IGNORECASE)
UNWANTED_TAGS = ["script", "style", "noscript", "template"]
PAGE_CHROME = ["nav", "header", "footer"]
STRING_TYPES = (NavigableString, CData)  # text, not comments, scripts or doctypes
NO_LINK = "ni titre, ni lien http(s)"


def parse(content: bytes, url: str, content_type: str, source: Source) -> ParseResult:
    """Selectors, relative to each `item` block: title (default: the link's text), link (default:
    the first http(s) `a[href]`), date (default: the first <time>), summary."""
    selectors = _compile_selectors(source)
    if not content.strip():
        raise ParseError("document vide")
    soup = _soup(content, content_type)
    base = _base_url(soup, url)
    blocks = selectors["item"].select(soup)
    notes: list[str] = []
    if blocks and not declares_encoding(content, content_type, META_CHARSET_RE) and uncertain_encoding(content):
        return ParseResult(entries=[], skipped={UNCERTAIN: min(len(blocks), MAX_ITEMS)})
    if not blocks:
        return ParseResult(entries=[], warnings=[f"0 élément trouvé avec le sélecteur « {source.selectors['item']} »"])
    if len(blocks) > MAX_ITEMS:
        notes.append(f"{count(len(blocks) - MAX_ITEMS, 'élément ignoré')} "
                         f"au-delà des {MAX_ITEMS} premiers")
        blocks = blocks[:MAX_ITEMS]

    result, keys, undated = ParseResult(entries=[], warnings=notes), set(), 0
    for block in blocks:
        try:  # one bad block never loses the others
            entry = _entry(block, selectors, base, official=source.category in OFFICIAL_CATEGORIES)
        except Exception as exc:
            result.skip(failure(exc))
            continue
        if entry.key not in keys:  # a page may feature the same document twice
            keys.add(entry.key)
            result.entries.append(entry)
            undated += entry.published is None
    if "date" in selectors and undated:
        notes.append(f"{count(undated, 'élément')} sans date lisible "
                         f"avec le sélecteur « {source.selectors['date']} »")
    return result


def article_text(content: bytes, url: str, content_type: str, selector: str | None) -> str:
    """Main text of an article page as an HTML fragment: the selected node, else <article>,
    else <main>, else the body without its navigation, header and footer."""
    compiled = _compile(selector, "options.article_selector") if selector else None
    if not content.strip():
        return ""
    if not declares_encoding(content, content_type, META_CHARSET_RE) and uncertain_encoding(content):
        raise ParseError(UNCERTAIN)
    soup = _soup(content, content_type)
    base = _base_url(soup, url)
    for tag in soup.find_all(UNWANTED_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    node = (compiled and compiled.select_one(soup)) or soup.find("article") or soup.find("main")
    if node is None:
        node = soup.body or soup
        for tag in node.find_all(PAGE_CHROME):
            tag.decompose()
    _absolute_links(node, base)
    return node.decode_contents().strip()


def decode_html(content: bytes, content_type: str) -> str:
    """HTTP charset, then <meta> charset, then UTF-8, then windows-1252; never fails."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            return content.decode(encoding, errors="replace")
    meta = META_CHARSET_RE.search(content[:PRESCAN_BYTES])
    declared = (http_charset(content_type), meta and meta.group(1).decode("ascii"))
    for encoding in filter(None, map(_encoding, declared)):
        if encoding in SINGLE_BYTE and _is_utf8(content):
            return content.decode("utf-8")  # declared Latin-1, sent UTF-8
        try:
            return content.decode(encoding)
        except (UnicodeError, LookupError):
            continue
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _encoding(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith("utf-16"):
        return "utf-8"  # a page that can declare it in ASCII is not UTF-16 (WHATWG)
    return "cp1252" if name in AS_WINDOWS_1252 else name


def _is_utf8(content: bytes) -> bool:
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _soup(content: bytes, content_type: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(decode_html(content, content_type), "lxml")


def _compile_selectors(source: Source) -> dict[str, soupsieve.SoupSieve]:
    raw = source.selectors or {}
    for name in raw:
        if name not in SELECTOR_KEYS:
            raise ParseError(f"source « {source.id} » : champ « selectors.{name} » : "
                             f"clé inconnue (clés permises : {', '.join(SELECTOR_KEYS)})")
    if raw.get("item") is None:
        raise ParseError(f"source « {source.id} » : champ « selectors.item » : "
                         "sélecteur obligatoire absent (le bloc répété de la liste)")
    try:
        return {name: _compile(value, f"selectors.{name}") for name, value in raw.items()}
    except ParseError as exc:
        raise ParseError(f"source « {source.id} » : {exc}") from None


def _compile(selector, field: str) -> soupsieve.SoupSieve:
    if not isinstance(selector, str) or not selector.strip():
        raise ParseError(f"champ « {field} » : doit être un sélecteur CSS non vide")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # soupsieve's deprecation notices (":contains")
            return soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        raise ParseError(f"champ « {field} » : sélecteur CSS invalide « {selector} » "
                         f"(ligne {exc.line}, colonne {exc.col})") from None


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    return (base and absolute_http_url(base["href"], url)) or url


def _entry(block: Tag, selectors: dict[str, soupsieve.SoupSieve], base: str, official: bool) -> Entry:
    link_node, link = _link(block, selectors.get("link"), base)
    title_node = selectors["title"].select_one(block) if "title" in selectors else None
    title = _text(title_node) or _text(link_node)
    if not title and not link:
        raise Skip(NO_LINK)
    identity = f"url:{canonical_url(link)}" if link else f"title:{fold(title)}"
    title = title or link
    summary = _summary(block, selectors.get("summary"), base)
    return Entry(
        key=hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32],
        title=title,
        url=link,
        summary=summary,
        content_html=summary,  # the list page's text is all there is until the article is fetched
        published=_published(block, selectors.get("date")),
        jorf_id=find_jorf_id(link),
        nor=find_nor(title, summary) if official else None,
        nature=guess_nature(title) if official else None,
    )


def _link(block: Tag, selector: soupsieve.SoupSieve | None, base: str) -> tuple[Tag | None, str | None]:
    """The selected link, else the block's first http(s) link (the block itself may be the <a>)."""
    if selector is not None:
        node = selector.select_one(block)
        candidates = [] if node is None else [node] if node.has_attr("href") else node.select("a[href]", limit=1)
    else:
        candidates = ([block] if block.has_attr("href") else []) + block.select("a[href]")
    for node in candidates:
        url = _http_url(node["href"], base)
        if url:
            return node, url
    return None, None


def _http_url(href, base: str) -> str | None:
    url = absolute_http_url(href if isinstance(href, str) else None, base)
    return JSESSIONID_RE.sub("", url) if url else None


def _text(node: Tag | None) -> str:
    """Plain text with a space at block boundaries, so "1<sup>er</sup>" stays "1er"."""
    if node is None:
        return ""
    parts = []
    for element in node.descendants:
        if type(element) in STRING_TYPES:
            parts.append(str(element))
        elif isinstance(element, Tag) and (element.name in BLOCK_TAGS or element.name in CELL_TAGS):
            parts.append(" ")
    return clean_text("".join(parts))


def _published(block: Tag, selector: soupsieve.SoupSieve | None) -> datetime | None:
    """From a `datetime` attribute (on the node or a <time> inside it), else from the text."""
    node = selector.select_one(block) if selector is not None else block.find("time")
    if node is None:
        return None
    stamped = node if node.has_attr("datetime") else node.find("time", attrs={"datetime": True})
    return (stamped is not None and parse_french_date(stamped["datetime"])) or parse_french_date(_text(node))


def _summary(block: Tag, selector: soupsieve.SoupSieve | None, base: str) -> str:
    node = selector.select_one(block) if selector is not None else None
    if node is None:
        return ""
    _absolute_links(node, base)
    return node.decode_contents().strip()


def _absolute_links(node: Tag, base: str) -> None:
    """Resolve links against the list page: ingest would resolve them against the item's URL."""
    for attribute in ("href", "src"):
        for tag in node.find_all(attrs={attribute: True}):
            url = _http_url(tag[attribute], base)
            if url:
                tag[attribute] = url
            else:
                del tag[attribute]

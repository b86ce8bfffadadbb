"""RSS and Atom feeds, read with feedparser from bytes the chokepoint fetched."""
from __future__ import annotations

import hashlib
import html
import io
import re

import feedparser

from ..catalog import Source
from ..charset import UNCERTAIN, declares_encoding, uncertain_encoding
from ..dates import parse_datetime
from ..entry import NO_IDENTITY, NO_TEXT, Entry, ParseError, ParseResult, Skip, failure
from ..official import BARE_NOR_RE, OFFICIAL_CATEGORIES, JORFTEXT_RE, find_jorf_id, find_nor, guess_nature
from ..text import clean_text, fold, html_title, html_to_text, shorten
from ..urls import absolute_http_url, canonical_url
from ..xmlsafe import refuse_entity_declarations

FEED_ROOT_RE = re.compile(rb"<(?:\w+:)?(rss|feed|RDF)\b")
XML_ENCODING_RE = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=")
TITLE_CHARS = 120  # a title made of the first words of the text


def parse(content: bytes, url: str, content_type: str, source: Source) -> ParseResult:
    if not content.strip():
        raise ParseError("document vide")  # feedparser gives an empty result without `version`
    refuse_entity_declarations(content)
    # feedparser given a string would open it as a path or URL: hand it a stream of the bytes.
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-type": content_type or "application/xml", "content-location": url},
        # Ingest resolves links against each item's own URL and sanitises with one allow-list.
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    warnings: list[str] = []
    if parsed.bozo:
        problem = _problem(parsed.bozo_exception)
        if not parsed.entries and not (parsed.get("version") and FEED_ROOT_RE.search(content[:4096])):
            raise ParseError(f"flux illisible : {problem}")
        if not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
            warnings.append(f"flux mal formé, lu en mode tolérant : {problem}")
    elif not parsed.get("version"):
        raise ParseError("le document n'est pas un flux RSS ou Atom")

    if parsed.entries and not declares_encoding(content, content_type, XML_ENCODING_RE) \
            and uncertain_encoding(content):
        return ParseResult(entries=[], warnings=warnings, skipped={UNCERTAIN: len(parsed.entries)})

    warnings += _kind_note(parsed.get("version", ""), getattr(source, "kind", None))
    # Items without a date of their own take the channel's (legifrss dates only the JO issue).
    feed_date = parse_datetime(parsed.feed.get("published"), parsed.feed.get("published_parsed"))
    result = ParseResult(entries=[], warnings=warnings)
    for raw in parsed.entries:
        try:  # one bad entry never loses the others
            entry = _entry(raw, url, official=source.category in OFFICIAL_CATEGORIES)
        except Exception as exc:
            result.skip(failure(exc))
            continue
        entry.published = entry.published or feed_date
        result.entries.append(entry)
    return result


def _kind_note(version: str | None, declared: str | None) -> list[str]:
    """A feed declared `rss` that is Atom (or the reverse) reads fine, but feeds.yaml should say so."""
    actual = ("atom" if version.startswith("atom") else "rss") if version else None
    if actual is None or declared not in ("rss", "atom") or actual == declared:
        return []
    return [f"déclaré « kind: {declared} » dans feeds.yaml, mais le flux est au format "
            f"{'Atom' if actual == 'atom' else 'RSS'} : corrigez « kind »"]


def _problem(exc: Exception | None) -> str:
    if exc is None:
        return "erreur inconnue"
    line = getattr(exc, "getLineNumber", None)
    where = f"ligne {line()}, colonne {exc.getColumnNumber()} : " if callable(line) else ""
    message = getattr(exc, "getMessage", None)
    return where + (message() if callable(message) else str(exc))


def _entry(raw: feedparser.FeedParserDict, base_url: str, official: bool) -> Entry:
    title = _text(raw, "title")
    summary = _html(raw, "summary")
    content = _html(raw["content"][0], "value") if raw.get("content") else ""
    link = absolute_http_url(raw.get("link"), base_url)
    guid = (raw.get("id") or "").strip()

    jorf_id = None
    if JORFTEXT_RE.fullmatch(title):
        # legifrss puts the bare id in <title> and the human title in <description>.
        jorf_id, title = title, html_title(summary)
        if not content:
            content = summary
    elif BARE_NOR_RE.fullmatch(title) and summary:
        title = html_title(summary)
    content = content or summary
    title = title or shorten(html_to_text(content), TITLE_CHARS) or link
    if not title:
        raise Skip(NO_TEXT if guid else NO_IDENTITY)

    identity = f"guid:{guid}" if guid else (f"url:{canonical_url(link)}" if link else f"title:{fold(title)}")
    published = parse_datetime(raw.get("published"), raw.get("published_parsed")) \
        or parse_datetime(raw.get("updated"), raw.get("updated_parsed"))
    author = clean_text(raw.get("author"))
    return Entry(
        key=hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32],
        title=title,
        url=link,
        summary=summary if content != summary else "",
        content_html=content,
        published=published,
        jorf_id=jorf_id or find_jorf_id(guid, link),
        nor=find_nor(title, summary, content) if official else None,
        nature=guess_nature(title) if official else None,
        ministry=author if author.lower().startswith(("minist", "premier ministre")) else None,
        tags=tuple(filter(None, (clean_text(t.get("term")) for t in raw.get("tags", [])))),
    )


def _text(raw: feedparser.FeedParserDict, name: str) -> str:
    """A text construct as plain text: markup stripped only where the feed says it is HTML."""
    value = raw.get(name) or ""
    if (raw.get(f"{name}_detail") or {}).get("type") == "text/plain":
        return clean_text(value)
    return html_title(value)


def _html(raw: feedparser.FeedParserDict, name: str) -> str:
    """A text construct as HTML: plain text is escaped, so that « <40 000 €> » is not read as a tag."""
    value = raw.get(name) or ""
    detail = raw if name == "value" else (raw.get(f"{name}_detail") or {})
    return html.escape(value, quote=False) if detail.get("type") == "text/plain" else value

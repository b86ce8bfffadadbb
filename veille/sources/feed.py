"""RSS and Atom feeds, read with feedparser from bytes the chokepoint fetched."""
from __future__ import annotations

import hashlib
import io
import re

import feedparser

from ..catalog import Source
from ..dates import parse_datetime
from ..entry import Entry, ParseError, ParseResult
from ..official import BARE_NOR_RE, OFFICIAL_CATEGORIES, JORFTEXT_RE, find_jorf_id, find_nor, guess_nature
from ..text import fold, plain_title
from ..urls import absolute_http_url, canonical_url
from ..xmlsafe import refuse_entity_declarations

FEED_ROOT_RE = re.compile(rb"<(?:\w+:)?(rss|feed|RDF)\b")


def parse(content: bytes, url: str, content_type: str, source: Source) -> ParseResult:
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
        if not parsed.entries and not (parsed.version and FEED_ROOT_RE.search(content[:4096])):
            if not content.strip():
                raise ParseError("document vide")
            raise ParseError(f"flux illisible : {problem}")
        if not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
            warnings.append(f"flux mal formé, lu en mode tolérant : {problem}")
    elif not parsed.version:
        raise ParseError("le document n'est pas un flux RSS ou Atom")

    # Items without a date of their own take the channel's (legifrss dates only the JO issue).
    feed_date = parse_datetime(parsed.feed.get("published"), parsed.feed.get("published_parsed"))
    entries, skipped = [], 0
    for raw in parsed.entries:
        entry = _entry(raw, url, official=source.category in OFFICIAL_CATEGORIES)
        if entry is not None and entry.published is None:
            entry.published = feed_date
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return ParseResult(entries=entries, warnings=warnings, skipped=skipped)


def _problem(exc: Exception | None) -> str:
    if exc is None:
        return "erreur inconnue"
    line = getattr(exc, "getLineNumber", None)
    where = f"ligne {line()}, colonne {exc.getColumnNumber()} : " if callable(line) else ""
    message = getattr(exc, "getMessage", None)
    return where + (message() if callable(message) else str(exc))


def _entry(raw: feedparser.FeedParserDict, base_url: str, official: bool) -> Entry | None:
    title = raw.get("title", "") or ""
    summary = raw.get("summary", "") or ""
    content = raw["content"][0].get("value", "") if raw.get("content") else ""
    link = absolute_http_url(raw.get("link"), base_url)
    guid = (raw.get("id") or "").strip()

    jorf_id = None
    if JORFTEXT_RE.fullmatch(title.strip()):
        # legifrss puts the bare id in <title> and the human title in <description>.
        jorf_id, title = title.strip(), plain_title(summary)
        if not content:
            content = summary
    elif BARE_NOR_RE.fullmatch(title.strip()) and summary:
        title = plain_title(summary)
    title = plain_title(title)
    content = content or summary
    if not title and not link and not content.strip():
        return None
    if not title:
        title = plain_title(content)[:120] or link

    identity = f"guid:{guid}" if guid else (f"url:{canonical_url(link)}" if link else f"title:{fold(title)}")
    published = parse_datetime(raw.get("published"), raw.get("published_parsed")) \
        or parse_datetime(raw.get("updated"), raw.get("updated_parsed"))
    author = (raw.get("author") or "").strip()
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
        ministry=plain_title(author) if author.lower().startswith(("minist", "premier ministre")) else None,
        tags=tuple(plain_title(t.get("term") or "") for t in raw.get("tags", []) if t.get("term")),
    )

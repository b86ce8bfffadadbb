"""List pages whose items link to the full text: fetch each new article page, a few per crawl.

Options of an `html` source: `fetch_article: true`, `article_selector: "…"` (else <article>,
<main> or the page body), `max_articles` (10 per crawl). The cursor remembers the pages
already fetched, so a list page that changes does not refetch every article, and the pages that
failed: a missing one (4xx) is given up at once, any other failure after ATTEMPTS crawls.
"""
from __future__ import annotations

from ..catalog import Source
from ..entry import ParseError
from ..fetch import FetchError, Fetcher
from .html import article_text
from .html import parse as parse_list
from .reading import Position, Reading, single_document

REMEMBERED = 500  # article keys kept in the cursor
ATTEMPTS = 3  # crawls that may try a failing article page
read_list = single_document(parse_list)


def read(fetcher: Fetcher, source: Source, position: Position) -> Reading:
    reading = read_list(fetcher, source, position)
    if reading.parsed is None or not source.options.get("fetch_article"):
        return reading
    done = list((position.cursor or {}).get("articles", []))
    failures = dict((position.cursor or {}).get("failures", {}))
    budget = source.options.get("max_articles", 10)
    budget = budget if isinstance(budget, int) and budget > 0 else 10
    for entry in reading.parsed.entries:
        if budget == 0:
            entry.partial = entry.key in done
            continue
        if entry.key in done:
            entry.partial = True  # its article was read by an earlier crawl: keep that text
            continue
        if not entry.url:
            continue
        budget -= 1
        try:
            page = fetcher.get(entry.url, allow_private=source.allow_private)
            text = article_text(page.content, page.url, page.content_type, source.options.get("article_selector"))
        except (FetchError, ParseError) as exc:
            reading.parsed.warnings.append(f"article {entry.url} : {getattr(exc, 'message', None) or exc}")
            failures[entry.key] = failures.get(entry.key, 0) + 1
            if _missing(exc) or failures[entry.key] >= ATTEMPTS:
                done.append(entry.key)  # given up: the list page's summary stays the text
                failures.pop(entry.key)
            continue
        if text:
            entry.content_html = text
        done.append(entry.key)
        failures.pop(entry.key, None)
    reading.cursor = {**(position.cursor or {}), "articles": done[-REMEMBERED:],
                      "failures": dict(list(failures.items())[-REMEMBERED:])}
    return reading


def _missing(exc: Exception) -> bool:
    """The page is not there and asking again will not change that (4xx but timeout and rate limit)."""
    status = getattr(exc, "status", None)
    return getattr(exc, "gone", False) or (status is not None and 400 <= status < 500 and status not in (408, 429))

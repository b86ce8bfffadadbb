"""What every source kind's reader takes and gives."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..catalog import Source
from ..entry import ParseResult
from ..fetch import Fetcher, FetchResult

Parser = Callable[[bytes, str, str, Source], ParseResult]


@dataclass(frozen=True)
class Position:
    """Where a source stands before this read."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    cursor: dict | None = None


@dataclass
class Reading:
    result: FetchResult  # the source URL's own response: status, validators, moves
    parsed: ParseResult | None  # None when the source answered 304
    cursor: dict | None = None
    complete: bool = True  # False: keep the old validators so that the next crawl retries


Reader = Callable[[Fetcher, Source, Position], Reading]


def max_bytes(source: Source) -> int | None:
    """A source may raise the body cap (`options: {max_mb: 200}`) for a large archive."""
    value = source.options.get("max_mb")
    return int(value) * 1024 * 1024 if isinstance(value, int) and value > 0 else None


def single_document(parse: Parser) -> Reader:
    def read(fetcher: Fetcher, source: Source, position: Position) -> Reading:
        result = fetcher.get(position.url, etag=position.etag, last_modified=position.last_modified,
                             allow_private=source.allow_private, max_bytes=max_bytes(source))
        if result.not_modified:
            return Reading(result, None, position.cursor)
        return Reading(result, parse(result.content, result.url, result.content_type, source), position.cursor)
    return read


def by_format(readers: dict[str, Reader], default: Reader) -> Reader:
    """The reader named by the source's `options: {format: …}`, else the default."""
    def read(fetcher: Fetcher, source: Source, position: Position) -> Reading:
        return readers.get(source.options.get("format"), default)(fetcher, source, position)
    return read

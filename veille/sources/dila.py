"""DILA open data: the Apache listing of dumps and their tar.gz, read as a stream.

Every DILA fonds (JORF, JADE, LEGI…) is published the same way: a directory of
`FONDS_YYYYMMDD-HHMMSS.tar.gz` files, each holding one XML file per record. The
Questions-Réponses fonds names its tar.gz by JO issue instead (`ANQ20260010.taz`).
"""
from __future__ import annotations

import gzip
import io
import logging
import re
import tarfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Callable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from ..catalog import Source
from ..dates import PARIS
from ..entry import ParseError, ParseResult
from ..fetch import FetchError, Fetcher
from .reading import Position, Reader, Reading, max_bytes

log = logging.getLogger(__name__)

MIB = 1024 * 1024
GIB = 1024 * MIB
HTML_RE = re.compile(r"<(?:!doctype\s+html|html|head|body|title|pre|table|a)\b", re.IGNORECASE)
TAR_END_BYTES = 2 * tarfile.BLOCKSIZE  # the two zero blocks that close a tar


@dataclass(frozen=True)
class Dump:
    name: str
    url: str
    stamp: datetime | None  # None when the name carries no time


def _as_named(name: str) -> str:
    return name


@dataclass(frozen=True)
class DumpNames:
    """How a directory names its dumps. `order` gives, from a name, a key that sorts in publication
    order (the name itself by default): the listing is sorted by it and the cursor compares it."""

    pattern: re.Pattern  # an optional `stamp` group holds YYYYMMDD-HHMMSS, Paris time
    shape: str  # the name as a message shows it
    order: Callable[[str], str] = _as_named


def daily_dumps(prefix: str) -> DumpNames:
    """`PREFIX_YYYYMMDD-HHMMSS.tar.gz`: the daily dumps of JORF, JADE, LEGI…"""
    return DumpNames(re.compile(rf"^{re.escape(prefix)}_(?P<stamp>[0-9]{{8}}-[0-9]{{6}})\.tar\.gz$"),
                     f"{prefix}_AAAAMMJJ-HHMMSS.tar.gz")


JORF_DUMPS = daily_dumps("JORF")


# --- The listing -------------------------------------------------------------------------

def parse_listing(content: bytes, base_url: str, names: DumpNames = JORF_DUMPS) -> list[Dump]:
    """The dumps named like `names` in an Apache directory listing, oldest first."""
    encoding = _listing_encoding(content)
    if b"\x00" in content or not HTML_RE.search(content.decode(encoding)):
        raise ParseError("la liste des fichiers de la DILA n'est pas une page HTML")
    try:
        document = lxml.html.document_fromstring(content, parser=lxml.html.HTMLParser(encoding=encoding))
    except (ValueError, etree.ParserError) as exc:
        raise ParseError(f"liste des fichiers de la DILA illisible : {exc}") from None
    base = _directory(base_url)
    dumps = {dump.name: dump for anchor in document.iter("a") if (dump := _dump(anchor.get("href"), base, names))}
    return sorted(dumps.values(), key=lambda dump: names.order(dump.name))


def _listing_encoding(content: bytes) -> str:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "iso-8859-1"
    return "utf-8"


def _directory(url: str) -> str:
    """A listing is a directory: without its final slash, relative links would lose a level."""
    parts = urlsplit(url)
    return url if parts.path.endswith("/") else parts._replace(path=parts.path + "/").geturl()


def _dump(href: str | None, base: str, names: DumpNames) -> Dump | None:
    if not href:
        return None
    try:
        parts = urlsplit(urljoin(base, href.strip()))
    except ValueError:
        return None
    if (parts.scheme, parts.netloc) != urlsplit(base)[:2] or parts.query:
        return None
    name = unquote(parts.path.rsplit("/", 1)[-1])
    match = names.pattern.match(name)
    if not match:
        return None
    stamp = match.groupdict().get("stamp")
    if stamp is None:
        return Dump(name, parts.geturl(), None)
    try:
        local = datetime.strptime(stamp, "%Y%m%d-%H%M%S")
    except ValueError:
        return None
    # The stamp in the name is the DILA server's clock, in Paris time.
    return Dump(name, parts.geturl(), local.replace(tzinfo=PARIS).astimezone(timezone.utc))


# --- The tar.gz --------------------------------------------------------------------------

def iter_members(fileobj: IO[bytes], *, max_member_bytes: int = 20 * MIB, max_total_bytes: int = 2 * GIB,
                 max_members: int = 200_000, suffixes: tuple[str, ...] = (".xml",),
                 warn: Callable[[str], None] = log.warning) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each regular member whose name ends with one of `suffixes`, read as a
    stream: nothing touches the disk.

    gzip.GzipFile does the decompression, not tarfile's "r|gz": it checks the CRC and the end of
    the stream, where tarfile would take a download cut between two members for a whole archive.
    """
    stream = _Decompressed(fileobj)
    tar = _tar_call(lambda: tarfile.open(fileobj=stream, mode="r|", encoding="utf-8", errors="replace"), "")
    count = 0
    where = ""
    while (member := _tar_call(tar.next, where)) is not None:
        tar.members = []  # a stream keeps every header it read: 200 000 of them is memory for nothing
        count += 1
        if count > max_members:
            raise ParseError(f"archive refusée : plus de {max_members} membres")
        if stream.size + (member.size if member.isreg() else 0) > max_total_bytes:
            raise ParseError(f"archive refusée : plus de {_size(max_total_bytes)} une fois décompressée")
        if _skip(member, warn) or not member.name.lower().endswith(suffixes):
            continue
        if member.size > max_member_bytes:
            raise ParseError(f"membre « {member.name} » refusé : {member.size} octets, "
                             f"au-delà de la limite de {_size(max_member_bytes)}")
        content = _tar_call(lambda: tar.extractfile(member).read(), f" dans le membre « {member.name} »")
        where = f" après le membre « {member.name} »"
        yield member.name, content
    _check_end(stream, max_total_bytes, where)


class _Decompressed:
    """The decompressed stream, counting its bytes and keeping its last ones."""

    def __init__(self, fileobj: IO[bytes]):
        self._gzip = gzip.GzipFile(fileobj=fileobj, mode="rb")
        self.size = 0
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        data = self._gzip.read(size)
        self.size += len(data)
        self.tail = (self.tail + data[-TAR_END_BYTES:])[-TAR_END_BYTES:]
        return data


def _check_end(stream: _Decompressed, max_total_bytes: int, where: str) -> None:
    """A whole tar ends with two zero blocks and a whole gzip with its CRC: read to the end to see both."""
    while _tar_call(lambda: stream.read(64 * 1024), where):
        if stream.size > max_total_bytes:
            raise ParseError(f"archive refusée : plus de {_size(max_total_bytes)} une fois décompressée")
    if stream.size % tarfile.BLOCKSIZE or stream.tail.strip(b"\0") or len(stream.tail) < TAR_END_BYTES:
        raise ParseError(f"archive tar.gz illisible{where} : archive tronquée, la fin d'archive tar manque")


def _skip(member: tarfile.TarInfo, warn: Callable[[str], None]) -> bool:
    """True for members never read: directories silently, anything unsafe with a warning."""
    name = member.name
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        reason = "chemin absolu"
    elif ".." in parts:
        reason = "chemin qui sort de l'archive (« .. »)"
    elif member.issym():
        reason = "lien symbolique"
    elif member.islnk():
        reason = "lien physique"
    elif member.isdir():
        return True
    elif member.issparse() or not member.isreg():
        reason = "fichier spécial (périphérique, tube ou fichier creux)"
    else:
        return False
    warn(f"membre « {name} » ignoré : {reason}")
    return True


def _tar_call(call, where: str):
    try:
        return call()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ParseError(f"archive tar.gz illisible{where} : {_tar_problem(exc)}") from None


def _tar_problem(exc: Exception) -> str:
    message = str(exc).lower()
    if isinstance(exc, EOFError) or "unexpected end" in message or "end of file" in message:
        return "archive tronquée"
    if isinstance(exc, (zlib.error, gzip.BadGzipFile)) or any(w in message for w in ("gzip", "zlib", "crc")):
        return "compression gzip invalide ou corrompue"
    if "empty" in message:
        return "archive vide"
    return "structure tar invalide"


def _size(count: int) -> str:
    for unit, size in (("Gio", GIB), ("Mio", MIB)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} octets"


# --- Reading a fonds: the listing, then the dumps not yet read -------------------------------

DUMP_MAX_BYTES = 512 * MIB
ArchiveParser = Callable[[IO[bytes], Source], ParseResult]


def dump_reader(names: DumpNames, read_archive: ArchiveParser) -> Reader:
    """A reader for a DILA directory: the cursor remembers the last dump read.

    The first read takes only the newest `initial_dumps` (1) dumps, not years of history;
    each crawl then reads at most `max_dumps` (5) new ones, oldest first. A dump that fails
    stops the read there, so that the next crawl retries it.
    """
    def read(fetcher: Fetcher, source: Source, position: Position) -> Reading:
        listing = fetcher.get(position.url, etag=position.etag, last_modified=position.last_modified,
                              allow_private=source.allow_private)
        if listing.not_modified:
            return Reading(listing, None, position.cursor)
        dumps = parse_listing(listing.content, listing.url, names)
        last = (position.cursor or {}).get("last_dump")
        todo = [d for d in dumps if last is None or names.order(d.name) > names.order(last)]
        if last is None:
            todo = todo[-_option(source, "initial_dumps", 1):]
        todo = todo[:_option(source, "max_dumps", 5)]
        parsed, complete = ParseResult(entries=[], found=len(dumps)), True
        for dump in todo:
            try:
                archive = fetcher.get(dump.url, allow_private=source.allow_private,
                                      max_bytes=max_bytes(source) or DUMP_MAX_BYTES)
                archive_result = read_archive(io.BytesIO(archive.content), source)
            except (FetchError, ParseError) as exc:
                parsed.warnings.append(f"{dump.name} : {getattr(exc, 'message', None) or exc} ; "
                                       "nouvel essai au prochain relevé")
                complete = False
                break
            parsed.add(archive_result)
            last = dump.name
        if not dumps:
            parsed.warnings.append(f"aucun fichier {names.shape} dans la liste")
        return Reading(listing, parsed, {"last_dump": last} if last else None, complete)
    return read


def _option(source: Source, name: str, default: int) -> int:
    value = source.options.get(name, default)
    return value if isinstance(value, int) and value > 0 else default

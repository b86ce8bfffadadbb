"""One face for every source kind: a reader fetches through the chokepoint and parses.

Single-document kinds (a feed, a list page, one JSON or zip file) are a parser of bytes
wrapped by `single_document`; multi-document kinds (DILA dump directories) read a listing
and then the documents not yet seen, remembered in the source's cursor.
"""
from __future__ import annotations

from . import articles, dila, feed, jorf, jurisprudence, questions
from .reading import Position, Reader, Reading, by_format, single_document

__all__ = ["Position", "Reader", "Reading", "reader_for"]

READERS: dict[str, Reader] = {
    "rss": single_document(feed.parse),
    "atom": single_document(feed.parse),
    "html": articles.read,
    "jorf": dila.dump_reader("JORF", jorf.read_archive),
    "questions": single_document(questions.parse),
    "jurisprudence": by_format({"jade": dila.dump_reader("JADE", jurisprudence.read_archive)},
                               single_document(jurisprudence.parse)),
}


def reader_for(kind: str) -> Reader | None:
    return READERS.get(kind)

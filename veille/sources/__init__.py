"""One face for every source kind: a reader fetches through the chokepoint and parses.

Single-document kinds (a feed, a list page, one JSON or zip file) are a parser of bytes
wrapped by `single_document`; multi-document kinds (DILA dump directories) read a listing
and then the documents not yet seen, remembered in the source's cursor.
"""
from __future__ import annotations

from . import articles, circulaires, dila, dila_questions, feed, jorf, jurisprudence, questions
from .reading import Position, Reader, Reading, by_format, single_document

__all__ = ["Position", "Reader", "Reading", "reader_for"]

READERS: dict[str, Reader] = {
    "rss": single_document(feed.parse),
    "atom": single_document(feed.parse),
    "html": articles.read,
    "jorf": dila.dump_reader(dila.JORF_DUMPS, jorf.read_archive),
    "circulaires": circulaires.read,
    "questions": by_format({"dila": dila.dump_reader(dila_questions.TAZ_NAMES, dila_questions.read_archive)},
                           single_document(questions.parse)),
    "jurisprudence": by_format({"jade": dila.dump_reader(dila.daily_dumps("JADE"), jurisprudence.read_archive)},
                               single_document(jurisprudence.parse)),
}


def reader_for(kind: str) -> Reader | None:
    return READERS.get(kind)

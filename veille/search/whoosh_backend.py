"""Whoosh (pure Python, VEILLE_SEARCH=whoosh): good up to a few tens of thousands of items.

Whoosh is slow wherever it walks postings in Python, so this backend reads each (field, term)
once per index generation and caches it as bit sets and scores (whoosh_sets.py). Phrases are matched on an extra field of adjacent word pairs, stop words
included as tantivy's positions include them ("conseil d'État": conseil_d, d_etat), instead of
Whoosh's position checks, which take seconds on common words; so no positions are indexed at
all, which also makes writing faster. A phrase of two words is one pair, exact by itself; for
longer ones, the documents holding every pair are checked against their stored text, so that a
phrase finds on both engines the same items.
"""
from __future__ import annotations

from datetime import timezone
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import DATETIME, ID as WID, KEYWORD as WKEYWORD, STORED as WSTORED, TEXT as WTEXT, Schema

from . import Backend, Hit, SearchRequest, SearchResult, reporting
from .analysis import FOLDED, LOWERED, STEMMED, analyzer, stems
from .document import (DATE, EXACT_FIELDS, FACETS, FIELDS, ID, IDENT, KEYWORD, SNIPPET_FIELDS,
                       SPELL, STORED, TEXT, TEXT_FIELDS, VERSION, YEAR)
from .highlight import plain_snippet, snippet
from .whoosh_sets import PAIRS, DocSets, naive, pairs

INDEX_NAME = "veille"
SEPARATOR = "\x1f"  # between the text fields in the pairs field: no pair across two fields
BUILD_MEMORY_MB = 256


class FrenchTokenizer(Tokenizer):
    """The shared French analysis (analysis.py) as a Whoosh tokenizer; with PAIRS, the
    adjacent content-word pairs of each part of the value (parts split by SEPARATOR)."""

    def __init__(self, name: str = STEMMED):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, FrenchTokenizer) and other.name == self.name

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if self.name == PAIRS:
            for pair in dict.fromkeys(p for part in value.split(SEPARATOR) for p in pairs(stems(part))):
                token.text, token.boost, token.stopped = pair, 1.0, False
                yield token
            return
        for found in analyzer(self.name).pre_tokenize(value).tokens:
            token.text = found.text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + found.position
            yield token


def _schema() -> Schema:
    fields = {}
    for f in FIELDS:
        if f.kind == ID:
            fields[f.name] = WID(stored=True, unique=True, sortable=True)
        elif f.kind == TEXT:
            fields[f.name] = WTEXT(analyzer=FrenchTokenizer(), phrase=False, stored=f.stored)  # no positions:
            # phrases are matched on PAIRS
        elif f.kind == SPELL:
            fields[f.name] = WTEXT(analyzer=FrenchTokenizer(LOWERED), phrase=False)
        elif f.kind in (IDENT, KEYWORD, YEAR):
            fields[f.name] = WKEYWORD(stored=f.stored, scorable=f.kind == IDENT)
        elif f.kind == DATE:
            fields[f.name] = DATETIME(stored=f.stored, sortable=True)
        elif f.kind == VERSION:
            fields[f.name] = WID(sortable=True)
        elif f.kind == STORED:
            fields[f.name] = WSTORED()
    for f in EXACT_FIELDS.values():
        fields[f.name] = WTEXT(analyzer=FrenchTokenizer(FOLDED), phrase=False)
    fields[PAIRS] = WTEXT(analyzer=FrenchTokenizer(PAIRS), phrase=False)
    return Schema(**fields)


def _whoosh_document(doc: dict) -> dict:
    out = {}
    for f in FIELDS:
        value = doc.get(f.name)
        if value is None or value == "" or value == []:
            continue
        if f.kind == DATE:
            value = naive(value)
        elif f.kind == YEAR:
            value = str(value)
        elif isinstance(value, list):
            value = " ".join(value)
        out[f.name] = value
    out.update({EXACT_FIELDS[name].name: out[name] for name in EXACT_FIELDS if name in out})
    out[PAIRS] = SEPARATOR.join(doc.get(f.name) or "" for f in TEXT_FIELDS)
    return out


class WhooshBackend(Backend):
    name = "whoosh"

    def __init__(self, ix, path: Path):
        self.ix = ix
        self.path = path
        self._searcher = None
        self._sets: DocSets | None = None

    @classmethod
    def create(cls, path: Path) -> "WhooshBackend":
        return cls(whoosh_index.create_in(str(path), _schema(), indexname=INDEX_NAME), path)

    @classmethod
    def open(cls, path: Path) -> "WhooshBackend":
        return cls(whoosh_index.open_dir(str(path), indexname=INDEX_NAME), path)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    # writing

    def write(self, documents: list[dict], deleted: Iterable[str] = ()) -> None:
        writer = self.ix.writer()
        try:
            for item_id in deleted:
                writer.delete_by_term("id", item_id)
            for doc in documents:
                writer.update_document(**_whoosh_document(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def build(self, documents: Iterable[dict], on_batch=None) -> None:
        """Two processes fill one segment each. Merging them would take longer than the
        whole build (Whoosh merges in Python) for a search barely faster."""
        writer = self.ix.writer(procs=2, limitmb=BUILD_MEMORY_MB, multisegment=True)
        try:
            for doc in reporting(documents, on_batch):
                writer.add_document(**_whoosh_document(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    # reading

    def _current(self):
        if self._searcher is not None and not self._searcher.up_to_date():
            # not Searcher.refresh(): it reuses segment readers that miss newer deletions
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self.ix.searcher()
            self._sets = None
        if self._sets is None:
            self._sets = DocSets(self._searcher)
        return self._searcher, self._sets

    def count(self) -> int:
        return self._current()[0].doc_count()

    def fingerprints(self) -> dict[str, str]:
        searcher, sets = self._current()
        if sets.empty:
            return {}
        reader = searcher.reader()
        ids, versions = reader.column_reader("id"), reader.column_reader("fingerprint")
        return {ids[d]: versions[d] for d in reader.all_doc_ids()}

    def vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        reader = self._current()[0].reader()
        return [(term.decode("utf-8"), reader.doc_frequency("spell", term))
                for term in reader.expand_prefix("spell", prefix)]

    def search(self, request: SearchRequest) -> SearchResult:
        searcher, sets = self._current()
        if sets.empty:
            return SearchResult(0, [], {name: [] for name in FACETS} if request.facets else {})
        root = request.query.root
        matched = sets.live if root is None else sets.evaluate(root)
        if request.topics:
            matched &= sets.any_of("topics", request.topics)
        if request.categories:
            matched &= sets.any_of("category", request.categories)
        if request.since or request.until:
            matched &= sets.dates(request.since, request.until)
        wanted = request.offset + request.per_page
        clauses = sets.clauses(root) if root is not None else []
        if request.sort == "date" or not clauses:
            page = [(d, 0.0) for d in sets.newest(matched, wanted)]
        else:
            page = sets.best(clauses, matched, wanted)
        stems_found = request.query.stems()
        hits = [self._hit(searcher, docnum, score, stems_found, request.snippets)
                for docnum, score in page[request.offset:]]
        facets = sets.facets(matched) if request.facets else {}
        return SearchResult(matched.bit_count(), hits, facets)

    def _hit(self, searcher, docnum: int, score: float, stems: set[str], snippets: bool) -> Hit:
        stored = searcher.stored_fields(docnum)
        found = None
        if snippets:
            texts = [stored.get(name, "") for name in SNIPPET_FIELDS]
            found = next(filter(None, (snippet(text, stems) for text in texts)), None) \
                or plain_snippet(next(filter(None, texts), ""))
        published = stored.get("published")
        return Hit(id=stored["id"], title=stored.get("title", ""), url=stored.get("url", ""),
                   published=published.replace(tzinfo=timezone.utc) if published else None,
                   score=float(score), category=stored.get("category", ""), nature=stored.get("nature", ""),
                   snippet=found)

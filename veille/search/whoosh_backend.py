"""Whoosh (pure Python, VEILLE_SEARCH=whoosh): good up to a few tens of thousands of items.

Whoosh is slow wherever it walks postings in Python, so this backend reads each (field, term)
once per index generation and caches it: a bit set (a Python integer, one bit per document)
and the term's BM25 score in each document. Matching, filters, dates, counts and facet counts
are then integer operations; ranking sums cached scores, walking the best-scored documents
of each term first and stopping as soon as no other document can enter the page (Fagin's
threshold algorithm). Phrases are matched on an extra field of adjacent word pairs, stop words
included as tantivy's positions include them ("conseil d'État": conseil_d, d_etat), instead of
Whoosh's position checks, which take seconds on common words; so no positions are indexed at
all, which also makes writing faster. A phrase of two words is one pair, exact by itself; for
longer ones, the documents holding every pair are checked against their stored text, so that a
phrase finds on both engines the same items.
"""
from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import OrderedDict
from datetime import datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import DATETIME, ID as WID, KEYWORD as WKEYWORD, STORED as WSTORED, TEXT as WTEXT, Schema
from whoosh.scoring import bm25
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long

from . import Backend, Hit, SearchRequest, SearchResult, reporting
from .analysis import FOLDED, LOWERED, STEMMED, analyzer, stems, stop_stems
from .document import (DATE, EXACT_FIELDS, FACETS, FIELDS, ID, IDENT, IDENT_FIELDS, KEYWORD, SNIPPET_FIELDS,
                       SPELL, STORED, TEXT, TEXT_FIELDS, VERSION, YEAR)
from .highlight import plain_snippet, snippet
from .query import And, Filter, Identifier, Node, Not, Or, Phrase, Term

INDEX_NAME = "veille"
PAIRS = "pairs"  # the field of adjacent content-word pairs, for phrases
SEPARATOR = "\x1f"  # between the text fields in the pairs field: no pair across two fields
CACHED_TERMS = 4096
BUILD_MEMORY_MB = 256
SCORE_ALL_BELOW = 5000  # rank a matched set this small by scoring each of its documents
B, K1 = 0.75, 1.2  # BM25, as Whoosh's default
NONZERO_RE = re.compile(rb"[^\x00]")
BITS = [tuple(b for b in range(8) if byte >> b & 1) for byte in range(256)]
LENGTHS = [byte_to_length(b) for b in range(256)]  # Whoosh stores field lengths as one byte


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
            for pair in dict.fromkeys(p for part in value.split(SEPARATOR) for p in _pairs(stems(part))):
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


def _pairs(found: list[str]) -> list[str]:
    """Adjacent words, stop words included: what phrases are matched on."""
    return [f"{a}_{b}" for a, b in zip(found, found[1:])]


def _holds(found: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether these analysed words hold the phrase's, side by side and in order."""
    first, size = phrase[0], len(phrase)
    return any(found[i:i + size] == list(phrase) for i, word in enumerate(found) if word == first)


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
            value = _naive(value)
        elif f.kind == YEAR:
            value = str(value)
        elif isinstance(value, list):
            value = " ".join(value)
        out[f.name] = value
    out.update({EXACT_FIELDS[name].name: out[name] for name in EXACT_FIELDS if name in out})
    out[PAIRS] = SEPARATOR.join(doc.get(f.name) or "" for f in TEXT_FIELDS)
    return out


def _naive(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


class WhooshBackend(Backend):
    name = "whoosh"

    def __init__(self, ix, path: Path):
        self.ix = ix
        self.path = path
        self._searcher = None
        self._sets: _DocSets | None = None

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
            self._sets = _DocSets(self._searcher)
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


class _Postings:
    """One (field, term) of one index generation: its documents and, for searched fields, its scores."""

    __slots__ = ("bits", "scores", "_ranked")

    def __init__(self, bits: int, scores: dict[int, float]):
        self.bits = bits
        self.scores = scores
        self._ranked: list[tuple[int, float]] | None = None

    def ranked(self) -> list[tuple[int, float]]:
        """(docnum, score), best first."""
        if self._ranked is None:
            self._ranked = sorted(self.scores.items(), key=itemgetter(1), reverse=True)
        return self._ranked


class _DocSets:
    """Documents of one index generation as bit sets (Python integers) and scores, cached."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self.live = self._bits(self.reader.all_doc_ids())
        self.cache: OrderedDict = OrderedDict()
        self._facets: dict[str, list[tuple[str, int]]] | None = None
        self._by_date: tuple[list[int], list[int], list[int]] | None = None

    @property
    def empty(self) -> bool:
        """An index of an empty archive has no segment: Whoosh then can neither score (its idf
        takes the log of 0) nor read columns; there is nothing to find anyway."""
        return self.size == 0

    def _bits(self, docnums: Iterable[int]) -> int:
        buffer = bytearray(self.size // 8 + 1)
        for d in docnums:
            buffer[d >> 3] |= 1 << (d & 7)
        return int.from_bytes(buffer, "little")

    def _cached(self, key, compute):
        value = self.cache.get(key)
        if value is None:
            value = compute()
            self.cache[key] = value
            if len(self.cache) > CACHED_TERMS:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(key)
        return value

    def postings(self, field: str, text: str) -> _Postings:
        return self._cached((field, text), lambda: self._read(field, text))

    def _read(self, field: str, text: str) -> _Postings:
        scored = self.searcher.schema[field].scorable
        scores: dict[int, float] = {}
        docnums: list[int] = []
        if scored:
            idf = self.searcher.idf(field, text)
            average = self.searcher.avg_field_length(field) or 1.0
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if (field, text) not in reader:
                continue
            matcher = reader.postings(field, text)
            if scored:
                lengths = self._lengths(reader, field)
                for d, weight in matcher.items_as("weight"):
                    scores[d + offset] = bm25(idf, weight, lengths[d] or 1, average, B, K1)
            else:
                docnums.extend(d + offset for d in matcher.all_ids())
        return _Postings(self._bits(scores if scored else docnums) & self.live, scores)

    def _lengths(self, reader, field: str) -> list[int]:
        """The field's length in each document of a segment, read whole from Whoosh's length
        column (a private part of its codec, pinned with the package): one call per posting
        through the public doc_field_length() costs more than the rest of the scoring."""
        key = ("lengths", id(reader), field)
        return self._cached(key, lambda: [LENGTHS[b] for b in reader._perdoc.column_reader(
            _lenfield(field), LENGTHS_COLUMN)])

    def term(self, field: str, text: str) -> int:
        return self.postings(field, text).bits

    def any_of(self, field: str, values: Iterable[str]) -> int:
        bits = 0
        for value in values:
            bits |= self.term(field, value)
        return bits

    def any_of_fields(self, fields, text: str) -> int:
        bits = 0
        for f in fields:
            bits |= self.term(f.name, text)
        return bits

    def evaluate(self, node: Node) -> int:
        if isinstance(node, Term):
            return self.any_of_fields(TEXT_FIELDS, node.stem)
        if isinstance(node, Phrase):
            return self.phrase(node.stems)
        if isinstance(node, Identifier):
            return self.any_of_fields(IDENT_FIELDS, node.value)
        if isinstance(node, Filter):
            return self.any_of(node.field, node.values)
        if isinstance(node, Not):
            return self.live & ~self.evaluate(node.node)
        if isinstance(node, And):
            bits = self.live
            for child in node.nodes:
                bits &= self.evaluate(child)
            return bits
        bits = 0
        for child in node.nodes:
            bits |= self.evaluate(child)
        return bits

    def phrase(self, found: tuple[str, ...]) -> int:
        bits = self.live
        for pair in _pairs(list(found)):
            bits &= self.term(PAIRS, pair)
        if len(found) <= 2:
            return bits
        return self._cached(("phrase", found), lambda: self._bits(d for d in self.members(bits)
                                                                  if self._holds(d, found)))

    def _holds(self, docnum: int, phrase: tuple[str, ...]) -> bool:
        stored = self.searcher.stored_fields(docnum)
        return any(_holds(stems(stored.get(f.name) or ""), phrase) for f in TEXT_FIELDS)

    def clauses(self, node: Node) -> list[tuple[float, _Postings]]:
        """(boost, postings) of every searched word of the query: a document's score is the
        sum of its boosted BM25 scores for them (excluded words and filters score nothing)."""
        if isinstance(node, Term):
            exact = [EXACT_FIELDS[f.name] for f in TEXT_FIELDS] if node.form else []
            return [(f.boost, self.postings(f.name, node.stem)) for f in TEXT_FIELDS] + \
                [(f.boost, self.postings(f.name, node.form)) for f in exact]
        if isinstance(node, Phrase):
            stop = stop_stems()
            return [c for stem in dict.fromkeys(node.stems) if stem not in stop for c in self.clauses(Term(stem))]
        if isinstance(node, Identifier):
            return [(f.boost, self.postings(f.name, node.value)) for f in IDENT_FIELDS]
        if isinstance(node, (And, Or)):
            return [c for child in node.nodes for c in self.clauses(child)]
        return []

    def best(self, clauses: list[tuple[float, _Postings]], bits: int, count: int) -> list[tuple[int, float]]:
        """The `count` best-scored documents of a set: (docnum, score), best first."""
        clauses = [(boost, p) for boost, p in clauses if p.scores]
        if count <= 0 or not bits:
            return []

        def score(d: int) -> float:
            return sum(boost * p.scores.get(d, 0.0) for boost, p in clauses)

        if bits.bit_count() <= SCORE_ALL_BELOW:
            ranked = heapq.nlargest(count, ((score(d), -d) for d in self.members(bits)))
        else:
            ranked = self._threshold(clauses, bits, count, score)
        found = [(-negative, s) for s, negative in ranked]
        if len(found) < count:  # documents matched by filters alone score nothing: newest first
            chosen = {d for d, _ in found}
            found += [(d, 0.0) for d in self.newest(bits, count + len(found)) if d not in chosen][:count - len(found)]
        return found

    def _threshold(self, clauses, bits: int, count: int, score) -> list[tuple[float, int]]:
        mask = bits.to_bytes(self.size // 8 + 1, "little")
        lists = [(boost, p.ranked()) for boost, p in clauses]
        positions = [0] * len(lists)
        heap: list[tuple[float, int]] = []
        seen: set[int] = set()
        while True:
            active = False
            for i, (boost, ranked) in enumerate(lists):
                j = positions[i]
                if j >= len(ranked):
                    continue
                active = True
                positions[i] = j + 1
                d = ranked[j][0]
                if d in seen or not mask[d >> 3] >> (d & 7) & 1:
                    continue
                seen.add(d)
                entry = (score(d), -d)
                if len(heap) < count:
                    heapq.heappush(heap, entry)
                elif entry > heap[0]:
                    heapq.heapreplace(heap, entry)
            if not active:
                break
            if len(heap) == count:
                ceiling = sum(boost * ranked[positions[i]][1] for i, (boost, ranked) in enumerate(lists)
                              if positions[i] < len(ranked))
                if heap[0][0] >= ceiling:
                    break
        return sorted(heap, reverse=True)

    def dates(self, since: datetime | None, until: datetime | None) -> int:
        _, order, ordered_stamps = self.by_date()
        start = bisect_left(ordered_stamps, datetime_to_long(_naive(since))) if since else 0
        end = bisect_left(ordered_stamps, datetime_to_long(_naive(until))) if until else len(order)
        return self._cached(("dates", start, end), lambda: self._bits(order[start:end]))

    def by_date(self) -> tuple[list[int], list[int], list[int]]:
        """Publication stamps by docnum; live docnums oldest first; their stamps in that order."""
        if self._by_date is None:
            stamps = list(self.reader.column_reader("published", translate=False))
            order = sorted(self.members(self.live), key=lambda d: (stamps[d], -d))  # ties: lower docnum first
            self._by_date = (stamps, order, [stamps[d] for d in order])
        return self._by_date

    def newest(self, bits: int, count: int) -> list[int]:
        """The `count` newest documents of a set."""
        if count <= 0 or not bits:
            return []
        stamps, order, _ = self.by_date()
        if bits.bit_count() <= 4 * count + 1000:
            return sorted(self.members(bits), key=lambda d: (stamps[d], -d), reverse=True)[:count]
        mask = bits.to_bytes(self.size // 8 + 1, "little")
        found = []
        for d in reversed(order):
            if mask[d >> 3] >> (d & 7) & 1:
                found.append(d)
                if len(found) == count:
                    break
        return found

    def members(self, bits: int) -> list[int]:
        mask = bits.to_bytes(self.size // 8 + 1, "little")
        return [(m.start() << 3) + b for m in NONZERO_RE.finditer(mask) for b in BITS[mask[m.start()]]]

    def facets(self, bits: int) -> dict[str, list[tuple[str, int]]]:
        if self._facets is None:
            self._facets = {name: [(term.decode("utf-8"), self.term(name, term.decode("utf-8")))
                                   for term in self.reader.lexicon(name)] for name in FACETS}
        counts = {}
        for name, values in self._facets.items():
            pairs = [(value, (bits & value_bits).bit_count()) for value, value_bits in values]
            counts[name] = sorted(((v, n) for v, n in pairs if n), key=lambda p: (-p[1], p[0]))
        return counts

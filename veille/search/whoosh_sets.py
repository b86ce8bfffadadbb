"""The matching and ranking of the Whoosh backend, on bit sets.

Each (field, term) is read once per index generation and cached: a bit set (a Python integer,
one bit per document) and the term's BM25 score in each document. Matching, filters, dates,
counts and facet counts are then integer operations; ranking sums cached scores, walking the
best-scored documents of each term first and stopping as soon as no other document can enter
the page (Fagin's threshold algorithm).
"""
from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import OrderedDict
from datetime import datetime, timezone
from operator import itemgetter
from typing import Iterable

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import bm25
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long

from .analysis import stems, stop_stems
from .document import EXACT_FIELDS, FACETS, IDENT_FIELDS, TEXT_FIELDS
from .query import And, Filter, Identifier, Node, Not, Or, Phrase, Term

PAIRS = "pairs"  # the field of adjacent content-word pairs, for phrases
CACHED_TERMS = 4096
SCORE_ALL_BELOW = 5000  # rank a matched set this small by scoring each of its documents
B, K1 = 0.75, 1.2  # BM25, as Whoosh's default
NONZERO_RE = re.compile(rb"[^\x00]")
BITS = [tuple(b for b in range(8) if byte >> b & 1) for byte in range(256)]
LENGTHS = [byte_to_length(b) for b in range(256)]  # Whoosh stores field lengths as one byte


def naive(value: datetime) -> datetime:
    """UTC without a time zone, as Whoosh's DATETIME fields store it."""
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def pairs(found: list[str]) -> list[str]:
    """Adjacent words, stop words included: what phrases are matched on."""
    return [f"{a}_{b}" for a, b in zip(found, found[1:])]


def _holds(found: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether these analysed words hold the phrase's, side by side and in order."""
    first, size = phrase[0], len(phrase)
    return any(found[i:i + size] == list(phrase) for i, word in enumerate(found) if word == first)


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


class DocSets:
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
        for pair in pairs(list(found)):
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
        start = bisect_left(ordered_stamps, datetime_to_long(naive(since))) if since else 0
        end = bisect_left(ordered_stamps, datetime_to_long(naive(until))) if until else len(order)
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

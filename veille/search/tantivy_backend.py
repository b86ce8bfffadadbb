"""tantivy (Rust, through tantivy-py): the default engine, fast at any archive size."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import tantivy
from tantivy import Occur, Query

from . import Backend, Hit, SearchRequest, SearchResult, Snippet, reporting
from .analysis import FOLDED, LOWERED, STEMMED, analyzer
from .document import (DATE, EXACT_FIELDS, FACETS, FIELDS, ID, IDENT, IDENT_FIELDS, KEYWORD, SNIPPET_FIELDS,
                       SPELL, STORED, TEXT, TEXT_FIELDS, VERSION, YEAR)
from .highlight import SNIPPET_CHARS, plain_snippet
from .query import And, Filter, Identifier, Node, Not, Phrase, Term

INCREMENTAL_HEAP = 50_000_000
BUILD_HEAP = 400_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for f in FIELDS:
        if f.kind == TEXT:
            builder.add_text_field(f.name, stored=f.stored, tokenizer_name=STEMMED, index_option="position")
        elif f.kind == SPELL:
            builder.add_text_field(f.name, tokenizer_name=LOWERED, index_option="basic")
        elif f.kind in (ID, IDENT, KEYWORD, STORED, VERSION):
            builder.add_text_field(f.name, stored=f.stored, tokenizer_name="raw", index_option="basic",
                                   fast=f.kind == KEYWORD)
        elif f.kind == DATE:
            builder.add_date_field(f.name, stored=f.stored, indexed=True, fast=True)
        elif f.kind == YEAR:
            builder.add_integer_field(f.name, indexed=True, fast=True)
    for f in EXACT_FIELDS.values():
        builder.add_text_field(f.name, tokenizer_name=FOLDED, index_option="freq")
    return builder.build()


class TantivyBackend(Backend):
    name = "tantivy"

    def __init__(self, index: tantivy.Index, path: Path):
        for name in (STEMMED, LOWERED, FOLDED):
            index.register_tokenizer(name, analyzer(name))
        self.index = index
        self.schema = index.schema
        self.path = path

    @classmethod
    def create(cls, path: Path) -> "TantivyBackend":
        return cls(tantivy.Index(_schema(), path=str(path), reuse=False), path)

    @classmethod
    def open(cls, path: Path) -> "TantivyBackend":
        return cls(tantivy.Index.open(str(path)), path)

    # writing

    def write(self, documents: list[dict], deleted: Iterable[str] = ()) -> None:
        with self._writer(heap_size=INCREMENTAL_HEAP, num_threads=1) as writer:
            for item_id in deleted:
                writer.delete_documents_by_term("id", item_id)
            for doc in documents:
                writer.delete_documents_by_term("id", doc["id"])
                writer.add_document(_tantivy_document(doc, self.schema))

    def build(self, documents: Iterable[dict], on_batch=None) -> None:
        with self._writer(heap_size=BUILD_HEAP) as writer:
            for doc in reporting(documents, on_batch):
                writer.add_document(_tantivy_document(doc, self.schema))

    @contextmanager
    def _writer(self, **options) -> Iterator[tantivy.IndexWriter]:
        """A writer committed at the end, or rolled back and stopped at once on an error: left
        to the garbage collector, its threads would hold the lock and write into a folder the
        caller may already have removed."""
        writer = self.index.writer(**options)
        try:
            yield writer
        except BaseException:
            writer.rollback()
            writer.wait_merging_threads()
            raise
        writer.commit()
        writer.wait_merging_threads()

    # reading

    def _searcher(self) -> tantivy.Searcher:
        self.index.reload()
        return self.index.searcher()

    def count(self) -> int:
        return self._searcher().num_docs

    def fingerprints(self) -> dict[str, str]:
        searcher = self._searcher()
        found = {}
        total = searcher.num_docs
        for offset in range(0, total, 10_000):
            for _score, address in searcher.search(Query.all_query(), 10_000, count=False, offset=offset).hits:
                doc = searcher.doc(address)
                found[doc.get_first("id")] = doc.get_first("fingerprint")
        return found

    def vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        return self._searcher().terms_with_prefix("spell", prefix)

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self._searcher()
        text_query = _query(self.schema, request.query.root) if request.query.root else None
        query = self._filtered(text_query, request)
        by_date = request.sort == "date" or text_query is None
        found = searcher.search(query, request.per_page, offset=request.offset,
                                order_by_field="published" if by_date else None, order=tantivy.Order.Desc)
        generators: dict = {}  # snippet generators of this search, by field
        hits = [self._hit(searcher, address, score, text_query, request, by_date, generators)
                for score, address in found.hits]
        facets = self._facets(searcher, query) if request.facets else {}
        return SearchResult(found.count, hits, facets)

    def _filtered(self, text_query: Query | None, request: SearchRequest) -> Query:
        clauses = [(Occur.Must, text_query)] if text_query else []
        if request.topics:
            clauses.append((Occur.Must, _filter(self.schema, "topics", request.topics)))
        if request.categories:
            clauses.append((Occur.Must, _filter(self.schema, "category", request.categories)))
        if request.since or request.until:
            dates = Query.range_query(self.schema, "published", tantivy.FieldType.Date,
                                      request.since or tantivy.MIN_DATETIME,
                                      request.until or tantivy.MAX_DATETIME, include_upper=False)
            clauses.append((Occur.Must, Query.const_score_query(dates, 0.0)))
        if not clauses:
            return Query.all_query()
        return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)

    def _hit(self, searcher, address, score, text_query, request, by_date, generators) -> Hit:
        doc = searcher.doc(address)
        snippet = self._snippet(searcher, text_query, doc, generators) if request.snippets else None
        return Hit(id=doc.get_first("id"), title=doc.get_first("title") or "", url=doc.get_first("url") or "",
                   published=doc.get_first("published"), score=0.0 if by_date else float(score),
                   category=doc.get_first("category") or "", nature=doc.get_first("nature") or "",
                   snippet=snippet)

    def _snippet(self, searcher, text_query: Query | None, doc, generators: dict) -> Snippet:
        if text_query is not None:
            for name in SNIPPET_FIELDS:
                generator = generators.get(name)
                if generator is None:
                    generator = tantivy.SnippetGenerator.create(searcher, text_query, self.schema, name)
                    generator.set_max_num_chars(SNIPPET_CHARS)
                    generators[name] = generator
                snippet = generator.snippet_from_doc(doc)
                if snippet.highlighted():
                    return _converted(snippet)
        return plain_snippet(next(filter(None, (doc.get_first(name) for name in SNIPPET_FIELDS)), ""))

    def _facets(self, searcher, query: Query) -> dict[str, list[tuple[str, int]]]:
        aggregations = {name: {"terms": {"field": name, "size": 200}} for name in FACETS}
        answer = searcher.aggregate(query, aggregations)
        return {name: sorted(((str(b["key"]), b["doc_count"]) for b in answer[name]["buckets"] if b["key"] != ""),
                             key=lambda pair: (-pair[1], pair[0]))
                for name in FACETS}


def _converted(snippet) -> Snippet:
    """tantivy's highlight ranges count bytes; ours count characters."""
    fragment = snippet.fragment()
    raw = fragment.encode("utf-8")
    marks = tuple((len(raw[:r.start].decode("utf-8", "ignore")), len(raw[:r.end].decode("utf-8", "ignore")))
                  for r in snippet.highlighted())
    return Snippet(fragment, marks)


def _tantivy_document(doc: dict, schema: tantivy.Schema) -> tantivy.Document:
    values = {name: value for name, value in doc.items() if value is not None and value != "" and value != []}
    values.update({EXACT_FIELDS[name].name: value for name, value in values.items() if name in EXACT_FIELDS})
    return tantivy.Document.from_dict(values, schema)


def _filter(schema, name: str, values) -> Query:
    return Query.const_score_query(Query.term_set_query(schema, name, list(values)), 0.0)


def _query(schema, node: Node) -> Query:
    if isinstance(node, Term):
        exact = [EXACT_FIELDS[f.name] for f in TEXT_FIELDS] if node.form else []
        return _should([Query.boost_query(Query.term_query(schema, f.name, node.stem), f.boost) for f in TEXT_FIELDS]
                       + [Query.boost_query(Query.term_query(schema, f.name, node.form), f.boost) for f in exact])
    if isinstance(node, Phrase):
        return _should([Query.boost_query(Query.phrase_query(schema, f.name, list(node.stems)), f.boost)
                        for f in TEXT_FIELDS])
    if isinstance(node, Identifier):
        return _should([Query.boost_query(Query.term_query(schema, f.name, node.value), f.boost)
                        for f in IDENT_FIELDS])
    if isinstance(node, Filter):
        return _filter(schema, node.field, node.values)
    if isinstance(node, Not):
        return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, _query(schema, node.node))])
    if isinstance(node, And):
        clauses = [(Occur.MustNot, _query(schema, n.node)) if isinstance(n, Not) else (Occur.Must, _query(schema, n))
                   for n in node.nodes]
        if all(occur == Occur.MustNot for occur, _ in clauses):
            clauses.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(clauses)
    return _should([_query(schema, n) for n in node.nodes])


def _should(queries: list[Query]) -> Query:
    return Query.boolean_query([(Occur.Should, q) for q in queries])

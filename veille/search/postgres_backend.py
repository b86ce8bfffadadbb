"""postgres (VEILLE_SEARCH=postgres): PostgreSQL's full-text search, in the archive's database,
for an archive shared by several web processes on several machines.

Each generation (postgres_tables.py) is a table of documents with their weighted tsvectors
(lexemes.py: the shared French analysis, identifiers and filter values; the exact forms, for
ranking only, in a column of their own), the words under a GIN index,
and a table of title words with their document counts (for « Vouliez-vous dire »). A search is
one tsquery (words, phrases with <->, OR, exclusion with !, identifiers, `rubrique:`, `source:`,
`nature:` and the request's rubriques and categories) and a date range; ranked by ts_rank_cd
with the fields' weights, plus the exact forms typed and the identifiers; counted and faceted
over the whole match; snippets by ts_headline in the French configuration with unaccent.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from psycopg.errors import UndefinedTable
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.exc import ProgrammingError

from . import Backend, GenerationGone, Hit, SearchRequest, SearchResult, Snippet, reporting
from .analysis import LOWERED, analyzer
from .document import EXACT_BOOST, FACETS, IDENT_FIELDS, SNIPPET_FIELDS, TEXT_FIELDS
from .highlight import SCAN_CHARS, plain_snippet
from .lexemes import EXACT, RANK_WEIGHTS, WEIGHTS, any_of, matching, one_of, ranked_words, vectors
from .postgres_tables import CONFIGURATION, Table, database

COLUMNS = ("id", "title", "headline", "summary", "body", "url", "category", "nature", "topics", "published",
           "year", "spell", "fingerprint", "words", "forms")
TOP_TEXT_BOOST = max(f.boost for f in TEXT_FIELDS)
# ts_rank_cd counts weighted occurrences, with no idf: a form typed, rarer than its stem, weighs no
# more than it. Twice the other engines' boost puts an exact form in the body (1 + 4 times D) above
# the stem alone in the title and the body (A + D), as BM25's idf does on the other engines.
EXACT_WEIGHT = 2 * EXACT_BOOST
IDENTIFIER_BOOSTS = {f.name: f.boost / TOP_TEXT_BOOST for f in IDENT_FIELDS}  # on ts_rank_cd's scale
MARK_START, MARK_END = "\x02", "\x03"  # around the words ts_headline finds (removed from the texts first)
HEADLINE_OPTIONS = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=32, MinWords=16, ShortWord=1, '
                    "MaxFragments=1")
PLAIN_CHARS = 400  # of a text read for a snippet without the words found
ARRAYS = {"topics": ARRAY(TEXT), "spell": ARRAY(TEXT)}
VECTORS = ("words", "forms")


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, table: Table):
        self.table = table
        self.engine = database(table.url)

    @classmethod
    def create(cls, table: Table) -> "PostgresBackend":
        backend = cls(table)
        with backend.engine.begin() as connection:
            connection.execute(text(
                f"CREATE TABLE {table.documents} (id text PRIMARY KEY, title text NOT NULL, "
                "headline text NOT NULL, summary text NOT NULL, body text NOT NULL, url text NOT NULL, "
                "category text NOT NULL, nature text NOT NULL, topics text[] NOT NULL, published timestamptz, "
                "year integer, spell text[] NOT NULL, fingerprint text NOT NULL, words tsvector NOT NULL, "
                "forms tsvector NOT NULL)"))
            connection.execute(text(f'CREATE TABLE {table.words} (word text COLLATE "C" PRIMARY KEY, '
                                    "documents integer NOT NULL)"))
            backend._index(connection)
        return backend

    @classmethod
    def open(cls, table: Table) -> "PostgresBackend":
        return cls(table)

    def _index(self, connection) -> None:
        """The GIN index of the words, and the dates' for sorting and ranges."""
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS {self.table.name}_words_gin "
                                f"ON {self.table.documents} USING gin (words)"))
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS {self.table.name}_published "
                                f"ON {self.table.documents} (published DESC, id DESC)"))

    # writing

    def write(self, documents: list[dict], deleted: Iterable[str] = ()) -> None:
        ids = [doc["id"] for doc in documents] + list(deleted)
        rows = [_row(doc) for doc in documents]
        counts: Counter = Counter()
        with self.engine.begin() as connection:
            for spell in connection.scalars(text(f"SELECT spell FROM {self.table.documents} WHERE id = ANY(:ids)")
                                            .bindparams(bindparam("ids", type_=ARRAY(TEXT))), {"ids": ids}):
                counts.subtract(spell)
            connection.execute(text(f"DELETE FROM {self.table.documents} WHERE id = ANY(:ids)")
                               .bindparams(bindparam("ids", type_=ARRAY(TEXT))), {"ids": ids})
            if rows:
                connection.execute(text(
                    f"INSERT INTO {self.table.documents} ({', '.join(COLUMNS)}) VALUES "
                    f"({', '.join(f'CAST(:{c} AS tsvector)' if c in VECTORS else f':{c}' for c in COLUMNS)})")
                    .bindparams(*(bindparam(name, type_=kind) for name, kind in ARRAYS.items())), rows)
            for row in rows:
                counts.update(row["spell"])
            changed = [{"word": word, "count": n} for word, n in counts.items() if n]
            if changed:
                connection.execute(text(
                    f"INSERT INTO {self.table.words} AS w (word, documents) VALUES (:word, :count) "
                    "ON CONFLICT (word) DO UPDATE SET documents = w.documents + excluded.documents"), changed)
                connection.execute(text(f"DELETE FROM {self.table.words} WHERE documents <= 0"))

    def build(self, documents: Iterable[dict], on_batch=None) -> None:
        """COPY into the table without its indexes, then index it and count its words."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"DROP INDEX IF EXISTS {self.table.documents}_words_gin, {self.table.documents}_published")
            with cursor.copy(f"COPY {self.table.documents} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for doc in reporting(documents, on_batch):
                    row = _row(doc)
                    copy.write_row([row[c] for c in COLUMNS])
            cursor.execute(f"INSERT INTO {self.table.words} (word, documents) SELECT word, count(*) "
                           f"FROM {self.table.documents}, unnest(spell) AS word GROUP BY word")
            raw.commit()
        finally:
            raw.close()
        with self.engine.begin() as connection:
            self._index(connection)
            connection.execute(text(f"ANALYZE {self.table.documents}"))

    # reading

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(text(f"SELECT count(*) FROM {self.table.documents}"))

    def fingerprints(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return dict(connection.execute(text(f"SELECT id, fingerprint FROM {self.table.documents}")).all())

    def vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(
                f"SELECT word, documents FROM {self.table.words} WHERE word >= :prefix "
                "AND word < :prefix || chr(1114111) ORDER BY word"), {"prefix": prefix})]

    def search(self, request: SearchRequest) -> SearchResult:
        try:
            return self._search(request)
        except ProgrammingError as exc:
            if isinstance(exc.orig, UndefinedTable):
                raise GenerationGone(str(self.table)) from exc
            raise

    def _search(self, request: SearchRequest) -> SearchResult:
        """One pass over the documents found: the page's ids in order, the count and the facets;
        then the page's documents, with their passages."""
        where, params = _conditions(request)
        stems, forms, identifiers = ranked_words(request.query)
        by_date = request.sort == "date" or request.query.root is None
        score, score_params = ("0", {}) if by_date else _score(stems, forms, identifiers)
        order = "published DESC, id DESC" if by_date else "score DESC, published DESC, id DESC"
        parts = [f"SELECT 'page', id, row_number() OVER (ORDER BY {order}), score FROM (SELECT id, published, score "
                 f"FROM found ORDER BY {order} LIMIT :limit OFFSET :offset) AS page",
                 "SELECT '', NULL, count(*), 0 FROM found"]
        if request.facets:
            parts += ["SELECT 'topics', topic, count(*), 0 FROM found, unnest(topics) AS topic GROUP BY topic",
                      "SELECT 'category', category, count(*), 0 FROM found GROUP BY category",
                      "SELECT 'nature', nature, count(*), 0 FROM found GROUP BY nature",
                      "SELECT 'year', year::text, count(*), 0 FROM found GROUP BY year"]
        page, total, counted = [], 0, {name: [] for name in FACETS}
        with self.engine.connect() as connection:
            rows = connection.execute(text(
                f"WITH found AS MATERIALIZED (SELECT id, published, topics, category, nature, year, "
                f"CAST({score} AS double precision) AS score FROM {self.table.documents} WHERE {where}) "
                + " UNION ALL ".join(parts)),
                {**params, **score_params, "limit": request.per_page, "offset": request.offset})
            for kind, value, number, found_score in rows:
                if kind == "page":
                    page.append((number, value, found_score))
                elif not kind:
                    total = number
                elif value:
                    counted[kind].append((value, number))
            page.sort()
            details = self._details(connection, [item_id for _, item_id, _ in page],
                                    one_of(stems) if request.snippets else None)
        hits = [Hit(id=item_id, title=details[item_id].title, url=details[item_id].url,
                    published=details[item_id].published, score=float(found_score),
                    category=details[item_id].category, nature=details[item_id].nature,
                    snippet=details[item_id].snippet) for _, item_id, found_score in page]
        facets = {name: sorted(pairs, key=lambda pair: (-pair[1], pair[0])) for name, pairs in counted.items()}
        return SearchResult(total, hits, facets if request.facets else {})

    def _details(self, connection, ids: list[str], words: str | None) -> dict:
        """What is shown of each hit and, unless `words` is None, its passage around the words
        found: in its summary, else in its body (ts_headline), else the start of its text."""
        columns, earlier = [], "true"  # a field's passage is looked for when no earlier field has the words
        for name in SNIPPET_FIELDS if words is not None else ():
            holds = f"ts_filter(words, '{{{WEIGHTS[name].lower()}}}') @@ CAST(:words AS tsquery)"
            cleaned = f"regexp_replace(left({name}, {SCAN_CHARS}), '[\\s{MARK_START}{MARK_END}]+', ' ', 'g')"
            columns.append(f"CASE WHEN :words <> '' AND {earlier} AND {holds} THEN ts_headline('{CONFIGURATION}', "
                           f"{cleaned}, CAST(:words AS tsquery), :options) END")
            columns.append(f"left({name}, {PLAIN_CHARS})")
            earlier = f"{earlier} AND NOT {holds}"
        rows = connection.execute(text(
            f"SELECT id, title, url, published, category, nature{''.join(', ' + c for c in columns)} "
            f"FROM {self.table.documents} WHERE id = ANY(:ids)").bindparams(bindparam("ids", type_=ARRAY(TEXT))),
            {"ids": ids, "words": words or "", "options": HEADLINE_OPTIONS})
        found = {}
        for item_id, title, url, published, category, nature, *texts in rows:
            snippet = None
            if words is not None:
                marked = [_marked(h) for h in texts[0::2] if h]
                snippet = next((s for s in marked if s.marks), None) or plain_snippet(next(filter(None, texts[1::2]), ""))
            found[item_id] = _Shown(title, url, published, category, nature, snippet)
        return found


@dataclass(frozen=True)
class _Shown:
    title: str
    url: str
    published: datetime
    category: str
    nature: str
    snippet: Snippet | None


def _row(doc: dict) -> dict:
    """A document as a row of the documents' table."""
    words, forms = vectors(doc)
    return {"id": doc["id"], "title": doc["title"] or "", "headline": doc["headline"] or "",
            "summary": doc["summary"] or "", "body": doc["body"] or "", "url": doc["url"] or "",
            "category": doc["category"] or "", "nature": doc["nature"] or "", "topics": doc["topics"],
            "published": doc["published"], "year": doc["year"], "fingerprint": doc["fingerprint"],
            "spell": sorted(set(analyzer(LOWERED).analyze(doc["spell"] or ""))), "words": words, "forms": forms}


def _conditions(request: SearchRequest) -> tuple[str, dict]:
    """The WHERE clause of a request (one tsquery, and the dates) and its parameters."""
    parts = [matching(request.query.root)] if request.query.root else []
    if request.topics:
        parts.append(any_of(("topics",), request.topics))
    if request.categories:
        parts.append(any_of(("category",), request.categories))
    where, params = [], {}
    if parts:
        where.append("words @@ CAST(:query AS tsquery)")
        params["query"] = " & ".join(f"({part})" for part in parts)
    if request.since:
        where.append("published >= :since")
        params["since"] = request.since
    if request.until:
        where.append("published < :until")
        params["until"] = request.until
    return " AND ".join(where) or "true", params


def _score(stems: list[str], forms: list[str], identifiers: list[str]) -> tuple[str, dict]:
    """A document's relevance: ts_rank_cd of the words (the fields weighted as the other engines
    boost them), EXACT_WEIGHT times that of the exact forms typed, and each identifier field's boost
    when it holds an identifier searched."""
    terms, params = ["0"], {"weights": RANK_WEIGHTS}
    if stems:
        terms.append("ts_rank_cd(CAST(:weights AS real[]), words, CAST(:stems AS tsquery))")
        params["stems"] = one_of(stems)
    if forms:
        terms.append(f"{EXACT_WEIGHT} * ts_rank_cd(CAST(:weights AS real[]), forms, CAST(:forms AS tsquery))")
        params["forms"] = one_of(EXACT + form for form in forms)
    for field, boost in IDENTIFIER_BOOSTS.items():
        if identifiers:
            terms.append(f"CASE WHEN words @@ CAST(:{field} AS tsquery) THEN {boost:.4f} ELSE 0 END")
            params[field] = any_of((field,), identifiers)
    return " + ".join(terms), params


def _marked(headline: str) -> Snippet:
    """ts_headline's text with its marks taken out, as a Snippet."""
    text, marks = "", []
    for number, piece in enumerate(headline.replace(MARK_END, MARK_START).split(MARK_START)):
        if number % 2:
            marks.append((len(text), len(text) + len(piece)))
        text += piece
    start = len(text) - len(text.lstrip())
    return Snippet(text.strip(), tuple((begin - start, end - start) for begin, end in marks))

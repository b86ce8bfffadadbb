"""The postgres engine's words: a document as one weighted tsvector, a parsed query as one tsquery.

The documents are analysed here, in Python, by the analysers every engine shares (analysis.py),
not by PostgreSQL's parser: its tokens differ from tantivy's ("2020-1622" is read as 2020 and
-1622, "tiers-lieux" as three words, stop words are dropped so that the phrase « de la » finds
nothing), and every engine must find the same items for the same query. So the tsvector is
written out as text and the tsquery is built from the parsed query's stems, never re-analysed.

A document's `words` tsvector holds, with their positions, the stems of its text fields, weighted
by field (title A, headline B, summary C, body D), stop words included (phrases hold them), a gap
of one position between two fields (no phrase runs from one field into the next); and without
positions, for matching only: `ids:…` and `refs:…` (identifiers), `topics:…`, `category:…`,
`source:…` and `nature:…` (filters, in the query or in the request). A stem is only letters and
digits, so it never looks like one of these. Its `forms` tsvector, read for ranking only, holds
the same words folded but not stemmed, as `exact:word`: the exact form typed ranks first.

PostgreSQL keeps positions up to 16,383 and 256 per lexeme, and 1 MB of lexemes per tsvector:
words further into a long text are still found, but a phrase is only recognised in about the
first 16,000 words of a document.
"""
from __future__ import annotations

from .analysis import FOLDED, STEMMED, analyzer, stop_stems
from .document import TEXT_FIELDS
from .query import And, Filter, Identifier, Node, Not, Or, ParsedQuery, Phrase, Term

WEIGHTS = dict(zip((f.name for f in TEXT_FIELDS), "ABCD"))  # the order of TEXT_FIELDS: title first
# ts_rank_cd's weights, in its order {D, C, B, A}: the fields' boosts, the highest as 1
RANK_WEIGHTS = "{" + ",".join(f"{f.boost / max(g.boost for g in TEXT_FIELDS):.4f}"
                              for f in reversed(TEXT_FIELDS)) + "}"
EXACT = "exact:"
KEYWORDS = ("topics", "category", "source", "nature")  # document fields matched as `field:value`
IDENTIFIERS = ("ids", "refs")
MAX_POSITION = 16383
MAX_POSITIONS = 256  # per lexeme
MAX_BYTES = 1_000_000  # of lexemes per tsvector (PostgreSQL refuses more than 1 MiB)
MAX_VALUE = 500  # characters of a filter value: longer ones match nothing anyway


def quoted(lexeme: str) -> str:
    """A lexeme as tsvector and tsquery texts write it: quoted, so that no character is an operator."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def vectors(doc: dict) -> tuple[str, str]:
    """The tsvector texts of a document (document.document): its words, and its exact forms."""
    words, forms = _Lexemes(), _Lexemes(EXACT)
    start = 0
    for field in TEXT_FIELDS:
        last = start
        for name, lexemes in ((STEMMED, words), (FOLDED, forms)):
            for token in analyzer(name).pre_tokenize(doc.get(field.name) or "").tokens:
                position = start + token.position + 1
                last = max(last, position)
                lexemes.add(token.text, position, WEIGHTS[field.name])
        start = last + 1
    keywords = [f"{name}:{value}" for name in KEYWORDS + IDENTIFIERS
                for value in _values(doc.get(name)) if value]
    return " ".join([words.written()] + [quoted(k[:MAX_VALUE]) for k in dict.fromkeys(keywords)]), forms.written()


class _Lexemes:
    """Lexemes and their weighted positions, within PostgreSQL's limits."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.positions: dict[str, list[str]] = {}
        self.size = 0

    def add(self, lexeme: str, position: int, weight: str) -> None:
        found = self.positions.get(lexeme)
        if found is None:
            size = len((self.prefix + lexeme).encode("utf-8"))
            if self.size + size > MAX_BYTES:
                return  # a text that long has the words of its first megabyte found
            self.size += size
            self.positions[lexeme] = found = []
        if len(found) < MAX_POSITIONS and (position <= MAX_POSITION or not found):
            found.append(f"{min(position, MAX_POSITION)}{weight}")

    def written(self) -> str:
        return " ".join(f"{quoted(self.prefix + lexeme)}:{','.join(found)}" for lexeme, found in self.positions.items())


def _values(value) -> list[str]:
    return value if isinstance(value, list) else [value] if value else []


def matching(node: Node) -> str:
    """The tsquery text of a query tree: what a document must hold to be found."""
    if isinstance(node, Term):
        return quoted(node.stem)
    if isinstance(node, Phrase):
        return "(" + " <-> ".join(quoted(stem) for stem in node.stems) + ")"
    if isinstance(node, Identifier):
        return any_of(IDENTIFIERS, (node.value,))
    if isinstance(node, Filter):
        return any_of((node.field,), node.values)
    if isinstance(node, Not):
        return f"!({matching(node.node)})"
    operator = " & " if isinstance(node, And) else " | "
    return "(" + operator.join(f"({matching(child)})" for child in node.nodes) + ")"


def any_of(fields, values) -> str:
    """Documents whose field (one of `fields`) has one of `values`."""
    return "(" + " | ".join(quoted(f"{field}:{value[:MAX_VALUE]}") for field in fields for value in values) + ")"


def ranked_words(query: ParsedQuery) -> tuple[list[str], list[str], list[str]]:
    """(stems, exact forms, identifiers) that a document's score counts: every searched word of
    the query (excluded words and filters score nothing; nor do a phrase's stop words)."""
    stems: dict[str, None] = {}
    forms: dict[str, None] = {}
    identifiers: dict[str, None] = {}
    stack = [query.root] if query.root else []
    while stack:
        node = stack.pop()
        if isinstance(node, Term):
            stems[node.stem] = None
            if node.form:
                forms[node.form] = None
        elif isinstance(node, Phrase):
            stems.update(dict.fromkeys(s for s in node.stems if s not in stop_stems()))
        elif isinstance(node, Identifier):
            identifiers[node.value] = None
        elif isinstance(node, (And, Or)):
            stack.extend(node.nodes)
    return list(stems), list(forms), list(identifiers)


def one_of(lexemes) -> str:
    """A tsquery text matching any of these lexemes; empty for none."""
    return " | ".join(quoted(lexeme) for lexeme in lexemes)

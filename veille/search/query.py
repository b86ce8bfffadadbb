"""The query syntax people type, parsed into a backend-neutral tree.

    marchés publics            every word (stop words aside), in any field
    "exact phrase" « idem »    words side by side
    seuils OR plafonds         either (OU also works)
    -circulaire, NOT, SAUF     excluded
    (a OR b) c                 grouping
    rubrique:SLUG source:ID nature:décret
    TERB2001234A, JORFTEXT000042702330, 2020-1622, L. 1211-1    identifiers, found as typed

Parsing never fails: unbalanced quotes or parentheses are closed, lone operators dropped,
unknown field names read as words, and overlong queries cut with a warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Union

from ..text import fold
from .analysis import folded, identifier_at, stems, strip_elision, word_stems

MAX_CHARS = 1000
MAX_CLAUSES = 32
MAX_DEPTH = 8


@dataclass(frozen=True)
class Term:
    stem: str
    form: str = ""  # the word as typed, folded: documents holding that very form rank first


@dataclass(frozen=True)
class Phrase:
    stems: tuple[str, ...]


@dataclass(frozen=True)
class Identifier:
    value: str


@dataclass(frozen=True)
class Filter:
    field: str  # a KEYWORD field of the schema
    values: tuple[str, ...]  # any of them


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class And:
    nodes: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple["Node", ...]


Node = Union[Term, Phrase, Identifier, Filter, Not, And, Or]


@dataclass(frozen=True)
class ParsedQuery:
    root: Node | None  # None: every item
    words: tuple[tuple[str, str], ...] = ()  # (as typed, folded) of each searched word
    warnings: tuple[str, ...] = ()

    def stems(self) -> set[str]:
        """Every stem the query looks for, for highlighting."""
        found: set[str] = set()
        stack = [self.root] if self.root else []
        while stack:
            node = stack.pop()
            if isinstance(node, Term):
                found.add(node.stem)
            elif isinstance(node, Phrase):
                found.update(node.stems)
            elif isinstance(node, Not):
                continue
            elif isinstance(node, (And, Or)):
                stack.extend(node.nodes)
        return found


FIELD_NAMES = {"rubrique": "topics", "source": "source", "nature": "nature", "categorie": "category"}
OPEN_QUOTES = {'"': '"', "«": "»", "“": "”"}
STOPS = set("()\"«»“”")
OR_WORDS, NOT_WORDS, AND_WORDS = {"OR", "OU"}, {"NOT", "SAUF"}, {"AND", "ET"}
FIELD_RE = re.compile(r"([^\W\d_]+):")


def parse(text: str, topics: Mapping[str, str] | None = None) -> ParsedQuery:
    """`topics` (slug -> label) lets `rubrique:` take a slug prefix or a word of a label."""
    warnings: list[str] = []
    text = text or ""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        warnings.append(f"requête trop longue : seuls les {MAX_CHARS} premiers caractères sont pris en compte")
    parser = _Parser(_lex(text), topics, warnings)
    root = parser.parse()
    if parser.dropped:
        warnings.append(f"requête trop longue : seuls les {MAX_CLAUSES} premiers termes sont pris en compte")
    if root is None and text.strip():
        warnings.append("aucun mot à chercher dans la requête : tous les articles sont listés")
    return ParsedQuery(root, tuple(parser.words), tuple(warnings))


def _lex(text: str) -> list[tuple[str, ...]]:
    tokens: list[tuple[str, ...]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append((ch,))
            i += 1
        elif ch in OPEN_QUOTES:
            quoted, i = _quoted(text, i)
            tokens.append(("phrase", quoted))
        elif ch in "»”":
            i += 1
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            tokens.append(("not",))
            i += 1
        elif (ident := identifier_at(text, i)) is not None:
            tokens.append(("ident", ident[0]))
            i = ident[1]
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in STOPS:
                i += 1
            tokens.extend(_word_tokens(text[start:i]))
            if tokens[-1][0] == "field" and tokens[-1][2] == "" and i < n and text[i] in OPEN_QUOTES:
                quoted, i = _quoted(text, i)  # source:"Journal officiel"
                tokens[-1] = ("field", tokens[-1][1], quoted)
    return tokens


def _quoted(text: str, start: int) -> tuple[str, int]:
    """What the quote at `start` opens, up to its closing quote or the end; and where to go on."""
    end = text.find(OPEN_QUOTES[text[start]], start + 1)
    end = len(text) if end < 0 else end
    return text[start + 1:end], end + 1


def _word_tokens(word: str) -> list[tuple[str, ...]]:
    if word in OR_WORDS:
        return [("or",)]
    if word in NOT_WORDS:
        return [("not",)]
    if word in AND_WORDS:
        return [("and",)]
    match = FIELD_RE.match(word)
    if match is None:
        return [("word", word)]
    name, value = fold(match.group(1)), word[match.end():]
    if name in FIELD_NAMES:
        return [("field", FIELD_NAMES[name], value)]
    return [("word", match.group(1)), ("word", value)]  # not a public field: plain words


class _Parser:
    def __init__(self, tokens: list[tuple[str, ...]], topics: Mapping[str, str] | None, warnings: list[str]):
        self.tokens = tokens
        self.pos = 0
        self.topics = topics
        self.warnings = warnings
        self.clauses = 0
        self.dropped = False
        self.words: list[tuple[str, str]] = []

    def parse(self) -> Node | None:
        nodes = []
        while self.pos < len(self.tokens):
            node = self.and_expr(0)
            if node is not None:
                nodes.append(node)
            if self._peek() == ")":  # a stray closing parenthesis
                self.pos += 1
        return _combine(And, nodes)

    def _peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def and_expr(self, depth: int) -> Node | None:
        """Words side by side: all of them. OR binds closer: "a OR b c" is "(a OR b) c"."""
        nodes = []
        while self._peek() not in (None, ")"):
            node = self.or_expr(depth)
            if node is not None:
                nodes.append(node)
        return _combine(And, nodes)

    def or_expr(self, depth: int) -> Node | None:
        options = [self.unary(depth)]
        while self._peek() == "or":
            self.pos += 1
            options.append(self.unary(depth))
        return _combine(Or, [o for o in options if o is not None])

    def unary(self, depth: int) -> Node | None:
        negate = False
        # A parenthesis deeper than MAX_DEPTH is skipped: what it holds is read flat.
        while self._peek() in ("not", "and") or (self._peek() == "(" and depth >= MAX_DEPTH):
            negate ^= self._peek() == "not"
            self.pos += 1
        if self._peek() in (None, "or", ")"):
            return None
        node = self.atom(depth)
        return Not(node) if negate and node is not None else node

    def atom(self, depth: int) -> Node | None:
        token = self.tokens[self.pos]
        self.pos += 1
        kind = token[0]
        if kind == "(":
            node = self.and_expr(depth + 1)
            if self._peek() == ")":
                self.pos += 1
            return node
        if not self._room():
            return None
        if kind == "ident":
            return Identifier(token[1])
        if kind == "phrase":
            return _phrase(stems(token[1]))
        if kind == "field":
            return self.filter(token[1], token[2])
        return self.word(token[1])

    def _room(self) -> bool:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            self.dropped = True
        return not self.dropped

    def word(self, word: str) -> Node | None:
        found = word_stems(word)
        if len(found) != 1:
            return _phrase(found)
        bare = strip_elision(word)
        form = folded(bare)[0]  # one stem: one token, stemmed and folded alike
        self.words.append((bare, form))
        return Term(found[0], form)

    def filter(self, name: str, raw: str) -> Node | None:
        """The value as folded words joined by "-": how slugs, source ids and natures
        (document.nature_key) are indexed, whatever punctuation was typed around them."""
        value = "-".join(folded(raw))
        if not value:
            return None
        if name == "source":
            return Or((Filter("category", (value,)), Filter("source", (value,))))
        if name == "topics":
            return Filter("topics", self._topic_slugs(value, raw))
        return Filter(name, (value,))

    def _topic_slugs(self, value: str, raw: str) -> tuple[str, ...]:
        if self.topics is None or value in self.topics:
            return (value,)
        words = set(value.split("-"))
        slugs = tuple(slug for slug, label in self.topics.items()
                      if slug.startswith(value) or words <= set(folded(label)))
        if not slugs:
            self.warnings.append(f"rubrique inconnue « {raw} » (voir feeds.yaml)")
        return slugs or (value,)


def _phrase(found: list[str]) -> Node | None:
    if not found:
        return None
    return Term(found[0]) if len(found) == 1 else Phrase(tuple(found))


def _combine(kind, nodes: list[Node]) -> Node | None:
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return kind(tuple(nodes))

"""Rubriques for an item: a pure function of its text, its identifiers and its source.

Keywords are matched as whole words, without case or accents; a topic's exclude words veto
every rule of that topic (keywords, ministry, NOR prefix, AN rubrique), never a source default. Every assignment carries the reason shown by `veille classify --explain`.

Then, unless feeds.yaml switches it off (`model:`), the learned stage (veille/learned.py) scores
every rubrique from the title and the text: it proposes the rubriques the rules missed whose score
reaches `propose` (« modèle : 0.83 »), and a rule hit on a keyword found only in the text (the weak
rule) is kept only when the model gives its rubrique at least `confirm` (« …; modèle : 0.42 »).

The name of a code is not a topic: a decree citing the « Code rural et de la pêche maritime »
is not about fishing. Code names (`legal_codes.CODES`) veto the keywords written inside them;
a keyword that names a code itself (« code de l'urbanisme ») still matches it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .catalog import Topic
from .learned import WORD_RE, ModelSettings, load_model
from .legal_codes import CODES
from .text import fold

MANUAL, MODEL, RULE, SOURCE = "manual", "model", "rule", "source"
IN_TEXT = "le texte"  # where a weak keyword hit was found


@dataclass(frozen=True)
class Document:
    title: str
    text: str = ""
    ministry: str | None = None
    nor: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    topic: str
    origin: str  # RULE, MODEL, SOURCE or MANUAL
    reason: str


@dataclass(frozen=True)
class _Phrases:
    """Folded phrases as word tuples by their first word, longest first, each with the phrase as
    written."""

    by_first: dict[str, tuple[tuple[tuple[str, ...], str], ...]]

    def find(self, words: "_Words") -> str | None:
        """The phrase found first in the text (the longest of those starting there), as written."""
        best: tuple[int, str] | None = None
        for first in self.by_first.keys() & words.present:
            for tokens, written in self.by_first[first]:
                start = words.find(tokens, best[0] if best else len(words.tokens))
                if start is not None:
                    best = (start, written)
        return best[1] if best else None


@lru_cache(maxsize=None)
def _phrases(phrases: tuple[str, ...]) -> _Phrases:
    # Any run of non-word characters between words: "d'initiative" matches "d’initiative".
    words = {tuple(WORD_RE.findall(fold(p))): p for p in phrases}
    words.pop((), None)
    by_first: dict[str, list] = {}
    for tokens, written in sorted(words.items(), key=lambda pair: len(" ".join(pair[0])), reverse=True):
        by_first.setdefault(tokens[0], []).append((tokens, written))
    return _Phrases({first: tuple(group) for first, group in by_first.items()})


@lru_cache(maxsize=None)
def _folded(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(folded, as written) of each name."""
    return tuple((fold(name), name) for name in names)


class _Words:
    """The words of a folded text in order: every phrase is looked up by its first word, so a
    text is read once for all the rubriques."""

    def __init__(self, text: str):
        self.tokens = WORD_RE.findall(text)
        self.present = set(self.tokens)
        self._starts: dict[str, list[int]] = {}

    def find(self, phrase: tuple[str, ...], before: int) -> int | None:
        """Where `phrase` starts first, if it does before the word at `before`."""
        first, length = phrase[0], len(phrase)
        if first not in self._starts:
            self._starts[first] = self._positions(first)
        for start in self._starts[first]:
            if start >= before:
                return None
            if length == 1 or tuple(self.tokens[start:start + length]) == phrase:
                return start
        return None

    def _positions(self, token: str) -> list[int]:
        positions, index = [], self.tokens.index  # list.index scans in C
        try:
            while True:
                positions.append(index(token, positions[-1] + 1 if positions else 0))
        except ValueError:
            return positions


@lru_cache(maxsize=1)
def _codes() -> re.Pattern:
    names = sorted({" ".join(WORD_RE.findall(fold(code))) for code in CODES} - {""}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(r"\W+".join(map(re.escape, n.split())) for n in names) + r")(?!\w)")


def _without_codes(text: str) -> str:
    """The folded text with every code name blanked out (same length: positions stay)."""
    return _codes().sub(lambda match: " " * len(match.group(0)), text)


def classify(doc: Document, topics: dict[str, Topic], source_topics: tuple[str, ...] = (),
             model: ModelSettings | None = None) -> list[Assignment]:
    """The rubriques of an item: source defaults, then rules, then the learned stage if `model`
    (feeds.yaml's settings) enables it."""
    title, body = _Text(fold(doc.title)), _Text(fold(doc.text))
    ministry = fold(doc.ministry or "")
    tags = [fold(t) for t in doc.tags]
    found: dict[str, Assignment] = {}
    weak: set[str] = set()
    for slug in source_topics:
        if slug in topics:
            found[slug] = Assignment(slug, SOURCE, "rubrique par défaut de la source")
    for topic in topics.values():
        if topic.slug in found:
            continue
        reason, where = _rule_reason(topic, title, body, ministry, doc.nor, tags)
        if reason:
            found[topic.slug] = Assignment(topic.slug, RULE, reason)
            if where == IN_TEXT:
                weak.add(topic.slug)
    if model is not None and model.enabled:
        found = _learned(doc, found, weak, topics, model)
    return sorted(found.values(), key=lambda a: a.topic)


def _learned(doc: Document, found: dict[str, Assignment], weak: set[str], topics: dict[str, Topic],
             model: ModelSettings) -> dict[str, Assignment]:
    """The rule hits the model confirms (weak ones need `confirm`), plus what it proposes."""
    scores = load_model(model.file).scores(doc.title, doc.text)
    kept: dict[str, Assignment] = {}
    for slug, assignment in found.items():
        if slug not in weak or slug not in scores:
            kept[slug] = assignment
        elif scores[slug] >= model.confirm:
            kept[slug] = Assignment(slug, RULE, f"{assignment.reason} ; modèle : {scores[slug]:.2f}")
    for slug, score in scores.items():
        if slug in topics and slug not in found and score >= model.propose:
            kept[slug] = Assignment(slug, MODEL, f"modèle : {score:.2f}")
    return kept


def _rule_reason(topic: Topic, title: _Text, body: _Text, ministry: str, nor: str | None,
                 tags: list[str]) -> tuple[str | None, str | None]:
    """The first rule of the topic that matches and where its keyword was (None for the other
    rules), unless one of the topic's exclude words is present."""
    reason, where = _match(topic, title, body, ministry, nor, tags)
    if reason and topic.exclude and _phrases(topic.exclude).find(title.both(body)):
        return None, None
    return reason, where


def _match(topic: Topic, title: _Text, body: _Text, ministry: str, nor: str | None,
           tags: list[str]) -> tuple[str | None, str | None]:
    if nor and any(nor.upper().startswith(p.upper()) for p in topic.nor_prefixes):
        return f"NOR {nor} (préfixe de ministère)", None
    for folded, fragment in _folded(topic.ministries) if ministry else ():
        if folded in ministry:
            return f"ministère « {fragment} »", None
    if tags:
        rubriques = dict(_folded(topic.an_rubriques))
        for tag in tags:
            if tag in rubriques:
                return f"rubrique « {rubriques[tag]} » de la source", None
    codes, plain = _code_keywords(topic.keywords)
    for where, text in (("le titre", title), (IN_TEXT, body)):
        word = _phrases(codes).find(text.words) or _phrases(plain).find(text.words_outside_codes)
        if word:
            return f"mot-clé « {word} » dans {where}", where
    return None, None


class _Text:
    """A folded title or text: its words, and its words outside the names of codes (made once)."""

    def __init__(self, whole: str):
        self.whole = whole
        self.words = _Words(whole)
        self.words_outside_codes = _Words(_without_codes(whole))
        self._both: _Words | None = None

    def both(self, after: "_Text") -> _Words:
        """The words of this text then `after`'s (where exclude words are looked for)."""
        if self._both is None:
            self._both = _Words(self.whole + "\n" + after.whole)
        return self._both


@lru_cache(maxsize=None)
def _code_keywords(keywords: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(keywords that name or contain a code name, the others)."""
    codes = tuple(k for k in keywords if _without_codes(fold(k)) != fold(k))
    return codes, tuple(k for k in keywords if k not in codes)

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
from .learned import ModelSettings, load_model
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
    """Whole-word alternation over folded phrases, remembering each phrase as written."""

    pattern: re.Pattern | None
    written: dict[str, str]

    def find(self, text: str) -> str | None:
        match = self.pattern.search(text) if self.pattern else None
        if match is None:
            return None
        return self.written.get(" ".join(re.split(r"\W+", match.group(1))), match.group(1))


@lru_cache(maxsize=None)
def _words(phrases: tuple[str, ...]) -> _Phrases:
    written = {" ".join(re.split(r"\W+", fold(p).strip())): p for p in phrases if p.strip()}
    if not written:
        return _Phrases(None, {})
    alternatives = sorted(written, key=len, reverse=True)
    # Any run of non-word characters between words: "d'initiative" matches "d’initiative".
    pattern = r"(?<!\w)(" + "|".join(r"\W+".join(map(re.escape, p.split())) for p in alternatives) + r")(?!\w)"
    return _Phrases(re.compile(pattern), written)


def _without_codes(text: str) -> str:
    """The folded text with every code name blanked out (same length: positions stay)."""
    return _words(CODES).pattern.sub(lambda match: " " * len(match.group(0)), text)


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
    if reason and _words(topic.exclude).find(title.whole + "\n" + body.whole):
        return None, None
    return reason, where


def _match(topic: Topic, title: _Text, body: _Text, ministry: str, nor: str | None,
           tags: list[str]) -> tuple[str | None, str | None]:
    if nor and any(nor.upper().startswith(p.upper()) for p in topic.nor_prefixes):
        return f"NOR {nor} (préfixe de ministère)", None
    for fragment in topic.ministries:
        if ministry and fold(fragment) in ministry:
            return f"ministère « {fragment} »", None
    rubriques = {fold(r): r for r in topic.an_rubriques}
    for tag in tags:
        if tag in rubriques:
            return f"rubrique « {rubriques[tag]} » de la source", None
    codes, plain = _code_keywords(topic.keywords)
    for where, text in (("le titre", title), (IN_TEXT, body)):
        word = _words(codes).find(text.whole) or _words(plain).find(text.outside_codes)
        if word:
            return f"mot-clé « {word} » dans {where}", where
    return None, None


@dataclass
class _Text:
    """A folded title or text, and the same with the names of codes blanked out (made once)."""
    whole: str

    def __post_init__(self):
        self.outside_codes = _without_codes(self.whole)


@lru_cache(maxsize=None)
def _code_keywords(keywords: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(keywords that name or contain a code name, the others)."""
    codes = tuple(k for k in keywords if _without_codes(fold(k)) != fold(k))
    return codes, tuple(k for k in keywords if k not in codes)

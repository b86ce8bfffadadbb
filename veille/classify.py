"""Rubriques for an item: a pure function of its text, its identifiers and its source.

Keywords are matched as whole words, without case or accents; a topic's exclude words veto
every rule of that topic (keywords, ministry, NOR prefix, AN rubrique), never a source default. Every assignment carries the reason shown by `veille classify --explain`.

The name of a code is not a topic: a decree citing the « Code rural et de la pêche maritime »
is not about fishing. Code names (`legal_codes.CODES`) veto the keywords written inside them;
a keyword that names a code itself (« code de l'urbanisme ») still matches it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .catalog import Topic
from .legal_codes import CODES
from .text import fold

MANUAL, RULE, SOURCE = "manual", "rule", "source"


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
    origin: str  # RULE, SOURCE or MANUAL
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


def classify(doc: Document, topics: dict[str, Topic], source_topics: tuple[str, ...] = ()) -> list[Assignment]:
    title, body = _Text(fold(doc.title)), _Text(fold(doc.text))
    ministry = fold(doc.ministry or "")
    tags = [fold(t) for t in doc.tags]
    found: dict[str, Assignment] = {}
    for slug in source_topics:
        if slug in topics:
            found[slug] = Assignment(slug, SOURCE, "rubrique par défaut de la source")
    for topic in topics.values():
        if topic.slug in found:
            continue
        reason = _rule_reason(topic, title, body, ministry, doc.nor, tags)
        if reason:
            found[topic.slug] = Assignment(topic.slug, RULE, reason)
    return sorted(found.values(), key=lambda a: a.topic)


def _rule_reason(topic: Topic, title: _Text, body: _Text, ministry: str, nor: str | None,
                 tags: list[str]) -> str | None:
    """The first rule of the topic that matches, unless one of its exclude words is present."""
    reason = _match(topic, title, body, ministry, nor, tags)
    if reason and _words(topic.exclude).find(title.whole + "\n" + body.whole):
        return None
    return reason


def _match(topic: Topic, title: _Text, body: _Text, ministry: str, nor: str | None, tags: list[str]) -> str | None:
    if nor and any(nor.upper().startswith(p.upper()) for p in topic.nor_prefixes):
        return f"NOR {nor} (préfixe de ministère)"
    for fragment in topic.ministries:
        if ministry and fold(fragment) in ministry:
            return f"ministère « {fragment} »"
    rubriques = {fold(r): r for r in topic.an_rubriques}
    for tag in tags:
        if tag in rubriques:
            return f"rubrique « {rubriques[tag]} » de la source"
    codes, plain = _code_keywords(topic.keywords)
    for where, text in (("le titre", title), ("le texte", body)):
        word = _words(codes).find(text.whole) or _words(plain).find(text.outside_codes)
        if word:
            return f"mot-clé « {word} » dans {where}"
    return None


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

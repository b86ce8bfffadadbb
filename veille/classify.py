"""Rubriques for an item: a pure function of its text, its identifiers and its source.

Keywords are matched as whole words, without case or accents; a topic's exclude words veto
its keyword matches. Every assignment carries the reason shown by `veille classify --explain`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .catalog import Topic
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


@lru_cache(maxsize=None)
def _words(phrases: tuple[str, ...]) -> re.Pattern | None:
    folded = sorted({" ".join(fold(p).split()) for p in phrases if p.strip()}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(p).replace(r"\ ", r"\W+") for p in folded) + r")(?!\w)")


def _find(pattern: re.Pattern | None, text: str) -> str | None:
    if pattern is None:
        return None
    match = pattern.search(text)
    return match.group(1) if match else None


def classify(doc: Document, topics: dict[str, Topic], source_topics: tuple[str, ...] = ()) -> list[Assignment]:
    title, body = fold(doc.title), fold(doc.text)
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


def _rule_reason(topic: Topic, title: str, body: str, ministry: str, nor: str | None,
                 tags: list[str]) -> str | None:
    if nor and any(nor.upper().startswith(p.upper()) for p in topic.nor_prefixes):
        return f"NOR {nor} (préfixe de ministère)"
    for fragment in topic.ministries:
        if ministry and fold(fragment) in ministry:
            return f"ministère « {fragment} »"
    for tag in tags:
        if tag in {fold(r) for r in topic.an_rubriques}:
            return f"rubrique « {tag} » de la source"
    keywords, vetoes = _words(topic.keywords), _words(topic.exclude)
    for where, text in (("le titre", title), ("le texte", body)):
        word = _find(keywords, text)
        if word:
            veto = _find(vetoes, title + "\n" + body)
            if veto:
                return None
            return f"mot-clé « {word} » dans {where}"
    return None

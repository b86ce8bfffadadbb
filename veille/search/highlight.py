"""Snippets: the passage of a text around the words found, with those words marked."""
from __future__ import annotations

import html

from . import Snippet
from .analysis import STEMMED, analyzer

SNIPPET_CHARS = 200
SCAN_CHARS = 20_000  # long texts: look for the words in their first part only


def snippet(text: str, stems: set[str]) -> Snippet | None:
    """The window of about SNIPPET_CHARS characters holding the most distinct query words,
    or None when none of them is in the text."""
    text = text[:SCAN_CHARS]
    found = [(t.char_offset_from, t.char_offset_to, t.text)
             for t in analyzer(STEMMED).pre_tokenize(text).tokens if t.text in stems]
    if not found:
        return None
    best, best_score, first = (0, 0), -1, 0
    for last in range(len(found)):
        while found[last][1] - found[first][0] > SNIPPET_CHARS:
            first += 1
        score = len({stem for _, _, stem in found[first:last + 1]}) * 1000 - (last - first)
        if score > best_score:
            best, best_score = (first, last), score
    first, last = best
    start = _word_start(text, max(0, found[first][0] - (SNIPPET_CHARS - (found[last][1] - found[first][0])) // 3))
    end = _word_end(text, min(len(text), start + SNIPPET_CHARS))
    marks = tuple((s - start, e - start) for s, e, _ in found if s >= start and e <= end)
    return Snippet(text[start:end].replace("\n", " "), marks)


def marked(text: str, stems: set[str]) -> Snippet:
    """All of a short text (a headline) with the query words marked."""
    return Snippet(text, tuple((t.char_offset_from, t.char_offset_to)
                               for t in analyzer(STEMMED).pre_tokenize(text).tokens if t.text in stems))


def plain_snippet(text: str) -> Snippet:
    """The start of a text, when no query word is in it."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return Snippet(text)
    return Snippet(text[:_word_end(text, SNIPPET_CHARS)].rstrip() + " …")


def render(snip: Snippet, before: str, after: str, escape: bool = False) -> str:
    """The snippet with its marks written as `before`/`after` (HTML-escaped text if `escape`)."""
    quote = (lambda s: html.escape(s, quote=False)) if escape else (lambda s: s)
    parts, cursor = [], 0
    for start, end in snip.marks:
        if start < cursor:
            continue
        parts += [quote(snip.text[cursor:start]), before, quote(snip.text[start:end]), after]
        cursor = end
    parts.append(quote(snip.text[cursor:]))
    prefix = "… " if snip.marks and not snip.text[:1].isupper() else ""
    return prefix + "".join(parts)


def _word_start(text: str, index: int) -> int:
    if index == 0:
        return 0
    space = text.rfind(" ", 0, index)
    return space + 1 if space >= 0 else 0


def _word_end(text: str, index: int) -> int:
    if index >= len(text):
        return len(text)
    space = text.find(" ", index)
    return len(text) if space < 0 else space

""""Did you mean": the nearest frequent word of the archive for each word it does not know."""
from __future__ import annotations

import re

from ..text import fold
from .query import ParsedQuery

MIN_LENGTH = 4  # shorter words are too often abbreviations
ACCENTED = {"a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ"}


def suggestion(backend, query: ParsedQuery, text: str) -> str | None:
    """`text` with its unknown words replaced by the nearest known ones, or None."""
    corrected = text
    for typed, folded_word in query.words:
        if len(folded_word) < MIN_LENGTH or not folded_word.isalpha():
            continue
        vocabulary: dict[str, int] = {}
        for first in ACCENTED.get(folded_word[0], folded_word[0]):
            vocabulary.update(backend.vocabulary(first))
        if any(fold(word) == folded_word for word in vocabulary):
            continue
        best = nearest(folded_word, vocabulary)
        if best:
            corrected = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", best, corrected, count=1)
    return corrected if corrected != text else None


def nearest(word: str, vocabulary: dict[str, int]) -> str | None:
    """The most frequent word within one edit (two for long words), compared without accents."""
    limit = 1 if len(word) <= 5 else 2
    best, best_key = None, None
    for candidate, frequency in vocabulary.items():
        folded_candidate = fold(candidate)
        if abs(len(folded_candidate) - len(word)) > limit:
            continue
        distance = edit_distance(word, folded_candidate, limit)
        if distance <= limit:
            key = (distance, -frequency, candidate)
            if best_key is None or key < best_key:
                best, best_key = candidate, key
    return best


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, stopping early past `limit`."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]

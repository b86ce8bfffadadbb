"""The learned stage of classification: a linear model over the words of an item.

One logistic regression per rubrique (one-vs-rest) on the TF-IDF of the folded words and word
pairs of the title and the text, trained by scripts/train_model.py on the tuning splits of the
hand-labelled set and of the AN questions, and shipped as `rubriques_model.json.gz` beside this
module: the vocabulary with its IDF and, for each term, its non-negligible coefficients. Scoring
is plain Python (a few hundred dictionary look-ups), with no download and no scikit-learn.

What the model may do is set in feeds.yaml (`model:`, see `ModelSettings`); veille/classify.py
applies it. The scores are a pure function of the title and the text.
"""
from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("rubriques_model.json.gz")
FORMAT = 1
WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class ModelSettings:
    """feeds.yaml `model:`: `enabled` (false: the rules alone), `propose` (the score from which
    the model adds a rubrique the rules missed) and `confirm` (the score a keyword found only in
    the text needs to be kept: below it, the model vetoes that weak rule hit; 0 keeps them all)."""

    enabled: bool = True
    propose: float = 0.5
    confirm: float = 0.0
    file: Path = MODEL_FILE  # the weights: scripts/train_model.py writes them


def features(title: str, text: str) -> list[str]:
    """The folded words (two letters or more, no bare numbers) of the title and the text, the
    pairs of neighbouring words of each, and the title's words again marked « t: »."""
    terms: list[str] = []
    title_words = _words(title)
    for words in (title_words, _words(text)):
        terms += words
        terms += [f"{a} {b}" for a, b in zip(words, words[1:])]
    terms += [f"t:{w}" for w in title_words]
    return terms


def _words(text: str) -> list[str]:
    from .text import fold  # HTML libraries: catalog.py imports this module, loaded before any of them

    return [w for w in WORD_RE.findall(fold(text)) if len(w) > 1 and not w.isdigit()]


@dataclass(frozen=True)
class Model:
    topics: tuple[str, ...]
    intercepts: tuple[float, ...]
    idf: dict[str, float]
    weights: dict[str, tuple[tuple[int, float], ...]]  # term -> (topic index, coefficient) pairs

    def scores(self, title: str, text: str) -> dict[str, float]:
        """Probability of each rubrique the model knows, from 0 to 1."""
        idf, weights = self.idf, self.weights
        vector = [(t, (1 + math.log(n)) * idf[t]) for t, n in Counter(features(title, text)).items() if t in idf]
        norm = math.sqrt(sum(v * v for _, v in vector)) or 1.0
        sums = [0.0] * len(self.topics)
        for term, value in vector:
            for index, weight in weights.get(term, ()):
                sums[index] += weight * value
        return {slug: _sigmoid(intercept + total / norm)
                for slug, intercept, total in zip(self.topics, self.intercepts, sums)}


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value)) if value > -500 else 0.0


class ModelInvalid(Exception):
    """The model file cannot be read; the message names the file."""


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> Model:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            data = json.load(stream)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, {FORMAT} attendu")
        return Model(topics=tuple(data["topics"]), intercepts=tuple(data["intercepts"]),
                     idf=dict(zip(data["terms"], data["idf"])),
                     weights={term: tuple((int(i), w) for i, w in pairs.items())
                              for term, pairs in data["weights"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelInvalid(f"{path} : modèle de classement illisible ({exc})") from None

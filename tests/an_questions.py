"""Assemblée nationale questions labelled by the AN's own indexers (one JSON object a line: uid,
rubrique, analyses, question…), measured against the feeds.yaml rules. The AN rubrique is turned into
the Veille rubriques it is mapped to in feeds.yaml (none for an unmapped one: « À classer »); the rules
then see only the analyse (as title) and the question's text, with the `an_rubriques` rule switched
off. The held-out quarter is tests/labelled.py's `split_of` on the uid. Shared by bench/classify.py
and tests/test_classify_an.py."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from veille.catalog import Catalog, Topic
from veille.text import fold

REPO = Path(__file__).resolve().parents[1]
AN_QUESTIONS = REPO.parent / "shared" / "samples" / "questions" / "an_questions_rubriques.jsonl"
AN_EXTRACT = Path(__file__).parent / "data" / "an_questions_extract.jsonl"
FIELDS = ("uid", "rubrique", "question")  # analyses may be empty


class QuestionsInvalid(Exception):
    """A line of a questions file that is not a question: the message names the file and the line."""


def load_questions(path: Path) -> list[dict]:
    questions = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise QuestionsInvalid(f"{path} : fichier introuvable") from None
    except UnicodeDecodeError as exc:
        raise QuestionsInvalid(f"{path} : le fichier n'est pas en UTF-8 ({exc.reason})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionsInvalid(f"{path}:{number} : JSON invalide ({exc.msg})") from None
        missing = [name for name in FIELDS if not isinstance(record, dict) or not record.get(name)]
        if missing:
            raise QuestionsInvalid(f"{path}:{number} : champ « {missing[0]} » absent ou vide")
        questions.append(record)
    return questions


def mapping(catalog: Catalog) -> dict[str, set[str]]:
    """Folded AN rubrique -> the Veille rubriques it maps to (empty set: decided « aucune »)."""
    decided: dict[str, set[str]] = {fold(name): set() for name in catalog.unmapped_an_rubriques}
    for topic in catalog.topics.values():
        for name in topic.an_rubriques:
            decided.setdefault(fold(name), set()).add(topic.slug)
    return decided


def without_an_rubriques(topics: dict[str, Topic]) -> dict[str, Topic]:
    """The same rules with the AN-rubrique rule switched off."""
    return {slug: dataclasses.replace(topic, an_rubriques=()) for slug, topic in topics.items()}


def as_item(question: dict, decided: dict[str, set[str]]) -> dict:
    """A question in the labelled set's item shape: only the analyse and the question's text are
    given to the rules; the expected rubriques come from the mapping of its AN rubrique."""
    return {
        "id": question["uid"],
        "title": " ".join(question.get("analyses") or ()),
        "text": question["question"],
        "ministry": None,
        "nor": None,
        "tags": [],
        "topics": sorted(decided.get(fold(question["rubrique"]), ())),
        "an_rubrique": question["rubrique"],
    }


def mapping_table(catalog: Catalog) -> str:
    """The README's table: every decided AN rubrique, as written in feeds.yaml, and the labels of
    its Veille rubriques (« aucune » when unmapped), in alphabetical order without accents."""
    written = {fold(name): name for name in catalog.unmapped_an_rubriques}
    written.update({fold(name): name for t in catalog.topics.values() for name in t.an_rubriques})
    rows = ["| rubrique AN | rubrique(s) Veille |", "| --- | --- |"]
    for key, slugs in sorted(mapping(catalog).items()):
        labels = " ; ".join(catalog.topics[slug].label for slug in sorted(slugs)) or "aucune"
        rows.append(f"| {written[key]} | {labels} |")
    return "\n".join(rows) + "\n"

"""Train the learned stage of classification (veille/learned.py) and write its weights.

Run from the repository root, with the training extra installed (`pip install -e .[train]`):

    .venv/bin/python scripts/train_model.py [--an FILE] [--out veille/rubriques_model.json.gz]

It trains on the tuning splits only (tests/labelled.py's `split_of`: the held-out quarters of the
hand-labelled set and of the AN questions are never seen): the labelled items as they are, the AN
questions (default FILE: ../shared/samples/questions/an_questions_rubriques.jsonl, read there and
never copied) as bench/classify.py gives them (analyse as title, question as text, rubriques from
the feeds.yaml mapping, possibly none). One logistic regression per rubrique (liblinear, balanced
classes, fixed seed: the same data gives the same file) on TF-IDF of `learned.features`.

With `--thresholds`, it first trains on four fifths of the tuning items and prints the micro
precision and recall of the rules with the model, on the last fifth, for a grid of `propose` and
`confirm` values: that is how the values of feeds.yaml's `model:` were chosen.

The file holds no text of the samples: only single words and pairs of words with their IDF and
coefficients (terms seen in one item only are dropped, coefficients under PRUNE too).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.an_questions import AN_QUESTIONS, as_item, load_questions, mapping, without_an_rubriques  # noqa: E402
from tests.labelled import load_labelled, split_of  # noqa: E402
from veille.catalog import load_catalog  # noqa: E402
from veille.classify import Document, classify  # noqa: E402
from veille.learned import FORMAT, MODEL_FILE, ModelSettings, features  # noqa: E402

C = 10.0  # inverse regularisation strength
PRUNE = 0.1  # coefficients smaller than this (in absolute value) are left out of the file
MIN_POSITIVES = 3  # a rubrique with fewer training items gets no model
GRID_PROPOSE = (0.5, 0.6, 0.7, 0.8)
GRID_CONFIRM = (0.0, 0.1, 0.2, 0.3)


def training_items(an_path: Path, catalog) -> list[dict]:
    """The tuning splits: labelled items (with `set` = labelled) and AN questions (`set` = an)."""
    decided = mapping(catalog)
    items = [dict(item, set="labelled") for item in load_labelled()]
    items += [dict(as_item(q, decided), set="an") for q in load_questions(an_path)]
    return [item for item in items if split_of(item["id"]) == "tuning"]


def train(items: list[dict], slugs: list[str]) -> dict:
    """The model file's content for these items."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=lambda item: features(item["title"], item["text"]),
                                 sublinear_tf=True, min_df=2, dtype=np.float64)
    matrix = vectorizer.fit_transform(items)
    terms = vectorizer.get_feature_names_out()
    topics, intercepts, weights = [], [], {}
    for slug in slugs:
        labels = np.array([slug in item["topics"] for item in items], dtype=int)
        if labels.sum() < MIN_POSITIVES:
            continue
        regression = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", random_state=0)
        regression.fit(matrix, labels)
        index = len(topics)
        topics.append(slug)
        intercepts.append(round(float(regression.intercept_[0]), 4))
        for column in np.flatnonzero(np.abs(regression.coef_[0]) >= PRUNE):
            weights.setdefault(str(terms[column]), {})[str(index)] = round(float(regression.coef_[0][column]), 3)
    return {"format": FORMAT, "topics": topics, "intercepts": intercepts,
            "terms": [str(t) for t in terms], "idf": [round(float(v), 4) for v in vectorizer.idf_],
            "weights": weights}


def write(model: dict, path: Path) -> None:
    # No timestamp and no file name in the gzip header: the same model, the same bytes.
    with path.open("wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as raw:
        raw.write(json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def fifth(item_id: str) -> bool:
    """The validation fifth of the tuning items (a hash other than split_of's)."""
    return int(hashlib.sha256(f"validation:{item_id}".encode("utf-8")).hexdigest()[:8], 16) % 5 == 0


def thresholds(items: list[dict], catalog, slugs: list[str]) -> None:
    fit, check = [i for i in items if not fifth(i["id"])], [i for i in items if fifth(i["id"])]
    print(f"thresholds: training on {len(fit)} tuning items, measuring on {len(check)} others")
    rules_for = {"labelled": catalog.topics, "an": without_an_rubriques(catalog.topics)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json.gz"
        write(train(fit, slugs), path)
        print(f"{'set':<9} {'propose':>7} {'confirm':>7} {'microP':>7} {'microR':>7}")
        for name in ("labelled", "an"):
            subset = [i for i in check if i["set"] == name]
            for propose in GRID_PROPOSE:
                for confirm in GRID_CONFIRM:
                    settings = ModelSettings(propose=propose, confirm=confirm, file=path)
                    precision, recall = measure(subset, rules_for[name], settings)
                    print(f"{name:<9} {propose:>7.2f} {confirm:>7.2f} {precision:>7.3f} {recall:>7.3f}")
            precision, recall = measure(subset, rules_for[name], ModelSettings(enabled=False))
            print(f"{name:<9} {'rules alone':>15} {precision:>7.3f} {recall:>7.3f}")


def measure(items: list[dict], topics: dict, settings: ModelSettings) -> tuple[float, float]:
    tp = fp = fn = 0
    for item in items:
        doc = Document(item["title"], item["text"], item["ministry"], item["nor"], tuple(item["tags"]))
        predicted = {a.topic for a in classify(doc, topics, (), settings)}
        expected = set(item["topics"])
        tp, fp, fn = tp + len(predicted & expected), fp + len(predicted - expected), fn + len(expected - predicted)
    return tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--an", type=Path, default=AN_QUESTIONS, help=f"AN questions file (default: {AN_QUESTIONS})")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help=f"weights file (default: {MODEL_FILE})")
    parser.add_argument("--thresholds", action="store_true", help="print the propose/confirm grid first")
    args = parser.parse_args(argv)
    catalog = load_catalog(REPO / "feeds.yaml")
    slugs = sorted(catalog.topics)
    items = training_items(args.an, catalog)
    if args.thresholds:
        thresholds(items, catalog, slugs)
    model = train(items, slugs)
    write(model, args.out)
    pairs = sum(len(w) for w in model["weights"].values())
    print(f"{args.out}: {len(items)} tuning items, {len(model['topics'])} rubriques, {len(model['terms'])} terms, "
          f"{pairs} coefficients, {args.out.stat().st_size // 1024} Kio")
    return 0


if __name__ == "__main__":
    sys.exit(main())

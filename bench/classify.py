"""Rubriques benchmark: precision and recall of the feeds.yaml topic rules on a hand-labelled set.

Run from the repository root:

    .venv/bin/python bench/classify.py                # error details for the tuning split
    .venv/bin/python bench/classify.py --split all    # error details for every item
    .venv/bin/python bench/classify.py --against an-questions [FILE]   # labels nobody here wrote
    .venv/bin/python bench/classify.py --no-model     # the rules alone, without the learned stage

Every item of tests/data/classify_labelled.jsonl carries the rubriques a secrétaire de mairie
or a DGS would expect (possibly none: "À classer"). Items are classified without source default
topics, so only the rules (and the learned stage of feeds.yaml's `model:`, unless --no-model) are measured. A quarter of the items (first 8 hex digits of the
SHA-256 of the id, modulo 4 == 0) was set aside before the rules were tuned: the figures of
that "held-out" split show how the rules do on items nobody tuned them against. The error
details are printed for the tuning split by default so that tuning never looks at held-out items.

With `--against an-questions`, the items are Assemblée nationale questions labelled by the AN's own
indexers (default FILE: ../shared/samples/questions/an_questions_rubriques.jsonl): the rules see the
analyse and the question's text only, with the `an_rubriques` rule switched off, and must find the
rubriques that feeds.yaml maps the AN rubrique to (none: « À classer »). See tests/an_questions.py.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.an_questions import (AN_QUESTIONS, QuestionsInvalid, as_item, load_questions, mapping,  # noqa: E402
                                mapping_table, without_an_rubriques)
from tests.labelled import LABELLED, load_labelled, split_of  # noqa: E402
from veille.catalog import Catalog, load_catalog  # noqa: E402
from veille.text import fold  # noqa: E402
from veille.classify import Assignment, Document, classify  # noqa: E402
from veille.learned import ModelSettings  # noqa: E402

FEEDS = REPO / "feeds.yaml"
SPLITS = ("tuning", "held-out")
WORST = 15  # false positives and negatives shown


@dataclass
class Result:
    item: dict
    expected: set[str]
    assigned: dict[str, Assignment]

    @property
    def predicted(self) -> set[str]:
        return set(self.assigned)


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    items: int = 0
    unclassified_ok: int = 0  # expected no topic and got none
    unclassified_expected: int = 0


def run(items: list[dict], topics: dict, model: ModelSettings | None = None) -> list[Result]:
    results = []
    for item in items:
        doc = Document(title=item["title"], text=item["text"], ministry=item["ministry"],
                       nor=item["nor"], tags=tuple(item["tags"]))
        assigned = {a.topic: a for a in classify(doc, topics, (), model)}
        results.append(Result(item, set(item["topics"]), assigned))
    return results


def score(results: list[Result]) -> Scores:
    scores = Scores()
    for result in results:
        scores.items += 1
        scores.tp.update(result.expected & result.predicted)
        scores.fp.update(result.predicted - result.expected)
        scores.fn.update(result.expected - result.predicted)
        if not result.expected:
            scores.unclassified_expected += 1
            scores.unclassified_ok += not result.predicted
    return scores


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def micro(scores: Scores) -> tuple[float, float, float]:
    tp, fp, fn = (sum(c.values()) for c in (scores.tp, scores.fp, scores.fn))
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return precision, recall, ratio(2 * precision * recall, precision + recall)


def macro(scores: Scores) -> tuple[float, float]:
    """Mean per-topic precision over topics with predictions, recall over topics with support."""
    predicted = set(scores.tp) | set(scores.fp)
    supported = set(scores.tp) | set(scores.fn)
    precision = [ratio(scores.tp[t], scores.tp[t] + scores.fp[t]) for t in predicted]
    recall = [ratio(scores.tp[t], scores.tp[t] + scores.fn[t]) for t in supported]
    return ratio(sum(precision), len(precision)), ratio(sum(recall), len(recall))


def print_summary(by_split: dict[str, list[Result]]) -> None:
    print(f"{'split':<10} {'items':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'microP':>7} {'microR':>7} "
          f"{'microF1':>7} {'macroP':>7} {'macroR':>7}  à classer (correct / expected)")
    for name, results in by_split.items():
        scores = score(results)
        tp, fp, fn = (sum(c.values()) for c in (scores.tp, scores.fp, scores.fn))
        (p, r, f1), (mp, mr) = micro(scores), macro(scores)
        print(f"{name:<10} {scores.items:>5} {tp:>4} {fp:>4} {fn:>4} {p:>7.3f} {r:>7.3f} {f1:>7.3f} "
              f"{mp:>7.3f} {mr:>7.3f}  {scores.unclassified_ok} / {scores.unclassified_expected}")


def print_topics(scores: Scores, worst: int) -> None:
    """The rubriques with the lowest F1 (more errors first on a tie), with their figures."""
    def f1(topic: str) -> float:
        tp = scores.tp[topic]
        return ratio(2 * tp, 2 * tp + scores.fp[topic] + scores.fn[topic])

    wrong = sorted(set(scores.fp) | set(scores.fn), key=lambda t: (f1(t), -(scores.fp[t] + scores.fn[t]), t))
    print(f"\n{min(worst, len(wrong))} worst rubriques (of {len(wrong)} with errors), lowest F1 first:")
    print(f"  {'topic':<40} {'P':>6} {'R':>6} {'F1':>6} {'support':>7} {'FP':>3} {'FN':>3}")
    for topic in wrong[:worst]:
        tp, fp, fn = scores.tp[topic], scores.fp[topic], scores.fn[topic]
        print(f"  {topic:<40} {ratio(tp, tp + fp):>6.2f} {ratio(tp, tp + fn):>6.2f} {f1(topic):>6.2f} "
              f"{tp + fn:>7} {fp:>3} {fn:>3}")


def print_false_positives(results: list[Result]) -> None:
    """Worst first: the (topic, reason) rules that fired wrongly most often."""
    pairs = [(r, t) for r in results for t in sorted(r.predicted - r.expected)]
    rule_count = Counter((t, r.assigned[t].reason) for r, t in pairs)
    pairs.sort(key=lambda rt: (-rule_count[(rt[1], rt[0].assigned[rt[1]].reason)], rt[1], rt[0].item["id"]))
    print(f"\n{min(WORST, len(pairs))} worst false positives (of {len(pairs)}), rule that fired:")
    for result, topic in pairs[:WORST]:
        reason = result.assigned[topic].reason
        print(f"  [{rule_count[(topic, reason)]}x] {topic} <- {reason}\n      {label(result.item)}")


def print_false_negatives(results: list[Result], scores: Scores) -> None:
    """Worst first: the topics that miss most items; shows what fired instead."""
    pairs = [(r, t) for r in results for t in sorted(r.expected - r.predicted)]
    pairs.sort(key=lambda rt: (-scores.fn[rt[1]], rt[1], rt[0].item["id"]))
    print(f"\n{min(WORST, len(pairs))} worst false negatives (of {len(pairs)}), what fired instead:")
    for result, topic in pairs[:WORST]:
        fired = "; ".join(f"{t} <- {a.reason}" for t, a in result.assigned.items()) or "nothing (à classer)"
        print(f"  {topic} missed: {label(result.item)}\n      fired: {fired}")


def label(item: dict) -> str:
    """The item's id and title, and for an AN question the AN's own rubrique."""
    rubrique = f" [AN : {item['an_rubrique']}]" if "an_rubrique" in item else ""
    return f"{item['id']}{rubrique}: {shorten(item['title'])}"


def shorten(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def an_questions(path: Path, catalog: Catalog) -> tuple[list[dict], dict]:
    """The questions as items, and the rules without the AN-rubrique rule; undecided AN rubriques
    (neither mapped nor in unmapped_an_rubriques) are named, counted as « À classer »."""
    decided = mapping(catalog)
    questions = load_questions(path)
    undecided = sorted({q["rubrique"] for q in questions if fold(q["rubrique"]) not in decided})
    if undecided:
        print(f"AN rubriques with no decision in {FEEDS.name} (counted as « À classer »): {', '.join(undecided)}\n")
    return [as_item(q, decided) for q in questions], without_an_rubriques(catalog.topics)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tuning", "held-out", "all"), default="tuning",
                        help="items whose errors are detailed (default: tuning)")
    parser.add_argument("--against", choices=("labelled", "an-questions"), default="labelled",
                        help="the hand-labelled set (default) or AN questions with the AN's own rubrique")
    parser.add_argument("file", nargs="?", type=Path, help=f"questions file for an-questions (default: {AN_QUESTIONS})")
    parser.add_argument("--worst", type=int, default=10, help="worst rubriques listed (default: 10)")
    parser.add_argument("--mapping", action="store_true", help="print the AN rubrique table of the README and stop")
    parser.add_argument("--no-model", action="store_true", help="the rules alone, the learned stage switched off")
    args = parser.parse_args(argv)

    catalog = load_catalog(FEEDS)
    if args.mapping:
        print(mapping_table(catalog), end="")
        return 0
    if args.against == "an-questions":
        path = args.file or AN_QUESTIONS
        try:
            items, topics = an_questions(path, catalog)
        except QuestionsInvalid as exc:
            print(f"erreur : {exc}", file=sys.stderr)
            return 2
        what = f"{len(items)} AN questions ({path.name}, rules without an_rubriques)"
    elif args.file:
        parser.error("FILE only goes with --against an-questions")
    else:
        items, topics = load_labelled(LABELLED), catalog.topics
        what = f"{len(items)} labelled items"
    model = None if args.no_model else catalog.model
    results = run(items, topics, model)
    by_split = {name: [r for r in results if split_of(r.item["id"]) == name] for name in SPLITS}
    by_split["overall"] = results

    stage = "learned stage on" if model and model.enabled else "rules alone"
    print(f"Rubriques benchmark: {what}, {len(topics)} topics ({FEEDS.name}), {stage}\n")
    print_summary(by_split)
    detailed = results if args.split == "all" else by_split[args.split]
    print(f"\n--- Error details for the {args.split} split ({len(detailed)} items) ---")
    scores = score(detailed)
    print_topics(scores, args.worst)
    print_false_positives(detailed)
    print_false_negatives(detailed, scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())

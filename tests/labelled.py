"""The hand-labelled set of tests/data/classify_labelled.jsonl and its fixed split: a quarter of
the items (by a hash of their id) is held out, never looked at while tuning the rules. Shared by
tests/test_classify.py and bench/classify.py so that both mean the same quarter."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

LABELLED = Path(__file__).parent / "data" / "classify_labelled.jsonl"


def split_of(item_id: str) -> str:
    return "held-out" if int(hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:8], 16) % 4 == 0 else "tuning"


def load_labelled(path: Path = LABELLED) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]

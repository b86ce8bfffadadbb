"""Numbers typed by people or sent by clients, read with an ASCII-only rule.

`str.isdigit()` accepts « ² », « ① » or fullwidth « ２ », which `int()` then refuses or reads
as another number: every page number, id, port or limit goes through here instead.
"""
from __future__ import annotations

import re

ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_int(text: str | None, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """The integer written in plain ASCII digits, within bounds; None for anything else."""
    if text is None or not ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value

"""French plurals in what users read: « 1 source relevée », « 2 sources relevées », « 0 article »."""
from __future__ import annotations


def count(number: int, singular: str, plural: str | None = None) -> str:
    """"1 texte", "3 textes", "0 texte" (French uses the singular below two). Several words take
    the plural together: count(2, "source relevée") -> "2 sources relevées"."""
    if number < 2:
        return f"{number} {singular}"
    return f"{number} {plural or ' '.join(word + 's' for word in singular.split(' '))}"

"""Official identifiers found in text: NOR, JORFTEXT, nature of a text."""
from __future__ import annotations

import re

# Texts of these source categories are official texts: they own the NOR they state, have a
# nature ("Décret n°…") and may state their entry into force. Elsewhere a NOR is a citation.
OFFICIAL_CATEGORIES = {"journal-officiel", "circulaires"}
NOR_RE = re.compile(r"\bNOR\s*:?\s*([A-Z]{4}[0-9]{7}[A-Z])\b")
BARE_NOR_RE = re.compile(r"^[A-Z]{4}[0-9]{7}[A-Z]$")
JORFTEXT_RE = re.compile(r"\b(JORFTEXT[0-9]{12})\b")
NATURES = (
    ("LOI ORGANIQUE", r"loi organique"),
    ("LOI", r"loi"),
    ("ORDONNANCE", r"ordonnance"),
    ("DÉCRET", r"d[ée]cret"),
    ("ARRÊTÉ", r"arr[êe]t[ée]"),
    ("CIRCULAIRE", r"circulaire"),
    ("INSTRUCTION", r"instruction"),
    ("DÉCISION", r"d[ée]cision"),
    ("DÉLIBÉRATION", r"d[ée]lib[ée]ration"),
    ("AVIS", r"avis"),
    ("RECTIFICATIF", r"rectificatif"),
)
NATURE_RES = [(name, re.compile(rf"^\s*{pattern}\b", re.IGNORECASE)) for name, pattern in NATURES]


def find_nor(*texts: str | None) -> str | None:
    for text in texts:
        if text:
            match = NOR_RE.search(text)
            if match:
                return match.group(1)
    return None


def find_jorf_id(*texts: str | None) -> str | None:
    for text in texts:
        if text:
            match = JORFTEXT_RE.search(text)
            if match:
                return match.group(1)
    return None


def guess_nature(title: str) -> str | None:
    """Nature of an official text from the start of its title ("Décret n° 2020-1622 du…")."""
    for name, pattern in NATURE_RES:
        if pattern.match(title):
            return name
    return None


NOR_MENTION_RE = re.compile(r"\b([A-Z]{4}[0-9]{7}[A-Z])\b")


def mentioned_ids(text: str) -> set[str]:
    """Every NOR and JORFTEXT id a text names: "NOR : TERB2001234A", "JORFTEXT000042702330"."""
    return set(JORFTEXT_RE.findall(text)) | set(NOR_MENTION_RE.findall(text))

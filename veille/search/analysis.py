"""French analysis shared by every backend: one tokenizer, one stemmer, one stop list.

Both backends index with the same tantivy analyzer (Rust, fast): tokens are runs of letters
and digits, lower-cased, folded to ASCII ("État" -> "etat", "œuvre" -> "oeuvre") and stemmed
with the Snowball French stemmer ("marchés" -> "march"). Stop words stay in the index, so that
phrases ("Île-de-France", "l'arrêté du 3 mars") match exactly; they are dropped from queries.
Identifiers (NOR, JORFTEXT, "2020-1622", "L. 1211-1") are also extracted whole, for exact search.
"""
from __future__ import annotations

import re
from functools import cache

import tantivy

STEMMED = "fr_stem"  # tokenizer names as registered in tantivy indexes
LOWERED = "fr_lower"  # the words as written, lower-cased: the vocabulary of suggestions
FOLDED = "fr_fold"  # lower-cased and without accents: stop word checks
MAX_TOKEN = 40

# Snowball's French stop list, folded, with the elided forms (l', d', qu'…).
STOP_WORDS = frozenset("""
au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me meme mes
moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
vos votre vous c d j l a m n s t y ete etee etees etes etant suis es est sommes sont serai
seras sera serons serez seront serais serait serions seriez seraient etais etait etions etiez
etaient fus fut fumes futes furent sois soit soyons soyez soient fusse fusses fussions fussiez
fussent ayant eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais
aurait aurions auriez auraient avais avait avions aviez avaient eut eumes eutes eurent aie aies
ait ayons ayez aient eusse eusses eussions eussiez eussent ceci cela cet cette ici
leurs quel quels quelle quelles sans soi lorsqu puisqu jusqu quoiqu
""".split())

ELISION_RE = re.compile(r"^(?:[cdjlmnst]|qu|lorsqu|puisqu|jusqu|quoiqu)['’](?=\w)", re.IGNORECASE)

# Identifiers searched as typed; each pattern's match is normalised by `_identifier`.
NOR = r"[A-Z]{4}\d{7}[A-Z]"
LEGAL_ID = r"(?:JORF|LEGI|KALI|JURI|CETA|CNIL)(?:TEXT|ARTI|SCTA|CONT)\d{12}"
CODE_ARTICLE = r"(?:LO|L|R|D)\s?\.?\s?(?P<article>\d+(?:-\d+)+)|(?:LO|L|R|D)\s?\.\s?\d{3,}"
NUMBER = r"\d{1,4}-\d{1,6}(?:-\d{1,6})*"
# The lookahead first: most positions fail on it at once, which halves the scan time.
IDENTIFIER_RE = re.compile(rf"(?=[A-Z\d])(?<![\w-])(?:{LEGAL_ID}|{NOR}|{CODE_ARTICLE}|{NUMBER})(?![\w-])")
QUERY_IDENTIFIER_RE = re.compile(IDENTIFIER_RE.pattern, re.IGNORECASE)
SPACES_RE = re.compile(r"[\s.]+")


@cache
def analyzer(name: str) -> tantivy.TextAnalyzer:
    """fr_stem (indexed text), fr_lower (suggestions) or fr_fold (stop word checks)."""
    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())  # runs of letters and digits
               .filter(tantivy.Filter.remove_long(MAX_TOKEN))
               .filter(tantivy.Filter.lowercase()))
    if name != LOWERED:
        builder = builder.filter(tantivy.Filter.ascii_fold())
    if name == STEMMED:
        builder = builder.filter(tantivy.Filter.stemmer("french"))
    return builder.build()


@cache
def stop_stems() -> frozenset[str]:
    """Stop words as the stemmer leaves them ("cette" -> "cet")."""
    return frozenset(stem for word in STOP_WORDS for stem in stems(word))


def stems(text: str) -> list[str]:
    return analyzer(STEMMED).analyze(text)


def folded(text: str) -> list[str]:
    return analyzer(FOLDED).analyze(text)


def strip_elision(word: str) -> str:
    """ "l'arrêté" -> "arrêté", "qu'il" -> "il"."""
    return ELISION_RE.sub("", word)


def word_stems(word: str) -> list[str]:
    """What one typed word looks for: nothing for a stop word, one stem, or several stems
    to find side by side (a hyphenated word: "tiers-lieux", "Île-de-France")."""
    word = strip_elision(word)
    tokens = folded(word)
    if len(tokens) == 1 and tokens[0] in STOP_WORDS:
        return []
    return stems(word)


def identifiers(text: str) -> set[str]:
    """Normalised identifiers named in a document's text; a code article ("L. 1211-1") is
    also found by its bare number ("1211-1")."""
    found = set()
    for match in IDENTIFIER_RE.finditer(text):
        found.add(_identifier(match.group()))
        if number := match.group("article"):
            found.add(number)
    return found


def _identifier(raw: str) -> str:
    return SPACES_RE.sub("", raw).lower()


def identifier_at(text: str, start: int) -> tuple[str, int] | None:
    """An identifier typed in a query at `start` (any case): (normalised value, end)."""
    match = QUERY_IDENTIFIER_RE.match(text, start)
    if match is None:
        return None
    return _identifier(match.group()), match.end()

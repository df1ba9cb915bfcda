"""People's names as staff type them: folding, a stored search key, and how well a typed
word matches a name word.

SQLite's ``lower()`` and ``LIKE`` fold ASCII letters only, so "øyv" never found "Øyvind".
The folding is therefore done here, in Python, the same for every database: a person's
names are folded once when they are written (``Participant.search_key``, kept in step by
the model) and what staff type is folded the same way before it is compared.

Three strengths of match, best first:

- :func:`fold` – the letters as written, case ignored (NFKC, then ``casefold``). Æ, Ø and
  Å stay letters of their own: "øy" finds "Øyvind" and not "Oyvind".
- :func:`ascii_fold` – the second choice: æ → ae, ø → o, å → a, other accents dropped
  (é → e, ö → o), so "oyv" still finds "Øyvind" when the keyboard has no ø.
- :func:`skeleton` / a typo – doubled letters count once (Kristofersen, Kristoffersen and
  Aase, Åse), and one letter missing, added, wrong or two swapped in a word of four
  letters or more (two in a word of eight or more), by optimal string alignment.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import OSA

EXACT, ASCII, TYPO = 0, 1, 2
"""How a typed word matched a name word, best first (see :func:`word_tier`)."""

_LETTERS = {"æ": "ae", "ø": "o", "å": "a", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}
_WORD = re.compile(r"[^\W_]+")
_DOUBLE = re.compile(r"(.)\1+")
KEY_LENGTH = 1000
"""The stored key's length at most: three names of 100 characters, each in two forms."""
_CACHE = 65536
"""Words folded and compared, remembered: a door compares the same few hundred first and
last names over and over (the search grades up to hundreds of people per keystroke)."""


def fold(text: str | None) -> str:
    """Case folded, compatibility forms composed: what "the same letters" means."""
    return unicodedata.normalize("NFKC", text or "").casefold()


@functools.lru_cache(maxsize=_CACHE)
def ascii_fold(text: str | None) -> str:
    """:func:`fold`, then the Nordic letters spelled in ASCII and every accent dropped."""
    folded = "".join(_LETTERS.get(ch, ch) for ch in fold(text))
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=_CACHE)
def skeleton(text: str | None) -> str:
    """:func:`ascii_fold` with every run of one letter written once ("kristoffersen" →
    "kristofersen", "aase" → "ase")."""
    return _DOUBLE.sub(r"\1", ascii_fold(text))


def words(text: str | None) -> list[str]:
    """The folded words of a text: letters and digits, split at spaces, hyphens and the
    like ("Anne-Lise" is two words)."""
    return list(_words(text or ""))


@functools.lru_cache(maxsize=_CACHE)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def search_key(*names: str | None) -> str:
    """What ``Participant.search_key`` stores: every name word in its ASCII form and its
    skeleton, each once, between spaces (``" oyvind amundsen amundsen "``; a leading space
    lets ``LIKE '% oyv%'`` ask for a word's start). Empty when there are no names."""
    seen: dict[str, None] = {}
    for name in names:
        for w in words(name):
            seen.setdefault(ascii_fold(w), None)
            seen.setdefault(skeleton(w), None)
    if not seen:
        return ""
    return (" " + " ".join(seen) + " ")[:KEY_LENGTH]


def typed_words(query: str | None, at_most: int = 4) -> list[str]:
    """The words staff typed, folded, at most ``at_most`` of them."""
    return words((query or "")[:200])[:at_most]


def typo_budget(typed: str) -> int:
    """How many letters of a typed word may be wrong: none under four letters (too many
    names would match), one from four, two from eight."""
    n = len(typed)
    return 0 if n < 4 else 1 if n < 8 else 2


@functools.lru_cache(maxsize=_CACHE)
def word_tier(typed: str, name_word: str) -> tuple[int, int] | None:
    """How the typed word (folded) matches the start of one name word (folded):
    ``(EXACT | ASCII | TYPO, letters wrong)``, or None."""
    if name_word.startswith(typed):
        return EXACT, 0
    a_typed, a_name = ascii_fold(typed), ascii_fold(name_word)
    if a_name.startswith(a_typed):
        return ASCII, 0
    s_typed, s_name = skeleton(typed), skeleton(name_word)
    if s_name.startswith(s_typed):
        return TYPO, 0
    budget = typo_budget(s_typed)
    if not budget:
        return None
    # The typed word is a prefix with typos: compare it with the name's start of about its
    # length (one shorter or longer: a letter missing or added).
    best = None
    for end in range(max(1, len(s_typed) - budget), len(s_typed) + budget + 1):
        d = OSA.distance(s_typed, s_name[:end], score_cutoff=budget)
        if d <= budget and (best is None or d < best):
            best = d
    return (TYPO, best) if best is not None else None


def match(typed: Iterable[str], name_words: list[str]) -> tuple[int, int, int] | None:
    """How well every typed word matches some name word: ``(worst tier, sum of tiers,
    letters wrong)``, lower is better, or None if one typed word matches no name word."""
    worst = total = wrong = 0
    for t in typed:
        best: tuple[int, int] | None = None
        for w in name_words:
            tier = word_tier(t, w)
            if tier is not None and (best is None or tier < best):
                best = tier
                if tier == (EXACT, 0):
                    break
        if best is None:
            return None
        worst, total, wrong = max(worst, best[0]), total + best[0], wrong + best[1]
    return worst, total, wrong

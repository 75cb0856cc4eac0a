"""Answers typed with a slip of a finger: 그레 (그래), 조아 (좋아), 알겟어, 아니여 (아니요).

A word one jamo away (one letter of the Korean alphabet added, dropped or changed) from exactly
one side's words — approve or reject, never both — is read as that word. Only whole-message
answers are corrected (the parser asks after the exact words failed), so a title is never
rewritten.
"""

from __future__ import annotations

from functools import cache

from router_service.nlu.lexicon import APPROVE_WORDS, REJECT_WORDS

_BASE, _LAST = 0xAC00, 0xD7A3
_LEADS, _VOWELS, _TAILS = 19, 21, 28
# A one-syllable word has too many neighbours (네 → 내, 니, 너) to guess from.
MIN_SYLLABLES = 2
MAX_SYLLABLES = 5
# Answer words with an everyday word one letter away (그럼 / 그림): never guessed from.
TOO_NEAR_OTHERS = frozenset({"그럼"})


def _hangul(word: str) -> bool:
    return all(_BASE <= ord(ch) <= _LAST for ch in word)


def jamo(word: str) -> tuple[int, ...]:
    """The letters of ``word``'s syllables (lead, vowel, tail if any), as numbers."""
    letters: list[int] = []
    for ch in word:
        index = ord(ch) - _BASE
        lead, rest = divmod(index, _VOWELS * _TAILS)
        vowel, tail = divmod(rest, _TAILS)
        letters += [lead, 100 + vowel]
        if tail:
            letters.append(200 + tail)
    return tuple(letters)


def _one_apart(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one insertion, deletion or substitution."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@cache
def _bases() -> tuple[tuple[str, tuple[int, ...], str], ...]:
    words = [(w, "approve") for w in APPROVE_WORDS] + [(w, "reject") for w in REJECT_WORDS]
    return tuple(
        (word, jamo(word), side)
        for word, side in words
        if " " not in word
        and _hangul(word)
        and len(word) >= MIN_SYLLABLES
        and word not in TOO_NEAR_OTHERS
    )


def fix_word(word: str) -> str | None:
    """The answer word ``word`` was meant to be, or None (not a slip, or ambiguous)."""
    if not (MIN_SYLLABLES <= len(word) <= MAX_SYLLABLES and _hangul(word)):
        return None
    letters = jamo(word)
    if any(letters == base for _, base, _ in _bases()):
        return None  # already a word
    near = [(w, side) for w, base, side in _bases() if _one_apart(letters, base)]
    if not near or len({side for _, side in near}) > 1:
        return None
    return near[0][0]


def corrected(text: str) -> str | None:
    """``text`` with each slipped answer word fixed, or None when nothing was fixed."""
    words = text.split()
    fixed = [fix_word(w) or w for w in words]
    return " ".join(fixed) if fixed != words else None

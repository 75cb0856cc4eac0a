"""The letters inside a Hangul syllable: whether it closes on a consonant, and which.

A syllable is 0xAC00 + (lead * 21 + vowel) * 28 + tail; tail 0 is an open syllable.
"""

from __future__ import annotations

FIRST, LAST = 0xAC00, 0xD7A3
VOWELS, TAILS = 21, 28
RIEUL, SSANG_SIOT = 8, 20  # the tails ㄹ (홍대로) and ㅆ (했, 갔)


def is_syllable(char: str) -> bool:
    return FIRST <= ord(char) <= LAST


def tail(char: str) -> int | None:
    """The final consonant of the syllable ``char`` (0: none); None when it is no syllable."""
    return (ord(char) - FIRST) % TAILS if is_syllable(char) else None


def syllables() -> str:
    """Every Hangul syllable, in order."""
    return "".join(map(chr, range(FIRST, LAST + 1)))

"""Answers typed with a slip of a finger: 그레 (그래), 조아 (좋아), 알겟어, 아니여 (아니요).

A word one jamo away (one letter of the Korean alphabet added, dropped or changed) from exactly
one side's words — approve or reject, never both — is read as that word. Only whole-message
answers are corrected (the parser asks after the exact words failed), so a title is never
rewritten.
"""

from __future__ import annotations

from functools import cache

from router_service.nlu import hangul
from router_service.nlu.lexicon import APPROVE_WORDS, REJECT_WORDS

# A one-syllable word has too many neighbours (네 → 내, 니, 너) to guess from.
MIN_SYLLABLES = 2
MAX_SYLLABLES = 5
# Answer words with an everyday word one letter away (그럼 / 그림): never guessed from.
TOO_NEAR_OTHERS = frozenset({"그럼"})


def _hangul(word: str) -> bool:
    return all(map(hangul.is_syllable, word))


def jamo(word: str) -> tuple[int, ...]:
    """The letters of ``word``'s syllables (lead, vowel, tail if any), as numbers."""
    letters: list[int] = []
    for ch in word:
        index = ord(ch) - hangul.FIRST
        lead, rest = divmod(index, hangul.VOWELS * hangul.TAILS)
        vowel, tail = divmod(rest, hangul.TAILS)
        letters += [lead, 100 + vowel]
        if tail:
            letters.append(200 + tail)
    return tuple(letters)


def _dropped(letters: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
    """Each position of ``letters`` with what is left when that letter is dropped."""
    return [(i, letters[:i] + letters[i + 1 :]) for i in range(len(letters))]


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


class _Neighbours:
    """The answer words indexed by their letters with one dropped, so that the words one letter
    apart from a typed word are found by lookups instead of comparing it with every word."""

    def __init__(self, bases: tuple[tuple[str, tuple[int, ...], str], ...]) -> None:
        self.by_letters: dict[tuple[int, ...], list[int]] = {}  # one added to the typed word
        self.by_dropped: dict[tuple[int, ...], list[int]] = {}  # one dropped from it
        self.by_changed: dict[tuple[int, tuple[int, ...]], list[int]] = {}  # one changed
        for index, (_, letters, _) in enumerate(bases):
            self.by_letters.setdefault(letters, []).append(index)
            for position, rest in _dropped(letters):
                self.by_dropped.setdefault(rest, []).append(index)
                self.by_changed.setdefault((position, rest), []).append(index)

    def near(self, letters: tuple[int, ...]) -> list[int]:
        """Indexes (in order) of the words exactly one insertion, deletion or substitution away."""
        found = set(self.by_dropped.get(letters, ()))
        for position, rest in _dropped(letters):
            found.update(self.by_letters.get(rest, ()))
            found.update(self.by_changed.get((position, rest), ()))
        return sorted(found)


@cache
def _neighbours() -> _Neighbours:
    return _Neighbours(_bases())


def fix_word(word: str) -> str | None:
    """The answer word ``word`` was meant to be, or None (not a slip, or ambiguous)."""
    if not (MIN_SYLLABLES <= len(word) <= MAX_SYLLABLES and _hangul(word)):
        return None
    letters = jamo(word)
    neighbours = _neighbours()
    if letters in neighbours.by_letters:
        return None  # already a word
    bases = _bases()
    near = [bases[index] for index in neighbours.near(letters)]
    if not near or len({side for _, _, side in near}) > 1:
        return None
    return near[0][0]


def corrected(text: str) -> str | None:
    """``text`` with each slipped answer word fixed, or None when nothing was fixed."""
    words = text.split()
    fixed = [fix_word(w) or w for w in words]
    return " ".join(fixed) if fixed != words else None

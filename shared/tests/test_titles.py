"""The one title rule."""

import pytest

from shared.titles import title_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (" Team  Sync\t", "teamsync"),
        ("점심 약속", "점심약속"),
        ("TDD 테스트 일정", "tdd테스트"),
        ("검진 일정", "검진"),
        ("ＡＢＣ 회의", "abc회의"),  # full-width letters (NFKC)
        ("STRASSE", "straße"),  # case folding, not just lower()
    ],
)
def test_the_same_title(a, b):
    assert title_key(a) == title_key(b)


def test_other_titles_and_the_word_itself():
    assert title_key("점심") != title_key("저녁")
    assert title_key("일정") == "일정"
    assert title_key(None) == ""

"""What Haru says to a message that is no calendar request: greetings, thanks, chit-chat,
English, requests it cannot serve, and nonsense (the help text with two examples).

A table of (kind, pattern, answer), tried in order on the message as written; the first
match answers. Pure: the dialogue stores the answer like any other reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

EXAMPLES = "예: '내일 오후 3시 팀 미팅', '이번 주 일정 알려줘'"
NOT_UNDERSTOOD = (
    "무슨 말씀인지 잘 모르겠어요. 하루는 구글 캘린더 일정을 등록·조회·변경·삭제할 수 있어요.\n"
    + EXAMPLES
)
CAPABILITIES = (
    "저는 하루예요. 구글 캘린더 일정을 등록하고, 알려 드리고, 옮기거나 지울 수 있어요.\n"
    "예: '내일 오후 3시 팀 미팅', '이번 주 일정 알려줘', '금요일 오후에 시간 비어?'"
)
ENGLISH = (
    "하루는 한국어로 말씀하셔야 알아들어요. 이렇게 말씀해 보세요: '내일 오후 3시 팀 미팅'\n"
    "(Haru understands Korean. '내일 오후 3시 팀 미팅' means a team meeting tomorrow at 3 pm.)"
)

_HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_END = re.compile(r"(?:[^\w]|[ㅋㅎㅠㅜ_])+$")  # punctuation, emoji, ㅋㅋ after the words


@dataclass(frozen=True)
class Reply:
    kind: str
    pattern: re.Pattern[str]
    answer: str


def _p(expression: str) -> re.Pattern[str]:
    return re.compile(expression, re.IGNORECASE)


REPLIES = (
    Reply(
        "thanks",
        _p(r"고마워|고맙|감사(?:해|합|드려|하)|땡큐|^ㄳ|^ㄱㅅ|^thx|thank"),
        "천만에요! 또 필요한 일정이 있으면 언제든 말씀해 주세요.",
    ),
    Reply(
        "goodbye",
        _p(
            r"^(?:잘\s*(?:자|있어|가)|안녕히|바이|빠이|수고(?:했|하셨|해)|다음에\s*(?:봐|또)|굿\s*나잇|bye)"
        ),
        "네, 좋은 하루 보내세요! 필요할 때 언제든 불러 주세요.",
    ),
    Reply(
        "greeting",
        _p(
            r"^(?:안녕|하이|ㅎㅇ|헬로|반가워|반갑습니다|좋은\s*(?:아침|저녁|하루)|굿\s*모닝|하루야|여보세요)"
        ),
        "안녕하세요! 하루예요. 일정을 말씀해 주시면 캘린더에 등록하거나 알려 드릴게요.\n"
        "예: '내일 오후 3시 팀 미팅'",
    ),
    Reply(
        "who",
        _p(
            r"누구(?:야|세요|니|임)|이름이\s*뭐|넌\s*뭐|너는\s*뭐|뭘\s*할\s*수|뭐\s*할\s*수|"
            r"할\s*수\s*있는\s*(?:게|거|일)|도움말|사용법|어떻게\s*(?:써|쓰|사용)|^help|^도와줘$"
        ),
        CAPABILITIES,
    ),
    Reply(
        "how_are_you",
        _p(r"잘\s*지내|뭐\s*해\??$|뭐하니|뭐\s*하고\s*있|기분\s*어때|심심"),
        "저는 잘 지내요! 오늘 일정을 확인해 드릴까요? 예: '오늘 일정 알려줘'",
    ),
    Reply(
        "praise",
        _p(r"잘\s*했어|잘했|최고|똑똑|대단|훌륭|멋지|굿\s*잡|짱"),
        "감사해요! 더 도와드릴 일정이 있으면 말씀해 주세요.",
    ),
    Reply(
        "sorry",
        _p(r"미안|죄송|쏘리"),
        "괜찮아요! 천천히 말씀해 주세요.",
    ),
    Reply(
        "tired",
        _p(r"피곤|힘들|지쳤|지친다|졸려|우울"),
        "오늘 고생 많으셨어요. 푹 쉬세요! 내일 일정이 궁금하면 '내일 일정 알려줘'라고 해 주세요.",
    ),
    Reply(
        "weather",
        _p(r"날씨|비\s*(?:와|오)|기온|미세\s*먼지"),
        "날씨는 알려 드릴 수 없어요. 하루는 캘린더 일정을 도와드려요. 예: '내일 일정 알려줘'",
    ),
    Reply(
        "laugh",
        _p(r"^[ㅋㅎ]{2,}$|^(?:lol|haha)$"),
        "😄 필요한 일정이 있으면 말씀해 주세요.",
    ),
    Reply(
        "elsewhere",
        _p(r"추천해|추천\s*좀|뭐\s*먹|메뉴|검색해|번역|계산해|노래|틀어\s*줘"),
        "그건 도와드릴 수 없어요. 하루는 캘린더 일정만 다뤄요.\n" + EXAMPLES,
    ),
)


def is_english(text: str) -> bool:
    """Written in Latin letters with no Korean at all (a sentence, not a stray code)."""
    return not _HANGUL.search(text) and bool(_LATIN_WORD.search(text))


# While a proposal or a question waits, only these are answered as themselves; anything
# else not understood gets the reminder of what waits (dialogue.waiting).
SAID_WHILE_WAITING = frozenset({"thanks", "greeting", "goodbye", "who", "sorry"})


def answer(text: str, *, now: datetime | None = None, waiting: bool = False) -> str | None:
    """A short natural answer to a message that asks nothing of the calendar; None while
    something ``waiting`` for the person when the message is no greeting, thanks, …"""
    if is_english(text):
        return ENGLISH
    core = _END.sub("", text.strip()) or text.strip()
    for reply in REPLIES:
        if waiting and reply.kind not in SAID_WHILE_WAITING:
            continue
        if reply.pattern.search(core):
            if reply.kind == "goodbye" and now is not None and (now.hour >= 21 or now.hour < 4):
                return "편안한 밤 보내세요! 필요할 때 언제든 불러 주세요."
            return reply.answer
    return None if waiting else NOT_UNDERSTOOD

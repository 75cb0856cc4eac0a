"""The words a message leaves once its dates and times are taken: title, location, request."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from router_service.nlu import hangul, lexicon
from router_service.nlu.grammar import Hit

PLAN_PREDICATE = re.compile(r"(?:있|잡혔|잡혀|생겼|생겨|정해졌|잡힌|예정)[가-힣]*[.!?~]*")
EDGE_PUNCTUATION = ",.!?~\"'“”‘’()[]「」『』"


@dataclass(frozen=True, slots=True)
class Words:
    """What is left of the message once the date/time expressions are removed."""

    tokens: tuple[str, ...]
    location: str | None
    asked: bool  # a request word was present


def address(norm: str) -> re.Match[str] | None:
    for match in lexicon.ADDRESS.finditer(norm):
        if lexicon.ADDRESS_HEAD.match(match.group()):
            return match
    return None


def leftover(norm: str, hits: list[Hit], address: re.Match[str] | None) -> Words:
    """Splits what the hits did not take into tokens and finds the location among them."""
    chars = list(norm)
    for h in hits:
        for i in range(h.start, h.end):
            chars[i] = "\x00"
    location: str | None = None
    if address is not None:
        location = address.group().strip()
        for i in range(address.start(), address.end()):
            chars[i] = "\x00"
    # Range connectors between two hits go with them.
    text = "".join(chars)
    text = re.sub(r"\x00[\s]*[~\-][\s]*\x00", "\x00 \x00", text)
    text = lexicon.KEEP_PHRASE.sub(" ", text)
    tokens = [_bare(t) for t in re.split(r"[\s\x00]+", text) if t]
    tokens = [t for t in tokens if t]

    asked = exists = False
    while tokens and (
        lexicon.REQUEST_TOKEN.fullmatch(tokens[-1]) or tokens[-1] in lexicon.DESTINATION_TOKENS
    ):
        exists = exists or tokens[-1].startswith("있")
        asked = asked or tokens[-1] not in lexicon.DESTINATION_TOKENS
        tokens.pop()
    while tokens and tokens[0] in lexicon.DISCOURSE_TOKENS:
        tokens.pop(0)
    tokens = _subject_only(tokens)
    # 회의 잡아줘 내일 3시: a request verb in the middle, recognisable by its ending.
    tokens = [
        t
        for t in tokens
        if t != "좀"
        and not (lexicon.REQUEST_TOKEN.fullmatch(t) and lexicon.IMPERATIVE_END.search(t))
    ]
    # 아니 4시로 바꿔줘 / 응 3시로 해줘: the answer word is no part of a title.
    while tokens and lexicon.ANSWER_TOKEN.fullmatch(tokens[0]):
        tokens.pop(0)
    if exists and tokens:
        # 회의가 있어: drop the subject particle (never from a two-syllable word: 휴가).
        tokens[-1] = lexicon.SUBJECT_PARTICLE.sub("", tokens[-1])

    if location is None:
        location, tokens = place_with_eseo(tokens)
    if location is None:
        location, tokens = trailing_place(tokens)
        if location and tokens and COMPANION.search(tokens[-1]):
            tokens = [*tokens, location]  # 조카랑 놀이공원: the place is what they do
    if location is None:
        location, tokens = leading_place(tokens)
    tokens = [t for t in tokens if t not in lexicon.PARTICLE_TOKENS]
    return Words(tokens=tuple(tokens), location=location, asked=asked)


def _bare(token: str) -> str:
    """The token without emoji, punctuation or ㅋㅋ/ㅠㅠ at its ends (소개팅!! 🙏 → 소개팅)."""
    token = token.strip(EDGE_PUNCTUATION)
    while token and (unicodedata.category(token[-1])[0] in "PS" or "ㄱ" <= token[-1] <= "ㅣ"):
        token = token[:-1]
    while token and unicodedata.category(token[0])[0] in "PS":
        token = token[1:]
    return token


def _subject_only(tokens: list[str]) -> list[str]:
    """``동창 모임이 잡혔어 …``: the subject is the event; the predicate and after are not."""
    for i, token in enumerate(tokens[:-1]):
        if lexicon.SUBJECT_PARTICLE.search(token) and PLAN_PREDICATE.fullmatch(tokens[i + 1]):
            return [*tokens[:i], lexicon.SUBJECT_PARTICLE.sub("", token)]
    return tokens


def is_place_word(token: str) -> bool:
    if token in lexicon.NOT_PLACES or token in lexicon.NOT_BRANCHES:
        return False
    return token.endswith(lexicon.PLACE_SUFFIXES) or bool(lexicon.BRANCH.fullmatch(token))


def place_with_eseo(tokens: list[str]) -> tuple[str | None, list[str]]:
    for i, token in enumerate(tokens):
        if token.endswith("에서") and len(token) > 2:
            place = [token[:-2]]
            j = i - 1
            if (
                len(place[0]) == 1 and j >= 0
            ):  # 부모님 댁, 친구 집: a one-syllable place has an owner
                place.insert(0, tokens[j])
                j -= 1
            while j >= 0 and (
                lexicon.PLACE_MODIFIER.fullmatch(tokens[j])
                or lexicon.PLACE_RELATION.fullmatch(tokens[j])
                or is_place_word(tokens[j])
            ):
                place.insert(0, tokens[j])
                j -= 1
            return " ".join(place), tokens[: j + 1] + tokens[i + 1 :]
    return None, tokens


def trailing_place(tokens: list[str]) -> tuple[str | None, list[str]]:
    if not tokens:
        return None, tokens
    last = lexicon.OBJECT_PARTICLE.sub("", tokens[-1])
    last = re.sub(r"(?:에|으로|로)$", "", last) if not is_place_word(last) else last
    if not is_place_word(last):
        return None, tokens
    place = [last]
    j = len(tokens) - 2
    while j >= 0 and (lexicon.PLACE_MODIFIER.fullmatch(tokens[j]) or is_place_word(tokens[j])):
        place.insert(0, tokens[j])
        j -= 1
    return " ".join(place), tokens[: j + 1]


def leading_place(tokens: list[str]) -> tuple[str | None, list[str]]:
    """``잠실 롯데월드타워 저녁 식사``: a place phrase first, then the event."""
    end = 0
    for i, token in enumerate(tokens[:-1]):
        if is_place_word(token):
            end = i + 1
        elif not lexicon.PLACE_MODIFIER.fullmatch(token):
            break
    if end == 0 or (end == 1 and tokens[0] in lexicon.PLACE_SUFFIXES):
        return None, tokens  # 공항 리무진 탑승: a bare place noun names the thing, not where
    return " ".join(tokens[:end]), tokens[end:]


def title(words: Words, *, create: bool, update: bool = False) -> str:
    # 전체 회의 is a title; 일정 전체 삭제 names many events.
    dropped = CREATE_QUANTIFIERS if create else lexicon.QUANTIFIERS
    tokens = [t for t in words.tokens if t not in dropped]
    if create and words.asked and tokens and tokens[-1] in lexicon.KIND_WORDS:
        tokens.pop()
    if update:
        while tokens and tokens[-1] in ("시간", "시간을", "날짜", "날짜를", "시간은", "날짜는"):
            tokens.pop()
    if create and len(tokens) > 2 and MODAL.fullmatch(tokens[-1]) and tokens[-2].endswith("야"):
        tokens.pop()  # 가야 함: the modal first, then the obligation
    while create and len(tokens) > 1 and OBLIGATION.fullmatch(tokens[-1]):
        tokens.pop()  # 병원 가야 (돼): the obligation is no part of the title
    if (
        create
        and len(tokens) > 1
        and (CONNECTIVE.fullmatch(tokens[-1]) or PLAN_PREDICATE.fullmatch(tokens[-1]))
    ):
        tokens.pop()  # 진료 예약했으니까 / PT 잡혔어 (넣어줘): a predicate, no part of the title
    if tokens:
        tokens[-1] = lexicon.OBJECT_PARTICLE.sub("", tokens[-1]) or tokens[-1]
    if create and tokens:
        tokens[-1] = _without_copula(tokens[-1])  # 생일 파티야, 팀 회식이에요
    if create:
        joined = WISHED.sub(r"\1", " ".join(tokens))  # 운동하고 싶은데 → 운동
        tokens = DECIDED.sub(r"\1", joined).split()  # 저녁 먹기로 했어 → 저녁 먹기
    if not create and all(t in lexicon.KIND_WORDS for t in tokens):
        return ""  # 내일 3시 일정 삭제해줘: the target is named by its time alone
    return " ".join(tokens).strip()


COMPANION = re.compile(r"(?:이랑|랑|하고|와|과|께|한테|이하고)$")
CREATE_QUANTIFIERS = frozenset({"다", "싹", "몽땅"})
# 가야 돼, 써야 해, 받아야 함: a verb (its stem ends in an 아/어 sound) before 야 and a modal.
OBLIGATION = re.compile(
    r"[가-힣]*(?:[가와봐써사내줘해돼켜워져러아어여])야(?:지|겠다|겠어|겠네|함|돼|됨|해|되|돼요|해요)?"
)
MODAL = re.compile(r"(?:함|돼|됨|해|되|돼요|해요|합니다|됩니다)[.!~]*")
# A predicate that ties a clause to the request: 예약했으니까, 잡혔거든, 있어서, 생겼는데.
CONNECTIVE = re.compile(r"[가-힣]+(?:니까|으니|어서|아서|해서|거든|는데|길래|므로)")
# (?<!\S): a match starts at a word only, so a long word costs one pass, not one per letter.
WISHED = re.compile(r"(?<!\S)(\S+?)(?:하고|고)?\s+싶(?:은데|어서|어|다|거든)(?=\s|$)")
DECIDED = re.compile(
    r"(?<!\S)(\S+기)로\s*(?:했어|했다|했음|했어요|했거든|했는데|함|됐어|정했어)(?=[\s.!~]|$)"
)
QUESTION_TOKEN = re.compile(r"(?:언제|어디|몇\s*시|뭐)[가-힣]*[?!.~]*")


# 검진 날짜가 언제야, 회식 일정은 언제였지: words that only point at the thing's date.
WHEN_NOUN_TOKEN = re.compile(r"(?:날짜|날|일정|스케줄|일시|시간|때)(?:가|이|은|는|도)?")
_TOPIC = re.compile(r"^(?P<stem>[가-힣]{2,}?)(?P<particle>은|는|이)$")


COPULA = re.compile(r"^(?P<stem>[가-힣A-Za-z0-9]{2,}?)(?P<copula>이야|이에요|입니다|야|예요)$")


def _without_copula(word: str) -> str:
    """``파티야`` → ``파티``, ``회식이에요`` → ``회식``: 이야 after a final consonant, 야 after
    a vowel (``회식이야``, never ``회시`` from ``회시야``)."""
    match = COPULA.match(word)
    if match is None:
        return word
    stem, copula = match["stem"], match["copula"]
    if copula == "입니다":
        return stem
    final = hangul.tail(stem[-1])
    if final is None:
        return word
    return stem if bool(final) == copula.startswith("이") else word


def without_question(title: str) -> str:
    """``치과 검진 언제였지`` → ``치과 검진``: a named thing without its question words
    (``검진 날짜가 언제였더라``, ``회식은 언제야`` → ``검진``, ``회식``)."""
    tokens = [t for t in title.split() if not QUESTION_TOKEN.fullmatch(t)]
    while len(tokens) > 1 and WHEN_NOUN_TOKEN.fullmatch(tokens[-1]):
        tokens.pop()
    if tokens:
        tokens[-1] = _without_topic(tokens[-1])
    return " ".join(tokens)


def _without_topic(word: str) -> str:
    """``회식은`` → ``회식``, ``회의는`` → ``회의``: the particle only where it fits the stem."""
    match = _TOPIC.match(word)
    if match is None:
        return word
    stem, particle = match["stem"], match["particle"]
    return stem if bool(hangul.tail(stem[-1])) == (particle in ("은", "이")) else word

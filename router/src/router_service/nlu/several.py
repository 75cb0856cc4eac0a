"""Messages longer than one request: chatter around a request, and several events at once.

``request_part`` keeps, of a long chatty message, the sentence that holds the plan
and the sentence that asks for it (``…야근했어. 그래도 다음 주 목요일 3시에 동기 모임이
있어서 꼭 가야 해. 캘린더에 넣어줘``). ``segments`` splits ``내일 10시 치과, 3시 팀 미팅``
or one event per line into items and lends each what is said once for all.
"""

from __future__ import annotations

import re

from router_service.nlu import lexicon

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[ㅋㅎㅠㅜ]{2})\s+|(?<=[.!?])(?=[가-힣])")
CLAUSE_END = re.compile(r",\s*|(?<=는데)\s+|(?<=건데)\s+|(?<=지만)\s+")
WHEN_WORD = re.compile(
    r"\d+\s*(?:시|월|일|:\d\d)|내일|모레|글피|오늘|이따|[월화수목금토일](?:요일|욜)|다음\s*주|이번\s*주|"
    r"다음\s*달|주말|정오|자정|오전|오후|저녁|아침|점심|[ap]m\b",
    re.I,
)
PAST_WHEN = re.compile(r"어제|그제|그저께|지난\s*주|저번\s*주|지난\s*달|작년|아까")
PAST_TENSE = re.compile(r"(?:었|았|였|했)(?:어|다|는데|던)")
SETTLED = re.compile(
    r"잡혔|생겼|정해졌|예정|기로\s*했|예약했|있대|한대"
)  # 모임이 잡혔어: a plan told in the past tense
ITEM_SEPARATOR = re.compile(
    r"\s*\n\s*|\s*,\s*|\s*;\s*|\s+그리고\s+|\s+(?:갔다가|들렀다가|하고\s*나서|끝나고)\s+|"
    r"(?<=[가-힣])하고\s+(?=\d)"
)


def request_part(norm: str) -> str:
    """The request of a long message with chatter; ``norm`` itself when it is one request."""
    sentences = [s for s in SENTENCE_END.split(norm) if s.strip()]
    if len(sentences) < 2:
        clauses = [c for c in CLAUSE_END.split(norm) if c.strip()]
        if len(clauses) < 2 or not lexicon.CREATE_VERB.search(clauses[-1]):
            return norm
        plan = _plan(norm)  # 이번 주 너무 바빴는데 금요일 7시에 …: one sentence, chatter first
        return plan if plan and lexicon.CREATE_VERB.search(plan) else norm
    asks = [i for i, s in enumerate(sentences) if lexicon.CREATE_VERB.search(s)]
    if not asks:
        return norm
    ask = asks[-1]
    if _plan(sentences[ask]):
        return _plan(sentences[ask]) or norm
    for i in range(ask - 1, -1, -1):
        plan = _plan(sentences[i])
        if plan:
            return plan + " " + sentences[ask]
    return norm


def _plan(sentence: str) -> str | None:
    """The clause of ``sentence`` naming a future time, if any."""
    clauses = [c for c in CLAUSE_END.split(sentence) if c.strip()]
    for clause in reversed(clauses):
        if not WHEN_WORD.search(clause) or PAST_WHEN.search(clause):
            continue
        told = PAST_TENSE.search(clause) and not lexicon.CREATE_VERB.search(clause)
        if told and not SETTLED.search(clause):
            continue  # 3시까지 일했어: the past, not a plan
        return clause.strip()
    return None


def segments(norm: str) -> list[str] | None:
    """``A, B`` / one item per line, when every item names its own day or time; else None."""
    parts = [p for p in ITEM_SEPARATOR.split(norm) if p.strip()]
    if len(parts) < 2 or not all(WHEN_WORD.search(p) for p in parts):
        return None
    return parts

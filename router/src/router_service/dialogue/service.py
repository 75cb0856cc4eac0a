"""The channel-neutral dialogue core: a message or a decision in, stored replies out.

A channel (web chat, Slack) calls :func:`handle_incoming` for every message and
:func:`handle_decision` for every button; both store what came in and what Haru
answers as rows of ``messages`` and return them. Replies carry a channel-neutral
``payload`` (proposal buttons, numbered choices, links) that each channel renders.
Pending actions live in the database and change state only by conditional
UPDATEs, so a restart, a second replica or a double click never runs one twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.auth_server import AuthServerClient, GrantState
from router_service.clients.calendar import CalendarClient, CalendarEvent
from router_service.clients.exceptions import (
    AuthServerRequestFailed,
    AuthServerUnavailable,
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.config import RouterSettings
from router_service.connect.service import web_connect_url
from router_service.conversations.models import Channel, Direction, Message
from router_service.conversations.service import record_message
from router_service.dialogue import formatting as fmt
from router_service.dialogue.exceptions import (
    MAX_MESSAGE_CHARS,
    EmptyMessage,
    InvalidDecision,
    MessageTooLong,
)
from router_service.nlu.llm import LlmParser
from router_service.nlu.schemas import NluResult
from router_service.nlu.service import parse_message, parse_with_fallback
from router_service.pending import service as pending
from router_service.pending.exceptions import ActionNotFound
from router_service.pending.models import OPEN_STATES, ActionKind, ActionState, PendingAction
from shared.time import now_in, start_of_day, zone_or_error

logger = logging.getLogger(__name__)

UPSTREAM_ERRORS = (
    AuthServerUnavailable,
    AuthServerRequestFailed,
    CalendarUnavailable,
    CalendarRequestFailed,
)
DECISIONS = ("approve", "reject", "choose")
TARGET_SEARCH_DAYS = 30
# An approved action untouched this long belonged to a process that stopped mid-way.
STALLED_AFTER = timedelta(minutes=2)
DEFAULT_LENGTH = timedelta(hours=1)
MAX_ZONE_NAME_CHARS = 64  # pending_actions.time_zone

VERB = {ActionKind.create: "등록", ActionKind.update: "변경", ActionKind.delete: "삭제"}
DONE_VERB = {
    ActionKind.create: "등록했어요",
    ActionKind.update: "변경했어요",
    ActionKind.delete: "삭제했어요",
}

HELP_TEXT = (
    "구글 캘린더 일정을 등록·조회·변경·삭제할 수 있어요.\n"
    "예: '내일 오후 3시 팀 미팅', '이번 주 일정 알려줘', '금요일 회의 4시로 옮겨줘'"
)
NOTHING_TO_APPROVE = (
    "지금 확인을 기다리는 요청이 없어요. 등록할 일정을 말씀해 주세요.\n예: '내일 오후 3시 팀 미팅'"
)
NOTHING_TO_REJECT = "취소할 요청이 없어요."
CALENDAR_DOWN = "지금 캘린더에 연결할 수 없어요. 잠시 후 다시 시도해 주세요."
NEED_WHEN = "언제인지 알려 주세요. 예: '내일 오후 3시 팀 미팅'"
NAME_THE_EVENT = "예: '11월 24일 검진 4시로 바꿔줘', '금요일 회의 삭제해줘'"

_CHOICE = re.compile(
    r"^\s*(\d{1,2})\s*(?:번(?:째)?|\.)?\s*(?:으로|로)?\s*(?:할게요?|해\s*줘|이?요)?\s*[.!]?\s*$"
)
# "장소는 강남역", "장소 강남역으로 바꿔줘": 으로/로 is cut only before a verb, so that a
# place that ends in 로 (테헤란로) stays whole.
_AMENDMENT_TAIL = (
    r"(?:\s*(?:으로|로)?\s*(?:바꿔|변경해|수정해|해)\s*(?:줘|주세요|줄래)?"
    r"|\s*(?:할게요?|이에요|예요|입니다|요))?\s*[.!]?\s*$"
)
_LOCATION_AMENDMENT = re.compile(
    r"^\s*(?:장소|위치)\s*(?:는|은|를|을|가|이)?\s+(?P<value>.+?)" + _AMENDMENT_TAIL
)
_TITLE_AMENDMENT = re.compile(
    r"^\s*(?:제목|이름)\s*(?:은|는|을|를|이|가)?\s+(?P<value>.+?)" + _AMENDMENT_TAIL
)
# "30분 늦춰줘", "1시간 앞당겨줘", "한 시간 미뤄 줘": a relative move of an event's time.
_SHIFT = re.compile(
    r"(?P<amount>\d+|한|두|세|네|다섯|반)\s*(?P<unit>분|시간)\s*(?:만|정도|쯤)?\s*"
    r"(?P<way>늦춰|늦게|미뤄|뒤로|연기|앞당겨|당겨|일찍|앞으로)"
)
_KOREAN_COUNTS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5}
_EARLIER = ("앞당겨", "당겨", "일찍", "앞으로")
_DATE_WORDS = re.compile(r"\d+\s*월|\d+\s*일|\d+/\d+|오늘|내일|모레|글피|요일|주|다음\s*달")


@dataclass
class DialogueDeps:
    """What the core needs besides the database session."""

    auth: AuthServerClient
    calendar: CalendarClient
    settings: RouterSettings
    clock: Callable[[], datetime] = field(default=lambda: now_in())
    # Asked only when the rules are unsure, never for answers (approve, reject, a number).
    llm: LlmParser | None = None

    @property
    def ttl(self) -> timedelta:
        return timedelta(minutes=self.settings.proposal_ttl_minutes)


@dataclass
class Turn:
    """One exchange: what came in (None when a decision changed nothing) and the replies."""

    incoming: Message | None
    replies: list[Message]


@dataclass
class _Ctx:
    session: AsyncSession
    deps: DialogueDeps
    user_id: str
    channel: Channel
    conversation_key: str
    zone_name: str
    now: datetime

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.zone_name)


def validate_text(text: str) -> str:
    """The message text, or a clear error when it is empty or too long."""
    if not text or not text.strip():
        raise EmptyMessage()
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageTooLong(details={"max_chars": MAX_MESSAGE_CHARS, "chars": len(text)})
    return text.strip()


async def handle_incoming(
    session: AsyncSession,
    *,
    deps: DialogueDeps,
    channel: Channel,
    external_id: str,
    conversation_key: str,
    text: str,
    display_name: str | None = None,
    time_zone: str | None = None,
) -> Turn:
    """Stores one incoming message, acts on it and returns the stored replies.

    ``time_zone`` is the person's IANA zone as the channel knows it (Slack's profile, the
    browser); the message is read, proposed and kept in it. Absent or unknown: the default.
    """
    text = validate_text(text)
    identity = await deps.auth.resolve_identity(
        channel=str(channel), external_id=external_id, display_name=display_name
    )
    zone_name = person_zone(time_zone, default=deps.settings.default_time_zone)
    ctx = _Ctx(
        session=session,
        deps=deps,
        user_id=identity.user_id,
        channel=channel,
        conversation_key=conversation_key,
        zone_name=zone_name,
        now=deps.clock().astimezone(ZoneInfo(zone_name)),
    )
    parsed = await _parse(deps, text, now=ctx.now, time_zone=zone_name)
    intent = _intent_name(parsed)
    incoming = await record_message(
        session=session,
        channel=channel,
        conversation_key=conversation_key,
        direction=Direction.inbound,
        text=text,
        user_id=ctx.user_id,
        intent=intent,
        slots=_jsonable(parsed),
    )
    logger.info(
        "message in", extra={"message_id": incoming.id, "intent": intent, "chars": len(text)}
    )
    await pending.expire_stale(session=session, conversation_key=conversation_key, now=ctx.now)
    action = await pending.open_action(session=session, conversation_key=conversation_key)
    try:
        replies = await _dispatch(ctx, text=text, parsed=parsed, intent=intent, action=action)
    except UPSTREAM_ERRORS as err:
        logger.warning("upstream failed during a turn", extra={"error_code": err.code})
        replies = [await _say(ctx, CALENDAR_DOWN)]
    await session.commit()
    return Turn(incoming=incoming, replies=replies)


def person_zone(time_zone: str | None, *, default: str) -> str:
    """``time_zone`` when it names an IANA zone, else ``default``."""
    if not time_zone or len(time_zone) > MAX_ZONE_NAME_CHARS:
        return default
    try:
        zone_or_error(time_zone)
    except PydanticCustomError:
        logger.info("unknown time zone from the channel; default used")
        return default
    return time_zone


async def handle_decision(
    session: AsyncSession,
    *,
    deps: DialogueDeps,
    action_id: int,
    decision: str,
    conversation_key: str,
    choice: int | None = None,
) -> Turn:
    """Applies a button decision (approve, reject, choose) to an action of the conversation."""
    if decision not in DECISIONS:
        raise InvalidDecision(details={"decision": decision})
    action = await pending.get_action(session=session, action_id=action_id)
    if action is None or action.conversation_key != conversation_key:
        raise ActionNotFound()
    ctx = _ctx_for_action(session, deps, action)
    said = {"approve": "네", "reject": "아니요", "choose": f"{choice}번"}[decision]
    try:
        if decision == "approve":
            incoming, replies = await _approve(ctx, action, record_as=said)
        elif decision == "reject":
            incoming, replies = await _reject(ctx, action, record_as=said)
        else:
            if choice is None:
                raise InvalidDecision("번호를 골라 주세요.", details={"choice": None})
            incoming, replies = await _choose(ctx, action, choice, record_as=said)
    except UPSTREAM_ERRORS as err:
        logger.warning("upstream failed during a decision", extra={"error_code": err.code})
        incoming, replies = None, [await _say(ctx, CALENDAR_DOWN)]
    await session.commit()
    return Turn(incoming=incoming, replies=replies)


async def resume_after_grant(
    session: AsyncSession, *, deps: DialogueDeps, user_id: str
) -> list[Message]:
    """Continues every action of ``user_id`` that waited for Google consent, each once."""
    replies: list[Message] = []
    for action in await pending.awaiting_auth_for_users(session=session, user_ids=[user_id]):
        ctx = _ctx_for_action(session, deps, action)
        try:
            replies.extend(await _resume(ctx, action))
        except UPSTREAM_ERRORS as err:
            logger.warning("upstream failed while resuming", extra={"error_code": err.code})
            replies.append(await _say(ctx, CALENDAR_DOWN))
        await session.commit()
    return replies


async def recover_stalled(
    session: AsyncSession, *, deps: DialogueDeps, stalled_for: timedelta = STALLED_AFTER
) -> list[Message]:
    """Runs again the approved actions a stopped process left unfinished (each once).

    Safe because skill-calendar sees the same ``Idempotency-Key`` again and replays.
    """
    now = deps.clock()
    replies: list[Message] = []
    for action in await pending.stalled(session=session, before=now - stalled_for):
        reclaimed = await pending.reclaim_stalled(
            session=session, action_id=action.id, before=now - stalled_for, now=now
        )
        if not reclaimed:
            continue
        await session.commit()
        await session.refresh(action)
        logger.info("resuming a stalled action", extra={"action_id": action.id})
        ctx = _ctx_for_action(session, deps, action)
        try:
            replies.extend(await _execute(ctx, action))
        except UPSTREAM_ERRORS as err:
            logger.warning("upstream failed while recovering", extra={"error_code": err.code})
        await session.commit()
    return replies


async def _parse(deps: DialogueDeps, text: str, *, now: datetime, time_zone: str) -> Any:
    """The rules' reading of ``text``; the LLM fallback only for open-ended requests."""
    answer_like = (
        _choice_number(text) is not None
        or _LOCATION_AMENDMENT.match(text) is not None
        or _TITLE_AMENDMENT.match(text) is not None
    )
    try:
        if deps.llm is None or answer_like:
            return parse_message(text, now=now, time_zone=time_zone)
        return await parse_with_fallback(text, now=now, time_zone=time_zone, llm=deps.llm)
    except Exception as err:  # a reading the rules cannot make is "not understood", never a 500
        logger.warning("nlu failed on a message", extra={"error_type": type(err).__name__})
        return NluResult(intent="other", confidence=0.0)


# --- dispatch ---------------------------------------------------------------------------


async def _dispatch(
    ctx: _Ctx, *, text: str, parsed: Any, intent: str, action: PendingAction | None
) -> list[Message]:
    if action is not None and action.state == ActionState.awaiting_choice:
        number = _choice_number(text)
        if number is not None:
            return (await _choose(ctx, action, number))[1]
    if intent == "approve":
        if action is None:
            return [await _say(ctx, NOTHING_TO_APPROVE)]
        if action.state == ActionState.awaiting_choice:
            return [await _say(ctx, _choice_prompt(action))]
        if action.state == ActionState.awaiting_auth:
            return await _approve_while_awaiting_auth(ctx, action)
        return (await _approve(ctx, action))[1]
    if intent == "reject":
        if action is None:
            return [await _say(ctx, NOTHING_TO_REJECT)]
        return (await _reject(ctx, action))[1]
    if (
        action is not None
        and action.kind == ActionKind.create
        and action.plan is not None
        and action.state == ActionState.proposed
    ):
        amended = _amend(action, parsed=parsed, intent=intent, text=text, zone=ctx.zone)
        if amended is not None:
            notes = list(action.assumptions or [])
            notes += [n for n in getattr(parsed, "assumptions", None) or [] if n not in notes]
            return await _start(ctx, ActionKind.create, {"event": amended}, notes)
    assumptions = list(getattr(parsed, "assumptions", None) or [])
    if intent == "create_event":
        event = _event_request(getattr(parsed, "event", None))
        if event is None:
            return [await _say(ctx, NEED_WHEN)]
        return await _start(ctx, ActionKind.create, {"event": event}, assumptions)
    if intent == "query_events":
        return await _start(ctx, ActionKind.query, {"range": _range_request(ctx, parsed)}, [])
    if intent in ("update_event", "delete_event"):
        kind = ActionKind.update if intent == "update_event" else ActionKind.delete
        target = _jsonable(getattr(parsed, "target", None)) or {}
        changes = _jsonable(getattr(parsed, "changes", None)) or {}
        if changes.get("start") and not _DATE_WORDS.search(text):
            # "4시로" names only a time: the event keeps its day (the parser assumed today).
            changes["time_only"] = True
        shift = _shift_minutes(text)
        if shift is not None and not changes.get("start") and not changes.get("date"):
            changes["shift_minutes"] = shift
            # The parser could not know the event's time; the proposal shows before and after.
            assumptions = []
        named = any(target.get(key) for key in ("title", "date", "start"))
        if (
            not named
            and kind == ActionKind.update
            and action is not None
            and action.kind == ActionKind.update
            and action.state == ActionState.proposed
            and (action.plan or {}).get("before")
        ):
            # "5시로 바꿔줘" while a change waits: the same event, the new time.
            return await _restart_change(ctx, action, changes, assumptions)
        if not named:
            verb = "바꿀" if kind == ActionKind.update else "삭제할"
            return [await _say(ctx, f"어떤 일정을 {verb}지 알려 주세요. {NAME_THE_EVENT}")]
        return await _start(ctx, kind, {"target": target, "changes": changes}, assumptions)
    return [await _say(ctx, HELP_TEXT)]


async def _start(
    ctx: _Ctx, kind: ActionKind, request: dict[str, Any], assumptions: list[str]
) -> list[Message]:
    """A new request: replaces what was waiting, checks the grant, then prepares a proposal."""
    await pending.supersede_open(
        session=ctx.session, conversation_key=ctx.conversation_key, now=ctx.now
    )
    grant = await ctx.deps.auth.grant_state(user_id=ctx.user_id)
    state = ActionState.proposed if grant.usable else ActionState.awaiting_auth
    action = await pending.create_action(
        session=ctx.session,
        user_id=ctx.user_id,
        channel=ctx.channel,
        conversation_key=ctx.conversation_key,
        kind=kind,
        state=state,
        request=request,
        time_zone=ctx.zone_name,
        now=ctx.now,
        ttl=ctx.deps.ttl,
        assumptions=assumptions,
        approved=kind == ActionKind.query,  # a question needs no approval
    )
    if not grant.usable:
        return [await _ask_for_auth(ctx, action, grant)]
    return await _prepare(ctx, action)


async def _restart_change(
    ctx: _Ctx, action: PendingAction, changes: dict[str, Any], assumptions: list[str]
) -> list[Message]:
    """A new proposal for the event of a waiting change, with new ``changes``."""
    before = (action.plan or {})["before"]
    request = {**action.request, "changes": changes}
    await pending.supersede_open(
        session=ctx.session, conversation_key=ctx.conversation_key, now=ctx.now
    )
    replacement = await pending.create_action(
        session=ctx.session,
        user_id=ctx.user_id,
        channel=ctx.channel,
        conversation_key=ctx.conversation_key,
        kind=ActionKind.update,
        state=ActionState.proposed,
        request=request,
        time_zone=ctx.zone_name,
        now=ctx.now,
        ttl=ctx.deps.ttl,
        assumptions=assumptions,
    )
    return await _propose_change(ctx, replacement, before)


async def _prepare(ctx: _Ctx, action: PendingAction) -> list[Message]:
    """Turns a stored request into a proposal, a choice or (for a question) an answer."""
    try:
        if action.kind == ActionKind.create:
            return await _prepare_create(ctx, action)
        if action.kind == ActionKind.query:
            return await _answer_query(ctx, action)
        return await _prepare_change(ctx, action)
    except (CalendarUnavailable, CalendarRequestFailed) as err:
        # No half-prepared proposal may stay open: a later "네" would have nothing to run.
        await pending.transition(
            session=ctx.session,
            action_id=action.id,
            from_states=[ActionState.proposed, ActionState.executing],
            to_state=ActionState.failed,
            now=ctx.now,
            error_code=err.code,
        )
        raise
    except CalendarReauthRequired:
        await pending.transition(
            session=ctx.session,
            action_id=action.id,
            from_states=[ActionState.proposed, ActionState.executing],
            to_state=ActionState.awaiting_auth,
            now=ctx.now,
        )
        await ctx.session.refresh(action)
        return [await _ask_for_auth(ctx, action, None)]


async def _prepare_create(ctx: _Ctx, action: PendingAction) -> list[Message]:
    body = dict(action.request["event"])
    start, end = _span_of(body, ctx.zone)
    listed = await ctx.deps.calendar.list_events(user_id=ctx.user_id, start=start, end=end)
    duplicates = [e for e in listed if _same_event(e, body)]
    conflicts = [
        e
        for e in listed
        if e not in duplicates and not e.all_day and not body.get("all_day") and _overlaps(e, body)
    ]
    body["allow_duplicate"] = bool(duplicates)
    action.plan = {"body": body}
    await ctx.session.flush()
    when = fmt.event_when(body, ctx.zone)
    title = body["title"]
    lines: list[str]
    if duplicates:
        lines = [
            f"{when} {fmt.quoted(title)}",
            f"이미 같은 일정 {fmt.quoted(duplicates[0].title, '이', '가')} 있어요. "
            "그래도 등록할까요?",
        ]
    elif conflicts:
        names = ", ".join(fmt.quoted(e.title) for e in conflicts[:3])
        particle = fmt.josa(conflicts[min(len(conflicts), 3) - 1].title, "이", "가")
        lines = [
            f"{when} {fmt.quoted(title)}",
            f"같은 시간에 {names}{particle} 있어요. 그래도 등록할까요?",
        ]
    else:
        lines = [f"{when} {fmt.quoted(title, '을', '를')} 등록할까요?"]
    if body.get("location"):
        lines.insert(1, f"장소: {body['location']}")
    lines.extend(f"※ {note}" for note in action.assumptions or [])
    payload = _proposal_payload(action, duplicates=len(duplicates), conflicts=len(conflicts))
    return [await _say(ctx, "\n".join(lines), payload=payload)]


async def _prepare_change(ctx: _Ctx, action: PendingAction) -> list[Message]:
    target = action.request.get("target") or {}
    start, end, day = _target_range(ctx, target)
    listed = await ctx.deps.calendar.list_events(user_id=ctx.user_id, start=start, end=end)
    matches = _match_targets(listed, target, ctx.zone)
    what = _target_label(target, day)
    if not matches:
        await pending.transition(
            session=ctx.session,
            action_id=action.id,
            from_states=[ActionState.proposed],
            to_state=ActionState.failed,
            now=ctx.now,
            error_code="target_not_found",
        )
        return [await _say(ctx, f"{what} 일정을 찾지 못했어요.")]
    if len(matches) > 1:
        action.candidates = [m.model_dump(mode="json") for m in matches[:9]]
        await ctx.session.flush()
        await pending.transition(
            session=ctx.session,
            action_id=action.id,
            from_states=[ActionState.proposed],
            to_state=ActionState.awaiting_choice,
            now=ctx.now,
        )
        await ctx.session.refresh(action)
        return [await _choice_message(ctx, action)]
    return await _propose_change(ctx, action, matches[0].model_dump(mode="json"))


async def _propose_change(ctx: _Ctx, action: PendingAction, event: dict[str, Any]) -> list[Message]:
    """Builds the plan of an update or delete for ``event`` and asks for approval."""
    if action.kind == ActionKind.delete:
        action.plan = {"event_id": event["id"], "before": event}
        await ctx.session.flush()
        particle = fmt.josa(event["title"], "을", "를")
        text = f"{fmt.event_line(event, ctx.zone)}{particle} 삭제할까요?"
        return [await _say(ctx, text, payload=_proposal_payload(action))]
    patch = _patch_for(event, action.request.get("changes") or {}, ctx.zone)
    if not patch:
        await pending.transition(
            session=ctx.session,
            action_id=action.id,
            from_states=[ActionState.proposed, ActionState.awaiting_choice],
            to_state=ActionState.failed,
            now=ctx.now,
            error_code="no_changes",
        )
        return [
            await _say(
                ctx,
                f"{fmt.quoted(event['title'], '을', '를')} 어떻게 바꿀지 알려 주세요. "
                "예: '4시로 바꿔줘', '다음 날로 옮겨줘'",
            )
        ]
    after = {**event, **patch}
    action.plan = {"event_id": event["id"], "before": event, "patch": patch, "after": after}
    await ctx.session.flush()
    lines = [
        f"{fmt.quoted(event['title'], '을', '를')} 바꿀까요?",
        f"전: {fmt.event_when(event, ctx.zone)}",
        f"후: {fmt.event_when(after, ctx.zone)}",
    ]
    lines.extend(f"※ {note}" for note in action.assumptions or [])
    return [await _say(ctx, "\n".join(lines), payload=_proposal_payload(action))]


async def _answer_query(ctx: _Ctx, action: PendingAction) -> list[Message]:
    span = action.request["range"]
    start, end = fmt.as_datetime(span["start"]), fmt.as_datetime(span["end"])
    events = await ctx.deps.calendar.list_events(user_id=ctx.user_id, start=start, end=end)
    label = fmt.range_label(start, end, ctx.zone)
    if not events:
        text = f"{label}에는 일정이 없어요."
    else:
        several_days = (end - start) > timedelta(days=1)
        items = [
            fmt.list_item(e.model_dump(mode="json"), ctx.zone, with_day=several_days)
            for e in events
        ]
        note = fmt.zone_note(ctx.zone, start)
        text = "\n".join([f"{label} 일정{note}:", *items])
    finished = await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=[ActionState.proposed, ActionState.executing],
        to_state=ActionState.done,
        now=ctx.now,
        result={"count": len(events)},
    )
    return [await _say(ctx, text)] if finished else []


# --- decisions --------------------------------------------------------------------------


async def _approve(
    ctx: _Ctx, action: PendingAction, *, record_as: str | None = None
) -> tuple[Message | None, list[Message]]:
    claimed = await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=[ActionState.proposed],
        to_state=ActionState.approved,
        now=ctx.now,
        not_expired=True,
        approved_at=ctx.now,
    )
    if not claimed:
        await ctx.session.refresh(action)
        if action.state == ActionState.proposed:  # past its deadline
            await pending.transition(
                session=ctx.session,
                action_id=action.id,
                from_states=[ActionState.proposed],
                to_state=ActionState.expired,
                now=ctx.now,
            )
            incoming = await _record_decision(ctx, action, record_as, "approve")
            expired = "확인 시간이 지나 요청이 만료됐어요. 다시 말씀해 주세요."
            return incoming, [await _say(ctx, expired)]
        # Someone else (another tab, a double click) already answered: say nothing twice.
        return None, []
    incoming = await _record_decision(ctx, action, record_as, "approve")
    await ctx.session.commit()
    return incoming, await _execute(ctx, action)


async def _approve_while_awaiting_auth(ctx: _Ctx, action: PendingAction) -> list[Message]:
    """'네' while consent is missing: resume if the grant is back, else send the link again."""
    grant = await ctx.deps.auth.grant_state(user_id=ctx.user_id)
    if grant.usable:
        return await _resume(ctx, action)
    return [await _ask_for_auth(ctx, action, grant)]


async def _reject(
    ctx: _Ctx, action: PendingAction, *, record_as: str | None = None
) -> tuple[Message | None, list[Message]]:
    claimed = await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=list(OPEN_STATES),
        to_state=ActionState.rejected,
        now=ctx.now,
    )
    if not claimed:
        return None, []
    incoming = await _record_decision(ctx, action, record_as, "reject")
    what = _action_title(action)
    verb = VERB.get(action.kind, "진행")
    text = "취소했어요."
    if what:
        text = f"취소했어요. {fmt.quoted(what, '은', '는')} {verb}하지 않았어요."
    return incoming, [await _say(ctx, text)]


async def _choose(
    ctx: _Ctx, action: PendingAction, number: int, *, record_as: str | None = None
) -> tuple[Message | None, list[Message]]:
    candidates = action.candidates or []
    if action.state != ActionState.awaiting_choice:
        return None, []
    if not 1 <= number <= len(candidates):
        incoming = await _record_decision(ctx, action, record_as, "choose")
        return incoming, [await _say(ctx, f"1번부터 {len(candidates)}번 중에서 골라 주세요.")]
    claimed = await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=[ActionState.awaiting_choice],
        to_state=ActionState.proposed,
        now=ctx.now,
        expires_at=ctx.now + ctx.deps.ttl,
    )
    if not claimed:
        return None, []
    incoming = await _record_decision(ctx, action, record_as, "choose")
    await ctx.session.refresh(action)
    return incoming, await _propose_change(ctx, action, candidates[number - 1])


async def _execute(ctx: _Ctx, action: PendingAction) -> list[Message]:
    """Runs an approved action once: approved → executing → done | failed | awaiting_auth."""
    claimed = await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=[ActionState.approved],
        to_state=ActionState.executing,
        now=ctx.now,
    )
    if not claimed:
        return []
    await ctx.session.commit()
    await ctx.session.refresh(action)
    if action.kind == ActionKind.query:
        return await _prepare(ctx, action)
    plan = action.plan or {}
    calendar = ctx.deps.calendar
    try:
        if action.kind == ActionKind.create:
            created = await calendar.create_event(
                user_id=ctx.user_id,
                event=_calendar_body(plan["body"]),
                idempotency_key=action.idempotency_key,
            )
            event = created.event.model_dump(mode="json")
            result = {"status": created.status, "event": event}
            text = f"✅ {DONE_VERB[action.kind]}: {fmt.event_line(event, ctx.zone)}"
            if created.status == "duplicate":  # it appeared after the proposal was shown
                text = (
                    f"이미 같은 일정이 있어 새로 만들지 않았어요: {fmt.event_line(event, ctx.zone)}"
                )
        elif action.kind == ActionKind.update:
            updated = await calendar.update_event(
                user_id=ctx.user_id, event_id=plan["event_id"], changes=plan["patch"]
            )
            event = updated.event.model_dump(mode="json")
            result = {"event": event}
            text = f"✅ {DONE_VERB[action.kind]}: {fmt.event_line(event, ctx.zone)}"
        else:
            deleted = await calendar.delete_event(user_id=ctx.user_id, event_id=plan["event_id"])
            event = plan["before"]
            result = {"deleted": deleted.deleted, "already_deleted": deleted.already_deleted}
            text = f"✅ {DONE_VERB[action.kind]}: {fmt.event_line(event, ctx.zone)}"
    except CalendarReauthRequired:
        await pending.transition(
            session=ctx.session,
            action_id=action.id,
            from_states=[ActionState.executing],
            to_state=ActionState.awaiting_auth,
            now=ctx.now,
        )
        return [await _ask_for_auth(ctx, action, None)]
    except CalendarEventNotFound:
        await _fail(ctx, action, "event_not_found")
        return [await _say(ctx, "그 일정을 찾을 수 없어요. 이미 삭제되었을 수 있어요.")]
    except (CalendarUnavailable, CalendarRequestFailed) as err:
        await _fail(ctx, action, err.code)
        verb = VERB[action.kind]
        return [await _say(ctx, f"일정을 {verb}하지 못했어요. 잠시 후 다시 시도해 주세요.")]
    finished = await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=[ActionState.executing],
        to_state=ActionState.done,
        now=ctx.now,
        result=result,
    )
    if not finished:  # a recovery run finished it first: it has said so already
        return []
    if event.get("location") and action.kind != ActionKind.delete:
        text += f"\n장소: {event['location']}"
    payload: dict[str, Any] = {"kind": "result", "action_id": action.id}
    if event.get("html_link") and action.kind != ActionKind.delete:
        payload["link"] = {"url": event["html_link"], "label": "캘린더에서 보기"}
    logger.info("action done", extra={"action_id": action.id, "kind": str(action.kind)})
    return [await _say(ctx, text, payload=payload)]


async def _resume(ctx: _Ctx, action: PendingAction) -> list[Message]:
    """Continues an action after the grant came back: run it if approved, else propose it."""
    if action.approved_at is not None:
        claimed = await pending.transition(
            session=ctx.session,
            action_id=action.id,
            from_states=[ActionState.awaiting_auth],
            to_state=ActionState.approved,
            now=ctx.now,
        )
        if not claimed:
            return []
        await ctx.session.commit()
        return await _execute(ctx, action)
    claimed = await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=[ActionState.awaiting_auth],
        to_state=ActionState.proposed,
        now=ctx.now,
        expires_at=ctx.now + ctx.deps.ttl,
    )
    if not claimed:
        return []
    await ctx.session.commit()
    await ctx.session.refresh(action)
    return await _prepare(ctx, action)


async def _fail(ctx: _Ctx, action: PendingAction, code: str) -> None:
    await pending.transition(
        session=ctx.session,
        action_id=action.id,
        from_states=[ActionState.executing],
        to_state=ActionState.failed,
        now=ctx.now,
        error_code=code,
    )


async def _ask_for_auth(ctx: _Ctx, action: PendingAction, grant: GrantState | None) -> Message:
    """The connect link, bound to the action, with what will happen once connected."""
    if ctx.channel == Channel.web:
        # The router's own link: a ticket is made only for the browser holding this chat.
        url = web_connect_url(
            public_base_url=ctx.deps.settings.public_base_url, action_id=action.id
        )
    else:
        link = await ctx.deps.auth.create_connect_link(
            user_id=ctx.user_id, pending_action_ref=str(action.id), channel=str(ctx.channel)
        )
        url = link.url
    what = _action_title(action)
    if action.kind == ActionKind.query:
        then = "연결이 끝나면 바로 일정을 알려 드릴게요."
    elif what:
        verb = VERB[action.kind]
        then = f"연결이 끝나면 {fmt.quoted(what)} {verb}{fmt.josa(verb, '을', '를')} 이어서 할게요."
    else:
        then = "연결이 끝나면 이어서 할게요."
    if grant is not None and grant.state == "missing":
        first = "구글 캘린더 연결이 필요해요. 아래 링크에서 연결해 주세요."
    else:
        reason = f"({grant.reason_text})" if grant is not None and grant.reason_text else ""
        first = f"구글 캘린더 연결을 다시 해 주세요{reason}. 아래 링크에서 연결할 수 있어요."
    payload = {
        "kind": "connect",
        "action_id": action.id,
        "link": {"url": url, "label": "구글 캘린더 연결하기"},
    }
    return await _say(ctx, f"{first}\n{then}", payload=payload)


# --- helpers ----------------------------------------------------------------------------


async def _say(ctx: _Ctx, text: str, *, payload: dict[str, Any] | None = None) -> Message:
    return await record_message(
        session=ctx.session,
        channel=ctx.channel,
        conversation_key=ctx.conversation_key,
        direction=Direction.outbound,
        text=text,
        user_id=ctx.user_id,
        payload=payload,
    )


async def _record_decision(
    ctx: _Ctx, action: PendingAction, said: str | None, decision: str
) -> Message | None:
    """A button press is part of the conversation too (stored like a message)."""
    if said is None:
        return None
    return await record_message(
        session=ctx.session,
        channel=ctx.channel,
        conversation_key=ctx.conversation_key,
        direction=Direction.inbound,
        text=said,
        user_id=ctx.user_id,
        intent=decision,
        slots={"action_id": action.id, "via": "button"},
    )


def _ctx_for_action(session: AsyncSession, deps: DialogueDeps, action: PendingAction) -> _Ctx:
    zone = ZoneInfo(action.time_zone)
    return _Ctx(
        session=session,
        deps=deps,
        user_id=action.user_id,
        channel=action.channel,
        conversation_key=action.conversation_key,
        zone_name=action.time_zone,
        now=deps.clock().astimezone(zone),
    )


def _proposal_payload(action: PendingAction, **extra: Any) -> dict[str, Any]:
    verb = VERB[action.kind]
    payload: dict[str, Any] = {
        "kind": "proposal",
        "action_id": action.id,
        "buttons": [
            {"decision": "approve", "label": verb, "style": "primary"},
            {"decision": "reject", "label": "취소"},
        ],
    }
    payload.update({k: v for k, v in extra.items() if v})
    return payload


async def _choice_message(ctx: _Ctx, action: PendingAction) -> Message:
    candidates = action.candidates or []
    lines = [_choice_prompt(action)]
    choices = []
    for number, event in enumerate(candidates, start=1):
        label = fmt.event_line(event, ctx.zone)
        lines.append(f"{number}. {label}")
        choices.append({"choice": number, "label": label})
    payload = {"kind": "choice", "action_id": action.id, "choices": choices}
    return await _say(ctx, "\n".join(lines), payload=payload)


def _choice_prompt(action: PendingAction) -> str:
    count = len(action.candidates or [])
    verb = VERB.get(action.kind, "진행")
    return f"일정이 {count}개 있어요. 어느 것을 {verb}할까요? 번호로 답해 주세요 (예: 1번)."


def _shift_minutes(text: str) -> int | None:
    """Minutes a relative move asks for (negative: earlier), or None."""
    match = _SHIFT.search(text)
    if not match:
        return None
    amount, unit = match.group("amount"), match.group("unit")
    if amount == "반":
        minutes = 30 if unit == "시간" else 0
    else:
        count = int(amount) if amount.isdigit() else _KOREAN_COUNTS[amount]
        minutes = count * 60 if unit == "시간" else count
    if not minutes:
        return None
    return -minutes if match.group("way") in _EARLIER else minutes


def _choice_number(text: str) -> int | None:
    match = _CHOICE.match(text)
    return int(match.group(1)) if match else None


def _action_title(action: PendingAction) -> str | None:
    plan = action.plan or {}
    if "body" in plan:
        return plan["body"].get("title")
    if "before" in plan:
        return plan["before"].get("title")
    event = action.request.get("event") or {}
    target = action.request.get("target") or {}
    return event.get("title") or target.get("title")


def _intent_name(parsed: Any) -> str:
    intent = getattr(parsed, "intent", "other")
    return str(getattr(intent, "value", intent) or "other")


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _event_request(event: Any) -> dict[str, Any] | None:
    """The create request from the parser's event slot (None when no time was understood)."""
    data = _jsonable(event) or {}
    title = (data.get("title") or "").strip() or "새 일정"
    location = (data.get("location") or "").strip() or None
    if data.get("all_day"):
        start_date = data.get("start_date") or (data.get("start") or "")[:10] or None
        if not start_date:
            return None
        end_date = data.get("end_date") or (data.get("end") or "")[:10] or None
        if not end_date or end_date <= start_date:
            end_date = (date.fromisoformat(start_date) + timedelta(days=1)).isoformat()
        return {
            "title": title,
            "all_day": True,
            "start_date": start_date,
            "end_date": end_date,
            "location": location,
        }
    if not data.get("start"):
        return None
    start = fmt.as_datetime(data["start"])
    end = fmt.as_datetime(data["end"]) if data.get("end") else start + DEFAULT_LENGTH
    return {
        "title": title,
        "all_day": False,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "location": location,
    }


def _calendar_body(body: dict[str, Any]) -> dict[str, Any]:
    """The create body of skill-calendar's contract: one pair of times or dates, no extras."""
    keys = ("start_date", "end_date") if body.get("all_day") else ("start", "end")
    out: dict[str, Any] = {"title": body["title"], **{key: body[key] for key in keys}}
    if body.get("location"):
        out["location"] = body["location"]
    out["allow_duplicate"] = bool(body.get("allow_duplicate"))
    return out


def _range_request(ctx: _Ctx, parsed: Any) -> dict[str, str]:
    span = _jsonable(getattr(parsed, "range", None)) or {}
    if span.get("start") and span.get("end"):
        return {"start": span["start"], "end": span["end"]}
    today = start_of_day(ctx.now.date(), ctx.zone)
    return {"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()}


def _span_of(body: dict[str, Any], zone: tzinfo) -> tuple[datetime, datetime]:
    if body.get("all_day"):
        start = start_of_day(date.fromisoformat(body["start_date"]), zone)
        end = start_of_day(date.fromisoformat(body["end_date"]), zone)
        return start, end
    return fmt.as_datetime(body["start"]), fmt.as_datetime(body["end"])


def _same_event(event: CalendarEvent, body: dict[str, Any]) -> bool:
    if fmt.normalise_title(event.title) != fmt.normalise_title(body.get("title")):
        return False
    if body.get("all_day"):
        return event.all_day and str(event.start_date) == body["start_date"]
    if event.start is None or event.end is None:
        return False
    return event.start == fmt.as_datetime(body["start"]) and event.end == fmt.as_datetime(
        body["end"]
    )


def _overlaps(event: CalendarEvent, body: dict[str, Any]) -> bool:
    if event.start is None or event.end is None:
        return False
    start, end = fmt.as_datetime(body["start"]), fmt.as_datetime(body["end"])
    return event.start < end and event.end > start


def _target_range(ctx: _Ctx, target: dict[str, Any]) -> tuple[datetime, datetime, date | None]:
    if target.get("date"):
        day = date.fromisoformat(target["date"])
        start = start_of_day(day, ctx.zone)
        return start, start_of_day(day + timedelta(days=1), ctx.zone), day
    if target.get("start"):
        day = fmt.as_datetime(target["start"]).astimezone(ctx.zone).date()
        start = start_of_day(day, ctx.zone)
        return start, start_of_day(day + timedelta(days=1), ctx.zone), day
    today = start_of_day(ctx.now.date(), ctx.zone)
    return today, today + timedelta(days=TARGET_SEARCH_DAYS), None


def _match_targets(
    events: list[CalendarEvent], target: dict[str, Any], zone: tzinfo
) -> list[CalendarEvent]:
    """Events matching the target's title loosely (white space, trailing 일정) and its time."""
    wanted = fmt.normalise_title(target.get("title"))
    found = list(events)
    if wanted:
        exact = [e for e in found if fmt.normalise_title(e.title) == wanted]
        loose = [
            e
            for e in found
            if wanted in fmt.normalise_title(e.title) or fmt.normalise_title(e.title) in wanted
        ]
        found = exact or [e for e in loose if fmt.normalise_title(e.title)]
    if target.get("start"):
        at = fmt.as_datetime(target["start"])
        timed = [e for e in found if e.start is not None and e.start == at]
        if timed or not wanted:
            found = timed
    return found


def _target_label(target: dict[str, Any], day: date | None) -> str:
    parts = []
    if day is not None:
        parts.append(f"{day.month}월 {day.day}일에")
    if target.get("title"):
        parts.append(fmt.quoted(target["title"]))
    elif not parts:
        parts.append("말씀하신")
    return " ".join(parts)


def _patch_for(event: dict[str, Any], changes: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """The PATCH body that moves ``event`` as ``changes`` say (keeping its length)."""
    if event.get("all_day"):
        start_date = date.fromisoformat(event["start_date"])
        end_date = date.fromisoformat(event["end_date"])
        if changes.get("start"):
            start = fmt.as_datetime(changes["start"])
            return {"start": start.isoformat(), "end": (start + DEFAULT_LENGTH).isoformat()}
        if changes.get("date"):
            new_day = date.fromisoformat(changes["date"])
            return {
                "start_date": new_day.isoformat(),
                "end_date": (new_day + (end_date - start_date)).isoformat(),
            }
        return {}
    start = fmt.as_datetime(event["start"]).astimezone(zone)
    length = fmt.as_datetime(event["end"]) - start
    if changes.get("shift_minutes"):
        new_start = start + timedelta(minutes=int(changes["shift_minutes"]))
    elif changes.get("start") and changes.get("time_only"):
        moved = fmt.as_datetime(changes["start"]).astimezone(zone)
        new_start = start.replace(hour=moved.hour, minute=moved.minute)
    elif changes.get("start"):
        new_start = fmt.as_datetime(changes["start"])
    elif changes.get("date"):
        new_day = date.fromisoformat(changes["date"])
        new_start = datetime.combine(new_day, start.timetz()).replace(tzinfo=zone)
    else:
        return {}
    if new_start == start:
        return {}
    return {"start": new_start.isoformat(), "end": (new_start + length).isoformat()}


def _amend(
    action: PendingAction, *, parsed: Any, intent: str, text: str, zone: tzinfo
) -> dict[str, Any] | None:
    """A change to the proposal being considered ('4시로 바꿔줘', '장소는 강남역'), or None."""
    body = dict((action.plan or {}).get("body") or action.request.get("event") or {})
    body.pop("allow_duplicate", None)
    location = _LOCATION_AMENDMENT.match(text)
    if location:
        body["location"] = location.group("value").strip()
        return body
    title = _TITLE_AMENDMENT.match(text)
    if title:
        body["title"] = title.group("value").strip()
        return body
    shift = _shift_minutes(text)
    target_title = fmt.normalise_title(
        (_jsonable(getattr(parsed, "target", None)) or {}).get("title")
    )
    if shift is not None and not body.get("all_day") and not target_title:
        body.update(_patch_for(body, {"shift_minutes": shift}, zone))
        return body
    if intent != "update_event":
        return None
    target = _jsonable(getattr(parsed, "target", None)) or {}
    wanted = fmt.normalise_title(target.get("title"))
    if wanted and wanted != fmt.normalise_title(body.get("title")):
        return None  # a change to another event, not to this proposal
    changes = _jsonable(getattr(parsed, "changes", None)) or {}
    if not changes.get("start") and not changes.get("date"):
        return None
    if changes.get("start") and not body.get("all_day") and not _DATE_WORDS.search(text):
        # "4시로" names only a time: keep the proposal's day.
        old = fmt.as_datetime(body["start"]).astimezone(zone)
        moved = fmt.as_datetime(changes["start"]).astimezone(zone)
        changes = {"start": old.replace(hour=moved.hour, minute=moved.minute).isoformat()}
    patch = _patch_for(body, changes, zone)
    if not patch:
        return None
    body.update(patch)
    if "start" in patch:
        body.update(all_day=False, start_date=None, end_date=None)
    return body

"""Several events in one message ("내일 오전 9시 스탠드업⏎모레 오후 3시 치과"): one proposal
listing every event, one approval creating all, and before approval "2번은 빼줘" (an item
left out) or "두 번째는 4시로" (an item corrected, the list proposed again).

The action is of kind ``create_many`` (``CreateManyRequest`` / ``CreateManyPlan``). Item n
is written with ``Idempotency-Key: pending-action-<id>-<n>``: a run repeated after a crash,
a re-auth or a recovery replays the items already made and makes the rest, once each.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any

from router_service.clients.calendar import CalendarEvent
from router_service.clients.exceptions import CalendarRequestFailed, CalendarUnavailable
from router_service.conversations.models import Message
from router_service.dialogue import amend, messages, plans, proposals
from router_service.dialogue import formatting as fmt
from router_service.dialogue.turn import Conversation, proposal_payload
from router_service.nlu.schemas import NluResult
from router_service.nlu.service import parse_message
from router_service.pending import service as pending
from router_service.pending.models import ActionKind, ActionState, PendingAction

MAX_ITEMS = 10
# "2번은 빼줘", "1번이랑 3번 빼", "2번 제외해줘", "치과는 빼줘": what to leave out.
DROP_VERB = re.compile(r"빼|제외|지워|지우|삭제|없애|취소|필요\s*없|말고|안\s*(?:해|할)")
NUMBER = re.compile(r"(\d+)\s*(?:번|째)")
WHICH_ITEM = "몇 번 일정을 바꿀까요? 예: '2번은 4시로'"
HINT = "하나를 빼려면 '2번은 빼줘', 바꾸려면 '2번은 4시로'처럼 말씀해 주세요."
# "2번은 …", "두 번째는 …", "첫 번째 일정은 …": the item a correction is about, and the rest.
ORDINALS = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8}
BY_NUMBER = re.compile(
    r"^\s*(?:(\d+)\s*번\s*(?:째)?|(첫|두|세|네|다섯|여섯|일곱|여덟)\s*번?\s*째)"
    r"\s*(?:일정|거|것)?\s*(?:은|는|도|만)?\s+(.+)$"
)
# "치과는 30분 늦게": an item named by its title.
BY_TITLE = re.compile(r"^\s*(.+?)\s*(?:은|는)\s+(.+)$")


async def handle(
    conv: Conversation, *, text: str, parsed: NluResult, action: PendingAction | None
) -> list[Message] | None:
    """The replies when the message is about several events; None when it is not."""
    if _waiting_many(action) and DROP_VERB.search(text):
        assert action is not None
        dropped = _items_named(action, text, parsed)
        if dropped is not None:
            return await drop(conv, action, dropped)
    elif _waiting_many(action):
        assert action is not None
        corrected = await correct_item(conv, action, text)
        if corrected is not None:
            return corrected
        if amend.is_correction(parsed):  # "아 4시로": never another event, but which item?
            return [await conv.say(WHICH_ITEM, payload=proposal_payload(action))]
    if parsed.intent == "create_event" and parsed.events and len(parsed.events) > 1:
        return await propose(conv, parsed)
    return None


async def propose(conv: Conversation, parsed: NluResult) -> list[Message]:
    """One proposal for every event of the message (those with a day)."""
    assert parsed.events is not None
    bodies = [plans.new_event(slots) for slots in parsed.events[:MAX_ITEMS]]
    events = [body for body in bodies if body is not None]
    notes = list(parsed.assumptions)
    if len(events) < len(bodies):
        notes.append("날짜를 알 수 없는 일정은 뺐어요")
    if len(events) == 1:
        request: Any = plans.CreateRequest(event=events[0])
        return await proposals.start(conv, ActionKind.create, request, notes)
    if not events:
        return [await conv.say(messages.NEED_WHEN)]
    request = plans.CreateManyRequest(events=events)
    return await proposals.start(conv, ActionKind.create_many, request, notes)


async def prepare(
    conv: Conversation, request: plans.CreateManyRequest, assumptions: list[str]
) -> proposals.Prepared:
    """Reads the calendar once over every item's span; each item gets its own checks."""
    spans = [plans.span_of(body, conv.zone) for body in request.events]
    listed = await conv.app.calendar.list_events(
        user_id=conv.user_id, start=min(s for s, _ in spans), end=max(e for _, e in spans)
    )
    bodies, lines = [], [f"일정 {len(request.events)}개를 등록할까요?"]
    total_duplicates = total_conflicts = 0
    for number, body in enumerate(request.events, start=1):
        duplicates, conflicts = plans.duplicates_and_conflicts(listed, body)
        bodies.append(body.model_copy(update={"allow_duplicate": bool(duplicates)}))
        lines.append(f"{number}. {_line(body, conv.zone)}")
        if fmt.place_to_say(body.title, body.location):
            lines.append(f"   장소: {body.location}")
        if duplicates:
            lines.append("   ⚠ 이미 같은 일정이 있어요")
        elif conflicts:
            names = ", ".join(fmt.quoted(e.title) for e in conflicts[:3])
            particle = fmt.josa(conflicts[min(len(conflicts), 3) - 1].title, "이", "가")
            lines.append(f"   ⚠ 같은 시간에 {names}{particle} 있어요")
        total_duplicates += len(duplicates)
        total_conflicts += len(conflicts)
    lines.extend(f"※ {note}" for note in assumptions)
    lines.append(HINT)
    extras = {"duplicates": total_duplicates, "conflicts": total_conflicts}
    plan = plans.CreateManyPlan(bodies=bodies)
    return proposals.Prepared(ActionState.proposed, "\n".join(lines), plan, extras=extras)


async def drop(conv: Conversation, action: PendingAction, numbers: list[int]) -> list[Message]:
    """The waiting proposal without items ``numbers``, proposed again (or cancelled)."""
    bodies = plans.plan_of(action).bodies
    if any(not 1 <= n <= len(bodies) for n in numbers):
        return [await conv.say(messages.choose_in_range(len(bodies)))]
    gone = sorted(set(numbers))
    kept = [body for n, body in enumerate(bodies, start=1) if n not in gone]
    said = ", ".join(f"{n}번 {fmt.quoted(bodies[n - 1].title)}" for n in gone)
    if not kept:
        await pending.reject(session=conv.session, action=action, now=conv.now)
        return [await conv.say(f"{said}까지 빼면 등록할 일정이 없어요. 요청을 취소했어요.")]
    note = await conv.say(f"{said}{fmt.josa(said, '은', '는')} 뺐어요.")
    fresh = [body.model_copy(update={"allow_duplicate": False}) for body in kept]
    notes = list(action.assumptions or [])
    # The same request, smaller: it replaces the proposal without a word about it.
    if len(fresh) == 1:
        single = plans.CreateRequest(event=fresh[0])
        return [
            note,
            *await proposals.start(conv, ActionKind.create, single, notes, announce=False),
        ]
    smaller = plans.CreateManyRequest(events=fresh)
    replies = await proposals.start(conv, ActionKind.create_many, smaller, notes, announce=False)
    return [note, *replies]


async def correct_item(
    conv: Conversation, action: PendingAction, text: str
) -> list[Message] | None:
    """ "두 번째는 4시로": that item corrected (as a correction of a single proposal would
    be) and the list proposed again; None when the message corrects no item."""
    bodies = plans.plan_of(action).bodies
    named = _item_and_correction(bodies, text)
    if named is None:
        return None
    number, correction = named
    said = parse_message(correction, now=conv.now, time_zone=conv.zone_name)
    if said.intent not in ("amend", "update_event") or said.changes is None:
        return None
    if not 1 <= number <= len(bodies):
        return [await conv.say(messages.choose_in_range(len(bodies)))]
    changes = plans.changes_of(said.changes, text=correction, now=conv.now, zone=conv.zone)
    patch = plans.patch_for(bodies[number - 1], changes, conv.zone)
    if patch is None:
        return None
    fresh = [
        (amend.apply(body, patch) if n == number else body).model_copy(
            update={"allow_duplicate": False}
        )
        for n, body in enumerate(bodies, start=1)
    ]
    notes = list(action.assumptions or [])
    # The same request, changed: it replaces the proposal without a word about it.
    request = plans.CreateManyRequest(events=fresh)
    return await proposals.start(conv, ActionKind.create_many, request, notes, announce=False)


def _item_and_correction(bodies: list[plans.NewEvent], text: str) -> tuple[int, str] | None:
    """(item number, the correction said about it) of "2번은 4시로" / "치과는 30분 늦게"."""
    numbered = BY_NUMBER.match(text)
    if numbered is not None:
        digits, ordinal, rest = numbered.groups()
        return (int(digits) if digits else ORDINALS[ordinal]), rest
    titled = BY_TITLE.match(text)
    if titled is None:
        return None
    named = fmt.normalise_title(titled.group(1))
    for number, body in enumerate(bodies, start=1):
        if named and fmt.normalise_title(body.title) == named:
            return number, titled.group(2)
    return None


async def run(
    conv: Conversation, action: PendingAction, plan: plans.CreateManyPlan
) -> tuple[str, dict[str, Any], dict[str, Any] | None, tuple[CalendarEvent, ...]]:
    """Creates every item once: (reply, stored result, reply payload, the events it made,
    which its undo deletes).

    An item the calendar refuses is said and the others still made; when none could be
    made the error goes up (the action fails as a single create would).
    """
    made: list[tuple[str, CalendarEvent]] = []
    failed: list[plans.NewEvent] = []
    last_error: Exception | None = None
    for number, body in enumerate(plan.bodies, start=1):
        try:
            created = await conv.app.calendar.create_event(
                user_id=conv.user_id,
                event=plans.calendar_body(body),
                idempotency_key=f"{action.idempotency_key}-{number}",
            )
        except (CalendarUnavailable, CalendarRequestFailed) as err:
            failed.append(body)
            last_error = err
            continue
        made.append((created.status, created.event))
    if not made:
        assert last_error is not None
        raise last_error
    result = {
        "events": [{"status": status, "event": e.model_dump(mode="json")} for status, e in made],
        "failed": [body.title for body in failed],
    }
    new = tuple(event for status, event in made if status != "duplicate")
    payload = {"kind": "result", "action_id": action.id}
    return _done_text(made, failed, conv.zone), result, payload, new


def _done_text(
    made: list[tuple[str, CalendarEvent]], failed: list[plans.NewEvent], zone: tzinfo
) -> str:
    new = [event for status, event in made if status != "duplicate"]
    there = [event for status, event in made if status == "duplicate"]
    lines = [f"✅ {len(new)}개 등록했어요:"] if new else []
    lines.extend(f"• {messages.event_line(event, zone)}" for event in new)
    if there:
        lines.append("이미 같은 일정이 있어 새로 만들지 않았어요:")
        lines.extend(f"• {messages.event_line(event, zone)}" for event in there)
    if failed:
        names = ", ".join(fmt.quoted(body.title) for body in failed)
        lines.append(
            f"⚠️ {names}{fmt.josa(names, '은', '는')} 등록하지 못했어요. 잠시 후 다시 말씀해 주세요."
        )
    return "\n".join(lines)


def _line(body: plans.NewEvent, zone: tzinfo) -> str:
    return fmt.event_line(body.model_dump(mode="json"), zone)


def _waiting_many(action: PendingAction | None) -> bool:
    return (
        action is not None
        and action.kind == ActionKind.create_many
        and action.state == ActionState.proposed
    )


def _items_named(action: PendingAction, text: str, parsed: NluResult) -> list[int] | None:
    """The item numbers a drop names: by number ("2번"), else by title ("치과는 빼줘")."""
    numbers = [int(n) for n in NUMBER.findall(text)]
    if numbers:
        return numbers
    bodies = plans.plan_of(action).bodies
    named = fmt.normalise_title(parsed.target.title if parsed.target else None)
    if not named:
        return None
    found = [
        n
        for n, body in enumerate(bodies, start=1)
        if fmt.normalise_title(body.title) and fmt.normalise_title(body.title) in named
    ]
    return found or None

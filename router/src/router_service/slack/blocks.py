"""Stored messages as Slack Block Kit: text sections, buttons, links, and a status once answered.

A message is rendered when it is sent, with the live state of the action it refers to,
so an update after a button press shows the outcome and no buttons.
"""

from __future__ import annotations

from typing import Any

from router_service.conversations.models import Message
from router_service.pending.models import ActionState

SECTION_LIMIT = 3000  # characters of one section's text
TEXT_LIMIT = 39000  # characters of a message's top-level text
APPROVE, REJECT, CHOOSE_PREFIX, LINK = "approve", "reject", "choose_", "open_link"

UNDO = "undo"
UNDO_STATUS = {ActionState.undoing: "⏳ 되돌리고 있어요", ActionState.undone: "↩️ 되돌렸어요"}
STATUS = {
    ActionState.rejected: "취소했어요",
    ActionState.expired: "⌛ 확인 시간이 지나 만료됐어요",
    ActionState.superseded: "다른 요청으로 바뀌었어요",
    ActionState.failed: "⚠️ 처리하지 못했어요",
    ActionState.approved: "⏳ 처리하고 있어요",
    ActionState.executing: "⏳ 처리하고 있어요",
    ActionState.awaiting_auth: "🔑 구글 캘린더 연결을 기다리고 있어요",
    **UNDO_STATUS,
}


def escape(text: str) -> str:
    """Slack's three control characters in text, escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(message: Message, state: ActionState | None) -> tuple[str, list[dict[str, Any]]]:
    """The ``text`` fallback and the ``blocks`` of ``message`` given its action's ``state``."""
    payload = message.payload or {}
    kind = payload.get("kind")
    text = escape(message.text)
    blocks = _sections(text)
    link = payload.get("link") or {}
    if kind == "proposal":
        blocks.extend(_proposal(payload, state))
    elif kind == "choice":
        blocks.extend(_choice(payload, state))
    elif kind == "scope":
        blocks.extend(_scope(payload, state))
    elif kind == "result" and payload.get("undo"):
        blocks.extend(_undo(payload, state))
    if link.get("url"):
        label = link.get("label") or "열기"
        style = "primary" if kind == "connect" else None
        blocks.append(
            _actions(f"link-{payload.get('action_id', 0)}", [_link(label, link["url"], style)])
        )
        text += f"\n<{link['url']}|{escape(label)}>"
    return text[:TEXT_LIMIT], blocks


def decision_of(action_id: str) -> tuple[str, int | None] | None:
    """("approve"|"reject"|"choose"|"undo", choice) for one of our buttons, None for others."""
    if action_id in (APPROVE, REJECT, UNDO):
        return action_id, None
    if action_id.startswith(CHOOSE_PREFIX) and action_id[len(CHOOSE_PREFIX) :].isdigit():
        return "choose", int(action_id[len(CHOOSE_PREFIX) :])
    return None


def _proposal(payload: dict[str, Any], state: ActionState | None) -> list[dict[str, Any]]:
    action_id = payload.get("action_id")
    buttons = payload.get("buttons") or []
    if state in (None, ActionState.proposed):
        elements = [
            _button(b.get("label") or b["decision"], b["decision"], str(action_id), b.get("style"))
            for b in buttons
            if b.get("decision") in (APPROVE, REJECT)
        ]
        return [_actions(f"action-{action_id}", elements)] if elements else []
    if state == ActionState.done:
        verb = next((b.get("label") for b in buttons if b.get("decision") == APPROVE), "완료")
        return [_context(f"✅ {verb}됨")]
    return [_context(STATUS.get(state, str(state)))]


def _undo(payload: dict[str, Any], state: ActionState | None) -> list[dict[str, Any]]:
    """[되돌리기] under a ✅ reply while its action is done; what became of it after."""
    action_id = payload.get("action_id")
    if state in (None, ActionState.done):
        label = payload["undo"].get("label") or "되돌리기"
        return [_actions(f"undo-{action_id}", [_button(label, UNDO, str(action_id))])]
    return [_context(UNDO_STATUS[state])] if state in UNDO_STATUS else []


def _choice(payload: dict[str, Any], state: ActionState | None) -> list[dict[str, Any]]:
    action_id = payload.get("action_id")
    if state in (None, ActionState.awaiting_choice, ActionState.awaiting_date):
        elements = [
            _button(
                c.get("short_label") or f"{c['choice']}번",
                f"{CHOOSE_PREFIX}{c['choice']}",
                str(action_id),
            )
            for c in (payload.get("choices") or [])[:25]
        ]
        return [_actions(f"action-{action_id}", elements)] if elements else []
    if state in (ActionState.proposed, ActionState.done):
        return [_context("✔️ 골랐어요")]
    return [_context(STATUS.get(state, str(state)))]


def _scope(payload: dict[str, Any], state: ActionState | None) -> list[dict[str, Any]]:
    """[이번만] [이후 전부] [전체]: pressed like a numbered choice (``choose_N``)."""
    action_id = payload.get("action_id")
    if state in (None, ActionState.awaiting_scope):
        elements = [
            _button(
                c.get("label") or f"{c['choice']}번",
                f"{CHOOSE_PREFIX}{c['choice']}",
                str(action_id),
            )
            for c in (payload.get("choices") or [])[:5]
        ]
        return [_actions(f"action-{action_id}", elements)] if elements else []
    if state in (ActionState.proposed, ActionState.done):
        return [_context("✔️ 골랐어요")]
    return [_context(STATUS.get(state, str(state)))]


def _sections(text: str) -> list[dict[str, Any]]:
    chunks = [text[i : i + SECTION_LIMIT] for i in range(0, len(text), SECTION_LIMIT)] or [" "]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]


def _actions(block_id: str, elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label[:75]},
        "value": value,
    }
    if style in ("primary", "danger"):
        button["style"] = style
    return button


def _link(label: str, url: str, style: str | None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": LINK,
        "text": {"type": "plain_text", "text": label[:75]},
        "url": url,
    }
    if style:
        button["style"] = style
    return button


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}

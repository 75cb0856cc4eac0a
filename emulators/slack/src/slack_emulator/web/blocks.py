"""Block Kit checks Slack applies to chat.postMessage/chat.update (the parts Haru can trip on)."""

import json
import secrets
import string

from slack_emulator.errors import SlackApiError

MAX_BLOCKS = 50
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_ACTIONS_ELEMENTS = 25
BUTTON_STYLES = {"primary", "danger"}
GENERATED_ID_ALPHABET = string.ascii_letters + string.digits


class InvalidBlocks(SlackApiError):
    """invalid_blocks, with Slack's pointer messages in response_metadata."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid_blocks")
        self.problems = problems

    def body(self) -> dict:
        """Slack's body for invalid_blocks."""
        return {**super().body(), "response_metadata": {"messages": self.problems}}


def _generated_id() -> str:
    return "".join(secrets.choice(GENERATED_ID_ALPHABET) for _ in range(5))


def parse_blocks(raw: object) -> list[dict] | None:
    """Blocks from a JSON list or a form field holding JSON; None when absent."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if not raw.strip():
            return None
        try:
            raw = json.loads(raw)
        except ValueError as err:
            raise InvalidBlocks(["[ERROR] invalid JSON [json-pointer:/blocks]"]) from err
    if not isinstance(raw, list):
        raise InvalidBlocks(["[ERROR] must be an array [json-pointer:/blocks]"])
    return raw


def _text_of(obj: object) -> str | None:
    return obj.get("text") if isinstance(obj, dict) and isinstance(obj.get("text"), str) else None


def _check_button(element: dict, pointer: str, problems: list[str]) -> None:
    text = element.get("text")
    if not isinstance(text, dict) or text.get("type") != "plain_text" or not _text_of(text):
        problems.append(f"[ERROR] must provide a plain_text object [json-pointer:{pointer}/text]")
    elif len(text["text"]) > MAX_BUTTON_TEXT:
        problems.append(
            f"[ERROR] must be less than {MAX_BUTTON_TEXT + 1} characters "
            f"[json-pointer:{pointer}/text/text]"
        )
    if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
        problems.append(
            f"[ERROR] must be less than {MAX_BUTTON_VALUE + 1} characters "
            f"[json-pointer:{pointer}/value]"
        )
    if len(str(element.get("action_id", ""))) > MAX_ACTION_ID:
        problems.append(
            f"[ERROR] must be less than 256 characters [json-pointer:{pointer}/action_id]"
        )
    if "style" in element and element["style"] not in BUTTON_STYLES:
        problems.append(f"[ERROR] must be one of primary, danger [json-pointer:{pointer}/style]")


def _check_elements(elements: list, pointer: str, problems: list[str]) -> None:
    action_ids: set[str] = set()
    for index, element in enumerate(elements):
        where = f"{pointer}/elements/{index}"
        if not isinstance(element, dict) or not isinstance(element.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:{where}]")
            continue
        if element["type"] == "button":
            _check_button(element, where, problems)
        action_id = element.get("action_id")
        if action_id is not None:
            if action_id in action_ids:
                problems.append(
                    f"[ERROR] action_id already exists [json-pointer:{where}/action_id]"
                )
            action_ids.add(action_id)


def _check_block(block: object, index: int, problems: list[str]) -> None:
    pointer = f"/blocks/{index}"
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        problems.append(f"[ERROR] missing required field: type [json-pointer:{pointer}]")
        return
    kind = block["type"]
    if kind == "section":
        text = _text_of(block.get("text"))
        if text is None and not block.get("fields"):
            problems.append(f"[ERROR] must provide either text or fields [json-pointer:{pointer}]")
        elif text is not None and len(text) > MAX_SECTION_TEXT:
            problems.append(
                f"[ERROR] must be less than 3001 characters [json-pointer:{pointer}/text/text]"
            )
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            _check_button(accessory, f"{pointer}/accessory", problems)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            problems.append(f"[ERROR] must provide elements [json-pointer:{pointer}/elements]")
        elif len(elements) > MAX_ACTIONS_ELEMENTS:
            problems.append(f"[ERROR] must have at most 25 items [json-pointer:{pointer}/elements]")
        else:
            _check_elements(elements, pointer, problems)
    elif kind == "header":
        text = block.get("text")
        if not isinstance(text, dict) or text.get("type") != "plain_text" or not _text_of(text):
            problems.append(
                f"[ERROR] must provide a plain_text object [json-pointer:{pointer}/text]"
            )
        elif len(text["text"]) > MAX_HEADER_TEXT:
            problems.append(
                f"[ERROR] must be less than 151 characters [json-pointer:{pointer}/text/text]"
            )


def validate_blocks(blocks: list) -> list[dict]:
    """Slack's checks; returns the blocks as stored, with block_id/action_id filled in."""
    problems: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        problems.append("[ERROR] must have at most 50 items [json-pointer:/blocks]")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        _check_block(block, index, problems)
        if isinstance(block, dict) and block.get("block_id") is not None:
            if block["block_id"] in block_ids:
                problems.append(
                    f"[ERROR] block_id already exists [json-pointer:/blocks/{index}/block_id]"
                )
            block_ids.add(block["block_id"])
    if problems:
        raise InvalidBlocks(problems)
    stored = json.loads(json.dumps(blocks))
    for block in stored:
        block.setdefault("block_id", _generated_id())
        for element in [*block.get("elements", []), block.get("accessory")]:
            if isinstance(element, dict) and element.get("type") == "button":
                element.setdefault("action_id", _generated_id())
    return stored


def buttons(blocks: list[dict]) -> list[tuple[dict, dict]]:
    """Every button in stored blocks, with the block that holds it."""
    found: list[tuple[dict, dict]] = []
    for block in blocks or []:
        candidates = list(block.get("elements", [])) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        found.extend((block, el) for el in candidates if el.get("type") == "button")
    return found

"""Fixtures for the NLU tests: the worked examples of SPEC.md, the held-out set, the scorer's
field checks (as shared/nlu/evaluate.py makes them) and a fixed clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from router_service.nlu.service import parse_message

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "dev-corpus.jsonl"
# Messages written from the SPEC alone (never from the parser's answers): docs/nlu.md.
HELDOUT = DATA / "heldout-corpus.jsonl"
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="session")
def dev_corpus() -> list[dict]:
    return _load(CORPUS)


@pytest.fixture(scope="session")
def heldout_corpus() -> list[dict]:
    return _load(HELDOUT)


@pytest.fixture(scope="session")
def misread() -> Callable[[list[dict]], dict[str, tuple[str, list[str]]]]:
    """``misread(corpus)``: each case the parser gets wrong by the scorer's field checks, as
    ``{id: (text, fields that disagree)}``."""
    return _misread


def _misread(corpus: list[dict]) -> dict[str, tuple[str, list[str]]]:
    failures = {}
    for case in corpus:
        got = parse_message(case["text"], now=datetime.fromisoformat(case["now"])).to_spec_json()
        if errors := _mismatches(case["expect"], got):
            failures[case["id"]] = (case["text"], errors)
    return failures


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def now() -> datetime:
    """Friday 2025-11-14 10:00 in Seoul, the clock of most worked examples."""
    return datetime(2025, 11, 14, 10, 0, tzinfo=SEOUL)


# ----- the scorer's field checks (shared/nlu/evaluate.py) -------------------------------


def _squash(value: Any) -> str | None:
    return None if value is None else "".join(str(value).split())


def _text_ok(expected: Any, got: Any, *, loose: bool = False) -> bool:
    options = expected if isinstance(expected, list) else [expected]

    def fold(v: str | None) -> str | None:
        return v[:-2] if loose and v and v.endswith("일정") else v

    return fold(_squash(got)) in {fold(_squash(o)) for o in options}


def _instant_ok(expected: str | None, got: Any) -> bool:
    if expected is None or not isinstance(got, str):
        return expected is None and got is None
    e, g = datetime.fromisoformat(expected), datetime.fromisoformat(got)
    return g.utcoffset() == e.utcoffset() and g == e


def _rules(lines: list[str] | None) -> list[frozenset[str]] | None:
    if not lines:
        return None
    return sorted((frozenset(line.split(":", 1)[-1].split(";")) for line in lines), key=sorted)


def _event(e: dict[str, Any], g: dict[str, Any] | None, prefix: str) -> list[str]:
    g = g or {}
    errors = [f"{prefix}.all_day"] if bool(g.get("all_day")) != bool(e.get("all_day")) else []
    for k in ("start", "end"):
        same = g.get(k) == e[k] if e.get("all_day") else _instant_ok(e[k], g.get(k))
        if k in e and not same:
            errors.append(f"{prefix}.{k}")
    errors += [
        f"{prefix}.{k}" for k in ("title", "location") if k in e and not _text_ok(e[k], g.get(k))
    ]
    if "recurrence" in e and _rules(e["recurrence"]) != _rules(g.get("recurrence")):
        errors.append(f"{prefix}.recurrence")
    if "reminder_minutes" in e and sorted(e["reminder_minutes"] or []) != sorted(
        g.get("reminder_minutes") or []
    ):
        errors.append(f"{prefix}.reminder_minutes")
    return errors


def _range(e: dict[str, Any], g: dict[str, Any]) -> list[str]:
    errors = [f"range.{k}" for k in ("start", "end") if not _instant_ok(e[k], g.get(k))]
    return errors + (["range.limit"] if "limit" in e and e["limit"] != g.get("limit") else [])


def _target(e: dict[str, Any], g: dict[str, Any]) -> list[str]:
    errors = [] if _text_ok(e["title"], g.get("title"), loose=True) else ["target.title"]
    errors += [f"target.{k}" for k in ("date", "scope") if k in e and g.get(k) != e[k]]
    if "start" in e and not _instant_ok(e["start"], g.get("start")):
        errors.append("target.start")
    return errors


def _changes(e: dict[str, Any], g: dict[str, Any]) -> list[str]:
    errors = (
        ["changes.start"] if "start" in e and not _instant_ok(e["start"], g.get("start")) else []
    )
    for k in ("date", "time", "shift_minutes", "duration_minutes"):
        if k in e and g.get(k) != e[k]:
            errors.append(f"changes.{k}")
    return errors + [
        f"changes.{k}" for k in ("title", "location") if k in e and not _text_ok(e[k], g.get(k))
    ]


def _mismatches(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """The fields of ``got`` (the SPEC's JSON) that disagree with the worked example."""
    if got.get("intent") != expect["intent"]:
        return [f"intent {got.get('intent')}"]
    errors = []
    if "event" in expect:
        errors += _event(expect["event"], got.get("event"), "event")
    if "events" in expect:
        want, have = expect["events"] or [], got.get("events") or []
        if len(want) != len(have):
            errors.append("events")
        for i, (e, g) in enumerate(zip(want, have, strict=False)):
            errors += _event(e, g, f"events[{i}]")
    if "needs" in expect and sorted(expect["needs"] or []) != sorted(got.get("needs") or []):
        errors.append("needs")
    if "range" in expect:
        errors += _range(expect["range"], got.get("range") or {})
    if "target" in expect:
        errors += _target(expect["target"], got.get("target") or {})
    if "changes" in expect:
        errors += _changes(expect["changes"], got.get("changes") or {})
    if "approve" in expect and bool(got.get("approve")) != bool(expect["approve"]):
        errors.append("approve")
    if "preference" in expect and (got.get("preference") or {}) != expect["preference"]:
        errors.append("preference")
    return errors

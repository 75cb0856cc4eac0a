"""The SPEC's worked examples, through the pydantic API and through the command."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from router_service.nlu.parser import parse
from router_service.nlu.service import parse_message


def _squash(value):
    return None if value is None else "".join(str(value).split())


def _text_ok(expected, got, *, loose=False):
    options = expected if isinstance(expected, list) else [expected]

    def fold(v):
        return v[:-2] if loose and v and v.endswith("일정") else v

    return fold(_squash(got)) in {fold(_squash(o)) for o in options}


def _rules(lines):
    if not lines:
        return None
    return sorted(frozenset(line.split(":", 1)[-1].split(";")) for line in lines)


def _event_mismatches(e: dict, g: dict | None, prefix: str) -> list[str]:
    g = g or {}
    errors = [f"{prefix}.{k}" for k in ("start", "end", "all_day") if k in e and g.get(k) != e[k]]
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


def _mismatches(expect: dict, got: dict) -> list[str]:
    """The fields of ``got`` that disagree with the worked example (as evaluate.py scores)."""
    if got["intent"] != expect["intent"]:
        return [f"intent {got['intent']}"]
    errors = []
    if "event" in expect:
        errors += _event_mismatches(expect["event"], got["event"], "event")
    if "events" in expect:
        want, have = expect["events"] or [], got["events"] or []
        if len(want) != len(have):
            errors.append("events")
        for i, (e, g) in enumerate(zip(want, have, strict=False)):
            errors += _event_mismatches(e, g, f"events[{i}]")
    for part in ("range", "changes"):
        if part in expect:
            for k, v in expect[part].items():
                textual = k in ("title", "location")
                if not (_text_ok(v, got[part][k]) if textual else got[part][k] == v):
                    errors.append(f"{part}.{k}")
    if "target" in expect:
        e, g = expect["target"], got["target"]
        if not _text_ok(e["title"], g["title"], loose=True):
            errors.append("target.title")
        errors += [f"target.{k}" for k in ("date", "start", "scope") if k in e and g[k] != e[k]]
    for key in ("needs", "approve", "preference"):
        if key in expect and (got[key] or None) != (expect[key] or None):
            errors.append(key)
    return errors


def test_every_worked_example_is_understood(dev_corpus):
    failures = {}
    for case in dev_corpus:
        got = parse_message(case["text"], now=datetime.fromisoformat(case["now"])).to_spec_json()
        if errors := _mismatches(case["expect"], got):
            failures[case["id"]] = errors
    assert failures == {}


def test_pydantic_result_serialises_like_the_plain_parse(dev_corpus):
    for case in dev_corpus:
        now = datetime.fromisoformat(case["now"])
        plain = parse(case["text"], now=now).to_spec_json()
        assert parse_message(case["text"], now=now).to_spec_json() == plain


def test_command_answers_each_line_in_order(dev_corpus):
    lines = [
        json.dumps({"text": c["text"], "now": c["now"]}, ensure_ascii=False) for c in dev_corpus
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "router_service.nlu"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["intent"] for r in results] == [c["expect"]["intent"] for c in dev_corpus]


def test_command_reports_a_bad_line_and_goes_on():
    proc = subprocess.run(
        [sys.executable, "-m", "router_service.nlu"],
        input='{"text": "내일 3시 회의", "now": "2025-11-14T10:00:00"}\nnot json\n'
        '{"text": "네", "now": "2025-11-14T10:00:00+09:00"}\n',
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["intent"] for r in results] == ["other", "other", "approve"]
    assert "error" in results[0] and "error" in results[1]


@pytest.mark.parametrize(
    "zone, expected",
    [
        ("Asia/Seoul", "2025-11-15T15:00:00+09:00"),
        # 10:00 in Seoul is still the 13th in New York, so 내일 is the 14th there.
        ("America/New_York", "2025-11-14T15:00:00-05:00"),
    ],
)
def test_days_and_offsets_follow_the_users_zone(zone, expected):
    now = datetime.fromisoformat("2025-11-14T10:00:00+09:00")
    got = parse_message("내일 오후 3시 팀 미팅", now=now, time_zone=zone).to_spec_json()
    assert got["event"]["start"] == expected


def test_command_path_imports_no_pydantic():
    """The command must start fast: its import chain stays free of pydantic and fastapi."""
    code = (
        "import sys, router_service.nlu.__main__;"
        "heavy = ('pydantic', 'fastapi', 'sqlalchemy', 'openai');"
        "print(sorted(n for n in heavy if n in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "[]"

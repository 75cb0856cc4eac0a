"""The SPEC's worked examples, through the pydantic API and through the command."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from router_service.nlu.parser import parse
from router_service.nlu.service import parse_message


def test_every_worked_example_is_understood(dev_corpus, misread):
    assert misread(dev_corpus) == {}


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

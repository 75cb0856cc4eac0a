"""Fixtures for the NLU tests: the worked examples of SPEC.md and a fixed clock."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CORPUS = Path(__file__).parent / "data" / "dev-corpus.jsonl"
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="session")
def dev_corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def now() -> datetime:
    """Friday 2025-11-14 10:00 in Seoul, the clock of most worked examples."""
    return datetime(2025, 11, 14, 10, 0, tzinfo=SEOUL)

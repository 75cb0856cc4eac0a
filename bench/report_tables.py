"""Markdown pieces bench/report.py's sections are written with."""

from __future__ import annotations

from typing import Any


def table(header: list[str], rows: list[list[Any]], *, left: int = 1) -> list[str]:
    """A Markdown table: the first ``left`` columns left-aligned, the rest right-aligned."""
    align = ["---"] * left + ["---:"] * (len(header) - left)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return lines


def ms(value: float) -> str:
    """Locust's percentiles are whole milliseconds; 0 means under 1 ms."""
    return "<1" if value == 0 else f"{value:g}"

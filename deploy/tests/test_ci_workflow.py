"""The Gitea workflow: Debian (Chromium is Debian's package), one lint, the logs of a failure."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load((REPO / ".gitea/workflows/ci.yml").read_text())
[JOB] = WORKFLOW["jobs"].values()
RUNS = [step.get("run", "") for step in JOB["steps"]]


def test_runs_in_a_debian_image():
    assert JOB["container"]["image"].startswith("debian:")


def test_lints_once_through_make_test():
    assert sum("make test" in run for run in RUNS) == 1
    assert not any("make lint" in run or "ruff" in run for run in RUNS)
    makefile = (REPO / "Makefile").read_text()
    assert "test: install lint " in makefile


def test_the_database_tests_reach_the_service_container():
    assert JOB["env"]["CI"] == "true"
    host = JOB["env"]["HARU_TEST_DATABASE_URL"].split("@")[1].split(":")[0]
    assert host in JOB["services"]


def test_keeps_the_e2e_logs_when_a_run_fails():
    [upload] = [s for s in JOB["steps"] if "upload-artifact" in s.get("uses", "")]
    assert upload["if"] == "failure()"
    assert upload["with"]["path"].rstrip("/") == "tests-e2e/artifacts"

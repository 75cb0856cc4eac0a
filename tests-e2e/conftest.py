"""End-to-end fixtures: one whole system per session (PostgreSQL), logs on failure, the fault table.

Every test here starts real processes, so each is marked ``e2e`` (``make unit`` leaves them out).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import System, router_clock, runnable_processes, start_system

FAULTS_KEY = pytest.StashKey["FaultTable"]()
SYSTEMS_KEY = pytest.StashKey["list[System]"]()
HERE = Path(__file__).resolve().parent


@dataclass
class FaultRow:
    fault: str
    requests: int
    completed: int
    duplicates: int
    lost: int


@dataclass
class FaultTable:
    """What each fault test saw: requests made, completed, duplicated, lost."""

    rows: list[FaultRow] = field(default_factory=list)

    def record(
        self, fault: str, *, requests: int, completed: int, duplicates: int, lost: int
    ) -> None:
        self.rows.append(FaultRow(fault, requests, completed, duplicates, lost))

    def render(self) -> str:
        width = max([len(r.fault) for r in self.rows] + [5])
        head = f"{'fault':<{width}}  requests  completed  duplicates  lost"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            lines.append(
                f"{r.fault:<{width}}  {r.requests:>8}  {r.completed:>9}  {r.duplicates:>10}  "
                f"{r.lost:>4}"
            )
        return "\n".join(lines)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[FAULTS_KEY] = FaultTable()
    config.stash[SYSTEMS_KEY] = []


def pytest_report_header(config: pytest.Config) -> str | None:
    _present, absent = runnable_processes()
    if absent:
        return f"e2e: not in this checkout yet, not started: {', '.join(absent)}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [item for item in items if HERE in Path(str(item.fspath)).parents]
    for item in mine:
        item.add_marker(pytest.mark.e2e)
    # The secret scan reads what every other test made the system write, so it runs last.
    last = [item for item in mine if Path(str(item.fspath)).name == "test_secret_scan.py"]
    if last:
        items[:] = [item for item in items if item not in last] + last


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.failed and HERE in Path(str(item.fspath)).parents:
        for system in item.config.stash[SYSTEMS_KEY]:
            report.sections.append((f"process logs ({system.state_dir.name})", system.tails()))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    table = terminalreporter.config.stash[FAULTS_KEY]
    if table.rows:
        terminalreporter.section("fault matrix")
        terminalreporter.write_line(table.render())


@pytest.fixture(scope="session")
def system_session(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[System]:
    """The whole system on fresh PostgreSQL databases (SQLite when PostgreSQL is absent)."""
    present, _absent = runnable_processes()
    system = start_system(tmp_path_factory.mktemp("stack-pg"), processes=present)
    pytestconfig.stash[SYSTEMS_KEY].append(system)
    try:
        yield system
    finally:
        system.stop()


@pytest.fixture(scope="session")
def sqlite_system(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[System]:
    """A second whole system on SQLite files: the zero-setup backend must run too."""
    present, _absent = runnable_processes()
    system = start_system(
        tmp_path_factory.mktemp("stack-sqlite"), backend="sqlite", processes=present
    )
    pytestconfig.stash[SYSTEMS_KEY].append(system)
    try:
        yield system
    finally:
        system.stop()


@pytest.fixture
def system(system_session: System) -> System:
    """The session's system, whole again (a test may have killed a process), faults cleared."""
    system_session.ensure_running()
    if "google-emulator" in system_session.names:
        system_session.google.clear_faults()
    return system_session


@pytest.fixture
def fault_table(pytestconfig: pytest.Config) -> FaultTable:
    return pytestconfig.stash[FAULTS_KEY]


@pytest.fixture
def router_at(system: System) -> Iterator[Callable[[datetime], timedelta]]:
    """Restarts the router with its clock moved to a chosen moment; restores it after."""
    with router_clock(system) as move:
        yield move

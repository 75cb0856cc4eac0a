"""Every workspace member imports only what its pyproject.toml declares.

A member's ``src/`` may import the standard library, itself, the distributions it declares,
and what a workspace member it declares declares in turn (``haru-shared`` carries the
service platform: FastAPI, pydantic, SQLAlchemy, httpx). Anything else works only by
accident of what happens to be installed, and breaks the member's own image.

The reverse also holds: a declared distribution that nothing imports is named, unless it is
listed in ``RUNTIME_ONLY`` with the reason it is needed without an import.

``python tools/declared_imports.py`` prints the findings; the test in tools/tests runs it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Declared distributions used without an ``import`` of their own: why, and the source text
# that shows the member needs it (a declaration without that evidence is unused).
RUNTIME_ONLY: dict[str, tuple[str, str]] = {
    "asyncpg": ("SQLAlchemy's driver for postgresql+asyncpg URLs", r"create_async_engine"),
    "aiosqlite": ("SQLAlchemy's driver for sqlite+aiosqlite URLs", r"create_async_engine"),
    "python-multipart": ("Starlette's form parser", r"\bForm\(|\.form\(\)"),
    "py-spy": ("the sampling profiler bench/profiles.py runs as a program", r'"py-spy"'),
}


@dataclass(frozen=True)
class Member:
    name: str  # the distribution, e.g. haru-router
    root: Path
    packages: tuple[str, ...]  # import names it provides
    dependencies: tuple[str, ...]  # normalised distribution names it declares
    # optional dependencies by extra (e.g. a pytest plugin's ``testing``): each serves only the
    # module named after it (``<package>/testing.py``), since the service's image lacks them
    extras: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Finding:
    member: str
    kind: str  # "undeclared" or "unused"
    name: str
    where: str

    def __str__(self) -> str:
        if self.kind == "undeclared":
            return f"{self.member}: imports {self.name} without declaring it ({self.where})"
        return f"{self.member}: declares {self.name} but nothing imports it"


def normalise(distribution: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one dash."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def requirement_name(requirement: str) -> str:
    return normalise(re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0])


def members() -> list[Member]:
    """The workspace members named in the root pyproject.toml."""
    root = tomllib.loads((REPO / "pyproject.toml").read_text())
    found = []
    for folder in root["tool"]["uv"]["workspace"]["members"]:
        data = tomllib.loads((REPO / folder / "pyproject.toml").read_text())
        wheel = data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
        found.append(
            Member(
                name=normalise(data["project"]["name"]),
                root=REPO / folder,
                packages=tuple(Path(p).name for p in wheel),
                dependencies=tuple(
                    requirement_name(r) for r in data["project"].get("dependencies", [])
                ),
                extras={
                    extra: tuple(requirement_name(r) for r in group)
                    for extra, group in data["project"].get("optional-dependencies", {}).items()
                },
            )
        )
    return found


def imported_modules(source: Path) -> Iterator[tuple[str, int]]:
    """Top-level names of the absolute imports in ``source`` (anywhere in the file)."""
    tree = ast.parse(source.read_text(), filename=str(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def providers() -> dict[str, set[str]]:
    """Import name -> the installed distributions that provide it."""
    mapping = importlib.metadata.packages_distributions()
    return {module: {normalise(d) for d in dists} for module, dists in mapping.items()}


def check(workspace: list[Member] | None = None) -> list[Finding]:
    """Every undeclared import and every unused declaration of every member."""
    workspace = workspace if workspace is not None else members()
    by_name = {m.name: m for m in workspace}
    provided_by = providers()
    for member in workspace:
        for package in member.packages:
            provided_by[package] = {member.name}
    findings: list[Finding] = []
    for member in workspace:
        allowed = set(member.dependencies)
        for dependency in member.dependencies:
            if dependency in by_name:
                allowed |= set(by_name[dependency].dependencies)
        used: set[str] = set()
        text = ""
        for source in sorted((member.root / "src").rglob("*.py")):
            text += source.read_text()
            here = allowed | _extras_serving(member, source, by_name)
            for module, line in imported_modules(source):
                if module in sys.stdlib_module_names or module in member.packages:
                    continue
                dists = provided_by.get(module, set())
                used |= dists
                if not dists & here:
                    where = f"{_shown(source)}:{line}"
                    findings.append(Finding(member.name, "undeclared", module, where))
        for dependency in member.dependencies:
            evidence = RUNTIME_ONLY.get(dependency, ("", "(?!)"))[1]
            if dependency not in used and not re.search(evidence, text):
                findings.append(Finding(member.name, "unused", dependency, "pyproject.toml"))
    return findings


def check_bench(workspace: list[Member] | None = None) -> list[Finding]:
    """bench/ imports only what the workspace and the root's dev and bench groups declare,
    and every distribution of the bench group is imported there."""
    workspace = workspace if workspace is not None else members()
    groups = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]
    bench_group = {requirement_name(r) for r in groups["bench"]}
    allowed = bench_group | {requirement_name(r) for r in groups["dev"]}
    local = {
        p.stem for folder in ("bench", "tools", "tests-e2e") for p in (REPO / folder).rglob("*.py")
    }
    for member in workspace:
        allowed |= {member.name, *member.dependencies}
        allowed |= {name for group in member.extras.values() for name in group}
        local |= set(member.packages)
    provided_by = providers()
    findings: list[Finding] = []
    used: set[str] = set()
    for source in sorted((REPO / "bench").rglob("*.py")):
        text = source.read_text()
        used |= {name for name, (_, evidence) in RUNTIME_ONLY.items() if re.search(evidence, text)}
        for module, line in imported_modules(source):
            if module in sys.stdlib_module_names or module in local:
                continue
            # A group not installed now (bench) is known by its distributions' own names.
            dists = provided_by.get(module) or {normalise(module)}
            used |= dists
            if not dists & allowed:
                findings.append(Finding("bench", "undeclared", module, f"{_shown(source)}:{line}"))
    findings += [
        Finding("bench", "unused", name, "pyproject.toml [dependency-groups] bench")
        for name in sorted(bench_group - used)
    ]
    return findings


def _extras_serving(member: Member, source: Path, by_name: dict[str, Member]) -> set[str]:
    """The extras' distributions ``source`` may import: those of the extra it is named after
    (``src/<package>/<extra>.py`` or a module below ``src/<package>/<extra>/``), with what a
    workspace member among them declares."""
    parts = source.relative_to(member.root / "src").with_suffix("").parts
    if len(parts) < 2:
        return set()
    group = member.extras.get(parts[1], ())
    serving = set(group)
    for name in group:
        if name in by_name:
            serving |= set(by_name[name].dependencies)
    return serving


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


if __name__ == "__main__":
    problems = check() + check_bench()
    print("\n".join(map(str, problems)) or "every import is declared, every declaration used")
    sys.exit(1 if problems else 0)

"""Each workspace member's pyproject.toml says what its code imports, and nothing more."""

from pathlib import Path

from declared_imports import Finding, Member, check, check_bench


def test_every_member_declares_what_it_imports_and_imports_what_it_declares():
    problems = check()
    assert not problems, "\n".join(map(str, problems))


def test_benchmarks_import_only_what_the_bench_and_dev_groups_declare():
    problems = check_bench()
    assert not problems, "\n".join(map(str, problems))


def member(tmp_path: Path, source: str, dependencies: tuple[str, ...] = ()) -> Member:
    package = tmp_path / "src" / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source)
    return Member(
        name="haru-demo",
        root=tmp_path,
        packages=("demo",),
        dependencies=dependencies,
        extras={},
    )


def test_an_undeclared_import_is_named(tmp_path):
    demo = member(tmp_path, "import os\nimport demo.x\n\ndef f():\n    import anyio\n")
    [finding] = check([demo])
    assert finding.kind == "undeclared"
    assert finding.name == "anyio"
    assert finding.where.endswith("__init__.py:5")


def test_a_declaration_nothing_imports_is_named_unless_the_code_shows_its_use(tmp_path):
    demo = member(tmp_path, "import httpx\n", ("httpx", "jinja2", "python-multipart"))
    assert check([demo]) == [
        Finding("haru-demo", "unused", "jinja2", "pyproject.toml"),
        Finding("haru-demo", "unused", "python-multipart", "pyproject.toml"),
    ]
    (tmp_path / "src" / "demo" / "forms.py").write_text("x = Form(max_length=3)\n")
    assert [f.name for f in check([demo])] == ["jinja2"]


def test_a_workspace_dependency_brings_its_declarations(tmp_path):
    demo = member(tmp_path, "import fastapi\nimport shared\n", ("haru-shared",))
    platform = Member(
        name="haru-shared",
        root=tmp_path / "none",
        packages=("shared",),
        dependencies=("fastapi",),
        extras={},
    )
    assert [f for f in check([demo, platform]) if f.member == "haru-demo"] == []


def test_an_extra_serves_only_the_module_named_after_it(tmp_path):
    """A ``testing`` extra is installed with the tests, not in the image: the service's own
    modules must not lean on it (the Google emulator's image lacked httpx that way)."""
    demo = member(tmp_path, "import httpx\n")
    demo = Member(**{**demo.__dict__, "extras": {"testing": ("httpx",)}})
    [finding] = check([demo])
    assert (finding.kind, finding.name) == ("undeclared", "httpx")
    (tmp_path / "src" / "demo" / "__init__.py").write_text("")
    (tmp_path / "src" / "demo" / "testing.py").write_text("import httpx\n")
    assert check([demo]) == []

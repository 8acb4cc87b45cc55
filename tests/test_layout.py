"""The house: one folder per stage of the pipeline, imports that run one way, and a public
API that works on clinics made in Python as well as on record files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

import kdirectory
from kdirectory import Address, Clinic, Directory, build_site, check_site, validate
from tests.helpers import REPO

PACKAGE = REPO / "src" / "kdirectory"
STAGES = ("record", "geocoding", "site", "preview", "check", "onboarding", "testing")
LAYERS = ("catalogue", "cli")
"""Folders that are no stage: the catalogue of rules under every stage, the command line
over all of them."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The kdirectory modules ``path`` imports when it runs (``TYPE_CHECKING`` blocks aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in known}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: imports_of(path, known) - {name} for name, path in paths.items()}


def test_no_module_imports_itself_through_others() -> None:
    graph = import_graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(name: str, trail: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if other == "kdirectory":
                continue  # the package face imports everything; nothing imports it back
            if state.get(other) == 1:
                cycles.append([*trail[trail.index(other) :], other])
            elif other not in state:
                walk(other, [*trail, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert cycles == []


def test_stages_are_folders_and_the_package_root_holds_only_shared_modules() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert folders == sorted((*STAGES, *LAYERS))
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert top == [
        "__init__", "__main__", "_atomic", "_collector", "_output", "_sqlite", "exceptions",
        "project", "report",
    ]  # fmt: skip


def test_lower_stages_never_import_higher_ones() -> None:
    order = {
        "catalogue": -1, "record": 0, "geocoding": 1, "check": 1, "site": 2, "onboarding": 3,
        "preview": 3, "cli": 4,
    }  # fmt: skip
    for name, imported in import_graph().items():
        stage = name.split(".")[1] if name.count(".") else ""
        if stage not in order:
            continue
        for other in imported:
            other_stage = other.split(".")[1] if other.count(".") else ""
            if other_stage in order and other_stage != stage:
                assert order[other_stage] <= order[stage], f"{name} imports {other}"


def packages_imported(path: Path) -> set[str]:
    """The top-level packages ``path`` imports (``rich`` for ``from rich.table import …``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


TERMINAL_PACKAGES = frozenset({"typer", "click", "rich"})
"""What talks to the terminal: prompts and echo (typer, and click beneath it), progress
bars, tables and consoles (rich)."""


def test_only_the_command_line_talks_to_the_terminal() -> None:
    """Prompts, messages, progress bars and tables belong to ``cli/``; stages return
    results (and take answers as values), so they work and are tested without a terminal."""
    offenders = [
        f"{module_name(path)} imports {', '.join(sorted(found))}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] != "cli"
        if (found := packages_imported(path) & TERMINAL_PACKAGES)
    ]
    assert offenders == []


def test_a_site_from_clinics_made_in_python(tmp_path: Path) -> None:
    harbor = Clinic(
        name="Harbor Ketamine Clinic",
        phone="(760) 555-0123",
        address=Address(
            street="1200 N Main St", city="Escondido", region="CA", postal_code="92025"
        ),
        therapies=["iv-ketamine-infusion"],
    )
    directory = Directory.of([harbor], root=tmp_path)
    directory.add(Clinic(name="Vista Mind Clinic", address=Address(city="Vista", region="CA")))
    report = validate(directory)
    assert report.errors == [], [p.format() for p in report.errors]
    assert any(p.file == '<clinic "Vista Mind Clinic">' for p in report.warnings)
    result = build_site(directory, tmp_path / "site")
    assert (tmp_path / "site" / "clinics" / "harbor-ketamine-clinic" / "index.html").is_file()
    assert (tmp_path / "site" / "ca" / "vista" / "index.html").is_file()
    assert result.check is not None and check_site(tmp_path / "site").errors == []
    written = kdirectory.write_record(directory.clinics[0])
    assert yaml.safe_load(written)["name"] == "Harbor Ketamine Clinic"


def test_page_paths_are_made_only_in_site_urls() -> None:
    """The URL scheme lives in one module: no other module spells a page path."""
    spelled = re.compile(r"""f?["']/(clinics|conditions|guide|404)\b|f["']/\{""")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "site" / "urls.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if spelled.search(line)
    ]
    assert offenders == []


def test_the_shared_modules_at_the_top_import_no_stage() -> None:
    """Every stage may use them, so they may use none, only the catalogue below all
    (``project`` is the one module at the top that joins stages, above them)."""
    shared = {
        "kdirectory.report",
        "kdirectory.exceptions",
        "kdirectory._atomic",
        "kdirectory._output",
        "kdirectory._sqlite",
    }
    stages = {*STAGES, "cli"}
    for name in shared:
        reached = {other.split(".")[1] for other in import_graph()[name] if other.count(".")}
        assert reached & stages == set(), f"{name} imports {sorted(reached & stages)}"

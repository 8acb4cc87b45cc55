"""The documentation's sources, without MkDocs: the pages in the nav exist, no page points
outside the repository, and the generated parts (docs/_hooks.py) can be made from the code.
`nox -s docs` builds the site itself with mkdocs --strict."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest
import yaml

import kdirectory
from tests.helpers import REPO

DOCS = REPO / "docs"


def nav_pages(nav: object) -> list[str]:
    """Every page file named in an mkdocs ``nav`` (entries may nest)."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    return []


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_page_in_the_nav_exists_and_every_page_is_in_the_nav() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = nav_pages(config["nav"])
    assert pages, "mkdocs.yml has no nav"
    assert [page for page in pages if not (DOCS / page).is_file()] == []
    written = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(pages) == written


def test_no_page_points_outside_the_repository() -> None:
    for path in sorted(DOCS.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for outside in ("DESIGN.md", "../shared"):
                assert outside not in text, f"{path.relative_to(REPO)} mentions {outside}"


def test_every_marker_names_a_generator(hooks: ModuleType) -> None:
    for page in sorted(DOCS.rglob("*.md")):
        for name in hooks.MARKER.findall(page.read_text(encoding="utf-8")):
            assert name in hooks.GENERATORS, f"{page.name}: no generator {name!r}"


def test_the_record_reference_has_every_field(hooks: ModuleType) -> None:
    text = hooks.record_reference()
    schema = kdirectory.clinic_schema()
    for name in schema["properties"]:
        assert f"`{name}`" in text, name
    for definition in schema["$defs"]:
        assert f"## {definition} " in text, definition


def test_the_cli_reference_has_every_command(hooks: ModuleType) -> None:
    text = hooks.cli_reference()
    commands = re.findall(r"^## `kdirectory (\w+)`", text, re.MULTILINE)
    for command in ("validate", "geocode", "build", "check", "import", "init", "new", "schema"):
        assert command in commands
    assert "`--base-url" in text


def test_the_api_reference_documents_every_public_name(hooks: ModuleType) -> None:
    documented = re.findall(r"^::: kdirectory\.(\w+)", hooks.api_reference(), re.MULTILINE)
    assert sorted(documented) == sorted(kdirectory.__all__)

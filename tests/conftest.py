"""Fixtures for every test (constants and plain helpers are in tests/helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdirectory import build_site, load_directory
from tests.helpers import ProjectFactory


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """Writes throwaway site projects below ``tmp_path``; see ``tests.helpers.ProjectFactory``:
    ``make_project(records=None, config=None, *, demo=False, geocodes=None, at=None)`` -> root.
    """
    return ProjectFactory(tmp_path)


@pytest.fixture
def built_demo(make_project: ProjectFactory, tmp_path: Path) -> tuple[Path, Path]:
    """The demo project, built into ``tmp_path / "site"``: (the project's root, the site)."""
    root = make_project(demo=True)
    out = tmp_path / "site"
    build_site(load_directory(root), out)
    return root, out

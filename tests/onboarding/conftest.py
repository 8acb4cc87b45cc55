"""Fixtures of the onboarding tests (import, new, init)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ProjectFactory


@pytest.fixture
def project(make_project: ProjectFactory) -> Path:
    """An empty site project."""
    return make_project()

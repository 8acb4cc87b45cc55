"""Fixtures of the site tests: the demo and a generated directory, each built once a module
(tests must not change them)."""

from __future__ import annotations

import pytest

from kdirectory.testing.synthetic import generate_project
from tests.helpers import ProjectFactory
from tests.site.pages import Site, built_site


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The demo directory, built once; tests must not change it."""
    root = ProjectFactory(tmp_path_factory.mktemp("demo"))(demo=True)
    return built_site(root, root / "site")


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A generated directory of 200 clinics, built once; tests must not change it."""
    root = tmp_path_factory.mktemp("generated") / "project"
    generate_project(root, 200, seed=7)
    return built_site(root, root / "site")


@pytest.fixture(params=["demo", "generated"])
def any_site(request: pytest.FixtureRequest) -> Site:
    site: Site = request.getfixturevalue(f"{request.param}_site")
    return site

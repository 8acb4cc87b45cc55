"""The sites the tests of ``kdirectory check`` read: each built and checked once a session."""

from __future__ import annotations

import pytest

from tests.check.sites import (
    BRAND_BUILD_DATE,
    RICH_RECORD,
    Built,
    build_and_check,
    copy_brand,
    copy_demo,
    write_project,
)
from tests.helpers import VISTA


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo directory, built and checked once."""
    return build_and_check(copy_demo(tmp_path_factory.mktemp("check-demo") / "project"))


@pytest.fixture(scope="session")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Two fictional clinics (one with special hours), built and checked once."""
    root = tmp_path_factory.mktemp("check-rich") / "project"
    return build_and_check(write_project(root, {"harbor.yaml": RICH_RECORD, "vista.yaml": VISTA}))


@pytest.fixture(scope="session")
def brand(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example brand site with two locations in San Diego, built and checked once."""
    root = copy_brand(tmp_path_factory.mktemp("check-brand") / "project")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BRAND_BUILD_DATE)
        return build_and_check(root)

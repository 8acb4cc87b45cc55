"""Fixtures of the record tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from kdirectory.record import parse
from kdirectory.record.parse import SafePythonLoader


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with libyaml's C loader and again with the pure-Python loader."""
    if request.param == "pure-python":
        monkeypatch.setattr(parse, "_Loader", SafePythonLoader)
    else:
        monkeypatch.setattr(parse, "_Loader", yaml.CSafeLoader)
    yield str(request.param)

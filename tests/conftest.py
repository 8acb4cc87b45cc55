"""Shared fixtures: throwaway site projects written into ``tmp_path``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import REPO

GOOD_RECORD = """\
name: Harbor Ketamine Clinic
url: https://harbor.example/
phone: "(760) 555-0123"
address:
  street: 1200 N Main St
  unit: Suite 210
  city: Escondido
  region: CA
  postal_code: "92025"
hours:
  monday: ["09:00-12:00", "13:00-18:00"]
  saturday: "10:00-14:00"
  sunday: closed
conditions: [depression, ptsd]
therapies: [iv-ketamine-infusion]
"""

VISTA = GOOD_RECORD.replace("city: Escondido", "city: Vista").replace('"92025"', '"92083"')
"""The fixture clinic moved to Vista, CA (its own ZIP): a second valid record."""

ProjectFactory = Callable[..., Path]


def copy_demo(dest: Path) -> Path:
    """The repository's demo project (config and records, no .git) copied into ``dest``."""
    (dest / "data").mkdir(parents=True)
    shutil.copy2(REPO / "kdirectory.toml", dest / "kdirectory.toml")
    shutil.copytree(REPO / "data" / "clinics", dest / "data" / "clinics")
    return dest


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """Write a site project: ``make_project({"a.yaml": "..."})`` -> its root."""

    def make(records: dict[str, str | bytes], config: str | None = None) -> Path:
        root = tmp_path / "project"
        clinics = root / "data" / "clinics"
        clinics.mkdir(parents=True, exist_ok=True)
        for name, content in records.items():
            target = clinics / name
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        if config is not None:
            (root / "kdirectory.toml").write_text(config, encoding="utf-8")
        return root

    return make

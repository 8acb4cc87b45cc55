"""Constants and plain helpers the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kdirectory import load_directory, validate
from kdirectory._output import LOCK
from kdirectory.record.write import dump_record
from kdirectory.report import Report

REPO = Path(__file__).resolve().parent.parent
"""The repository: its demo project (kdirectory.toml, data/clinics/) and its sources."""

DEMO_CONFIG = (REPO / "kdirectory.toml").read_text(encoding="utf-8")
"""The demo project's kdirectory.toml: a site name, base URL, review and the offline geocoder."""

FACILITIES_CSV = REPO / "tests" / "data" / "real" / "us_facilities_public.csv"
"""2,995 real US facilities as their publishers wrote them (public domain; see its README)."""

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
"""A valid record with most fields, at a real Escondido, CA address."""

VISTA = GOOD_RECORD.replace("city: Escondido", "city: Vista").replace('"92025"', '"92083"')
"""The fixture clinic moved to Vista, CA (its own ZIP): a second valid record."""

Record = str | bytes | Mapping[str, Any]
"""A record file's text, its raw bytes, or the record as data (written as YAML)."""


class ProjectFactory:
    """Writes throwaway site projects below ``base``. The ``make_project`` fixture is the one
    below the test's ``tmp_path``; a fixture of wider scope makes its own over a folder of
    ``tmp_path_factory``.

    ``make_project(records, config, demo=..., geocodes=..., at=...)`` writes a project and
    returns its root:

    - ``records``: file name in ``data/clinics/`` -> the file's text, its bytes, or the record
      as data (written by ``dump_record``, as ``kdirectory import`` writes records);
    - ``config``: the text of ``kdirectory.toml``; without it none is written (kdirectory's
      defaults apply), or the demo's with ``demo``;
    - ``demo``: start from the repository's demo project (its ``kdirectory.toml`` and
      ``data/clinics/``), with ``records`` added or replacing files;
    - ``geocodes``: ``data/geocodes.json``, as text, bytes or data (written as JSON);
    - ``at``: the root, relative to ``base``; by default ``project``, or ``project-2``,
      ``project-3``... if that is taken, so that every call makes a new project.

    ``data/clinics/`` is always made, even with no records.
    """

    def __init__(self, base: Path) -> None:
        self.base = base

    def __call__(
        self,
        records: Mapping[str, Record] | None = None,
        config: str | None = None,
        *,
        demo: bool = False,
        geocodes: Record | None = None,
        at: str | Path | None = None,
    ) -> Path:
        root = self.base / at if at is not None else self._free("project")
        clinics = root / "data" / "clinics"
        if demo:
            shutil.copytree(REPO / "data" / "clinics", clinics)  # refuses an existing project
        else:
            clinics.mkdir(parents=True)
        if config is None and demo:
            config = DEMO_CONFIG
        if config is not None:
            (root / "kdirectory.toml").write_text(config, encoding="utf-8")
        for name, record in (records or {}).items():
            _write(clinics / name, record, dump_record)
        if geocodes is not None:
            _write(root / "data" / "geocodes.json", geocodes, _json_text)
        return root

    def _free(self, name: str) -> Path:
        root, n = self.base / name, 1
        while root.exists():
            n += 1
            root = self.base / f"{name}-{n}"
        return root


def _json_text(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _write(path: Path, content: Record, dump: Callable[[dict[str, Any]], str]) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(
            content if isinstance(content, str) else dump(dict(content)), encoding="utf-8"
        )


def problem_lines(root: Path) -> list[str]:
    """Every problem ``validate`` finds in the project at ``root``, formatted, in order."""
    return formatted(validate(load_directory(root)))


def validated(make_project: ProjectFactory, records: Mapping[str, str | bytes]) -> Report:
    """What ``validate`` reports on a new project of ``records``."""
    return validate(load_directory(make_project(dict(records))))


def formatted(report: Report) -> list[str]:
    """Every problem of ``report``, formatted as the command line prints it, in order."""
    return [p.format() for p in report.sorted_problems()]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path (a site's manifest too, not its build
    lock): two snapshots are equal when the folders hold the same bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != LOCK
    }

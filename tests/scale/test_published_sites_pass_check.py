"""The build never publishes what ``kdirectory check`` rejects, at the sizes users build:
the demo, generated directories of 200 and 2,000 clinics, and the import of a real public
facility list (a general mental-health and hospital list, so most records list no therapy).

Run by ``nox -s slow`` (and CI); each test builds a whole site, so they are not in the
default suite.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory.check import check_site
from kdirectory.cli import app
from kdirectory.record.validate import load_directory
from kdirectory.report import Report
from kdirectory.site.build import build_site
from kdirectory.testing.synthetic import generate_project
from tests.helpers import FACILITIES_CSV, ProjectFactory

runner = CliRunner()


def summary(report: Report) -> str:
    by_rule = collections.Counter(f"{p.severity} {p.rule}" for p in report.problems)
    return f"{report.pages:,} pages: " + ", ".join(f"{n:,} {r}" for r, n in sorted(by_rule.items()))


def build_and_check(root: Path) -> Report:
    result = build_site(load_directory(root), root / "site")
    assert result.check is not None and result.check.errors == []
    # The check the build ran on the staged site is the check a user runs afterwards.
    report = check_site(root / "site")
    assert report.errors == [], summary(report)
    assert report.problems == result.check.problems
    print(summary(report))
    return report


def test_the_demo_passes_check(make_project: ProjectFactory) -> None:
    build_and_check(make_project(demo=True))


@pytest.mark.parametrize("count", [200, 2000])
def test_generated_directories_pass_check(tmp_path: Path, count: int) -> None:
    generate_project(tmp_path, count, seed=count)
    build_and_check(tmp_path)


def test_the_import_of_a_real_facility_list_passes_check(tmp_path: Path) -> None:
    root = tmp_path / "real"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    for example in (root / "data" / "clinics").iterdir():
        example.unlink()
    imported = runner.invoke(app, ["import", str(FACILITIES_CSV), "--into", str(root)])
    assert imported.exit_code in (0, 1), imported.output  # 1: some rows rejected
    report = build_and_check(root)
    assert report.pages > 3000

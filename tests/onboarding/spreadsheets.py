"""Helpers of the import tests: run `kdirectory import`, write spreadsheets, read what the
import wrote (records and rejected.csv)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner, Result

from kdirectory.cli import app
from tests.helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "import"
"""Spreadsheets as agencies export them (agency_export.csv: every kind of damage in one file)."""

HEADER = "Practice Name,Address 1,Suite,City,State,Zip Code,Phone Number\n"
"""The header of a typical export, for sheets written as text."""

COLUMNS = ["Practice Name", "Address 1", "City", "State", "Zip Code", "Phone Number"]
"""The columns of a typical export, for sheets written cell by cell."""
GOOD_ROW = ["Harbor Clinic", "1200 N Main St", "Escondido", "CA", "92025", "(760) 555-0123"]
"""A clinic that imports without a warning, in ``COLUMNS``."""

runner = CliRunner()


def run_import(*args: str) -> Result:
    """Run the command with a wide terminal, so table cells are not wrapped."""
    return runner.invoke(app, ["import", *args], env={"COLUMNS": "250"})


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """A spreadsheet written as ``text`` in ``encoding``."""
    path.write_bytes(text.encode(encoding))
    return path


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    """A CSV of ``rows`` (the header first), quoted as the csv module quotes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def records(root: Path) -> dict[str, dict[str, Any]]:
    """Every record of the project by file stem, as YAML reads it."""
    folder = root / "data" / "clinics"
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))
    }


def rejected_cells(root: Path) -> list[list[str]]:
    """rejected.csv as written: its header, then one list of cells a row."""
    with (root / "rejected.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def rejected_rows(root: Path) -> list[dict[str, str]]:
    """The rows of rejected.csv, by column."""
    with (root / "rejected.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def rejected_reasons(root: Path) -> dict[str, str]:
    """The reason of each rejected row, by its row number."""
    return {row["row"]: row["reason"] for row in rejected_rows(root)}

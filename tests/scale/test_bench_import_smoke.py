"""The import benchmark runs to the end: ``benchmarks/bench_import.py --smoke`` (500 rows,
one run of each measure) completes and prints its table, and the import it measured
accounts for every row of its sheet.

It asserts nothing about speed: the benchmark reports its figures and its target, and a
test never depends on how fast the machine is. Run by ``nox -s slow`` (``pytest
tests/scale``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

ROWS = ("import", "floor: csv read + CSafeDumper write")


@pytest.mark.slow
def test_the_import_benchmark_completes_and_prints_its_table(tmp_path: Path) -> None:
    figures = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_import.py"), "--smoke",
         "--json", str(figures)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("kdirectory import of 500 rows ")
    for row in ROWS:
        assert any(line.startswith(row + "  ") for line in lines), row
    assert "targets: not judged (--smoke)" in lines
    assert not any(line.lstrip().startswith(("PASS", "FAIL")) for line in lines)
    data = json.loads(figures.read_text(encoding="utf-8"))
    assert data["rows"] == 500
    # Every row became a record or a rejected row; the repeated rows at least were rejected.
    imported = data["imported"]
    assert imported["created"] + imported["rejected"] == 500
    assert imported["rejected"] >= data["repeated_rows"] >= 1
    assert data["measures"]["floor: csv read + CSafeDumper write"]["files"] == 500
    assert set(data["measures"]) == set(ROWS)
    for name, measure in data["measures"].items():
        assert len(measure["runs"]) == 1, name
        assert measure["peak_rss_mb"] > 0, name

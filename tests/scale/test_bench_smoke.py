"""The build benchmark runs to the end: ``benchmarks/bench_build.py --smoke`` (1,000 clinics,
one run of each measure) completes and prints every row of its table, and its Jinja floor
wrote the same files as the build.

It asserts nothing about speed: the benchmark reports its figures and targets, and a test
never depends on how fast the machine is. Run by ``nox -s slow`` (``pytest tests/scale``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

ROWS = (
    "cold build",
    "no-op rebuild",
    "one clinic changed",
    "one template changed",
    "validate, cold",
    "validate, warm",
    "check",
    "floor: Jinja2 render + write",
    "floor: CSafeLoader read",
    "floor: lxml.html parse",
)


@pytest.mark.slow
def test_the_build_benchmark_completes_and_prints_every_row(tmp_path: Path) -> None:
    figures = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_build.py"), "--smoke",
         "--json", str(figures)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("kdirectory at 1,000 clinics: ")
    for row in ROWS:
        assert any(line.startswith(row + "  ") for line in lines), row
    assert "targets: not judged (--smoke)" in lines
    assert not any(line.lstrip().startswith(("PASS", "FAIL")) for line in lines)
    # The Jinja floor wrote the same files as the build, byte for byte.
    size = json.loads(figures.read_text(encoding="utf-8"))["sizes"][0]
    assert size["clinics"] == 1000
    assert size["jinja_floor"]["identical_files"] == size["site"]["files"]
    assert set(size["measures"]) == set(ROWS)
    for name, measure in size["measures"].items():
        assert len(measure["runs"]) == 1, name
        assert measure["peak_rss_mb"] > 0, name

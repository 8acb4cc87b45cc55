"""Rows checked by worker processes: the same import as in one process, streamed."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdirectory.onboarding import importer
from kdirectory.onboarding.importer import ImportOptions, import_file
from kdirectory.onboarding.row_workers import AHEAD_PER_JOB, in_order
from tests.helpers import FACILITIES_CSV, ProjectFactory

ROWS = 1_200
"""Enough rows for workers (more than a chunk), from a real list with duplicates, PO boxes
and unusable phones."""


def _import(root: Path, sheet: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(importer, "jobs_for", lambda _count: jobs)
    used: list[int] = []

    def spy(*args: Any) -> Iterator[Any]:
        used.append(args[2])
        yield from in_order(*args)

    monkeypatch.setattr(importer, "in_order", spy)
    result = import_file(sheet, ImportOptions(project=root))
    assert used == ([jobs] if jobs > 1 else [])
    files = {p.name: p.read_bytes() for p in (root / "data" / "clinics").iterdir()}
    files["rejected.csv"] = (root / "rejected.csv").read_bytes()
    summary = (result.rows, result.created, result.rejected, result.reasons)
    return summary, result.warnings_by_kind, result.warnings, files


def test_workers_import_what_one_process_imports(
    make_project: ProjectFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = tmp_path / "facilities.csv"
    with FACILITIES_CSV.open(encoding="utf-8", newline="") as handle:
        sheet.write_text("".join(itertools.islice(handle, ROWS + 1)), encoding="utf-8")
    alone = _import(make_project(at="alone"), sheet, 1, monkeypatch)
    workers = _import(make_project(at="workers"), sheet, 2, monkeypatch)
    (rows, created, rejected, reasons), *_ = alone
    assert rows == ROWS and created > 0 and rejected > 0, reasons
    assert workers[:3] == alone[:3]
    assert sorted(workers[3]) == sorted(alone[3])
    assert [name for name, data in alone[3].items() if workers[3][name] != data] == []


def test_chunks_are_worked_on_in_order_and_read_as_needed() -> None:
    taken: list[int] = []

    def chunks() -> Iterator[list[int]]:
        for start in range(0, 100, 5):
            taken.append(start)
            yield list(range(start, start + 5))

    results = in_order(_doubled, chunks(), 2)
    first = next(results)
    assert first == ([0, 1, 2, 3, 4], [0, 2, 4, 6, 8])
    assert len(taken) == 2 * AHEAD_PER_JOB  # no more handed out than the workers may hold
    rest = list(results)
    assert [chunk for chunk, _ in rest] == [list(range(s, s + 5)) for s in range(5, 100, 5)]
    assert all(doubled == [2 * n for n in chunk] for chunk, doubled in rest)


def test_an_error_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ZeroDivisionError):
        list(in_order(_inverted, [[1, 2], [0]], 2))


def _doubled(chunk: list[int]) -> list[int]:
    return [2 * n for n in chunk]


def _inverted(chunk: list[int]) -> list[float]:
    return [1 / n for n in chunk]

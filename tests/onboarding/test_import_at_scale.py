"""Imports at the sizes users have (slow tests): the real public facility list imported,
validated and built; 100,000 rows streamed in bounded memory."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kdirectory import load_directory, validate
from kdirectory.onboarding.importer import ImportOptions, import_file
from kdirectory.site.build import build_site
from tests.helpers import FACILITIES_CSV, ProjectFactory
from tests.onboarding.spreadsheets import records, rejected_rows


@pytest.mark.slow
def test_real_facilities_import_validate_and_build(project: Path, tmp_path: Path) -> None:
    """2,995 real facilities, exactly as published: every row is a valid record or a
    rejected row with a reason; the imported project validates and builds."""
    started = time.perf_counter()
    result = import_file(FACILITIES_CSV, ImportOptions(project=project))
    import_seconds = time.perf_counter() - started
    with FACILITIES_CSV.open(encoding="utf-8", newline="") as handle:
        total = sum(1 for _ in csv.DictReader(handle))
    assert result.rows == total == 2995
    assert result.created + result.rejected == total
    rejected = rejected_rows(project)
    assert len(rejected) == result.rejected
    assert all(row["reason"] for row in rejected)
    assert Counter(row["row"] for row in rejected).most_common(1)[0][1] == 1
    assert len(records(project)) == result.created
    by_reason = Counter(result.reasons)
    print(f"\nimported {result.created}, rejected {result.rejected} in {import_seconds:.1f} s")
    for code, count in by_reason.most_common():
        print(f"  {count:5} {code}: {result.reason_examples[code]}")
    assert set(by_reason) <= {"duplicate.in_file", "address.po_box"}
    assert result.warnings_by_kind["phone.dropped"] > 0  # placeholders such as 9100000000

    directory = load_directory(project)
    report = validate(directory)
    assert report.ok(), [p.format() for p in report.errors[:5]]
    assert report.clinics == result.created
    started = time.perf_counter()
    built = build_site(directory, tmp_path / "site")
    print(f"built {built.pages} pages in {time.perf_counter() - started:.1f} s")
    assert built.pages > result.created


_MEASURE = """
import sys, time
from pathlib import Path
from kdirectory.onboarding.importer import ImportOptions, import_file
started = time.perf_counter()
result = import_file(Path(sys.argv[1]), ImportOptions(project=Path(sys.argv[2])))
seconds = time.perf_counter() - started
# VmHWM: this process's peak resident memory since exec, in kB (ru_maxrss would also count
# the memory of the pytest process it was forked from)
status = Path("/proc/self/status").read_text().splitlines()
peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
print(result.rows, result.created, result.rejected, seconds, peak)
"""


def _write_rows(path: Path, count: int) -> None:
    from kdirectory.record.gazetteer import all_zips

    zips = all_zips()[:5000]
    streets = ("Main St", "Oak Ave", "Elm St", "Park Blvd", "Cedar Rd", "Maple Dr")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Practice Name", "Address 1", "Suite", "City", "State", "Zip Code",
                         "Phone Number", "Website"])  # fmt: skip
        for i in range(count):
            info = zips[i % len(zips)]
            writer.writerow(
                [f"CLINIC NUMBER {i}", f"{100 + i // len(zips)} {streets[i % 6]}",
                 f"Suite {i % 500}", info.city, info.state, info.zip5,
                 f"(310) 555-01{i % 100:02d}", f"https://c{i}.example/"]
            )  # fmt: skip


def _import_in_child(sheet: Path, root: Path) -> tuple[list[str], int]:
    """Import into the project ``root`` in a fresh process; return its output and its peak
    resident memory (kB)."""
    child = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(sheet), str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    out = child.stdout.split()
    return out, int(out[4])


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="peak memory is read from /proc (Linux)"
)
def test_100k_rows_stream_in_bounded_memory(make_project: ProjectFactory, tmp_path: Path) -> None:
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    _write_rows(big, 100_000)
    _write_rows(small, 2_000)
    try:
        small_out, small_peak = _import_in_child(small, make_project(at="small"))
        big_out, big_peak = _import_in_child(big, make_project(at="big"))
        assert small_out[:3] == ["2000", "2000", "0"]
        assert big_out[:3] == ["100000", "100000", "0"]
        growth_mb = (big_peak - small_peak) / 1024
        print(
            f"\n100,000 rows imported in {float(big_out[3]):.0f} s; peak RSS "
            f"{big_peak / 1024:.0f} MB (2,000 rows: {small_peak / 1024:.0f} MB; "
            f"growth {growth_mb:.0f} MB)"
        )
        # Only duplicate keys, slug hashes and bounded caches grow with the file (30-45 MB
        # measured for 100,000 rows); holding the rows themselves (9 MB of CSV) as Python
        # lists of strings would add about 58 MB more.
        assert growth_mb < 64
        assert big_peak / 1024 < 600
    finally:
        shutil.rmtree(tmp_path / "big", ignore_errors=True)

"""Speed of ``kdirectory import``: a spreadsheet of generated clinics, imported into a new
project, against a floor, in one run.

It writes one CSV of ``--rows`` rows (default 100,000) from ``generate_records`` (seed =
the row count), with the columns and the damage of the sheets agencies send: headers in
their words ("Practice Name", "Address 1", "Zip Code", "Mon" ...), lists as display names
separated by semicolons, hours as "9am-5pm", "Yes"/"No", and on some rows ALL-CAPS names,
streets and cities, ZIP codes that lost their leading zero, states written out, phones as
bare digits, websites without ``https://``, stray spaces, "N/A" for a missing email, columns
the import ignores (County, Latitude, Longitude, Notes) and, every 500th row, a repeat of
the row above, which the import rejects into ``rejected.csv``.

Then, each run a fresh process timed from start to exit with its CPU time and peak RSS
(see ``_harness``), the median of ``--repeat`` runs, interleaved (a1 b1 a2 b2 ...):

- import: ``python -m kdirectory import SHEET --into PROJECT``, each run into a fresh copy
  of a project made once by ``kdirectory init`` (settings and its one example clinic);
  after each run (untimed) the records and the rejected rows are counted and must add up
  to the sheet's rows;
- the floor: the same sheet read with the ``csv`` module and one YAML file written per row
  (its non-empty cells, ``yaml.CSafeDumper``) into an empty folder, in a process that
  imports only the standard library and PyYAML (``bench_import.py --floor SHEET FOLDER``).

It prints a table, then the target as PASS or FAIL (reported, never asserted), and with
``--json FILE`` writes every figure and run.

    python benchmarks/bench_import.py [--rows 100000] [--repeat 3] [--json FILE]
    python benchmarks/bench_import.py --smoke     # 500 rows, 1 run, no target (CI)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from _harness import (
    MB,
    BenchError,
    Measure,
    Run,
    load_average,
    rss_resolution,
    run_command,
    table,
)

HERE = Path(__file__).resolve().parent
PYTHON = [sys.executable]
KDIRECTORY = [*PYTHON, "-m", "kdirectory"]
DEFAULT_ROWS = 100_000
SMOKE_ROWS = 500
TARGET_ROWS = 100_000
TARGET_SECONDS = 60.0
REPEAT_EVERY = 500
"""Every this many rows, a row repeats the one above it (rejected as a duplicate)."""

IMPORT = "import"
FLOOR = "floor: csv read + CSafeDumper write"
ROWS = (IMPORT, FLOOR)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HEADER = (
    "Practice Name", "Brand", "Address 1", "Suite", "City", "State", "Zip Code", "County",
    "Phone Number", "Call Tracking Number", "Website", "Email", "Conditions Treated",
    "Therapies", "Specialty", "Insurance Accepted", "Payment Methods", "Languages",
    "Service Area", "Accepting New Patients", "REMS Certified", "Price Range", "Description",
    *(day[:3].capitalize() for day in WEEKDAYS), "Time Zone", "Latitude", "Longitude", "Notes",
)  # fmt: skip
LANGUAGES = {
    "en": "English", "es": "Spanish", "fa": "Farsi", "vi": "Vietnamese", "zh": "Chinese",
    "ko": "Korean", "fr": "French", "ru": "Russian", "pt": "Portuguese", "ar": "Arabic",
}  # fmt: skip
"""Languages a sheet names in words; others keep their code, as some sheets write them."""


# -- the sheet ---------------------------------------------------------------------------


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def _clock(text: str) -> str:
    """``"09:00"`` -> ``"9am"``, ``"17:30"`` -> ``"5:30pm"``."""
    hour, minute = (int(part) for part in text.split(":"))
    suffix = "am" if hour < 12 else "pm"
    hour = hour % 12 or 12
    return f"{hour}{suffix}" if minute == 0 else f"{hour}:{minute:02d}{suffix}"


def _hours(value: str | list[str], spelled: bool) -> str:
    """One day's hours as a sheet writes them: "Closed", "9am-5pm" or as the record has it."""
    shifts = [value] if isinstance(value, str) else value
    if shifts == ["closed"]:
        return "Closed"
    if not spelled:
        return ", ".join(shifts)
    out = []
    for shift in shifts:
        start, sep, end = shift.replace("–", "-").partition("-")
        out.append(f"{_clock(start)}-{_clock(end)}" if sep else shift)
    return ", ".join(out)


def _yes_no(value: object) -> str:
    return {True: "Yes", False: "No"}.get(value, "") if isinstance(value, bool) else ""


class SheetWriter:
    """Flattens generated records into the rows of an agency's sheet, with its damage."""

    def __init__(self) -> None:
        from kdirectory.record import vocabulary  # noqa: PLC0415 - the floor mode never imports kdirectory

        self.conditions = {slug: c.name for slug, c in vocabulary.conditions().items()}
        self.therapies = {slug: t.name for slug, t in vocabulary.therapies().items()}
        self.specialties = {slug: s.name for slug, s in vocabulary.specialties().items()}
        self.states = {code: s.name for code, s in vocabulary.states().items()}
        self.damage: Counter[str] = Counter()
        """Rows given each kind of damage."""

    def row(self, number: int, record: dict[str, Any]) -> list[str]:
        address: dict[str, str] = record["address"]
        name, street, city = record["name"], address.get("street", ""), address["city"]
        if number % 7 == 3:
            name, street, city = name.upper(), street.upper(), city.upper()
            self.damage["ALL-CAPS name, street and city"] += 1
        if number % 11 == 5:
            name = f"  {name} "
            self.damage["stray spaces"] += 1
        region = address["region"]
        if number % 9 == 4:
            region = self.states.get(region, region)
            self.damage["state written out"] += 1
        postal = address.get("postal_code", "")
        if postal.startswith("0") and number % 2 == 0:
            postal = postal.lstrip("0")
            self.damage["ZIP lost its leading zero"] += 1
        phone = record.get("phone", "")
        if phone and number % 5 == 1:
            phone = "".join(char for char in phone if char.isdigit())
            self.damage["phone as bare digits"] += 1
        url = record.get("url", "")
        if url and number % 4 == 2:
            url = url.removeprefix("https://").rstrip("/")
            self.damage["website without https://"] += 1
        email = record.get("email", "")
        if not email and number % 3 == 0:
            email = "N/A"
            self.damage['"N/A" for a missing email'] += 1
        hours = record.get("hours", {})
        spelled = number % 3 != 1
        geo = record.get("geo", {})
        return [
            name,
            record.get("brand", ""),
            street,
            address.get("unit", ""),
            city,
            region,
            postal,
            "",
            phone,
            record.get("tracking_phone", ""),
            url,
            email,
            _joined(self.conditions.get(c, c) for c in record.get("conditions", [])),
            _joined(self.therapies.get(t, t) for t in record.get("therapies", [])),
            _joined(self.specialties.get(s, s) for s in record.get("specialties", [])),
            _joined(record.get("insurance", [])),
            _joined(p.replace("-", " ").title() for p in record.get("payment", [])),
            _joined(LANGUAGES.get(code, code) for code in record.get("languages", [])),
            ", ".join(record.get("service_area", [])),
            _yes_no(record.get("accepting_new_patients")),
            _yes_no(record.get("spravato_rems_certified")),
            record.get("price_range", ""),
            record.get("description", ""),
            *(_hours(hours[day], spelled) if day in hours else "" for day in WEEKDAYS),
            record.get("timezone", ""),
            str(geo.get("lat", "")),
            str(geo.get("lon", "")),
            "call before visiting" if number % 10 == 0 else "",
        ]


@dataclass
class Sheet:
    path: Path
    rows: int
    repeated: int
    """Rows that repeat the row above them: the import rejects them."""
    damage: dict[str, int] = field(default_factory=dict)


def write_sheet(path: Path, rows: int) -> Sheet:
    """Write the benchmark's CSV of ``rows`` rows (see the module's docstring)."""
    from kdirectory.testing.synthetic import generate_records  # noqa: PLC0415 - as above

    writer = SheetWriter()
    repeated = 0
    previous: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for number, record in enumerate(generate_records(rows, seed=rows), start=1):
            if number % REPEAT_EVERY == 0 and previous:
                out.writerow(previous)
                repeated += 1
                continue
            previous = writer.row(number, record)
            out.writerow(previous)
    return Sheet(path, rows, repeated, dict(writer.damage))


# -- the floor ---------------------------------------------------------------------------


def floor(sheet: Path, folder: Path) -> None:
    """Read ``sheet`` with the csv module and write each row's non-empty cells as one YAML
    file in ``folder`` with PyYAML's C dumper; print what was done as one JSON line."""
    folder.mkdir(parents=True, exist_ok=True)
    files = size = 0
    with sheet.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        for row in rows:
            data = {key: value for key, value in zip(header, row, strict=False) if value}
            if not data:
                continue
            text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
            encoded = text.encode("utf-8")
            files += 1
            (folder / f"row-{files}.yaml").write_bytes(encoded)
            size += len(encoded)
    sys.stdout.write(json.dumps({"files": files, "bytes": size}) + "\n")


# -- the measures ------------------------------------------------------------------------


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _record_files(project: Path) -> list[Path]:
    return [
        path
        for path in (project / "data" / "clinics").iterdir()
        if path.suffix in (".yaml", ".yml", ".json")
    ]


def _rejected(project: Path) -> Iterator[dict[str, str]]:
    path = project / "rejected.csv"
    if not path.is_file():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _reason_kind(reason: str) -> str:
    """A rejected row's reason without its particulars: ``duplicate of row N``."""
    return re.sub(r"\d[\d,]*", "N", reason.partition(":")[0])


@dataclass
class Result:
    sheet: Sheet
    write_seconds: float
    csv_bytes: int
    measures: dict[str, Measure]
    imported: dict[str, Any]


class ImportBench:
    """The import and its floor, on one sheet."""

    def __init__(self, rows: int, repeat: int, work: Path) -> None:
        self.rows = rows
        self.repeat = repeat
        self.work = work
        self.template = work / "template"
        self.project = work / "project"
        self.floor_out = work / "floor"
        self.m = {name: Measure(name) for name in ROWS}
        self.imported: dict[str, Any] = {}
        self.existing = 0

    def run(self) -> Result:
        start = time.perf_counter()
        sheet = write_sheet(self.work / f"clinics-{self.rows}.csv", self.rows)
        write_seconds = time.perf_counter() - start
        _remove(self.template)
        done = subprocess.run(
            [*KDIRECTORY, "init", str(self.template)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BenchError(f"kdirectory init failed:\n{done.stderr[-3000:]}")
        self.existing = len(_record_files(self.template))

        def before_import(_: int) -> None:
            _remove(self.project)
            shutil.copytree(self.template, self.project)

        def after_import(measure_: Measure, _: int, run: Run) -> None:
            created = len(_record_files(self.project)) - self.existing
            reasons = Counter(_reason_kind(row["reason"]) for row in _rejected(self.project))
            rejected = sum(reasons.values())
            if created + rejected != sheet.rows:
                raise BenchError(
                    f"{created:,} records and {rejected:,} rejected rows from a sheet of "
                    f"{sheet.rows:,} rows; output:\n{run.stdout[-2000:]}{run.stderr[-2000:]}"
                )
            self.imported.update(created=created, rejected=rejected)
            self.imported["rejected_by_reason"] = dict(reasons.most_common(10))

        def before_floor(_: int) -> None:
            _remove(self.floor_out)

        def after_floor(measure_: Measure, _: int, run: Run) -> None:
            measure_.notes.update(json.loads(run.stdout.strip().splitlines()[-1]))
            if measure_.notes["files"] != sheet.rows:
                raise BenchError(f"the floor wrote {measure_.notes['files']:,} files")

        command = [*KDIRECTORY, "import", str(sheet.path), "--into", str(self.project)]
        floor_command = [*PYTHON, str(Path(__file__).resolve()), "--floor", str(sheet.path),
                         str(self.floor_out)]  # fmt: skip
        for number in range(self.repeat):
            for measure_, command_, before, after, ok in (
                (self.m[FLOOR], floor_command, before_floor, after_floor, (0,)),
                # exit 1: some rows were rejected, as the sheet's repeated rows are
                (self.m[IMPORT], command, before_import, after_import, (0, 1)),
            ):
                before(number)
                run = run_command(command_, ok=ok)
                measure_.runs.append(run)
                after(measure_, number, run)
                _progress(self.rows, measure_, number, self.repeat, run)
        _remove(self.project)
        _remove(self.floor_out)
        return Result(sheet, write_seconds, sheet.path.stat().st_size, self.m, self.imported)


def _progress(rows: int, measure_: Measure, number: int, repeat: int, run: Run) -> None:
    sys.stderr.write(
        f"[{rows:,} rows] {measure_.name} {number + 1}/{repeat}: {run.seconds:.2f} s, "
        f"{run.cpu_seconds:.2f} s CPU, {run.peak_rss / MB:,.0f} MB, load {run.load:.2f}\n"
    )
    sys.stderr.flush()


# -- the report --------------------------------------------------------------------------


def _ratio(result: Result, cpu: bool = False) -> float:
    imported, floor_ = result.measures[IMPORT], result.measures[FLOOR]
    if cpu:
        return imported.cpu_seconds / floor_.cpu_seconds
    return imported.seconds / floor_.seconds


def result_table(result: Result) -> str:
    rows = []
    for name in ROWS:
        measure_ = result.measures[name]
        is_import = name == IMPORT
        rows.append(
            [
                name,
                f"{measure_.seconds:.2f}",
                f"{result.measures[FLOOR].seconds:.2f}" if is_import else "",
                f"{_ratio(result):.2f}x" if is_import else "",
                f"{result.sheet.rows / measure_.seconds:,.0f}",
                f"{measure_.peak_rss / MB:,.0f}",
                f"{measure_.cpu_seconds:.2f}",
                f"{_ratio(result, cpu=True):.2f}x" if is_import else "",
                f"{measure_.load:.1f}",
            ]
        )
    header = [
        "measure", "median s", "floor s", "ratio", "rows/s", "peak RSS MB", "CPU s",
        "CPU ratio", "load",
    ]  # fmt: skip
    return table(header, rows)


@dataclass
class Target:
    text: str
    passed: bool | None
    """None: not judged at this size."""
    figure: str

    def line(self) -> str:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[self.passed]
        return f"  {verdict}  {self.text}: {self.figure}"


def targets(result: Result) -> list[Target]:
    seconds = result.measures[IMPORT].seconds
    judged = seconds < TARGET_SECONDS if result.sheet.rows >= TARGET_ROWS else None
    text = f"import of {TARGET_ROWS:,} rows < {TARGET_SECONDS:.0f} s"
    return [Target(text, judged, f"{seconds:.1f} s for {result.sheet.rows:,} rows")]


def report(result: Result, repeat: int, judge: bool, resolution: int) -> str:
    sheet, imported = result.sheet, result.imported
    loads = [run.load for measure_ in result.measures.values() for run in measure_.runs]
    title = (
        f"kdirectory import of {sheet.rows:,} rows ({result.csv_bytes / MB:,.1f} MB of CSV, "
        f"{len(HEADER)} columns); median of {repeat} run{'s' if repeat != 1 else ''}, each a "
        f"fresh process; load average {min(loads):.1f} to {max(loads):.1f} on "
        f"{os.cpu_count()} CPUs (sheet written in {result.write_seconds:.1f} s)"
    )
    reasons = ", ".join(f"{count:,} {reason}" for reason, count in
                        imported["rejected_by_reason"].items()) or "none"  # fmt: skip
    damage = ", ".join(f"{what} {count:,}" for what, count in sheet.damage.items())
    lines = [
        title,
        result_table(result),
        (
            "floor: the csv module reads the sheet and PyYAML's C dumper writes each row's "
            "non-empty cells as one file; CPU s: user + system time of the run's processes; "
            "load: the one-minute load average as runs started"
        ),
        (
            f"imported: {imported['created']:,} records, {imported['rejected']:,} rows "
            f"rejected ({sheet.repeated:,} of them repeat the row above); by reason: "
            f"{reasons}"
        ),
        f"rows damaged on purpose: {damage}",
        (
            "peak RSS: the largest process of the run's tree; a command that does nothing "
            f"reads {resolution / MB:.0f} MB"
        ),
    ]
    if judge:
        lines.append("targets (reported, not asserted):")
        lines += [target.line() for target in targets(result)]
    else:
        lines.append("targets: not judged (--smoke)")
    return "\n".join(lines) + "\n"


def _reference(result: Result, name: str) -> dict[str, Any]:
    if name != IMPORT:
        return {}
    return {
        "reference": FLOOR,
        "ratio": round(_ratio(result), 4),
        "cpu_ratio": round(_ratio(result, cpu=True), 4),
    }


def to_json(result: Result, repeat: int, judge: bool, resolution: int) -> dict[str, Any]:
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "peak_rss_resolution_mb": round(resolution / MB, 1),
        "repeat": repeat,
        "rows": result.sheet.rows,
        "repeated_rows": result.sheet.repeated,
        "damage": result.sheet.damage,
        "csv_bytes": result.csv_bytes,
        "write_seconds": round(result.write_seconds, 3),
        "imported": result.imported,
        "measures": {
            name: {**measure_.to_json(), **_reference(result, name)}
            for name, measure_ in result.measures.items()
        },
        "targets": [
            {"target": t.text, "passed": t.passed, "figure": t.figure}
            for t in (targets(result) if judge else [])
        ],
    }


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=_count, default=DEFAULT_ROWS, help="rows in the sheet")
    parser.add_argument("--repeat", type=_count, default=3, help="runs of each (median)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--smoke", action="store_true", help=f"{SMOKE_ROWS:,} rows, 1 run, no target"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to write the sheet and projects (default: temporary)"
    )
    parser.add_argument(
        "--floor", nargs=2, type=Path, metavar=("SHEET", "FOLDER"),
        help="run the floor only (what the benchmark times as its floor)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.floor:
        floor(*args.floor)
        return
    if args.smoke:
        args.rows, args.repeat = SMOKE_ROWS, 1
    judge = not args.smoke
    with tempfile.TemporaryDirectory(prefix="kdirectory-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        sys.stderr.write(f"working in {work}, load average {load_average():.2f}\n")
        resolution = rss_resolution()
        try:
            result = ImportBench(args.rows, args.repeat, work).run()
        except BenchError as exc:
            sys.exit(f"import benchmark at {args.rows:,} rows failed: {exc}")
    sys.stdout.write(report(result, args.repeat, judge, resolution))
    if args.json:
        args.json.write_text(
            json.dumps(to_json(result, args.repeat, judge, resolution), indent=2) + "\n"
        )


if __name__ == "__main__":
    main()

"""Speed at scale: build, rebuild, validate and check generated directories, each against
its floor, in one run.

For each size it generates a project once (``generate_project``, seed = the size), then
measures the commands a user runs, each run a fresh ``python -m kdirectory`` process (so
start-up, imports and per-process tables count), timed from start to exit, with its CPU
time and peak RSS (see ``_harness``), the median of ``--repeat`` runs:

- cold build: no output folder, no ``.kdirectory`` cache;
- no-op rebuild: the same input, the built folder present;
- one clinic: the description of one clinic changed (shown on its page), then rebuilt;
- one template: the packaged ``clinic.html`` copied into the project's ``templates/``
  with a comment added to its main block, then rebuilt;
- validate cold (no ``.kdirectory`` cache) and warm (right after another run);
- check of the built folder.

And the floors, in the same run, interleaved with what they bound (a1 b1 a2 b2 ...):

- the Jinja floor (``floor_jinja.py``): the built site's pages rendered with bare Jinja2
  from one JSON Lines dump (layout as templates, the pages' own values as data, ``<main>``
  already rendered) and written with every other file: the same files, the same bytes;
- the YAML floor (``floor_yaml.py``): every record read and parsed with CSafeLoader;
- the lxml floor (``floor_lxml.py``): every HTML page read and parsed with ``lxml.html``,
  in one process (``kdirectory check`` uses one process per CPU; compare CPU seconds too).

It prints one table per size, then the targets as PASS or FAIL (reported, never asserted),
and with ``--json FILE`` writes every figure and run.

    python benchmarks/bench_build.py [--sizes 1000,10000,50000] [--repeat 3] [--json FILE]
    python benchmarks/bench_build.py --smoke     # 1,000 clinics, 1 run, no targets (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _harness import (
    MB,
    BenchError,
    Measure,
    Run,
    Step,
    load_average,
    measure,
    rss_resolution,
    table,
)
from _pages import compare_trees, dump_site, site_files

from kdirectory.site.templating import default_theme_dir
from kdirectory.testing.synthetic import generate_project

HERE = Path(__file__).resolve().parent
PYTHON = [sys.executable]
KDIRECTORY = [*PYTHON, "-m", "kdirectory"]
SMOKE_SIZE = 1000

COLD = "cold build"
NOOP = "no-op rebuild"
ONE_CLINIC = "one clinic changed"
ONE_TEMPLATE = "one template changed"
VALIDATE_COLD = "validate, cold"
VALIDATE_WARM = "validate, warm"
CHECK = "check"
JINJA_FLOOR = "floor: Jinja2 render + write"
YAML_FLOOR = "floor: CSafeLoader read"
LXML_FLOOR = "floor: lxml.html parse"
ROWS = (
    COLD, NOOP, ONE_CLINIC, ONE_TEMPLATE, VALIDATE_COLD, VALIDATE_WARM, CHECK,
    JINJA_FLOOR, YAML_FLOOR, LXML_FLOOR,
)  # fmt: skip
"""Every row of a size's table, in order."""

ADDED_SENTENCE = " Parking is available behind the building."
"""Appended to one clinic's description (and taken out again) between rebuilds."""
TEMPLATE = "clinic.html"
TEMPLATE_MARK = "{% block main %}\n"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give sizes as 1000,10000") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least one size of 1 or more")
    return sizes


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _count_written(measure_: Measure, _: int, run: Run) -> None:
    """Keep how many files a build wrote, from its summary line."""
    found = re.search(r"([\d,]+) written", run.stdout)
    if found is None:
        raise BenchError(f"no build summary in the output:\n{run.stdout[-2000:]}")
    measure_.notes.setdefault("written", []).append(int(found.group(1).replace(",", "")))


def _json_line(run: Run) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return data


def _note_json_line(measure_: Measure, _: int, run: Run) -> None:
    """Keep what a floor says it did (its last line of output, JSON)."""
    measure_.notes.update(_json_line(run))


class ClinicEdit:
    """Changes one clinic's description (toggling a sentence), and tells whether its page
    shows the change."""

    def __init__(self, root: Path) -> None:
        for path in sorted((root / "data" / "clinics").glob("*.yaml")):
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            starts = [i for i, line in enumerate(lines) if line.startswith("description: ")]
            if not starts or lines[starts[0]][len("description: ")] in "'\"|>":
                continue  # no description, or not a plain scalar: take another record
            end = starts[0] + 1
            while end < len(lines) and lines[end].startswith("  "):
                end += 1
            self.path = path
            self.original = "".join(lines)
            last = lines[end - 1].rstrip("\n")
            self.changed = "".join([*lines[: end - 1], last + ADDED_SENTENCE + "\n", *lines[end:]])
            self.page = root / "site" / "clinics" / path.stem / "index.html"
            return
        raise BenchError(f"no record in {root} has a plain description to change")

    def apply(self, number: int) -> None:
        text = self.changed if number % 2 == 0 else self.original
        self.path.write_text(text, encoding="utf-8")

    def verify(self, _: Measure, number: int, run: Run) -> None:
        shown = self.page.is_file() and ADDED_SENTENCE.strip() in self.page.read_text("utf-8")
        if shown != (number % 2 == 0):
            raise BenchError(
                f"after changing {self.path.name}, {self.page} does not show the change"
            )


class TemplateEdit:
    """Overrides the packaged clinic template in the project with a comment added (one of
    two, so every run changes it), and tells whether the pages show it."""

    def __init__(self, root: Path, clinic_page: Path) -> None:
        source = (default_theme_dir() / TEMPLATE).read_text(encoding="utf-8")
        if TEMPLATE_MARK not in source:
            raise BenchError(f"the packaged {TEMPLATE} has no {TEMPLATE_MARK.strip()}")
        self.source = source
        self.target = root / "templates" / TEMPLATE
        self.clinic_page = clinic_page

    @staticmethod
    def comment(number: int) -> str:
        return f"<!-- edited for a benchmark ({'ab'[number % 2]}) -->"

    def apply(self, number: int) -> None:
        self.target.parent.mkdir(exist_ok=True)
        edited = self.source.replace(TEMPLATE_MARK, TEMPLATE_MARK + self.comment(number) + "\n")
        self.target.write_text(edited, encoding="utf-8")

    def verify(self, _: Measure, number: int, run: Run) -> None:
        if self.comment(number) not in self.clinic_page.read_text("utf-8"):
            raise BenchError(f"after changing {TEMPLATE}, {self.clinic_page} does not show it")


@dataclass
class SizeResult:
    clinics: int
    generate_seconds: float
    measures: dict[str, Measure]
    site: dict[str, int] = field(default_factory=dict)
    """HTML pages, files, HTML bytes and bytes of the cold build's site."""
    floor: dict[str, Any] = field(default_factory=dict)
    """The Jinja floor's dump and how much of its output is identical to the site."""


class SizeBench:
    """The measures of one size, on one generated project."""

    def __init__(self, clinics: int, repeat: int, work: Path) -> None:
        self.clinics = clinics
        self.repeat = repeat
        self.work = work
        self.label = f"{clinics:,}"
        self.root = work / f"project-{clinics}"
        self.site = self.root / "site"
        self.cache = self.root / ".kdirectory"
        self.m = {name: Measure(name) for name in ROWS}
        self.floor: dict[str, Any] = {}
        self.built: dict[str, int] = {}

    def run(self) -> SizeResult:
        _remove(self.root)
        start = time.perf_counter()
        generate_project(self.root, self.clinics, seed=self.clinics)
        generate_seconds = time.perf_counter() - start
        self.validate()
        self.cold_builds()
        self.check()
        self.rebuilds()
        return SizeResult(self.clinics, generate_seconds, self.m, self.built, self.floor)

    def measure(self, *steps: Step) -> None:
        measure(steps, self.repeat, label=self.label)

    def validate(self) -> None:
        """Cold (no cache), interleaved with the C loader's floor; then warm."""
        command = [*KDIRECTORY, "validate", str(self.root)]
        self.measure(
            Step(self.m[YAML_FLOOR], [*PYTHON, str(HERE / "floor_yaml.py"), str(self.root)]),
            Step(self.m[VALIDATE_COLD], command, before=lambda _: _remove(self.cache)),
        )
        self.measure(Step(self.m[VALIDATE_WARM], command))

    def cold_builds(self) -> None:
        """Cold builds, each followed by the Jinja floor (its dump made from the first)."""
        dump = self.work / f"pages-{self.clinics}.jsonl"
        out = self.work / f"floor-{self.clinics}"
        cold, floor = self.m[COLD], self.m[JINJA_FLOOR]

        def before_cold(_: int) -> None:
            _remove(self.site)
            _remove(self.cache)

        def before_floor(number: int) -> None:
            _remove(out)
            if number == 0:
                stats = dump_site(self.site, dump)
                self.floor.update(dump_files=stats.files, dump_templates=stats.templates)
                self.floor["dump_mb"] = round(dump.stat().st_size / MB, 1)

        def after_floor(_: Measure, number: int, run: Run) -> None:
            _note_json_line(floor, number, run)
            if number == 0:
                same, different = compare_trees(self.site, out)
                self.floor.update(identical_files=same, different_files=different[:20])

        self.measure(
            Step(cold, [*KDIRECTORY, "build", str(self.root)], before_cold, [_count_written]),
            Step(floor, [*PYTHON, str(HERE / "floor_jinja.py"), str(dump), str(out)],
                 before_floor, [after_floor]),
        )  # fmt: skip
        _remove(out)
        _remove(dump)
        files = site_files(self.site)
        html = [path for path in files if path.suffix == ".html"]
        self.built.update(
            pages=len(html),
            files=len(files),
            html_bytes=sum(path.stat().st_size for path in html),
            bytes=sum(path.stat().st_size for path in files),
        )

    def check(self) -> None:
        """``kdirectory check`` of the cold build's site, interleaved with lxml's floor."""
        floor = self.m[LXML_FLOOR]
        self.measure(
            Step(floor, [*PYTHON, str(HERE / "floor_lxml.py"), str(self.site)],
                 after=[_note_json_line]),
            Step(self.m[CHECK], [*KDIRECTORY, "check", str(self.site)]),
        )  # fmt: skip

    def rebuilds(self) -> None:
        """Rebuilds with nothing changed, with one clinic changed, with one template."""
        build = [*KDIRECTORY, "build", str(self.root)]
        self.measure(Step(self.m[NOOP], build, after=[_count_written]))
        clinic = ClinicEdit(self.root)
        edits = [_count_written, clinic.verify]
        self.measure(Step(self.m[ONE_CLINIC], build, clinic.apply, edits))
        template = TemplateEdit(self.root, clinic.page)
        edits = [_count_written, template.verify]
        self.measure(Step(self.m[ONE_TEMPLATE], build, template.apply, edits))


# What each row is compared with: (reference row, its label in the notes).
REFERENCES = {
    COLD: JINJA_FLOOR,
    NOOP: COLD,
    ONE_CLINIC: COLD,
    ONE_TEMPLATE: COLD,
    VALIDATE_COLD: YAML_FLOOR,
    CHECK: LXML_FLOOR,
}
RECORD_ROWS = (VALIDATE_COLD, VALIDATE_WARM, YAML_FLOOR)
"""Rows whose rate is records per second (the others: HTML pages per second)."""


def _ratio(result: SizeResult, name: str) -> float | None:
    reference = REFERENCES.get(name)
    if reference is None:
        return None
    return result.measures[name].seconds / result.measures[reference].seconds


def _cpu_ratio(result: SizeResult, name: str) -> float | None:
    reference = REFERENCES.get(name)
    if reference is None:
        return None
    return result.measures[name].cpu_seconds / result.measures[reference].cpu_seconds


def size_table(result: SizeResult) -> str:
    rows = []
    for name in ROWS:
        measure_ = result.measures[name]
        reference = REFERENCES.get(name)
        ratio = _ratio(result, name)
        cpu_ratio = _cpu_ratio(result, name)
        count = result.clinics if name in RECORD_ROWS else result.site["pages"]
        rows.append(
            [
                name,
                f"{measure_.seconds:.2f}",
                f"{result.measures[reference].seconds:.2f}" if reference else "",
                f"{ratio:.2f}x" if ratio is not None else "",
                f"{count / measure_.seconds:,.0f}",
                f"{measure_.peak_rss / MB:,.0f}",
                f"{measure_.cpu_seconds:.2f}",
                f"{cpu_ratio:.2f}x" if cpu_ratio is not None else "",
                f"{measure_.load:.1f}",
            ]
        )
    header = [
        "measure", "median s", "floor s", "ratio", "pages/s", "peak RSS MB", "CPU s",
        "CPU ratio", "load",
    ]  # fmt: skip
    return table(header, rows)


def notes(result: SizeResult) -> list[str]:
    m = result.measures
    site = result.site
    cold, floor = m[COLD], m[JINJA_FLOOR]
    floor_bytes = int(floor.notes.get("bytes", 0))
    floor_pages = int(floor.notes.get("pages", 0))
    legend = (
        "floor s: the Jinja floor for the cold build, the cold build for rebuilds, the "
        "CSafeLoader floor for validate, the lxml floor for check; pages/s: records/s for "
        "validate and the CSafeLoader floor; CPU s: user + system time of all the run's "
        "processes; load: the one-minute load average as runs started"
    )
    built = (
        f"cold build: {site['pages']:,} pages, {site['files']:,} files, "
        f"{site['bytes'] / MB:,.1f} MB ({site['html_bytes'] / MB:,.1f} MB of HTML): "
        f"{site['pages'] / cold.seconds:,.0f} pages/s, "
        f"{site['bytes'] / MB / cold.seconds:,.1f} MB/s"
    )
    floored = (
        f"Jinja floor: {floor_pages:,} pages, {floor.notes.get('files', 0):,} files, "
        f"{floor_bytes / MB:,.1f} MB: {floor_pages / floor.seconds:,.0f} pages/s, "
        f"{floor_bytes / MB / floor.seconds:,.1f} MB/s; "
        f"{result.floor.get('identical_files', 0):,} of {site['files']:,} files identical "
        f"to the build's, from {result.floor.get('dump_templates', 0)} templates"
    )
    lines = [legend, built, floored]
    if floor_bytes and floor_pages:
        per_page = (cold.seconds / site["pages"]) / (floor.seconds / floor_pages)
        per_byte = (cold.seconds / site["bytes"]) / (floor.seconds / floor_bytes)
        lines.append(
            f"cold build / Jinja floor: {per_page:.1f}x per page, {per_byte:.1f}x per byte"
        )
    written = ", ".join(
        f"{name}: {max(m[name].notes.get('written', [0])):,}"
        for name in (NOOP, ONE_CLINIC, ONE_TEMPLATE)
    )
    lines.append(f"files written by rebuilds (most of any run): {written}")
    return lines


@dataclass
class Target:
    text: str
    passed: bool | None
    """None: not judged at this size."""
    figure: str

    def line(self) -> str:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[self.passed]
        return f"  {verdict}  {self.text}: {self.figure}"


RSS_LIMIT = 1_000_000_000
RSS_SIZE = 50_000


def targets(result: SizeResult) -> list[Target]:
    m = result.measures
    cold = m[COLD].seconds
    found = [
        Target("cold build <= 1.5x the Jinja floor", _ratio(result, COLD) <= 1.5,  # type: ignore[operator]
               f"{_ratio(result, COLD):.2f}x"),
        Target("no-op rebuild <= 5% of the cold build", m[NOOP].seconds <= 0.05 * cold,
               f"{m[NOOP].seconds / cold:.0%}"),
        Target("one clinic changed <= 10% of the cold build",
               m[ONE_CLINIC].seconds <= 0.10 * cold, f"{m[ONE_CLINIC].seconds / cold:.0%}"),
        Target("validate, cold <= 1.5x the CSafeLoader floor",
               _ratio(result, VALIDATE_COLD) <= 1.5,  # type: ignore[operator]
               f"{_ratio(result, VALIDATE_COLD):.2f}x"),
        Target("validate, warm < 1 s", m[VALIDATE_WARM].seconds < 1.0,
               f"{m[VALIDATE_WARM].seconds:.2f} s"),
        Target("check <= 3x the lxml floor", _ratio(result, CHECK) <= 3.0,  # type: ignore[operator]
               f"{_ratio(result, CHECK):.2f}x"),
    ]  # fmt: skip
    for name in (COLD, CHECK):
        peak = m[name].peak_rss
        judged = peak < RSS_LIMIT if result.clinics >= RSS_SIZE else None
        text = f"peak RSS of {name} < 1 GB at {RSS_SIZE:,} clinics"
        found.append(Target(text, judged, f"{peak / MB:,.0f} MB"))
    return found


def report(result: SizeResult, repeat: int, judge: bool, resolution: int) -> str:
    m = result.measures
    loads = [run.load for measure_ in m.values() for run in measure_.runs]
    title = (
        f"kdirectory at {result.clinics:,} clinics: {result.site['pages']:,} pages; "
        f"median of {repeat} run{'s' if repeat != 1 else ''}, each a fresh process; "
        f"load average {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} CPUs "
        f"(project generated in {result.generate_seconds:.1f} s)"
    )
    lines = [
        title,
        size_table(result),
        *notes(result),
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


def to_json(
    results: list[SizeResult], args: argparse.Namespace, judge: bool, resolution: int
) -> dict[str, Any]:
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "peak_rss_resolution_mb": round(resolution / MB, 1),
        "repeat": args.repeat,
        "sizes": [
            {
                "clinics": r.clinics,
                "generate_seconds": round(r.generate_seconds, 3),
                "site": r.site,
                "jinja_floor": r.floor,
                "measures": {
                    name: {
                        **measure_.to_json(),
                        "reference": REFERENCES.get(name),
                        "ratio": (round(ratio, 4) if (ratio := _ratio(r, name)) else None),
                        "cpu_ratio": (round(cpu, 4) if (cpu := _cpu_ratio(r, name)) else None),
                    }
                    for name, measure_ in r.measures.items()
                },
                "targets": [
                    {"target": t.text, "passed": t.passed, "figure": t.figure}
                    for t in (targets(r) if judge else [])
                ],
            }
            for r in results
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=_sizes, default=[1000], help="clinics, e.g. 1000,10000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--smoke", action="store_true", help="1,000 clinics, 1 run, no targets")
    parser.add_argument(
        "--workdir", type=Path, help="where to generate the projects (default: a temporary folder)"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    if args.smoke:
        args.sizes, args.repeat = [SMOKE_SIZE], 1
    judge = not args.smoke
    results = []
    with tempfile.TemporaryDirectory(prefix="kdirectory-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        sys.stderr.write(f"working in {work}, load average {load_average():.2f}\n")
        resolution = rss_resolution()
        for size in args.sizes:
            try:
                result = SizeBench(size, args.repeat, work).run()
            except BenchError as exc:
                sys.exit(f"benchmark at {size:,} clinics failed: {exc}")
            results.append(result)
            sys.stdout.write(report(result, args.repeat, judge, resolution) + "\n")
            sys.stdout.flush()
            if args.json:  # after every size, so a long run leaves what it measured
                args.json.write_text(
                    json.dumps(to_json(results, args, judge, resolution), indent=2) + "\n"
                )


if __name__ == "__main__":
    main()

"""Validation of a generated 10,000-clinic directory.

Generates the project once into a temporary folder, then prints the median of several runs
of two things done in this process:

- reference: read every record file and parse it with ``yaml.load(..., Loader=CSafeLoader)``,
  the floor any YAML validator pays;
- validate: ``load_directory`` + ``validate`` through the library (schema, model, record
  and directory rules), as ``kdirectory validate`` runs them, without the record cache in
  ``.kdirectory/`` (cold; bench_build.py measures the warm command).

Per-process tables (the ZIP gazetteer, the JSON Schema validator) are built by a first,
separately reported run; the address normaliser's memo is cleared before every measured
run, so each pays for normalising every street as a fresh ``kdirectory validate`` would.

    python benchmarks/bench_validate.py [--count 10000] [--repeat 5]
    python benchmarks/bench_validate.py --smoke     # 500 records, 1 run (CI)
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from kdirectory import load_directory, validate
from kdirectory.record.addresses import normal_street
from kdirectory.testing.synthetic import generate_project

SMOKE_COUNT = 500
"""Records of a smoke run: enough that validating reads them in several processes."""


def _median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="records to generate")
    parser.add_argument("--repeat", type=int, default=5, help="measured runs of each")
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_COUNT:,} records, 1 run (CI)")
    args = parser.parse_args()
    if args.count < 1 or args.repeat < 1:
        parser.error("--count and --repeat must be 1 or more")
    if args.smoke:
        args.count, args.repeat = SMOKE_COUNT, 1
    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="kdirectory-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        paths = generate_project(root, args.count, seed=1)
        generate_seconds = time.perf_counter() - start
        files = sorted(paths)

        def reference() -> None:
            for path in files:
                yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

        def full_validate() -> None:
            normal_street.cache_clear()
            report = validate(load_directory(root, cache=False))
            if report.errors or report.clinics != len(files):
                raise SystemExit(f"unexpected result: {report.summary()}")

        start = time.perf_counter()
        full_validate()
        first_seconds = time.perf_counter() - start
        report = validate(load_directory(root))
        ref = _median_seconds(reference, args.repeat)
        measured = _median_seconds(full_validate, args.repeat)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    rows = [
        ("records", f"{len(files):,}"),
        ("generate_project (once)", f"{generate_seconds:.2f} s"),
        ("first validate (builds tables)", f"{first_seconds:.2f} s"),
        (f"reference median of {args.repeat} (read + CSafeLoader)", f"{ref:.3f} s"),
        (f"validate median of {args.repeat}", f"{measured:.3f} s"),
        ("ratio validate / reference", f"{measured / ref:.1f}x"),
        ("records per second (validate)", f"{len(files) / measured:,.0f}"),
        ("report", report.summary()),
        ("peak RSS", f"{peak_mib:,.0f} MiB"),
    ]
    width = max(len(label) for label, _ in rows)
    out.write(f"kdirectory validate benchmark (Python {sys.version.split()[0]})\n")
    for label, value in rows:
        out.write(f"  {label:<{width}}  {value}\n")


if __name__ == "__main__":
    main()

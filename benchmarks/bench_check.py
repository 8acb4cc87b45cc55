"""``kdirectory check`` over a built site of about 13,000 pages (target: well under a minute
on 2 cores).

Builds a generated directory once (its build time is printed too, as a figure, not a
target), then prints the median of several ``check_site`` runs and the ratio against a
reference run in this process: reading and parsing every HTML page with lxml and nothing
else, the floor any checker pays. Then the same with the check cache: cold (a new cache
file each run), warm (nothing changed) and warm after one page's bytes changed (what a
rebuild after one clinic changed asks of the check).

    python benchmarks/bench_check.py [--count 10000] [--repeat 3] [--jobs N]
    python benchmarks/bench_check.py --smoke     # 300 clinics, 1 run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml.etree import HTMLParser, fromstring

from kdirectory.check import check_site
from kdirectory.record.validate import load_directory
from kdirectory.site.build import build_site
from kdirectory.testing.synthetic import generate_project


def _median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="clinics to generate")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="check processes (default: CPUs)")
    parser.add_argument("--smoke", action="store_true", help="300 clinics, 1 run (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.count, args.repeat = 300, 1
    return args


def main() -> None:
    args = _arguments()
    out = sys.stdout
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        generate_project(root, args.count, seed=5)
        start = time.perf_counter()
        built = build_site(load_directory(root), root / "site")
        build_seconds = time.perf_counter() - start
        pages = sorted((root / "site").rglob("*.html"))
        parser_ = HTMLParser(encoding="utf-8")

        def reference() -> None:
            for page in pages:
                fromstring(page.read_bytes(), parser=parser_)

        findings: list[int] = []
        cache = root / "check.sqlite"

        def check() -> None:
            report = check_site(root / "site", jobs=args.jobs)
            findings.append(len(report.errors))

        def cold() -> None:
            for suffix in ("", "-wal", "-shm"):
                cache.with_name(cache.name + suffix).unlink(missing_ok=True)
            warm()

        def warm() -> None:
            report = check_site(root / "site", jobs=args.jobs, cache=cache)
            findings.append(len(report.errors))

        changed = root / "site" / "index.html"
        original = changed.read_bytes()
        edits = iter(range(1_000_000))

        def one_changed() -> None:
            changed.write_bytes(original + f"<!-- edit {next(edits)} -->\n".encode())
            warm()

        ref = _median_seconds(reference, args.repeat)
        measured = _median_seconds(check, args.repeat)
        cold_seconds = _median_seconds(cold, args.repeat)
        warm_seconds = _median_seconds(warm, args.repeat)
        changed_seconds = _median_seconds(one_changed, args.repeat)
        assert len(set(findings)) == 1, "the cache changed the number of errors found"
    cpus = os.cpu_count() or 1
    out.write(
        f"kdirectory check, {len(pages):,} pages ({args.count:,} clinics), "
        f"median of {args.repeat}, {args.jobs or cpus} process(es) on {cpus} CPUs\n"
    )
    out.write(
        f"  build (once, a figure):              {build_seconds:.1f} s ({built.pages:,} pages)\n"
    )
    out.write(f"  reference (read + lxml parse only):  {ref:.2f} s\n")
    out.write(
        f"  check_site:                          {measured:.2f} s  (target: well under 60 s)\n"
    )
    out.write(f"  ratio check_site / reference:        {measured / ref:.1f}x\n")
    out.write(f"  pages per second:                    {len(pages) / measured:,.0f}\n")
    out.write(f"  check_site, cold cache:              {cold_seconds:.2f} s\n")
    out.write(
        f"  check_site, warm cache:              {warm_seconds:.2f} s  "
        f"({warm_seconds / ref:.1f}x reference)\n"
    )
    out.write(f"  warm cache, one page changed:        {changed_seconds:.2f} s\n")
    out.write(f"  errors found on the generated site:  {findings[-1]}\n")


if __name__ == "__main__":
    main()

"""Offline geocoding of a generated 10,000-clinic directory (target: under 1 s).

Prints the median of several runs of ``geocode_directory`` with the offline provider, the
one-off cost of building the gazetteer tables, and the ratio against a reference run in
this process: a bare loop that looks each record's ZIP up in a prebuilt dict (the floor
any offline geocoder pays).

    python benchmarks/bench_offline_geocode.py [--count 10000] [--repeat 5]
    python benchmarks/bench_offline_geocode.py --smoke     # 500 records, 1 run
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import zipcodes

from kdirectory.geocoding import OfflineGeocoder, geocode_directory
from kdirectory.record.gazetteer import warm
from kdirectory.record.validate import load_directory
from kdirectory.testing.synthetic import generate_project


def _median_seconds(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="500 records, 1 run (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.count, args.repeat = 500, 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_project(root, args.count, seed=1)
        directory = load_directory(root)
        start = time.perf_counter()
        warm()
        table_seconds = time.perf_counter() - start
        store = root / "data" / "geocodes.json"

        def geocode_all() -> None:
            store.unlink(missing_ok=True)
            result = geocode_directory(directory, OfflineGeocoder())
            assert result.ok, result.failed[:3]

        zips = {row["zip_code"]: (row["lat"], row["long"]) for row in zipcodes.list_all()}  # type: ignore[no-untyped-call]
        wanted = [clinic.address.zip5 or "" for clinic in directory.clinics]

        def reference() -> None:
            found = [zips.get(z) for z in wanted]
            assert len(found) == len(wanted)

        ref = _median_seconds(reference, args.repeat)
        measured = _median_seconds(geocode_all, args.repeat)
    out = sys.stdout
    out.write(f"offline geocoding, {len(wanted)} records, median of {args.repeat}\n")
    out.write(f"  gazetteer tables (once per process): {table_seconds:.3f} s\n")
    out.write(f"  reference (bare ZIP dict lookups):   {ref:.4f} s\n")
    out.write(f"  geocode_directory (offline):         {measured:.3f} s  (target < 1 s)\n")
    out.write(f"  ratio geocode_directory / reference: {measured / ref:.0f}x\n")
    out.write(f"  records per second:                  {len(wanted) / measured:,.0f}\n")


if __name__ == "__main__":
    main()

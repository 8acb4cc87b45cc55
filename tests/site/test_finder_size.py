"""What a visitor downloads before the finder's first result, gzipped as a web server sends
it: the index, and one ZIP shard (a ZIP code typed) or one place shard (a name typed).

The budget is 300 KB at 10,000 clinics (the slow test, which prints the sizes); the fast
test holds a generated directory of 300 clinics to its own share of it.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kdirectory import load_directory
from kdirectory.site import urls
from kdirectory.site.model import build_model
from kdirectory.site.site_files import finder_files
from kdirectory.testing.synthetic import generate_project

BUDGET = 300_000
"""Bytes, gzipped, before the first result at 10,000 clinics."""
GZIP_LEVEL = 6
"""The level web servers and CDNs commonly compress with (gzip's own default)."""


def download_sizes(root: Path) -> dict[str, int]:
    """Gzipped bytes of the index and of the largest and the median ZIP and place shards
    of the project at ``root``."""
    files = finder_files(build_model(load_directory(root)))
    sizes = {name: len(gzip.compress(text.encode(), GZIP_LEVEL)) for name, text in files.items()}
    zips = sorted(size for name, size in sizes.items() if name.startswith("finder/zip/"))
    places = sorted(size for name, size in sizes.items() if name.startswith("finder/places/"))
    return {
        "index": sizes[urls.FINDER_INDEX.lstrip("/")],
        "index_raw": len(files[urls.FINDER_INDEX.lstrip("/")]),
        "zip_largest": zips[-1],
        "zip_median": zips[len(zips) // 2],
        "zip_files": len(zips),
        "places_largest": places[-1],
        "places_median": places[len(places) // 2],
        "places_files": len(places),
    }


def report(count: int, sizes: dict[str, int]) -> str:
    first = sizes["index"] + max(sizes["zip_largest"], sizes["places_largest"])
    return (
        f"finder at {count:,} clinics (gzip -{GZIP_LEVEL}): index {sizes['index']:,} B "
        f"({sizes['index_raw']:,} B raw); ZIP shards {sizes['zip_files']:,}, largest "
        f"{sizes['zip_largest']:,} B, median {sizes['zip_median']:,} B; place shards "
        f"{sizes['places_files']:,}, largest {sizes['places_largest']:,} B, median "
        f"{sizes['places_median']:,} B; before the first result at most {first:,} B"
    )


def test_a_small_directory_downloads_its_share_of_the_budget(tmp_path: Path) -> None:
    generate_project(tmp_path, 300, seed=5)
    sizes = download_sizes(tmp_path)
    print(report(300, sizes))
    assert sizes["index"] <= 16_000
    assert sizes["zip_largest"] <= 2_000
    assert sizes["places_largest"] <= 12_000


@pytest.mark.slow
def test_ten_thousand_clinics_download_under_the_budget(tmp_path: Path) -> None:
    generate_project(tmp_path, 10_000, seed=5)
    sizes = download_sizes(tmp_path)
    print(report(10_000, sizes))
    assert sizes["index"] + max(sizes["zip_largest"], sizes["places_largest"]) <= BUDGET
    assert sizes["zip_largest"] <= 2_000

"""The distance cache (.kdirectory/distances.bin): a rebuild measures only the distances it
had not measured before, and the site is the same bytes as a build without it, whatever
state the file is in."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import kdirectory.geocoding.distance as distance_module
from kdirectory.geocoding.distance import Distances
from kdirectory.geocoding.types import Point
from kdirectory.site.distance_cache import DISTANCE_CACHE, read_distances, save_distances
from kdirectory.site.fingerprint import code_fingerprint as fingerprint
from tests.site.pages import build
from tests.site.test_page_cache import change_phone, project, site_files

__all__ = ["project"]  # a fixture these tests use


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Point, Point]]]:
    """The pairs of points whose geodesic is measured from now on, in this process."""
    found: list[tuple[Point, Point]] = []
    real = distance_module.distance_miles

    def measure(a: Point, b: Point) -> float:
        found.append((a, b))
        return real(a, b)

    monkeypatch.setattr(distance_module, "distance_miles", measure)
    yield found


def rows_of(data: bytes) -> set[bytes]:
    """The distances a distance cache's bytes keep, each as its 40 bytes."""
    body = data[data.index(b"\n") + 1 :]
    return {body[at : at + 40] for at in range(0, len(body), 40)}


def rows(path: Path) -> set[bytes]:
    return rows_of(path.read_bytes())


def move(project: Path, number: int, lat: float, lon: float) -> None:
    """Put the ``number``-th record of ``project`` at ``lat``, ``lon``."""
    record = sorted((project / "data" / "clinics").glob("*.yaml"))[number]
    text = record.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  lat: .*$", f"  lat: {lat}", text, count=1)
    text = re.sub(r"(?m)^  lon: .*$", f"  lon: {lon}", text, count=1)
    record.write_text(text, encoding="utf-8")


def test_a_rebuild_measures_no_distance_it_measured_before(
    project: Path, tmp_path: Path, measured: list[tuple[Point, Point]]
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    assert measured, "the build measures distances"
    assert (project / DISTANCE_CACHE).is_file()
    change_phone(project, 5, "(702) 555-0147")  # the pages are planned again
    measured.clear()
    build(project, out, jobs=1)
    assert measured == []
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_a_moved_clinic_measures_only_distances_from_its_new_place(
    project: Path, tmp_path: Path, measured: list[tuple[Point, Point]]
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    cold = len(measured)
    move(project, 3, 36.17, -115.14)
    measured.clear()
    build(project, out, jobs=1)
    moved = Point(36.17, -115.14)
    assert any(moved in pair for pair in measured)
    assert len(measured) < cold
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


@pytest.mark.parametrize(
    ("damage", "notice"),
    [
        (lambda path: path.write_bytes(path.read_bytes()[:-3]), "is damaged"),
        (lambda path: path.write_bytes(b"kdirectory distances 1 another version\n"), None),
        (lambda path: path.write_bytes(b"\x00" * 40), None),
    ],
    ids=["cut short", "another version", "foreign"],
)
def test_an_unusable_distance_cache_is_measured_again_and_replaced(
    project: Path, tmp_path: Path, damage: object, notice: str | None
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    path = project / DISTANCE_CACHE
    good = path.read_bytes()
    damage(path)  # type: ignore[operator]
    change_phone(project, 5, "(702) 555-0147")
    result = build(project, out, jobs=1)
    said = [n for n in result.notices if "distance cache" in n]
    assert len(said) == (notice is not None)
    assert all(notice in n for n in said)
    assert rows(path) and rows(path) <= rows_of(good)  # measured again, as they were
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_a_distance_cache_that_cannot_be_used_is_done_without(
    project: Path, tmp_path: Path
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    path = project / DISTANCE_CACHE
    path.mkdir(parents=True)  # a folder where the file goes
    result = build(project, out, jobs=1)
    said = [n for n in result.notices if "distance cache" in n]
    assert len(said) == 2
    assert said[0].startswith("cannot read the distance cache")
    assert said[1].startswith("cannot write the distance cache")
    shutil.rmtree(path)
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_distances_are_kept_to_the_bit_and_only_those_asked_for(
    tmp_path: Path, measured: list[tuple[Point, Point]]
) -> None:
    code = fingerprint()
    points = [Point(32.7157, -117.1611), Point(33.1192, -117.0864), Point(34.0522, -118.2437)]
    first = Distances()
    asked = {(a, b): first.miles(a, b) for a in points for b in points}
    assert save_distances(tmp_path, code, first, every=True) is None
    measured.clear()
    earlier, problem = read_distances(tmp_path, code)
    assert problem is None
    assert {pair: earlier.miles(*pair) for pair in asked} == asked
    assert measured == []
    later, _ = read_distances(tmp_path, code)
    later.miles(points[1], points[0])
    save_distances(tmp_path, code, later, every=True)  # keeps only the one pair asked for
    kept, _ = read_distances(tmp_path, code)
    assert kept.miles(points[0], points[1]) == asked[points[0], points[1]]
    assert measured == []
    kept.miles(points[0], points[2])
    assert measured == [(points[0], points[2])]
    other, problem = read_distances(tmp_path, "another code")
    assert problem is None
    other.miles(points[0], points[1])
    assert len(measured) == 2

"""Distances and the order of points by distance: the same numbers as geopy's geodesic, the
same order and counts as measuring every point, with few points measured."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from geopy.distance import geodesic

from kdirectory.geocoding import distance
from kdirectory.geocoding.distance import (
    PointIndex,
    distance_miles,
    lambert_miles,
    sorted_by_distance,
)
from kdirectory.geocoding.types import Point


def _random_point(rng: random.Random) -> Point:
    return Point(rng.uniform(-90, 90), rng.uniform(-180, 180))


def _near(rng: random.Random, centre: Point, degrees: float) -> Point:
    lat = min(90.0, max(-90.0, centre.lat + rng.uniform(-degrees, degrees)))
    lon = centre.lon + rng.uniform(-degrees, degrees)
    return Point(lat, (lon + 180) % 360 - 180)


def test_distance_miles_is_geopys_geodesic_to_the_bit() -> None:
    rng = random.Random(11)
    pairs = [(Point(0.0, 0.0), Point(-0.0, -0.0)), (Point(90, 0), Point(-90, 180))]
    for _ in range(3000):
        a = _random_point(rng)
        pairs.append((a, a))
        pairs.append((a, _near(rng, a, rng.choice([1e-7, 1e-3, 0.3, 5.0, 60.0]))))
        pairs.append((a, _random_point(rng)))
    for a, b in pairs:
        expected = geodesic((a.lat, a.lon), (b.lat, b.lon)).miles
        assert distance_miles(a, b).hex() == expected.hex(), (a, b)
        # The same either way round, so a build measures each pair once.
        assert distance_miles(b, a).hex() == expected.hex(), (b, a)


def test_lamberts_formula_is_within_its_stated_error_of_the_geodesic() -> None:
    rng = random.Random(12)
    checked = 0
    while checked < 20000:
        a = _random_point(rng)
        b = _near(rng, a, 10 ** rng.uniform(-6, 2))
        exact = distance_miles(a, b)
        if exact > distance._LAMBERT_REACH_MILES:
            continue
        rough = np.array([lambert_miles(a, b)])
        assert distance._lower(rough)[0] <= exact <= distance._upper(rough)[0], (a, b, exact)
        checked += 1


def _crowd(seed: int, count: int) -> tuple[random.Random, list[Point], list[tuple[str, Point]]]:
    """Points around a few centres: many on a centre exactly (town-precision places), some
    mirrored across a centre's meridian (the same distance from it, to the bit)."""
    rng = random.Random(seed)
    centres = [Point(rng.uniform(25, 65), rng.uniform(-160, -70)) for _ in range(4)]
    points: list[tuple[str, Point]] = []
    for i in range(count):
        centre = rng.choice(centres)
        spread = rng.choice([0.0, 0.0, 0.002, 0.3, 1.0])
        where = _near(rng, centre, spread)
        points.append((f"c{i:03d}", where))
        if rng.random() < 0.2:
            mirrored = Point(where.lat, 2 * centre.lon - where.lon)
            points.append((f"m{i:03d}", mirrored))
    return rng, centres, points


def _geopy_miles(a: Point, b: Point) -> float:
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).miles)


def _brute_force(
    measured: dict[str, float], within: float, exclude: set[str]
) -> list[tuple[float, str]]:
    """Every point within ``within`` but those of ``exclude``, by distance then key."""
    return sorted(
        (miles, key) for key, miles in measured.items() if key not in exclude and miles <= within
    )


@pytest.mark.parametrize("seed", range(6))
def test_ranked_gives_the_order_and_count_of_measuring_every_point(seed: int) -> None:
    rng, centres, points = _crowd(seed, 300)
    index = PointIndex(points)
    for _ in range(12):
        here = rng.choice([rng.choice(centres), rng.choice(points)[1]])
        exclude = {key for key, _ in rng.sample(points, rng.choice([0, 1, 30]))}
        measured = {key: _geopy_miles(here, p) for key, p in points}
        everything = _brute_force(measured, math.inf, exclude)
        # Limits that fall on a point, a hair either side of one, and round numbers.
        on = rng.choice(everything)[0]
        for within in (on, math.nextafter(on, 0), math.nextafter(on, math.inf), 5.0, 60.0):
            expected = _brute_force(measured, within, exclude)
            got = index.ranked(here, within, exclude=exclude)
            assert [r.item for r in got] == [key for _, key in expected], within
            assert [r.miles.hex() for r in got] == [miles.hex() for miles, _ in expected]
            n = rng.choice([1, 4, 8])
            top = index.ranked(here, within, n=n, exclude=exclude)
            assert [(r.miles, r.item) for r in top] == expected[:n]


def test_ranked_measures_only_what_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[tuple[Point, Point]] = []
    real = distance.distance_miles

    def counting(a: Point, b: Point) -> float:
        measured.append((a, b))
        return real(a, b)

    monkeypatch.setattr(distance, "distance_miles", counting)
    rng = random.Random(5)
    here = Point(34.05, -118.24)
    points = [(f"c{i:03d}", _near(rng, here, 0.5)) for i in range(400)]
    found = PointIndex(points).ranked(here, 25.0)
    assert 100 < len(found) < 400
    # Counting and ordering hundreds of spread-out clinics needs a handful of measurements.
    assert len(measured) < 10
    miles = [r.miles for r in found[:8]]
    assert miles == sorted(miles)
    assert len(measured) < 18


@pytest.mark.parametrize("seed", range(4))
def test_sorted_by_distance_matches_sorting_by_measured_distance(seed: int) -> None:
    _, centres, points = _crowd(seed, 200)
    names = {key: f"name {i % 7}" for i, (key, _) in enumerate(points)}

    def tie(key: str) -> tuple[str, str]:
        return names[key], key

    for origin in centres:
        got = sorted_by_distance(origin, points, tie)
        expected = sorted(points, key=lambda kp: (_geopy_miles(origin, kp[1]), *tie(kp[0])))
        assert [r.item for r in got] == [key for key, _ in expected]
        assert all(r.miles == _geopy_miles(origin, r.point) for r in got)


def test_ties_at_the_same_distance_are_ordered_by_the_tie_key() -> None:
    origin = Point(40.0, -100.0)
    east, west = Point(40.1, -99.9), Point(40.1, -100.1)
    assert distance_miles(origin, east) == distance_miles(origin, west)
    items = [("b", east), ("a", west), ("c", origin)]
    assert [r.item for r in sorted_by_distance(origin, items, str)] == ["c", "a", "b"]
    index = PointIndex(items)
    assert [r.item for r in index.ranked(origin, 10.0)] == ["c", "a", "b"]
    assert [r.item for r in index.ranked(origin, 10.0, exclude={"a", "c"})] == ["b"]
    assert index.ranked(origin, 10.0, n=0) == []
    assert PointIndex[str]().ranked(origin, 10.0) == []

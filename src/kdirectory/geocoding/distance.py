"""Geodesic distances in miles, and nearest neighbours through a grid index (never all pairs)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from geopy.distance import geodesic

from kdirectory.geocoding.types import Point

K = TypeVar("K", bound=Hashable)

# One grid cell is 0.5° of latitude (about 35 miles); longitude cells shrink with latitude,
# so the search widens them by 1/cos(lat).
_CELL_DEGREES = 0.5
_MILES_PER_DEGREE_LAT = 69.0


def distance_miles(a: Point, b: Point) -> float:
    """Geodesic (WGS84 ellipsoid) distance between two points, in miles."""
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).miles)


@dataclass(frozen=True, slots=True)
class Neighbour(Generic[K]):
    key: K
    point: Point
    miles: float


def _cell(point: Point) -> tuple[int, int]:
    return math.floor(point.lat / _CELL_DEGREES), math.floor(point.lon / _CELL_DEGREES)


class PointIndex(Generic[K]):
    """Points bucketed in a lat/lon grid; a query looks at nearby cells only.

    Building is O(n); a query costs the points in the cells it visits, so finding the
    nearest clinics for every clinic of a 10,000-clinic directory stays near-linear.
    """

    def __init__(self, items: Iterable[tuple[K, Point]] = ()) -> None:
        self._cells: dict[tuple[int, int], list[tuple[K, Point]]] = defaultdict(list)
        self._count = 0
        for key, point in items:
            self.add(key, point)

    def __len__(self) -> int:
        return self._count

    def add(self, key: K, point: Point) -> None:
        self._cells[_cell(point)].append((key, point))
        self._count += 1

    def _ring(
        self, centre: tuple[int, int], radius: int, lon_scale: int
    ) -> Iterable[tuple[K, Point]]:
        lat0, lon0 = centre
        span = radius * lon_scale
        for dlat in range(-radius, radius + 1):
            for dlon in range(-span, span + 1):
                if max(abs(dlat), math.ceil(abs(dlon) / lon_scale)) != radius:
                    continue
                yield from self._cells.get((lat0 + dlat, lon0 + dlon), ())

    def nearest(
        self, point: Point, n: int, within_miles: float, *, exclude: K | None = None
    ) -> list[Neighbour[K]]:
        """Up to ``n`` points within ``within_miles`` of ``point``, nearest first."""
        if n <= 0 or not self._count:
            return []
        lon_scale = max(1, math.ceil(1 / max(math.cos(math.radians(point.lat)), 0.05)))
        max_radius = math.ceil(within_miles / (_CELL_DEGREES * _MILES_PER_DEGREE_LAT)) + 1
        centre = _cell(point)
        found: list[Neighbour[K]] = []
        for radius in range(max_radius + 1):
            for key, other in self._ring(centre, radius, lon_scale):
                if key == exclude:
                    continue
                miles = distance_miles(point, other)
                if miles <= within_miles:
                    found.append(Neighbour(key, other, miles))
            # Everything in cells beyond this ring is at least `radius` cells away.
            reach = radius * _CELL_DEGREES * _MILES_PER_DEGREE_LAT
            if len(found) >= n and sorted(f.miles for f in found)[n - 1] <= reach:
                break
        found.sort(key=lambda f: (f.miles, str(f.key)))
        return found[:n]


def nearest_clinics(
    point: Point, n: int, within_miles: float, clinics: Iterable[tuple[K, Point]] | PointIndex[K]
) -> list[Neighbour[K]]:
    """The ``n`` clinics nearest ``point`` within ``within_miles``, from ``(key, point)`` pairs
    or a prebuilt :class:`PointIndex` (build it once when asking many times)."""
    index = clinics if isinstance(clinics, PointIndex) else PointIndex(clinics)
    return index.nearest(point, n, within_miles)

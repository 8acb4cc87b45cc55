"""Geodesic distances in miles, and nearest neighbours through a grid index (never all pairs)."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from geopy.distance import geodesic

from kdirectory.geocoding.types import Point

K = TypeVar("K", bound=Hashable)

# One grid cell is 0.25° of latitude (about 17 miles); longitude cells shrink with latitude,
# so the search widens them by 1/cos(lat).
_CELL_DEGREES = 0.25
_MILES_PER_DEGREE_LAT = 69.0
# Candidates are ranked by great-circle (haversine) distance, which is cheap, and only the
# few that can be among the nearest get the exact geodesic. On the mean-radius sphere the two
# differ by well under 0.6% anywhere on Earth.
_EARTH_RADIUS_MILES = 3958.7613
_SPHERE_ERROR = 0.006


def _haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


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
        if (2 * radius + 1) * (2 * span + 1) > len(self._cells):
            # A wide ring has more cells than the index holds: walk the occupied ones instead.
            for (lat, lon), items in self._cells.items():
                if _ring_of(lat - lat0, lon - lon0, lon_scale) == radius:
                    yield from items
            return
        for dlat in range(-radius, radius + 1):
            for dlon in range(-span, span + 1):
                if _ring_of(dlat, dlon, lon_scale) == radius:
                    yield from self._cells.get((lat0 + dlat, lon0 + dlon), ())

    def nearest(
        self, point: Point, n: int, within_miles: float, *, exclude: K | None = None
    ) -> list[Neighbour[K]]:
        """Up to ``n`` points within ``within_miles`` of ``point``, nearest first.

        Distances are geodesic; candidates are gathered ring by ring around the point's cell,
        ranked by the cheap great-circle distance, and only those that can still be among
        the ``n`` nearest are measured exactly.
        """
        if n <= 0 or not self._count:
            return []
        lon_scale = max(1, math.ceil(1 / max(math.cos(math.radians(point.lat)), 0.05)))
        max_radius = math.ceil(within_miles / (_CELL_DEGREES * _MILES_PER_DEGREE_LAT)) + 1
        centre = _cell(point)
        loose = within_miles * (1 + _SPHERE_ERROR)
        # (great-circle miles, order seen, key, point); the order keeps keys out of comparisons
        candidates: list[tuple[float, int, K, Point]] = []
        for radius in range(max_radius + 1):
            for key, other in self._ring(centre, radius, lon_scale):
                if key == exclude:
                    continue
                rough = _haversine_miles(point.lat, point.lon, other.lat, other.lon)
                if rough <= loose:
                    candidates.append((rough, len(candidates), key, other))
            # Everything in cells beyond this ring is at least `radius` cells away.
            reach = radius * _CELL_DEGREES * _MILES_PER_DEGREE_LAT * (1 - _SPHERE_ERROR)
            if len(candidates) >= n and heapq.nsmallest(n, candidates)[-1][0] <= reach:
                break
        # Ties are broken by str(key), the same order the answer uses.
        candidates.sort(key=lambda c: (c[0], str(c[2])))
        found: list[Neighbour[K]] = []
        nth: list[float] = []  # the n smallest exact distances so far, as a max-heap
        for rough, _, key, other in candidates:
            if len(nth) == n and rough * (1 - _SPHERE_ERROR) >= -nth[0] * (1 + _SPHERE_ERROR):
                break  # this and every later candidate is no nearer than the n-th found
            miles = 0.0 if other == point else distance_miles(point, other)
            if miles > within_miles:
                continue
            found.append(Neighbour(key, other, miles))
            if len(nth) < n:
                heapq.heappush(nth, -miles)
            elif miles < -nth[0]:
                heapq.heapreplace(nth, -miles)
        found.sort(key=lambda f: (f.miles, str(f.key)))
        return found[:n]


def _ring_of(dlat: int, dlon: int, lon_scale: int) -> int:
    """Which ring around a cell the cell at offset (dlat, dlon) belongs to."""
    return max(abs(dlat), math.ceil(abs(dlon) / lon_scale))


def nearest_clinics(
    point: Point, n: int, within_miles: float, clinics: Iterable[tuple[K, Point]] | PointIndex[K]
) -> list[Neighbour[K]]:
    """The ``n`` clinics nearest ``point`` within ``within_miles``, from ``(key, point)`` pairs
    or a prebuilt :class:`PointIndex` (build it once when asking many times)."""
    index = clinics if isinstance(clinics, PointIndex) else PointIndex(clinics)
    return index.nearest(point, n, within_miles)

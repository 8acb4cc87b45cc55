"""Geodesic distances in miles, and nearest neighbours through a grid index (never all pairs)."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from geographiclib.geodesic import Geodesic  # type: ignore[import-untyped]
from geopy.distance import ELLIPSOIDS, geodesic

from kdirectory.geocoding.types import Point

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

# One grid cell is 0.25° of latitude (about 17 miles); longitude cells shrink with latitude,
# so the search widens them by 1/cos(lat).
_CELL_DEGREES = 0.25
_MILES_PER_DEGREE_LAT = 69.0
# Candidates are gathered by great-circle (haversine) distance, which is cheap: on the
# mean-radius sphere it differs from the geodesic by well under 0.6% anywhere on Earth.
_EARTH_RADIUS_MILES = 3958.7613
_SPHERE_ERROR = 0.006
# They are then ranked by Lambert's formula for the ellipsoid, within 1.5e-6 of the geodesic
# up to 6,000 miles (the tests hold it to the bound below over random points worldwide), so
# only near-ties and distances near a limit need the exact geodesic, which costs some fifty
# times more. The absolute slack covers rounding at distances near zero; farther than
# ``_LAMBERT_REACH_MILES`` nothing is assumed and every distance that matters is measured.
_LAMBERT_ERROR = 1e-5
_LAMBERT_SLACK_MILES = 1e-9
_LAMBERT_REACH_MILES = 6000.0

# geopy's WGS84 ellipsoid, in kilometres, as its ``geodesic`` uses it.
_ELLIPSOID: tuple[float, float, float] = ELLIPSOIDS["WGS-84"]  # semi-axes (km), flattening
_SEMI_MAJOR_KM, _, _FLATTENING = _ELLIPSOID
_WGS84 = Geodesic(_SEMI_MAJOR_KM, _FLATTENING)
_KM_PER_MILE = 1.609344
_SEMI_MAJOR_MILES = _SEMI_MAJOR_KM / _KM_PER_MILE


def _haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def lambert_miles(a: Point, b: Point) -> float:
    """Lambert's approximation of the geodesic distance between two points, in miles: the
    great-circle angle between their reduced latitudes, corrected for the flattening."""
    b1 = math.atan((1 - _FLATTENING) * math.tan(math.radians(a.lat)))
    b2 = math.atan((1 - _FLATTENING) * math.tan(math.radians(b.lat)))
    half_sum, half_diff = (b1 + b2) / 2, (b2 - b1) / 2
    h = (
        math.sin(half_diff) ** 2
        + math.cos(b1) * math.cos(b2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    if h <= 0.0:
        return 0.0
    if h >= 1.0:  # antipodal: no correction term is defined
        return _SEMI_MAJOR_MILES * math.pi
    angle = 2 * math.asin(math.sqrt(h))
    x = (angle - math.sin(angle)) * (math.sin(half_sum) * math.cos(half_diff)) ** 2 / (1 - h)
    y = (angle + math.sin(angle)) * (math.cos(half_sum) * math.sin(half_diff)) ** 2 / h
    return _SEMI_MAJOR_MILES * (angle - _FLATTENING / 2 * (x + y))


def _lower(rough: float) -> float:
    """The least the geodesic can be where Lambert's formula gives ``rough``."""
    if rough > _LAMBERT_REACH_MILES:
        return _LAMBERT_REACH_MILES * (1 - _LAMBERT_ERROR)
    return rough * (1 - _LAMBERT_ERROR) - _LAMBERT_SLACK_MILES


def _upper(rough: float) -> float:
    """The most the geodesic can be where Lambert's formula gives ``rough``."""
    if rough > _LAMBERT_REACH_MILES:
        return math.inf
    return rough * (1 + _LAMBERT_ERROR) + _LAMBERT_SLACK_MILES


def distance_miles(a: Point, b: Point) -> float:
    """Geodesic (WGS84 ellipsoid) distance between two points, in miles.

    The same number, to the bit, as ``geopy.distance.geodesic(a, b).miles``: the same
    geographiclib solution on geopy's ellipsoid, without geopy's parsing of the points.
    """
    lat1, lon1, lat2, lon2 = (float(v or 0.0) for v in (a.lat, a.lon, b.lat, b.lon))
    if abs(lat1) > 90 or abs(lat2) > 90 or abs(lon1) > 180 or abs(lon2) > 180:
        return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).miles)  # geopy normalises these
    km = _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]
    return 0.0 + float(km) / _KM_PER_MILE  # 0.0 + : geopy's sum, which turns -0.0 into 0.0


@dataclass(frozen=True, slots=True)
class Neighbour(Generic[K]):
    key: K
    point: Point
    miles: float


class _Measurer:
    """Geodesic distances from one origin, each point measured once."""

    def __init__(self, origin: Point) -> None:
        self.origin = origin
        self._known: dict[Point, float] = {}

    def __call__(self, point: Point) -> float:
        miles = self._known.get(point)
        if miles is None:
            miles = 0.0 if point == self.origin else distance_miles(self.origin, point)
            self._known[point] = miles
        return miles


class Ranked(Generic[T]):
    """Something put in order by its distance from an origin: ``item`` at ``point``,
    ``rough`` miles away by Lambert's formula, ``tie`` ordering it among things at the same
    distance. Its geodesic distance is measured the first time it is asked for, unless
    putting it in order needed it already."""

    __slots__ = ("_measurer", "_miles", "item", "point", "rough", "tie")

    def __init__(self, item: T, point: Point, tie: Any, measurer: _Measurer) -> None:
        self.item = item
        self.point = point
        self.tie = tie
        self.rough = lambert_miles(measurer.origin, point)
        self._measurer = measurer
        self._miles: float | None = None

    @property
    def miles(self) -> float:
        """The geodesic distance from the origin, in miles."""
        if self._miles is None:
            self._miles = self._measurer(self.point)
        return self._miles


def _in_order(ranked: list[Ranked[T]], limit: int | None = None) -> list[Ranked[T]]:
    """``ranked`` by geodesic distance, then by ``tie``: Lambert's formula orders them, and
    only a run of things whose possible distances overlap is measured to be ordered.
    ``limit``: only the first so many are wanted."""
    ranked.sort(key=lambda r: (r.rough, r.tie))
    ordered: list[Ranked[T]] = []
    start, count = 0, len(ranked)
    while start < count and (limit is None or len(ordered) < limit):
        end = start + 1
        top = _upper(ranked[start].rough)
        while end < count and _lower(ranked[end].rough) <= top:
            top = _upper(ranked[end].rough)
            end += 1
        run = ranked[start:end]
        if len(run) > 1:
            run.sort(key=lambda r: (r.miles, r.tie))
        ordered += run
        start = end
    return ordered if limit is None else ordered[:limit]


def sorted_by_distance(
    origin: Point, items: Iterable[tuple[T, Point]], tie: Callable[[T], Any]
) -> list[Ranked[T]]:
    """``items`` (each with its point) by their geodesic distance from ``origin``, nearest
    first, those at the same distance by ``tie``."""
    measurer = _Measurer(origin)
    return _in_order([Ranked(item, point, tie(item), measurer) for item, point in items])


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

    def _candidates(
        self, point: Point, n: int | None, within_miles: float, exclude: Collection[K]
    ) -> list[tuple[K, Point]]:
        """The points that can be within ``within_miles`` of ``point`` and, when ``n`` is
        given, among the ``n`` nearest, gathered ring by ring around the point's cell."""
        lon_scale = max(1, math.ceil(1 / max(math.cos(math.radians(point.lat)), 0.05)))
        max_radius = math.ceil(within_miles / (_CELL_DEGREES * _MILES_PER_DEGREE_LAT)) + 1
        centre = _cell(point)
        loose = within_miles * (1 + _SPHERE_ERROR)
        # (great-circle miles, order seen, key, point); the order keeps keys out of comparisons
        candidates: list[tuple[float, int, K, Point]] = []
        for radius in range(max_radius + 1):
            for key, other in self._ring(centre, radius, lon_scale):
                if key in exclude:
                    continue
                rough = _haversine_miles(point.lat, point.lon, other.lat, other.lon)
                if rough <= loose:
                    candidates.append((rough, len(candidates), key, other))
            if n is None:
                continue
            # Everything in cells beyond this ring is at least `radius` cells away.
            reach = radius * _CELL_DEGREES * _MILES_PER_DEGREE_LAT * (1 - _SPHERE_ERROR)
            if len(candidates) >= n and heapq.nsmallest(n, candidates)[-1][0] <= reach:
                break
        return [(key, other) for *_, key, other in candidates]

    def ranked(
        self,
        point: Point,
        within_miles: float,
        *,
        n: int | None = None,
        exclude: Collection[K] = (),
    ) -> list[Ranked[K]]:
        """The points within ``within_miles`` of ``point`` (the ``n`` nearest of them when
        ``n`` is given) but those of ``exclude``, nearest first, those at the same distance
        by ``str(key)``; each measures its geodesic distance when asked (``.miles``).

        Only distances that decide something are measured on the way: a near-tie, or a
        point so near the limit that Lambert's formula cannot say which side it is on.
        """
        if n is not None and n <= 0:
            return []
        measurer = _Measurer(point)
        inside = []
        for key, other in self._candidates(point, n, within_miles, exclude):
            found = Ranked(key, other, str(key), measurer)
            if _upper(found.rough) <= within_miles or (
                _lower(found.rough) <= within_miles and found.miles <= within_miles
            ):
                inside.append(found)
        return _in_order(inside, n)

    def nearest(
        self, point: Point, n: int, within_miles: float, *, exclude: K | None = None
    ) -> list[Neighbour[K]]:
        """Up to ``n`` points within ``within_miles`` of ``point``, nearest first (those at
        the same distance by ``str(key)``), with their geodesic distances."""
        found = self.ranked(point, within_miles, n=n, exclude=() if exclude is None else (exclude,))
        return [Neighbour(r.item, r.point, r.miles) for r in found]


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

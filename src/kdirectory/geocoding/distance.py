"""Geodesic distances in miles, and points in order of their distance from another, nearest
first, through a latitude-sorted index (never all pairs).

The geodesic (geographiclib's solution on the WGS84 ellipsoid) is exact and slow. Points are
put in order by Lambert's formula for the ellipsoid, computed for many points at once with
numpy, which is within 1.5e-6 of the geodesic up to 6,000 miles (the tests hold it to the
bound below over random points worldwide). The geodesic is measured only where that bound
cannot decide: two points whose possible distances overlap (a near-tie), a point near a
distance limit, and any distance that is asked for (shown on a page).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS, geodesic

from kdirectory.geocoding.types import Point

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

_LAMBERT_ERROR = 1e-5
"""How far, relatively, the geodesic can be from Lambert's distance."""
_LAMBERT_SLACK_MILES = 1e-9
"""And absolutely: rounding at distances near zero."""
_LAMBERT_REACH_MILES = 6000.0
"""Beyond this Lambert's distance says nothing: every distance that matters is measured."""

# geopy's WGS84 ellipsoid, in kilometres, as its ``geodesic`` uses it.
_ELLIPSOID: tuple[float, float, float] = ELLIPSOIDS["WGS-84"]  # semi-axes (km), flattening
_SEMI_MAJOR_KM, _, _FLATTENING = _ELLIPSOID
_WGS84 = Geodesic(_SEMI_MAJOR_KM, _FLATTENING)
_KM_PER_MILE = 1.609344
_SEMI_MAJOR_MILES = _SEMI_MAJOR_KM / _KM_PER_MILE
# No geodesic is shorter than the meridian arc between its two latitudes, and a radian of
# meridian is nowhere shorter than at the equator: a(1 - e²) = 3,936.7 miles (rounded down).
_LEAST_MILES_PER_RADIAN_LAT = 3936.0


def distance_miles(a: Point, b: Point) -> float:
    """Geodesic (WGS84 ellipsoid) distance between two points, in miles.

    The same number, to the bit, as ``geopy.distance.geodesic(a, b).miles``: the same
    geographiclib solution on geopy's ellipsoid, without geopy's parsing of the points.
    It is also the same either way round: geographiclib puts the two points in one order
    before solving.
    """
    lat1, lon1, lat2, lon2 = (float(v or 0.0) for v in (a.lat, a.lon, b.lat, b.lon))
    if abs(lat1) > 90 or abs(lat2) > 90 or abs(lon1) > 180 or abs(lon2) > 180:
        return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).miles)  # geopy normalises these
    km = _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]
    return 0.0 + float(km) / _KM_PER_MILE  # 0.0 + : geopy's sum, which turns -0.0 into 0.0


def _reduced_latitude(lat: Any) -> Any:
    return np.arctan((1 - _FLATTENING) * np.tan(np.radians(lat)))


def _lambert(origin: Point, beta: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Lambert's distances in miles from ``origin`` to the points at reduced latitudes
    ``beta`` (radians) and longitudes ``lon`` (degrees): the great-circle angle between the
    reduced latitudes, corrected for the flattening."""
    beta0 = float(_reduced_latitude(origin.lat))
    half_sum, half_diff = (beta + beta0) / 2, (beta - beta0) / 2
    h = np.sin(half_diff) ** 2 + math.cos(beta0) * np.cos(beta) * (
        np.sin(np.radians(lon - origin.lon) / 2) ** 2
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        angle = 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        sin_angle = np.sin(angle)
        x = (angle - sin_angle) * (np.sin(half_sum) * np.cos(half_diff)) ** 2 / (1 - h)
        y = (angle + sin_angle) * (np.cos(half_sum) * np.sin(half_diff)) ** 2 / h
        miles = _SEMI_MAJOR_MILES * (angle - _FLATTENING / 2 * (x + y))
    # The same point (or its reduced latitude and longitude): no distance. Antipodes: no
    # correction is defined, and the reach says nothing there anyway.
    miles = np.where(h <= 0.0, 0.0, miles)
    return np.where(h >= 1.0, _SEMI_MAJOR_MILES * math.pi, miles)


def lambert_miles(a: Point, b: Point) -> float:
    """Lambert's approximation of the geodesic distance between two points, in miles."""
    return float(_lambert(a, _reduced_latitude(np.array([b.lat])), np.array([b.lon]))[0])


def _lower(rough: np.ndarray) -> np.ndarray:
    """The least the geodesic can be where Lambert's formula gives ``rough``."""
    return np.where(
        rough > _LAMBERT_REACH_MILES,
        _LAMBERT_REACH_MILES * (1 - _LAMBERT_ERROR),
        rough * (1 - _LAMBERT_ERROR) - _LAMBERT_SLACK_MILES,
    )


def _upper(rough: np.ndarray) -> np.ndarray:
    """The most the geodesic can be where Lambert's formula gives ``rough``."""
    return np.where(
        rough > _LAMBERT_REACH_MILES,
        math.inf,
        rough * (1 + _LAMBERT_ERROR) + _LAMBERT_SLACK_MILES,
    )


Pair = tuple[float, float, float, float]
"""Two points, ``(lat, lon, lat, lon)``, the lesser first."""


class Distances:
    """Geodesic distances already measured, by pair of points either way round, so that a
    build measures each pair once. ``earlier``: distances measured before (by an earlier
    build: each is the same number, to the bit, as measuring it again), taken when asked
    for instead of measured."""

    def __init__(self, earlier: dict[Pair, float] | None = None) -> None:
        self._known: dict[Pair, float] = {}
        self._earlier = earlier or {}

    def miles(self, a: Point, b: Point) -> float:
        """:func:`distance_miles` from ``a`` to ``b``, measured once."""
        first, second = (a.lat, a.lon), (b.lat, b.lon)
        pair = (*first, *second) if first <= second else (*second, *first)
        miles = self._known.get(pair)
        if miles is None:
            miles = self._earlier.get(pair)
            if miles is None:
                miles = 0.0 if a == b else distance_miles(a, b)
            self._known[pair] = miles
        return miles

    def asked(self) -> dict[Pair, float]:
        """Every distance asked for so far (those of ``earlier`` asked for included)."""
        return dict(self._known)

    def known(self) -> dict[Pair, float]:
        """Every distance asked for so far, and those of ``earlier``."""
        return {**self._earlier, **self._known}


@dataclass(frozen=True, slots=True)
class Neighbour(Generic[K]):
    key: K
    point: Point
    miles: float


class Ranked(Generic[T]):
    """Something put in order by its distance from ``origin``: ``item`` at ``point``. Its
    geodesic distance is measured the first time it is asked for, unless putting it in
    order needed it already."""

    __slots__ = ("_distances", "_miles", "item", "origin", "point")

    def __init__(self, item: T, point: Point, origin: Point, distances: Distances) -> None:
        self.item = item
        self.point = point
        self.origin = origin
        self._distances = distances
        self._miles: float | None = None

    @property
    def miles(self) -> float:
        """The geodesic distance from the origin, in miles."""
        if self._miles is None:
            self._miles = self._distances.miles(self.origin, self.point)
        return self._miles


def _in_order(
    origin: Point,
    items: Sequence[T],
    points: Sequence[Point],
    where: np.ndarray,
    rough: np.ndarray,
    tie: Callable[[T], Any],
    distances: Distances,
    limit: int | None = None,
) -> list[Ranked[T]]:
    """The ``items`` at positions ``where`` (``rough`` miles from ``origin`` by Lambert's
    formula) by their geodesic distance, then by ``tie``: Lambert's formula orders them, and
    only a run of things whose possible distances overlap is measured to be put in order.
    ``limit``: only the first so many are wanted."""
    order = np.argsort(rough, kind="stable")
    ordered = rough[order]
    # A run ends where the next thing is surely farther than everything in it.
    ends = (np.flatnonzero(_lower(ordered[1:]) > _upper(ordered[:-1])) + 1).tolist()
    ends.append(len(order))
    wanted = len(order) if limit is None else min(limit, len(order))
    chosen = where[order].tolist()
    found: list[Ranked[T]] = []
    start = 0
    for end in ends[: bisect.bisect_left(ends, wanted) + 1]:
        run = [Ranked(items[i], points[i], origin, distances) for i in chosen[start:end]]
        if len(run) > 1:
            run.sort(key=lambda r: (r.miles, tie(r.item)))
        found += run
        start = end
    return found[:wanted]


def sorted_by_distance(
    origin: Point,
    items: Iterable[tuple[T, Point]],
    tie: Callable[[T], Any],
    distances: Distances | None = None,
) -> list[Ranked[T]]:
    """``items`` (each with its point) by their geodesic distance from ``origin``, nearest
    first, those at the same distance by ``tie``. ``distances``: those already measured."""
    pairs = list(items)
    if not pairs:
        return []
    points = [point for _, point in pairs]
    beta = _reduced_latitude(np.array([p.lat for p in points]))
    rough = _lambert(origin, beta, np.array([p.lon for p in points]))
    things = [item for item, _ in pairs]
    where = np.arange(len(pairs))
    return _in_order(origin, things, points, where, rough, tie, distances or Distances())


class _Columns(Generic[K]):
    """Points by latitude: keys, points, positions of each key, latitudes, reduced latitudes
    (radians) and longitudes."""

    def __init__(self, items: list[tuple[K, Point]]) -> None:
        self.keys = [key for key, _ in items]
        self.points = [point for _, point in items]
        self.positions: dict[K, list[int]] = {}
        for at, key in enumerate(self.keys):
            self.positions.setdefault(key, []).append(at)
        self.lat = np.array([p.lat for p in self.points], dtype=float)
        self.beta = _reduced_latitude(self.lat)
        self.lon = np.array([p.lon for p in self.points], dtype=float)


class PointIndex(Generic[K]):
    """Points sorted by latitude. A query takes Lambert's distance, with numpy, to the points
    of the band of latitudes it can reach (about ±0.37° for 25 miles), never to all points
    unless its limit is that wide, and measures only what :meth:`ranked` says."""

    def __init__(
        self, items: Iterable[tuple[K, Point]] = (), distances: Distances | None = None
    ) -> None:
        self._items: list[tuple[K, Point]] = list(items)
        self._sorted: _Columns[K] | None = None
        self.distances = distances or Distances()
        """Every distance the index measured (for :func:`sorted_by_distance` too)."""

    def __len__(self) -> int:
        return len(self._items)

    def add(self, key: K, point: Point) -> None:
        self._items.append((key, point))
        self._sorted = None

    def _columns(self) -> _Columns[K]:
        if self._sorted is None:
            self._sorted = _Columns(sorted(self._items, key=lambda item: item[1].lat))
        return self._sorted

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
        if (n is not None and n <= 0) or not self._items:
            return []
        columns = self._columns()
        reach = math.degrees(within_miles / _LEAST_MILES_PER_RADIAN_LAT)
        first = int(np.searchsorted(columns.lat, point.lat - reach, side="left"))
        last = int(np.searchsorted(columns.lat, point.lat + reach, side="right"))
        rough = _lambert(point, columns.beta[first:last], columns.lon[first:last])
        keep = _lower(rough) <= within_miles
        for key in exclude:
            for at in columns.positions.get(key, ()):
                if first <= at < last:
                    keep[at - first] = False
        near = np.flatnonzero(keep)
        for i in near[_upper(rough[near]) > within_miles].tolist():
            # Lambert's formula cannot tell which side of the limit this one is.
            keep[i] = self.distances.miles(point, columns.points[first + i]) <= within_miles
        near = np.flatnonzero(keep)
        return _in_order(
            point,
            columns.keys,
            columns.points,
            near + first,
            rough[near],
            str,
            self.distances,
            n,
        )

    def nearest(
        self, point: Point, n: int, within_miles: float, *, exclude: K | None = None
    ) -> list[Neighbour[K]]:
        """Up to ``n`` points within ``within_miles`` of ``point``, nearest first (those at
        the same distance by ``str(key)``), with their geodesic distances."""
        found = self.ranked(point, within_miles, n=n, exclude=() if exclude is None else (exclude,))
        return [Neighbour(r.item, r.point, r.miles) for r in found]


def nearest_clinics(
    point: Point, n: int, within_miles: float, clinics: Iterable[tuple[K, Point]] | PointIndex[K]
) -> list[Neighbour[K]]:
    """The ``n`` clinics nearest ``point`` within ``within_miles``, from ``(key, point)`` pairs
    or a prebuilt :class:`PointIndex` (build it once when asking many times)."""
    index = clinics if isinstance(clinics, PointIndex) else PointIndex(clinics)
    return index.nearest(point, n, within_miles)

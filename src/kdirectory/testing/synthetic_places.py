"""Where synthetic clinics are: the cities of the ``zipcodes`` package with their active
standard ZIP codes, reduced to what generation needs (centroid, time zone, area codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import zipcodes


@dataclass(frozen=True, slots=True)
class Zip:
    """An active standard ZIP code: its centroid, time zone and telephone area codes."""

    code: str
    lat: float
    lon: float
    timezone: str | None
    area_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class City:
    """A city of one state, with its standard ZIP codes and the mean of their centroids."""

    state: str
    name: str
    zips: tuple[Zip, ...]
    lat: float
    lon: float


@cache
def _standard_zips() -> tuple[tuple[str, str, Zip], ...]:
    """(state, city, ZIP) for every active standard ZIP with a centroid, in ZIP order."""
    rows: list[dict[str, Any]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
    found = []
    for row in rows:
        if row.get("zip_code_type") != "STANDARD" or not row.get("active"):
            continue
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
        codes = tuple(sorted(c for c in row.get("area_codes") or () if len(c) == 3))
        info = Zip(row["zip_code"], lat, lon, row.get("timezone") or None, codes)
        found.append((str(row["state"]), str(row["city"]), info))
    found.sort(key=lambda item: item[2].code)
    return tuple(found)


@cache
def cities_in(states: tuple[str, ...]) -> tuple[City, ...]:
    """Every city in ``states`` with its standard ZIPs, ordered by state and folded name."""
    wanted = frozenset(states)
    members: dict[tuple[str, str], list[Zip]] = {}
    names: dict[tuple[str, str], str] = {}
    for state, city, info in _standard_zips():
        if state not in wanted:
            continue
        key = (state, city.casefold())
        members.setdefault(key, []).append(info)
        names.setdefault(key, city)
    cities = []
    for key in sorted(members):
        zips = tuple(members[key])
        lat = sum(z.lat for z in zips) / len(zips)
        lon = sum(z.lon for z in zips) / len(zips)
        cities.append(City(key[0], names[key], zips, lat, lon))
    return tuple(cities)

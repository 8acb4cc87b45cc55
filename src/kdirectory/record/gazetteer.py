"""The embedded US gazetteer: ZIP codes and city centres from the ``zipcodes`` package.

``zipcodes`` ships USPS ZIP data (city, acceptable city names, state, centroid, time zone)
inside the wheel, so nothing here touches the network. The tables are built once per
process, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import zipcodes


@dataclass(frozen=True, slots=True)
class ZipInfo:
    """What USPS data says about one five-digit ZIP code."""

    zip5: str
    state: str
    city: str
    acceptable_cities: tuple[str, ...]
    lat: float
    lon: float
    timezone: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class CityInfo:
    """A city's centre: the mean of its ZIP centroids (standard ZIPs where it has any)."""

    name: str
    state: str
    lat: float
    lon: float
    zips: tuple[str, ...]


def _city_key(state: str, name: str) -> tuple[str, str]:
    folded = name.casefold().replace("saint ", "st ").replace("st. ", "st ")
    return state.upper(), " ".join(re.sub(r"[^\w\s]", " ", folded).split())


@cache
def _zip_table() -> dict[str, ZipInfo]:
    table: dict[str, ZipInfo] = {}
    rows: list[dict[str, Any]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
    for row in rows:
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (TypeError, ValueError):
            continue
        table[row["zip_code"]] = ZipInfo(
            zip5=row["zip_code"],
            state=row["state"],
            city=row["city"],
            acceptable_cities=tuple(row.get("acceptable_cities") or ()),
            lat=lat,
            lon=lon,
            timezone=row.get("timezone") or None,
            kind=row.get("zip_code_type") or "",
        )
    return table


@cache
def _city_table() -> dict[tuple[str, str], CityInfo]:
    members: dict[tuple[str, str], list[ZipInfo]] = {}
    names: dict[tuple[str, str], str] = {}
    for info in _zip_table().values():
        if info.kind == "MILITARY":
            continue
        key = _city_key(info.state, info.city)
        members.setdefault(key, []).append(info)
        names.setdefault(key, info.city)
    table: dict[tuple[str, str], CityInfo] = {}
    for key, infos in members.items():
        chosen = [info for info in infos if info.kind == "STANDARD"] or infos
        table[key] = CityInfo(
            name=names[key],
            state=key[0],
            lat=sum(info.lat for info in chosen) / len(chosen),
            lon=sum(info.lon for info in chosen) / len(chosen),
            zips=tuple(sorted(info.zip5 for info in chosen)),
        )
    return table


def zip_info(zip5: str) -> ZipInfo | None:
    """USPS data for a five-digit ZIP (``"92025"``), or ``None`` if the table lacks it."""
    return _zip_table().get(zip5[:5])


def all_zips() -> list[ZipInfo]:
    """Every standard (street-delivery) ZIP, sorted: the ones people type to find a clinic."""
    return sorted((i for i in _zip_table().values() if i.kind == "STANDARD"), key=lambda i: i.zip5)


def city_info(name: str, state: str) -> CityInfo | None:
    """The centre of ``name`` in ``state`` (USPS's primary city names), or ``None``."""
    return _city_table().get(_city_key(state, name))


def timezone_for_zip(zip5: str) -> str | None:
    """The IANA time zone of a ZIP code, when the table knows it."""
    info = zip_info(zip5)
    return info.timezone if info is not None else None


def warm() -> None:
    """Build the tables now (about a second, once per process) rather than on first lookup."""
    _city_table()

"""The embedded US gazetteer: ZIP codes and city centres from the ``zipcodes`` package.

``zipcodes`` ships USPS ZIP data (city, acceptable city names, state, centroid, time zone)
inside the wheel, so nothing here touches the network. Unpacking it takes a second or two
in every process, so the same rows ship with kdirectory as a compact table,
``zips.tsv.gz`` (made by :func:`write_table` from the ``zipcodes`` release its first line
names), which loads in a few hundredths of a second; a ZIP's row is read when it is first
looked up. When the installed ``zipcodes`` is another release, the rows come from it
instead, so answers are always the installed package's.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

TABLE_NAME = "zips.tsv.gz"
"""The compact table, beside this module."""
_HEADER = "# kdirectory gazetteer from zipcodes "
_FIELDS = 8


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


def _zipcodes_infos() -> list[ZipInfo]:
    """Every ZIP of the installed ``zipcodes`` that has a centroid."""
    import zipcodes  # noqa: PLC0415 - unpacking its data takes a second or two

    infos: list[ZipInfo] = []
    rows: list[dict[str, Any]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
    for row in rows:
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (TypeError, ValueError):
            continue
        infos.append(
            ZipInfo(
                zip5=row["zip_code"],
                state=row["state"],
                city=row["city"],
                acceptable_cities=tuple(row.get("acceptable_cities") or ()),
                lat=lat,
                lon=lon,
                timezone=row.get("timezone") or None,
                kind=row.get("zip_code_type") or "",
            )
        )
    return infos


def _zipcodes_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("zipcodes")
    except PackageNotFoundError:  # pragma: no cover - zipcodes is a dependency
        return "unknown"


def table_text(infos: list[ZipInfo], zipcodes_version: str) -> str:
    """The compact table of ``infos``: a first line naming the ``zipcodes`` release, then
    one tab-separated line a ZIP (acceptable city names joined by ``|``)."""
    lines = [f"{_HEADER}{zipcodes_version}"]
    for info in infos:
        fields = [
            info.zip5,
            info.state,
            info.city,
            "|".join(info.acceptable_cities),
            repr(info.lat),
            repr(info.lon),
            info.timezone or "",
            info.kind,
        ]
        if any(char in field for field in fields for char in "\t\n") or any(
            "|" in name for name in info.acceptable_cities
        ):
            raise ValueError(f"ZIP {info.zip5}: a value holds a tab, a line break or |")
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def write_table(path: Path | None = None) -> Path:
    """Write the compact table from the installed ``zipcodes`` (by default over the one
    kdirectory ships: run this after upgrading ``zipcodes``)."""
    target = path or Path(__file__).with_name(TABLE_NAME)
    text = table_text(_zipcodes_infos(), _zipcodes_version())
    target.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return target


@cache
def _shipped_lines() -> dict[str, str] | None:
    """ZIP -> its line of the shipped table; ``None`` when the table is missing, unreadable
    or made from another ``zipcodes`` release than the one installed."""
    try:
        raw = (resources.files(__package__) / TABLE_NAME).read_bytes()
        text = gzip.decompress(raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError):  # pragma: no cover - a broken install
        return None
    header, _, body = text.partition("\n")
    if header != _HEADER + _zipcodes_version():
        return None
    return {line[:5]: line for line in body.splitlines()}


def _info_of_line(line: str) -> ZipInfo | None:
    parts = line.split("\t")
    if len(parts) != _FIELDS:  # pragma: no cover - a damaged table
        return None
    zip5, state, city, acceptable, lat, lon, timezone, kind = parts
    return ZipInfo(
        zip5=zip5,
        state=state,
        city=city,
        acceptable_cities=tuple(acceptable.split("|")) if acceptable else (),
        lat=float(lat),
        lon=float(lon),
        timezone=timezone or None,
        kind=kind,
    )


@cache
def _zip_table() -> dict[str, ZipInfo]:
    """Every ZIP, read in full (for the city table and the list of ZIPs)."""
    lines = _shipped_lines()
    if lines is None:
        return {info.zip5: info for info in _zipcodes_infos()}
    table: dict[str, ZipInfo] = {}
    for zip5, line in lines.items():
        info = _info_of_line(line)
        if info is not None:
            table[zip5] = info
    return table


_looked_up: dict[str, ZipInfo | None] = {}


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
    key = zip5[:5]
    try:
        return _looked_up[key]
    except KeyError:
        pass
    lines = _shipped_lines()
    if lines is None:
        info = _zip_table().get(key)
    else:
        line = lines.get(key)
        info = _info_of_line(line) if line is not None else None
    _looked_up[key] = info
    return info


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
    """Build the tables now rather than on first lookup."""
    _city_table()

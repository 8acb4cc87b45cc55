"""Rules of a brand site (``[site] kind = "brand"``): every location is the brand's, every
city a location serves is near one that serves it, and the text colour of the brand's
buttons is said.

Where a location is: its ``geo`` when the record gives one, else the centre of its ZIP
code, else of its city, from the embedded gazetteer (geocoding is a later stage; its
results are not read here).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdirectory.record import colors, vocabulary
from kdirectory.record.config import CONFIG_NAME, key_line
from kdirectory.record.gazetteer import city_info, zip_info
from kdirectory.report import Problem

if TYPE_CHECKING:
    from kdirectory.record.config import BrandSettings
    from kdirectory.record.directory import Directory, Entry
    from kdirectory.record.model import Clinic
    from kdirectory.record.source import SourceRecord

MAX_SERVICE_MILES = 60.0
"""How far a city a brand site lists may be from the nearest location that serves it."""

Point = tuple[float, float]


def check_brand(directory: Directory) -> list[Problem]:
    """Every problem of a brand site's records and settings; nothing when the directory's
    settings name no brand."""
    brand = directory.config.brand
    if brand is None:
        return []
    return [
        *_brand_names(directory, brand),
        *_service_area_distances(directory),
        *_button_text(directory, brand),
    ]


def _brand_names(directory: Directory, brand: BrandSettings) -> list[Problem]:
    problems = []
    where = f"[brand] name in {CONFIG_NAME}"
    fix = f"write brand: {brand.name}, or move this clinic out of the brand site's records"
    for entry in directory.entries:
        written = entry.clinic.brand
        if written == brand.name:
            continue
        source = entry.where(directory.root)
        if written is None:
            problem = source.problem(
                ("brand",),
                f'is missing: on a brand site every location gives the brand, "{brand.name}" '
                f"({where})",
                f"add brand: {brand.name}",
                rule="brand.mismatch",
            )
        else:
            alike = " ".join(written.casefold().split()) == " ".join(brand.name.casefold().split())
            problem = source.problem(
                ("brand",),
                f'"{written}" is not the site\'s brand "{brand.name}" ({where})'
                + ("; they differ in capitals or spaces only" if alike else ""),
                fix,
                rule="brand.mismatch",
            )
        problems.append(problem)
    return problems


def location_of(clinic: Clinic) -> Point | None:
    """Where ``clinic`` is for distances: its ``geo``, else its ZIP code's centre, else its
    city's; ``None`` when none is known."""
    if clinic.geo is not None:
        return clinic.geo.lat, clinic.geo.lon
    zip5 = clinic.address.zip5
    info = zip_info(zip5) if zip5 else None
    if info is not None and info.state == clinic.address.region:
        return info.lat, info.lon
    city = city_info(clinic.address.city, clinic.address.region)
    return (city.lat, city.lon) if city is not None else None


def service_area_city(entry: str, default_region: str) -> tuple[str, str]:
    """A ``service_area`` entry, ``"Buena Park"`` or ``"Buena Park, CA"``, as (city, state
    code); the clinic's own state when the entry names none (or none known)."""
    name, _, region = entry.partition(",")
    code = vocabulary.state_code(region.strip()) if region.strip() else None
    return name.strip(), code or default_region


@dataclass(frozen=True)
class _Listing:
    """One location's listing of a city in its service area."""

    entry: Entry
    index: int
    written: str
    position: Point | None


def _service_area_distances(directory: Directory) -> list[Problem]:
    listings: dict[tuple[str, str], list[_Listing]] = defaultdict(list)
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in directory.entries:
        clinic = entry.clinic
        position = location_of(clinic)
        own = (clinic.address.region, clinic.address.city.casefold())
        for index, written in enumerate(clinic.service_area):
            name, region = service_area_city(written, clinic.address.region)
            key = (region, " ".join(name.casefold().split()))
            if key == own:
                continue  # the clinic's own city: service_area.own_city says so
            listings[key].append(_Listing(entry, index, written, position))
            names.setdefault(key, (name, region))
    problems: list[Problem] = []
    for key, group in listings.items():
        name, region = names[key]
        city = city_info(name, region)
        placed = [listing for listing in group if listing.position is not None]
        if city is None or not placed:
            why = (
                f'the gazetteer knows no city "{name}" in {region}'
                if city is None
                else "no location that serves it can be placed (no geo, and no known ZIP "
                "code or city)"
            )
            problems += [
                _problem(
                    directory,
                    listing,
                    f'"{listing.written}" cannot be checked against the {MAX_SERVICE_MILES:.0f}-'
                    f"mile limit: {why}",
                    "write the city as USPS names it, as City or City, ST (e.g. Buena Park, "
                    "CA); give the location's geo or ZIP code if it has none",
                    "brand.service_area_unplaced",
                )
                for listing in group
            ]
            continue
        from geopy.distance import geodesic  # noqa: PLC0415 - geopy is slow to import

        miles = {
            id(listing): geodesic(listing.position, (city.lat, city.lon)).miles
            for listing in placed
            if listing.position is not None
        }
        nearest = min(placed, key=lambda listing: miles[id(listing)])
        if miles[id(nearest)] <= MAX_SERVICE_MILES:
            continue
        for listing in group:
            away = miles.get(id(listing))
            closest = f"{miles[id(nearest)]:,.1f} miles from the nearest location serving it"
            if away is None:
                distance = f"{closest} ({nearest.entry.file})"
            elif nearest is listing:
                distance = f"{away:,.1f} miles from this location, the nearest serving it"
            else:
                distance = (
                    f"{away:,.1f} miles from this location and {closest} ({nearest.entry.file})"
                )
            problems.append(
                _problem(
                    directory,
                    listing,
                    f'"{listing.written}" is {distance}; a brand site lists only '
                    f"cities within {MAX_SERVICE_MILES:.0f} miles of a location that serves "
                    "them",
                    "remove the city from service_area, or list it on a location within "
                    f"{MAX_SERVICE_MILES:.0f} miles of it",
                    "brand.service_area_far",
                )
            )
    return problems


def _problem(directory: Directory, listing: _Listing, message: str, fix: str, rule: str) -> Problem:
    source: SourceRecord = listing.entry.where(directory.root)
    return source.problem(("service_area", listing.index), message, fix, rule=rule)


def _button_text(directory: Directory, brand: BrandSettings) -> list[Problem]:
    primary = brand.colors.primary
    if primary is None or brand.colors.on_primary != colors.DARK_TEXT:
        return []
    white = colors.format_ratio(colors.contrast_ratio(primary, colors.WHITE))
    dark = colors.format_ratio(colors.contrast_ratio(primary, colors.DARK_TEXT))
    shade = colors.shade_that_passes(primary, colors.WHITE, "darker")
    loc = ("brand", "colors", "primary")
    path = directory.root / CONFIG_NAME
    try:
        line = key_line(path.read_text(encoding="utf-8"), loc)
    except (OSError, UnicodeDecodeError):
        line = None
    return [
        Problem(
            "brand.dark_button_text",
            CONFIG_NAME,
            line,
            ".".join(loc),
            f'white text on "{primary}" reaches only {white}, so buttons are written in the '
            f"theme's dark text {colors.DARK_TEXT} ({dark})",
            "nothing to do if dark text suits the brand; for white text, use a darker "
            f'primary such as "{shade}"',
        )
    ]

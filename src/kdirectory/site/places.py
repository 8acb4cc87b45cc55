"""Where clinics and cities are: coordinates (manual > committed geocodes > offline
gazetteer), time zones, and the cities that get pages."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kdirectory.geocoding.batch import query_for
from kdirectory.geocoding.offline import OfflineGeocoder
from kdirectory.geocoding.store import GeocodeStore, load_geocodes
from kdirectory.geocoding.types import GeocodeQuery, Point
from kdirectory.record import vocabulary
from kdirectory.record.gazetteer import timezone_for_zip
from kdirectory.record.model import Clinic
from kdirectory.record.slugs import slugify
from kdirectory.site import urls

PRECISE = frozenset({"manual", "rooftop", "street"})

# Where a clinic gives neither a time zone nor a ZIP, its state's main zone is used.
STATE_TIMEZONES = {
    "AK": "America/Anchorage", "AL": "America/Chicago", "AR": "America/Chicago",
    "AS": "Pacific/Pago_Pago", "AZ": "America/Phoenix", "CA": "America/Los_Angeles",
    "CO": "America/Denver", "CT": "America/New_York", "DC": "America/New_York",
    "DE": "America/New_York", "FL": "America/New_York", "GA": "America/New_York",
    "GU": "Pacific/Guam", "HI": "Pacific/Honolulu", "IA": "America/Chicago",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago",
    "MA": "America/New_York", "MD": "America/New_York", "ME": "America/New_York",
    "MI": "America/Detroit", "MN": "America/Chicago", "MO": "America/Chicago",
    "MP": "Pacific/Saipan", "MS": "America/Chicago", "MT": "America/Denver",
    "NC": "America/New_York", "ND": "America/Chicago", "NE": "America/Chicago",
    "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
    "NV": "America/Los_Angeles", "NY": "America/New_York", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "PR": "America/Puerto_Rico", "RI": "America/New_York", "SC": "America/New_York",
    "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
    "UT": "America/Denver", "VA": "America/New_York", "VI": "America/St_Thomas",
    "VT": "America/New_York", "WA": "America/Los_Angeles", "WI": "America/Chicago",
    "WV": "America/New_York", "WY": "America/Denver",
}  # fmt: skip


@dataclass(frozen=True)
class Location:
    """A clinic's coordinates and how they were found."""

    point: Point
    precision: str
    provider: str

    @property
    def is_precise(self) -> bool:
        """Street-level or entered by hand: good enough for JSON-LD ``geo`` and maps."""
        return self.precision in PRECISE


@dataclass
class City:
    """A city that gets a page: the clinics in it and the clinics that serve it."""

    region: str
    name: str
    slug: str
    point: Point | None
    clinics: list[str] = field(default_factory=list)
    serving: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        """``/ca/escondido/``"""
        return urls.city(self.region, self.slug)

    @property
    def label(self) -> str:
        """``Escondido, CA``"""
        return f"{self.name}, {self.region}"

    @property
    def is_service_area_only(self) -> bool:
        """No clinic is located here; clinics elsewhere list it in their service area."""
        return not self.clinics


def city_key(region: str, name: str) -> tuple[str, str]:
    """The identity of a city page: state code and slug of the name."""
    return region, slugify(name, fallback="city")


class Locator:
    """Answers "where is it?" for clinics and cities, offline."""

    def __init__(self, root: Path) -> None:
        # A file that cannot be used is a validate error, so a build never gets here with one.
        self.store: GeocodeStore | None = load_geocodes(root).store
        self.offline = OfflineGeocoder()

    def clinic(self, clinic: Clinic) -> Location | None:
        """Manual ``geo`` > ``data/geocodes.json`` > the offline gazetteer."""
        if clinic.geo is not None:
            return Location(Point(clinic.geo.lat, clinic.geo.lon), "manual", "manual")
        assert clinic.slug is not None
        if self.store is not None:
            stored = self.store.get(clinic.slug)
            if stored is not None:
                return Location(Point(stored.lat, stored.lon), stored.precision, stored.provider)
        found = self.offline.geocode(query_for(clinic))
        if found is None:
            return None
        return Location(Point(found.lat, found.lon), found.precision, found.provider)

    def city(self, name: str, region: str) -> Point | None:
        """The centre of a city from the gazetteer, if it knows the city."""
        found = self.offline.geocode(
            GeocodeQuery(street=None, city=name, region=region, postal_code=None)
        )
        return Point(found.lat, found.lon) if found is not None else None

    def timezone(self, clinic: Clinic) -> str:
        """The record's own zone, else its ZIP's, else the city's, else the state's."""
        if clinic.timezone:
            return clinic.timezone
        address = clinic.address
        zone = timezone_for_zip(address.zip5) if address.zip5 else None
        return zone or STATE_TIMEZONES.get(address.region, "America/New_York")


def service_area_city(entry: str, default_region: str) -> tuple[str, str]:
    """``"Buena Park"`` or ``"Buena Park, CA"`` -> (name, state code)."""
    name, _, region = entry.partition(",")
    code = vocabulary.state_code(region) if region.strip() else None
    return name.strip(), code or default_region


def gather_cities(
    clinics: list[Clinic], locator: Locator, locations: dict[str, Location]
) -> dict[tuple[str, str], City]:
    """Every city with a clinic in it or listed in a clinic's service area."""
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    located: dict[tuple[str, str], list[str]] = defaultdict(list)
    serving: dict[tuple[str, str], list[str]] = defaultdict(list)
    for clinic in clinics:
        assert clinic.slug is not None
        key = city_key(clinic.address.region, clinic.address.city)
        spellings[key][clinic.address.city] += 1
        located[key].append(clinic.slug)
        for entry in clinic.service_area:
            name, region = service_area_city(entry, clinic.address.region)
            area_key = city_key(region, name)
            if area_key == key:
                continue
            spellings[area_key][name] += 1
            serving[area_key].append(clinic.slug)
    cities: dict[tuple[str, str], City] = {}
    for key in sorted(spellings):
        region, slug = key
        name = sorted(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0][0]
        point = locator.city(name, region)
        if point is None:
            points = [locations[s].point for s in located[key] if s in locations]
            if points:
                point = Point(
                    sum(p.lat for p in points) / len(points),
                    sum(p.lon for p in points) / len(points),
                )
        cities[key] = City(
            region, name, slug, point, sorted(located[key]), sorted(set(serving[key]))
        )
    return cities

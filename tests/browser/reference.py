"""What the browser tests expect, computed here from a site's project (its records, read with
``kdirectory.load_directory``, and where the library places them) and never read from the
pages: great-circle distances and their rounding, the clinics nearest a point, the
clinics that serve a city, the cards a filter keeps and whether a clinic is open at a given
moment in its own time zone.

The pages compute the same things in JavaScript (assets/finder.js and site.js); these are
written again from what the README and docs/theming.md say, so that the two are checked
against each other.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from kdirectory import load_directory
from kdirectory.record import vocabulary
from kdirectory.record.gazetteer import zip_info
from kdirectory.record.hours import Interval
from kdirectory.record.model import Clinic
from kdirectory.record.slugs import slugify
from kdirectory.site.model import SiteModel, build_model
from kdirectory.site.places import City, service_area_city

EARTH_MILES = 3958.8
"""The Earth's mean radius in miles."""
COORDINATE_SLACK_MILES = 0.15
"""How far a distance in the finder may be from the one computed here: the finder's files
give positions to a thousandth of a degree (about 0.07 mi of latitude), twice over."""
NEAREST = 10
"""How many clinics with a street address the finder lists."""
FAR_MILES = 50
"""Beyond this the finder no longer says a clinic is "near"."""
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MILES * math.asin(min(1.0, math.sqrt(h)))


def distance_text(miles: float) -> str:
    """How the finder says a distance: "Under 1 mi", else "About N mi" rounded half up."""
    return "Under 1 mi" if miles < 1 else f"About {math.floor(miles + 0.5)} mi"


def distance_texts(miles: float) -> set[str]:
    """The texts a distance may be said with, given :data:`COORDINATE_SLACK_MILES`."""
    slack = COORDINATE_SLACK_MILES
    return {distance_text(max(0.0, miles + d)) for d in (-slack, 0.0, slack)}


def clock(minutes: int) -> str:
    """A time as the pages write it: 9:00 AM, 1:30 PM, noon, midnight."""
    if minutes in (0, 1440):
        return "midnight"
    if minutes == 720:
        return "noon"
    hour = (minutes // 60 + 11) % 12 + 1
    return f"{hour}:{minutes % 60:02d} {'AM' if minutes < 720 else 'PM'}"


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@dataclass(frozen=True)
class Ranked:
    slug: str
    miles: float


@dataclass(frozen=True)
class Origin:
    """Where a search ranks from: a point, what the finder calls it, and the city page
    whose serving clinics it lists (if any)."""

    lat: float
    lon: float
    label: str
    city: City | None


class Reference:
    """A built site's project, read as the build read it (``today`` is the day the site was
    built for: special hours before it are left out)."""

    def __init__(self, project: Path, today: dt.date) -> None:
        self.project = project
        self.model: SiteModel = build_model(load_directory(project), today=today)

    @property
    def clinics(self) -> dict[str, Clinic]:
        return self.model.clinics

    @cached_property
    def finder_slugs(self) -> list[str]:
        """The clinics the finder ranks by distance: those with a street address and a
        known position (on a brand site, the brand's only)."""
        config = self.model.config
        brand = config.brand.name if config.site.kind == "brand" and config.brand else None
        return sorted(
            slug
            for slug, clinic in self.clinics.items()
            if not clinic.is_service_area
            and slug in self.model.locations
            and (brand is None or clinic.brand == brand)
        )

    def ranked(self, lat: float, lon: float) -> list[Ranked]:
        """Every clinic of :attr:`finder_slugs` by its distance from (lat, lon), nearest
        first."""
        found = []
        for slug in self.finder_slugs:
            point = self.model.locations[slug].point
            found.append(Ranked(slug, haversine(lat, lon, point.lat, point.lon)))
        return sorted(found, key=lambda r: (r.miles, self.model.views[r.slug].name))

    def city(self, name: str, region: str) -> City | None:
        """The city page of a place name (compared as the finder compares them)."""
        return self.model.cities.get((region, slugify(name, fallback="city")))

    def serving(self, city: City | None) -> list[str]:
        """The clinics with no street address whose city or service area is ``city``, by
        name."""
        if city is None:
            return []
        wanted = (city.region, city.slug)
        found = []
        for slug, clinic in self.clinics.items():
            if not clinic.is_service_area or slug not in self.finder_all:
                continue
            region = clinic.address.region
            places = [(clinic.address.city, region)]
            places += [service_area_city(entry, region) for entry in clinic.service_area]
            if any((r, slugify(n, fallback="city")) == wanted for n, r in places):
                found.append(slug)
        return sorted(found, key=lambda s: self.model.views[s].name)

    @cached_property
    def finder_all(self) -> set[str]:
        """Every clinic the finder may show (on a brand site, the brand's only)."""
        config = self.model.config
        brand = config.brand.name if config.site.kind == "brand" and config.brand else None
        return {s for s, c in self.clinics.items() if brand is None or c.brand == brand}

    def zip_origin(self, zip5: str) -> Origin:
        """A search for a ZIP code: its centre, "92025 (Escondido, CA)" and its USPS city's
        page."""
        info = zip_info(zip5)
        assert info is not None, zip5
        label = f"{zip5} ({info.city}, {info.state})"
        return Origin(info.lat, info.lon, label, self.city(info.city, info.state))

    def city_origin(self, city: City) -> Origin:
        assert city.point is not None, city.label
        return Origin(city.point.lat, city.point.lon, city.label, city)

    def position_origin(self, lat: float, lon: float) -> Origin:
        """ "Use my location": the position, and the city page whose centre is nearest it
        within 5 miles."""
        near = [
            (haversine(lat, lon, c.point.lat, c.point.lon), c.label, c)
            for c in self.model.cities.values()
            if c.point is not None
        ]
        close = sorted((d, label, c) for d, label, c in near if d <= 5)
        return Origin(lat, lon, "your location", close[0][2] if close else None)

    def status(self, origin: Origin) -> str:
        """What the finder's live region says after a search from ``origin``."""
        ranked = self.ranked(origin.lat, origin.lon)[:NEAREST]
        serving = self.serving(origin.city)
        near = ""
        if ranked and ranked[0].miles <= FAR_MILES:
            near = f"{plural(len(ranked), 'clinic', 'clinics')} near {origin.label}"
        elif ranked:
            said = distance_text(ranked[0].miles).lower()
            near = f"The nearest clinic to {origin.label} is {said} away"
        serve = ""
        if serving and origin.city is not None:
            serve = f"{plural(len(serving), 'clinic serves', 'clinics serve')} {origin.city.label}"
        if near and serve:
            return f"{near}; {serve}"
        return near or serve or f"No clinic is listed near {origin.label}"

    # --- what a card says --------------------------------------------------------------

    def has(self, slug: str, name: str) -> bool:
        """Whether the clinic's record gives it what the filter ``name`` of a city page
        asks for: saying it accepts new patients, a therapy that needs Spravato's REMS
        certification, an insurance plan, or opening hours on Saturday or Sunday."""
        clinic = self.clinics[slug]
        if name == "accepting":
            return clinic.accepting_new_patients is True
        if name == "spravato":
            return any(vocabulary.therapies()[t].requires_rems for t in clinic.therapies)
        if name == "insurance":
            return bool(clinic.insurance)
        if name == "weekends":
            week = dict(clinic.hours.days()) if clinic.hours is not None else {}
            return bool(week.get("saturday") or week.get("sunday"))
        raise ValueError(f"no filter {name!r}")

    # --- opening hours ------------------------------------------------------------------

    def timezone(self, slug: str) -> str:
        return self.model.views[slug].timezone

    def shifts_on(self, slug: str, day: dt.date) -> list[Interval] | None:
        """The clinic's shifts on ``day``: its special hours for that date, else its week's;
        ``[]`` closed, ``None`` not stated."""
        clinic = self.clinics[slug]
        for special in clinic.special_hours:
            if special.date == day:
                return [] if special.closed or not special.hours else list(special.hours)
        if clinic.hours is None:
            return None
        shifts = dict(clinic.hours.days())[DAY_NAMES[day.weekday()].lower()]
        return None if shifts is None else list(shifts)

    def open_text(self, slug: str, when: dt.datetime) -> str | None:
        """What a badge says of the clinic at ``when``: "Open now", "Closed now · opens
        today at 1:00 PM" (tomorrow, or a weekday within the week), "Closed now", or
        nothing when the record does not state that day."""
        local = when.astimezone(ZoneInfo(self.timezone(slug)))
        today, minute = local.date(), local.hour * 60 + local.minute
        shifts = self.shifts_on(slug, today)
        if shifts is None:
            return None
        if any(s.opens <= minute < s.closes for s in shifts):
            return "Open now"
        for offset in range(8):
            day = today + dt.timedelta(days=offset)
            listed = self.shifts_on(slug, day)
            if listed is None:
                break
            for shift in listed:
                if offset > 0 or shift.opens > minute:
                    name = ("today", "tomorrow")[offset] if offset < 2 else DAY_NAMES[day.weekday()]
                    return f"Closed now \u00b7 opens {name} at {clock(shift.opens)}"
        return "Closed now"

    def at(self, slug: str, day: dt.date, minute: int) -> dt.datetime:
        """The moment ``minute`` after midnight of ``day`` in the clinic's zone."""
        local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
        return local.replace(tzinfo=ZoneInfo(self.timezone(slug)))

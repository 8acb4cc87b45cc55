"""Everything a build knows about the directory, computed once: clinic views, locations,
cities, states, lastmod dates and a spatial index.

Pages read from this model and never re-read records; nearest-clinic questions go through
a latitude-sorted index, never all pairs, which also remembers the distances it measured.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from kdirectory.exceptions import BuildError
from kdirectory.geocoding.distance import Distances, PointIndex
from kdirectory.record import vocabulary
from kdirectory.site import urls
from kdirectory.site.lastmod import build_date, git_dates
from kdirectory.site.places import City, Location, Locator, city_key, gather_cities
from kdirectory.site.views import ClinicView, make_clinic_view

if TYPE_CHECKING:
    from kdirectory.record.config import SiteConfig
    from kdirectory.record.directory import Directory
    from kdirectory.record.model import Clinic


@dataclass
class StateGroup:
    """A state with at least one clinic or city page."""

    code: str
    name: str
    slug: str
    cities: list[City] = field(default_factory=list)
    clinics: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        """``/ca/``"""
        return urls.state(self.code)


@dataclass
class SiteModel:
    """The directory as pages need it."""

    config: SiteConfig
    clinics: dict[str, Clinic]
    views: dict[str, ClinicView]
    locations: dict[str, Location]
    cities: dict[tuple[str, str], City]
    states: dict[str, StateGroup]
    updated: dict[str, date]
    index: PointIndex[str]
    homes: dict[str, tuple[str, str]]
    """The key in :attr:`cities` of the city each clinic is located in."""

    def city_of(self, slug: str) -> City:
        return self.cities[self.homes[slug]]

    def latest(self, slugs: list[str]) -> date | None:
        """The newest record date among ``slugs`` (the page's lastmod), if any is known."""
        dates = [self.updated[s] for s in slugs if s in self.updated]
        return max(dates) if dates else None


def upcoming(clinic: Clinic, today: date) -> Clinic:
    """``clinic`` without the special hours whose date is before ``today``: a closure that
    has passed is not news, and pages and JSON-LD show only what is still ahead."""
    kept = [s for s in clinic.special_hours if s.date >= today]
    if len(kept) == len(clinic.special_hours):
        return clinic
    return clinic.model_copy(update={"special_hours": kept})


def build_model(
    directory: Directory, today: date | None = None, distances: Distances | None = None
) -> SiteModel:
    """Compute views, locations, cities and states for every clinic of ``directory``.

    ``today`` (default: :func:`kdirectory.site.lastmod.build_date`) decides which special hours
    are past and left out. ``distances``: where the model's index keeps the distances it
    measures (with those an earlier build measured: see
    :mod:`kdirectory.site.distance_cache`).
    """
    locator = Locator(directory.root)
    today = today or build_date()
    clinics: dict[str, Clinic] = {}
    files: dict[str, str] = {}
    for entry in sorted(directory.entries, key=lambda e: e.clinic.slug or ""):
        original = entry.clinic
        if not original.slug:
            continue
        clinic = upcoming(original, today)
        file = entry.file
        other = clinics.setdefault(original.slug, clinic)
        first = files.setdefault(original.slug, file)
        if other is not clinic:
            second = file
            raise BuildError(
                f"two clinics have the slug {clinic.slug!r} ({first} and {second}), so both "
                f"would be {urls.clinic(original.slug)}; give one of them its own `slug:`"
            )
    locations: dict[str, Location] = {}
    for slug, clinic in clinics.items():
        found = locator.clinic(clinic)
        if found is not None:
            locations[slug] = found
    views = {slug: make_clinic_view(c, locator.timezone(c)) for slug, c in clinics.items()}
    cities = gather_cities(list(clinics.values()), locator, locations)
    git = git_dates(directory.root)
    updated: dict[str, date] = {}
    for slug, clinic in clinics.items():
        when = clinic.updated or git.get(files[slug])
        if when is not None:
            updated[slug] = when
    names = vocabulary.states()
    groups: dict[str, StateGroup] = {}
    by_state: dict[str, list[str]] = defaultdict(list)
    for slug, clinic in clinics.items():
        by_state[clinic.address.region].append(slug)
    for (region, _), city in sorted(cities.items()):
        state = names.get(region)
        group = groups.get(region)
        if group is None:
            name = state.name if state else region
            slug = state.slug if state else region.lower()
            group = groups[region] = StateGroup(
                region, name, slug, clinics=by_state.get(region, [])
            )
        group.cities.append(city)
    index = PointIndex(((slug, loc.point) for slug, loc in locations.items()), distances)
    homes = {slug: city_key(c.address.region, c.address.city) for slug, c in clinics.items()}
    return SiteModel(
        directory.config, clinics, views, locations, cities, groups, updated, index, homes
    )

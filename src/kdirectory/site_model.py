"""Everything a build knows about the directory, computed once: clinic views, locations,
cities, states, lastmod dates and a spatial index (DESIGN.md §5, §10).

Pages read from this model and never re-read records; nearest-clinic questions go through
a grid index, never all pairs, so the plan stays near-linear in the number of clinics.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from kdirectory import vocabulary
from kdirectory.exceptions import BuildError
from kdirectory.geocoding.distance import PointIndex
from kdirectory.lastmod import git_dates
from kdirectory.places import City, Location, Locator, city_key, gather_cities
from kdirectory.views import ClinicView, make_clinic_view

if TYPE_CHECKING:
    from kdirectory.config import SiteConfig
    from kdirectory.models import Clinic
    from kdirectory.validate import Directory


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
        return f"/{self.code.lower()}/"


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

    def city_of(self, slug: str) -> City:
        clinic = self.clinics[slug]
        return self.cities[city_key(clinic.address.region, clinic.address.city)]

    def latest(self, slugs: list[str]) -> date | None:
        """The newest record date among ``slugs`` (the page's lastmod), if any is known."""
        dates = [self.updated[s] for s in slugs if s in self.updated]
        return max(dates) if dates else None


def build_model(directory: Directory) -> SiteModel:
    """Compute views, locations, cities and states for every clinic of ``directory``."""
    locator = Locator(directory.root)
    clinics: dict[str, Clinic] = {}
    for clinic in sorted(directory.clinics, key=lambda c: c.slug or ""):
        if not clinic.slug:
            continue
        other = clinics.setdefault(clinic.slug, clinic)
        if other is not clinic:
            first = directory.source_of(other).display_path
            second = directory.source_of(clinic).display_path
            raise BuildError(
                f"two clinics have the slug {clinic.slug!r} ({first} and {second}), so both "
                f"would be /clinics/{clinic.slug}/; give one of them its own `slug:`"
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
        source = directory.source_of(clinic).display_path
        when = clinic.updated or git.get(source)
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
    index = PointIndex((slug, loc.point) for slug, loc in locations.items())
    return SiteModel(directory.config, clinics, views, locations, cities, groups, updated, index)

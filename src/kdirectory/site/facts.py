"""What a city or state page says that no other page can: its clinics, the clinics that
serve it, distances to the nearest others, and the counts its headline, title, description,
facts table, FAQ and JSON-LD state.

Every number, yes/no and list a city page states is counted here, once, from the clinic
views; the sentences around them are the theme's (``templates/wording/city.txt``,
``templates/city.html``). Nothing is a template with the city name swapped in: two cities
with different clinics get different pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdirectory.site.templating import plural

if TYPE_CHECKING:
    from kdirectory.site.model import SiteModel
    from kdirectory.site.places import City
    from kdirectory.site.views import ClinicView

NEARBY_LIMIT = 8


@dataclass(frozen=True)
class CityCounts:
    """The counts a city page states, over the clinics it lists (located and serving)."""

    located: int
    serving: int
    listed: int
    ketamine: int
    spravato: int
    spravato_certified: int
    accepting: int
    not_accepting: int
    with_hours: int
    weekend: int
    with_phone: int
    nearby: int
    with_prices: int
    with_insurance: int
    therapies: tuple[tuple[str, int], ...]
    """Each therapy listed, with how many of the clinics list it, by name."""

    @property
    def therapies_not_listed(self) -> int:
        return self.listed - self.ketamine

    @property
    def therapy_names(self) -> tuple[str, ...]:
        """The therapies listed, by name."""
        return tuple(name for name, _ in self.therapies)


def count_city(listed: list[ClinicView], located: int, nearby: int) -> CityCounts:
    """Count what a city page says about ``listed`` (its located clinics first)."""
    spravato = [v for v in listed if v.lists_spravato]
    return CityCounts(
        located=located,
        serving=len(listed) - located,
        listed=len(listed),
        ketamine=sum(1 for v in listed if v.lists_ketamine),
        spravato=len(spravato),
        spravato_certified=sum(1 for v in spravato if v.spravato_rems_certified),
        accepting=sum(1 for v in listed if v.accepting_new_patients is True),
        not_accepting=sum(1 for v in listed if v.accepting_new_patients is False),
        with_hours=sum(1 for v in listed if v.hours),
        weekend=sum(1 for v in listed if v.open_on_weekend),
        with_phone=sum(1 for v in listed if v.call_display),
        nearby=nearby,
        with_prices=sum(1 for v in listed if v.price_range),
        with_insurance=sum(1 for v in listed if v.insurance),
        therapies=tuple(sorted(Counter(n for v in listed for n in v.therapy_names).items())),
    )


@dataclass(frozen=True)
class CityFacts:
    """The data-driven parts of a city page."""

    local: list[ClinicView]
    serving: list[ClinicView]
    nearby: list[ClinicView]
    nearest_outside: ClinicView | None
    counts: CityCounts
    noindex_reason: str | None

    @property
    def listed(self) -> list[ClinicView]:
        return self.local + self.serving

    @property
    def about_ketamine(self) -> bool:
        """At least one clinic the page lists says it offers a ketamine therapy."""
        return self.counts.ketamine > 0

    @property
    def local_at_streets(self) -> bool:
        """Every clinic located in the city gives a street address."""
        return all(not v.is_service_area for v in self.local)

    @property
    def closest(self) -> ClinicView | None:
        """The closest other clinic: the nearest of those nearby, else the nearest at all."""
        return self.nearby[0] if self.nearby else self.nearest_outside

    @property
    def spravato(self) -> list[ClinicView]:
        """The clinics listed that list esketamine (Spravato)."""
        return [v for v in self.listed if v.lists_spravato]

    @property
    def weekend(self) -> list[ClinicView]:
        """The clinics listed that publish weekend hours."""
        return [v for v in self.listed if v.open_on_weekend]


def city_facts(model: SiteModel, city: City) -> CityFacts:
    """Find the clinics of one city page, the nearby and nearest others, and count them."""
    views = model.views
    miles_limit = model.config.build.nearby_miles
    local = [views[s] for s in city.clinics]
    serving = [views[s] for s in city.serving]
    shown = {*city.clinics, *city.serving}
    nearby: list[ClinicView] = []
    nearest_outside: ClinicView | None = None
    if city.point is not None:
        for found in model.index.nearest(city.point, NEARBY_LIMIT + len(shown), miles_limit):
            if found.key not in shown and len(nearby) < NEARBY_LIMIT:
                approximate = not model.locations[found.key].is_precise
                nearby.append(
                    views[found.key].at_distance(found.miles, city.name, approximate=approximate)
                )
        if not nearby:
            far = model.index.nearest(city.point, len(shown) + 1, 2500)
            outside = [f for f in far if f.key not in shown]
            if outside:
                approximate = not model.locations[outside[0].key].is_precise
                nearest_outside = views[outside[0].key].at_distance(
                    outside[0].miles, city.name, approximate=approximate
                )
    return CityFacts(
        local=local,
        serving=serving,
        nearby=nearby,
        nearest_outside=nearest_outside,
        counts=count_city(local + serving, len(local), len(nearby)),
        noindex_reason=_thin_reason(city, serving),
    )


def _thin_reason(city: City, serving: list[ClinicView]) -> str | None:
    """Why a service-area page is kept out of search (for the build's report, not the
    page): nobody is located there and none of the clinics that serve it takes new
    patients."""
    if city.clinics or not serving:
        return None
    if all(v.accepting_new_patients is False for v in serving):
        return (
            f"no clinic is located in {city.name}, and the "
            f"{plural(len(serving), 'clinic')} serving it "
            f"{'says it is' if len(serving) == 1 else 'say they are'} not accepting new patients"
        )
    return None


@dataclass(frozen=True)
class StateCounts:
    """The counts a state page states."""

    listed: int
    ketamine: int
    city_pages: int
    therapy_names: tuple[str, ...]
    """Every therapy its clinics list, by name, in alphabetical order."""


def count_state(clinics: list[ClinicView], city_pages: int) -> StateCounts:
    """Count what a state page says about its ``clinics``."""
    return StateCounts(
        listed=len(clinics),
        ketamine=sum(1 for v in clinics if v.lists_ketamine),
        city_pages=city_pages,
        therapy_names=tuple(sorted({t for v in clinics for t in v.therapy_names})),
    )

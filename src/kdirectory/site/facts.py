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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kdirectory.geocoding.distance import sorted_by_distance
from kdirectory.site.templating import plural

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kdirectory.geocoding.types import Point
    from kdirectory.site.model import SiteModel
    from kdirectory.site.places import City
    from kdirectory.site.views import ClinicView

NEARBY_LIMIT = 8
"""How many of the other clinics near a city its page shows as cards, nearest first."""
SERVING_LIMIT = 10
"""How many of the clinics based elsewhere that serve a city its page shows as cards,
nearest first; the others are counted and their cities linked."""
ELSEWHERE_CITIES_LIMIT = 12
"""How many cities a city page links to for the nearby clinics it does not show as cards;
the rest are on their state pages."""


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
        accepting=sum(1 for v in listed if v.says_accepting),
        not_accepting=sum(1 for v in listed if v.accepting_new_patients is False),
        with_hours=sum(1 for v in listed if v.hours),
        weekend=sum(1 for v in listed if v.open_on_weekend),
        with_phone=sum(1 for v in listed if v.call_display),
        nearby=nearby,
        with_prices=sum(1 for v in listed if v.price_range),
        with_insurance=sum(1 for v in listed if v.takes_insurance),
        therapies=tuple(sorted(Counter(n for v in listed for n in v.therapy_names).items())),
    )


@dataclass(frozen=True)
class Elsewhere:
    """A city page where some of the clinics a page counts but does not show are listed."""

    city: City
    clinics: int
    """How many of those clinics are located there."""


@dataclass(frozen=True)
class CityFacts:
    """The data-driven parts of a city page."""

    local: list[ClinicView]
    serving: list[ClinicView]
    nearby: list[ClinicView]
    """The other clinics nearest the city's centre within the nearby distance, at most
    :data:`NEARBY_LIMIT`; ``counts.nearby`` is how many there are in all."""
    nearest_outside: ClinicView | None
    counts: CityCounts
    noindex_reason: str | None
    ordered: list[ClinicView] = field(default_factory=list)
    """The clinics located in the city, nearest its centre first (each with its distance
    when it is known), then by name those with no known location: service-area clinics
    (no street address) and those that could not be placed (:func:`is_placed`)."""
    unplaced: int = 0
    """How many clinics located in the city have no known location (last in ``ordered``)."""
    serving_shown: list[ClinicView] = field(default_factory=list)
    """The clinics that serve the city from elsewhere, based nearest its centre first
    (a service-area clinic by its town or ZIP code), at most :data:`SERVING_LIMIT`."""
    serving_elsewhere: list[Elsewhere] = field(default_factory=list)
    """Where the other clinics that serve the city are based, nearest first."""
    nearby_elsewhere: list[Elsewhere] = field(default_factory=list)
    """The cities of the nearby clinics not shown as cards, nearest first, at most
    :data:`ELSEWHERE_CITIES_LIMIT`."""
    nearby_more_cities: list[City] = field(default_factory=list)
    """The other cities of nearby clinics not shown as cards, beyond those linked."""

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

    @property
    def by_distance(self) -> bool:
        """The city has a centre, so its clinics are ordered by distance from it."""
        return bool(self.ordered) and self.unplaced < len(self.ordered)

    @property
    def serving_not_shown(self) -> int:
        """How many clinics that serve the city are counted but not shown as cards."""
        return len(self.serving) - len(self.serving_shown)

    @property
    def nearby_not_shown(self) -> int:
        """How many of the nearby clinics are counted but not shown as cards."""
        return self.counts.nearby - len(self.nearby)

    @property
    def nearby_states(self) -> list[str]:
        """The states of :attr:`nearby_more_cities`, by code."""
        return sorted({c.region for c in self.nearby_more_cities})


def by_distance_from(
    model: SiteModel, city: City, slugs: Iterable[str], *, located: bool
) -> list[ClinicView]:
    """The clinics of ``slugs`` nearest the centre of ``city`` first, those with no known
    position (or all, when the city has no centre) last, by name. ``located``: the clinics
    are located in the city, so each shows its distance from the centre when that is worth
    stating, and a service-area clinic (no street address, so no place to be near) counts as
    having no known position; otherwise (clinics based elsewhere) the distance only orders
    them, as the place they are based, and is measured only where it decides the order."""
    placed: list[tuple[str, Point]] = []
    unplaced: list[tuple[str, str, ClinicView]] = []
    for slug in slugs:
        view = model.views[slug]
        location = model.locations.get(slug)
        if city.point is None or location is None or (located and view.is_service_area):
            unplaced.append((view.name.casefold(), slug, view))
            continue
        placed.append((slug, location.point))
    unplaced.sort(key=lambda item: item[:2])
    if city.point is None:
        return [item[-1] for item in unplaced]
    shown = []
    for found in sorted_by_distance(
        city.point,
        placed,
        lambda slug: (model.views[slug].name.casefold(), slug),
        model.index.distances,
    ):
        view = model.views[found.item]
        if located:
            approximate = not model.locations[found.item].is_precise
            near = view.at_distance(found.miles, city.name, approximate=approximate)
            assert near.distance is not None
            view = near if near.distance.known else view
        shown.append(view)
    return shown + [item[-1] for item in unplaced]


def is_placed(model: SiteModel, city: City, slug: str) -> bool:
    """A clinic located in ``city`` has a place on its list by distance: the city has a
    centre, and the clinic a street address and a known position."""
    return (
        city.point is not None and slug in model.locations and not model.views[slug].is_service_area
    )


def _elsewhere(model: SiteModel, slugs: Iterable[str]) -> list[Elsewhere]:
    """The cities the clinics of ``slugs`` are located in, in the order first met, with how
    many of them each has."""
    found: dict[tuple[str, str], int] = {}
    cities: dict[tuple[str, str], City] = {}
    for slug in slugs:
        city = model.city_of(slug)
        key = (city.region, city.slug)
        cities.setdefault(key, city)
        found[key] = found.get(key, 0) + 1
    return [Elsewhere(cities[key], count) for key, count in found.items()]


def city_facts(model: SiteModel, city: City) -> CityFacts:
    """Find the clinics of one city page, the nearby and nearest others, and count them."""
    views = model.views
    miles_limit = model.config.build.nearby_miles
    local = [views[s] for s in city.clinics]
    serving = [views[s] for s in city.serving]
    shown = {*city.clinics, *city.serving}
    nearby: list[ClinicView] = []
    others: list[str] = []
    nearest_outside: ClinicView | None = None
    if city.point is not None:
        # Every clinic within the distance, to count them all; only the nearest are cards.
        found = model.index.ranked(city.point, miles_limit, exclude=shown)
        others = [f.item for f in found]
        for near in found[:NEARBY_LIMIT]:
            approximate = not model.locations[near.item].is_precise
            nearby.append(
                views[near.item].at_distance(near.miles, city.name, approximate=approximate)
            )
        if not nearby:
            far = model.index.ranked(city.point, 2500, n=len(shown) + 1)
            outside = [f for f in far if f.item not in shown]
            if outside:
                approximate = not model.locations[outside[0].item].is_precise
                nearest_outside = views[outside[0].item].at_distance(
                    outside[0].miles, city.name, approximate=approximate
                )
    serving_sorted = by_distance_from(model, city, city.serving, located=False)
    serving_shown = serving_sorted[:SERVING_LIMIT]
    nearby_cities = _elsewhere(model, others[len(nearby) :])
    return CityFacts(
        local=local,
        serving=serving,
        nearby=nearby,
        nearest_outside=nearest_outside,
        counts=count_city(local + serving, len(local), len(others)),
        noindex_reason=_thin_reason(city, serving),
        ordered=by_distance_from(model, city, city.clinics, located=True),
        unplaced=sum(1 for s in city.clinics if not is_placed(model, city, s)),
        serving_shown=serving_shown,
        serving_elsewhere=_elsewhere(model, (v.slug for v in serving_sorted[SERVING_LIMIT:])),
        nearby_elsewhere=nearby_cities[:ELSEWHERE_CITIES_LIMIT],
        nearby_more_cities=[e.city for e in nearby_cities[ELSEWHERE_CITIES_LIMIT:]],
    )


@dataclass(frozen=True)
class ListPage:
    """One page of the clinics located in a city: clinics ``first`` to ``last`` (counted
    from 1) of ``total``, page ``number`` of ``pages``."""

    number: int
    pages: int
    first: int
    last: int
    total: int
    clinics: list[ClinicView]

    @property
    def ketamine(self) -> bool:
        """At least one clinic on this page lists a ketamine therapy."""
        return any(v.lists_ketamine for v in self.clinics)


def paginate(clinics: list[ClinicView], per_page: int) -> list[ListPage]:
    """``clinics`` cut into pages of ``per_page``, in order; one empty page for none."""
    total = len(clinics)
    pages = max(1, -(-total // per_page))
    return [
        ListPage(
            number=number,
            pages=pages,
            first=min(start + 1, total),
            last=min(start + per_page, total),
            total=total,
            clinics=clinics[start : start + per_page],
        )
        for number, start in enumerate(range(0, max(total, 1), per_page), start=1)
    ]


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

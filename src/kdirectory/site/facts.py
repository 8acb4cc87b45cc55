"""What a city page says that no other city page can: its clinics, the clinics that serve it,
distances to the nearest others, counts, hours and services, and a FAQ answered from them.

Every number, yes/no and list a city page states is counted here, once, from the clinic
views, and the headline, title, description, facts table, FAQ and JSON-LD all read these
counts. Nothing is a template with the city name swapped in: two cities with different
clinics get different pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdirectory.site.templating import lower_first
from kdirectory.site.views import counted, listing_summary, names_list

if TYPE_CHECKING:
    from kdirectory.site.model import SiteModel
    from kdirectory.site.places import City
    from kdirectory.site.views import ClinicView

NEARBY_LIMIT = 8


def is_weekend_open(view: ClinicView) -> bool:
    """The clinic publishes opening hours on Saturday or Sunday."""
    return any(day in {"Saturday", "Sunday"} and text != "Closed" for day, text in view.hours_rows)


def lists_spravato(view: ClinicView) -> bool:
    """The clinic lists a therapy that may only be given in REMS-certified settings."""
    return any(t.requires_rems for t in view.therapies)


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


def count_city(listed: list[ClinicView], located: int, nearby: int) -> CityCounts:
    """Count what a city page says about ``listed`` (its located clinics first)."""
    spravato = [v for v in listed if lists_spravato(v)]
    return CityCounts(
        located=located,
        serving=len(listed) - located,
        listed=len(listed),
        ketamine=sum(1 for v in listed if v.lists_ketamine),
        spravato=len(spravato),
        spravato_certified=sum(1 for v in spravato if v.spravato_rems_certified),
        accepting=sum(1 for v in listed if v.accepting_new_patients is True),
        not_accepting=sum(1 for v in listed if v.accepting_new_patients is False),
        with_hours=sum(1 for v in listed if v.hours_rows),
        weekend=sum(1 for v in listed if is_weekend_open(v)),
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
    intro: str
    facts: list[tuple[str, str]]
    faq: list[dict[str, str]]
    guide_summary: str
    noindex_reason: str | None

    @property
    def listed(self) -> list[ClinicView]:
        return self.local + self.serving

    @property
    def about_ketamine(self) -> bool:
        """At least one clinic the page lists says it offers a ketamine therapy."""
        return self.counts.ketamine > 0


def city_facts(model: SiteModel, city: City) -> CityFacts:
    """Compute the clinic lists, counts, intro, facts table and FAQ of one city page."""
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
    counts = count_city(local + serving, len(local), len(nearby))
    closest = nearby[0] if nearby else nearest_outside
    return CityFacts(
        local=local,
        serving=serving,
        nearby=nearby,
        nearest_outside=nearest_outside,
        counts=counts,
        intro=_intro(city, counts, local, serving, closest, miles_limit),
        facts=_facts(city, counts, closest, miles_limit),
        faq=_faq(city, counts, local + serving, closest),
        guide_summary=_guide_summary(city, counts),
        noindex_reason=_thin_reason(city, serving),
    )


def _thin_reason(city: City, serving: list[ClinicView]) -> str | None:
    """Why a service-area page is kept out of search: nobody is located there and none of
    the clinics that serve it takes new patients."""
    if city.clinics or not serving:
        return None
    if all(v.accepting_new_patients is False for v in serving):
        return (
            f"no clinic is located in {city.name}, and the "
            f"{counted(len(serving), 'clinic')} serving it "
            f"{'says it is' if len(serving) == 1 else 'say they are'} not accepting new patients"
        )
    return None


def _intro(
    city: City,
    counts: CityCounts,
    local: list[ClinicView],
    serving: list[ClinicView],
    closest: ClinicView | None,
    miles: float,
) -> str:
    parts: list[str] = []
    if local:
        where = "at a street address in" if all(not v.is_service_area for v in local) else "for"
        parts.append(
            f"The directory has {listing_summary(local)} {where} {city.name}: {names_list(local)}."
        )
    if serving:
        parts.append(
            f"Based elsewhere, listing {city.name} in their service area: "
            f"{listing_summary(serving)} ({names_list(serving)})."
        )
    if counts.nearby and closest is not None:
        parts.append(
            f"Within {miles:.0f} miles there {'is' if counts.nearby == 1 else 'are'} "
            f"{counted(counts.nearby, 'other clinic')}; the closest is {closest.name} "
            f"in {closest.city}."
        )
    elif closest is not None:
        parts.append(f"The nearest other listed clinic is {closest.name} in {closest.locality}.")
    return " ".join(parts)


def _of(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,}"


def _facts(
    city: City, counts: CityCounts, closest: ClinicView | None, miles: float
) -> list[tuple[str, str]]:
    n = counts.listed
    rows = [
        (f"Clinics located in {city.name}", f"{counts.located:,}"),
        (f"Clinics based elsewhere that serve {city.name}", f"{counts.serving:,}"),
        ("Clinics listing a ketamine therapy", _of(counts.ketamine, n)),
        (
            "Treatments listed",
            ", ".join(name for name, _ in counts.therapies)
            if counts.therapies
            else "Not listed by these clinics",
        ),
        ("Clinics listing Spravato (esketamine)", f"{counts.spravato:,}"),
        ("Clinics that say they accept new patients", _of(counts.accepting, n)),
        ("Clinics that publish opening hours", _of(counts.with_hours, n)),
        ("Open on Saturday or Sunday", f"{counts.weekend:,}"),
        ("Clinics with a phone number listed", _of(counts.with_phone, n)),
        (f"Other clinics within {miles:.0f} miles", f"{counts.nearby:,}"),
    ]
    if closest is not None and closest.distance_text:
        rows.append(
            ("Closest other clinic", f"{closest.name} ({lower_first(closest.distance_text)})")
        )
    return rows


def _faq(
    city: City, counts: CityCounts, everyone: list[ClinicView], closest: ClinicView | None
) -> list[dict[str, str]]:
    faq: list[dict[str, str]] = []
    if everyone:
        answer = (
            f"The directory has {listing_summary(everyone)} for {city.label}: "
            f"{names_list(everyone, 5)}. Listings come from each clinic's own published "
            "information."
        )
    else:
        answer = f"No clinic in this directory is located in or lists {city.label} yet."
    faq.append(
        {"question": f"How many clinics in this directory serve {city.name}?", "answer": answer}
    )

    spravato = [v for v in everyone if lists_spravato(v)]
    if spravato:
        one = len(spravato) == 1
        certified = counted(counts.spravato_certified, "of them reports", "of them report")
        answer = (
            f"{names_list(spravato)} {'lists' if one else 'list'} esketamine nasal spray "
            f"(Spravato). {certified} REMS certification; Spravato may only be given in "
            "REMS-certified settings, so confirm this when you call."
        )
    else:
        answer = (
            f"None of the clinics listed for {city.name} lists esketamine nasal spray "
            "(Spravato). It may only be given at REMS-certified treatment centers; ask your "
            "prescriber where the nearest one is."
        )
    faq.append({"question": f"Can I get Spravato (esketamine) in {city.name}?", "answer": answer})

    weekend = [v for v in everyone if is_weekend_open(v)]
    if weekend:
        one = len(weekend) == 1
        answer = f"{names_list(weekend)} {'lists' if one else 'list'} weekend hours."
    elif counts.with_hours:
        answer = (
            f"None of the {counted(counts.with_hours, 'clinic')} that publish hours here "
            "lists weekend hours."
        )
    else:
        answer = (
            "None of these clinics has published its opening hours here; ask the clinic "
            "before you go."
        )
    faq.append({"question": f"Are clinics near {city.name} open on weekends?", "answer": answer})

    if closest is not None and closest.distance_text:
        faq.append(
            {
                "question": f"What is the nearest other clinic to {city.name}?",
                "answer": f"{closest.name} in {closest.locality}, "
                f"{lower_first(closest.distance_text)} (measured in a straight line from the "
                "city center).",
            }
        )
    return faq


def _guide_summary(city: City, counts: CityCounts) -> str:
    """A few sentences on what the listings for this city say about treatments and cost,
    in front of the links to the guide pages."""
    n = counts.listed
    if not n:
        return ""
    if counts.therapies:
        listed = "; ".join(f"{name} ({counted(k, 'clinic')})" for name, k in counts.therapies)
        first = f"Treatments named by the clinics listed for {city.name}: {listed}."
    else:
        first = (
            f"None of the {counted(n, 'clinic')} listed for {city.name} says which treatments "
            "it offers, so ask before you book."
        )
    ask = "ask about the total cost of a course of treatment when you call."
    if not counts.with_prices and not counts.with_insurance:
        cost = f"None of them publishes prices or the insurance plans it takes here; {ask}"
    else:
        cost = (
            f"{_of(counts.with_prices, n)} publish prices and {_of(counts.with_insurance, n)} "
            f"list the insurance plans they take; {ask}"
        )
    return f"{first} {cost}"

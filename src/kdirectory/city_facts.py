"""What a city page says that no other city page can: its clinics, the clinics that serve it,
distances to the nearest others, counts, hours and services, and a FAQ answered from them.

Nothing here is a template with the city name swapped in: every sentence is computed from
the listings, so two cities with different clinics get different pages (DESIGN.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdirectory import vocabulary
from kdirectory.templating import lower_first
from kdirectory.views import counted

if TYPE_CHECKING:
    from kdirectory.places import City
    from kdirectory.site_model import SiteModel
    from kdirectory.views import ClinicView

SPRAVATO = "spravato"
NEARBY_LIMIT = 8


@dataclass(frozen=True)
class CityFacts:
    """The data-driven parts of a city page."""

    local: list[ClinicView]
    serving: list[ClinicView]
    nearby: list[ClinicView]
    nearest_outside: ClinicView | None
    intro: str
    facts: list[tuple[str, str]]
    faq: list[dict[str, str]]


def _names(views: list[ClinicView], limit: int = 3) -> str:
    names = [v.name for v in views[:limit]]
    if len(views) > limit:
        names.append(f"{len(views) - limit} more")
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _weekend(view: ClinicView) -> bool:
    return any(day in {"Saturday", "Sunday"} and text != "Closed" for day, text in view.hours_rows)


def city_facts(model: SiteModel, city: City) -> CityFacts:
    """Compute the clinic lists, intro, facts table and FAQ of one city page."""
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
                nearby.append(views[found.key].at_distance(found.miles, city.name))
        if not nearby:
            far = model.index.nearest(city.point, len(shown) + 1, 2500)
            outside = [f for f in far if f.key not in shown]
            if outside:
                nearest_outside = views[outside[0].key].at_distance(outside[0].miles, city.name)
    everyone = local + serving
    intro = _intro(city, local, serving, nearby, nearest_outside, miles_limit)
    facts = _facts(city, local, serving, nearby, nearest_outside, miles_limit)
    faq = _faq(city, everyone, nearby, nearest_outside)
    return CityFacts(local, serving, nearby, nearest_outside, intro, facts, faq)


def _intro(
    city: City,
    local: list[ClinicView],
    serving: list[ClinicView],
    nearby: list[ClinicView],
    nearest_outside: ClinicView | None,
    miles: float,
) -> str:
    parts: list[str] = []
    if local:
        where = "at a street address in" if all(not v.is_service_area for v in local) else "for"
        parts.append(
            f"This directory lists {counted(len(local), 'clinic')} offering ketamine therapy "
            f"{where} {city.name}: {_names(local)}."
        )
    if serving:
        parts.append(
            f"{counted(len(serving), 'clinic')} based elsewhere "
            f"{'lists' if len(serving) == 1 else 'list'} {city.name} in "
            f"{'its' if len(serving) == 1 else 'their'} service area: {_names(serving)}."
        )
    if nearby:
        closest = nearby[0]
        parts.append(
            f"Within {miles:.0f} miles there {'is' if len(nearby) == 1 else 'are'} "
            f"{counted(len(nearby), 'other clinic')}; the closest is {closest.name} "
            f"in {closest.city}."
        )
    elif nearest_outside is not None:
        parts.append(
            f"The nearest other listed clinic is {nearest_outside.name} in "
            f"{nearest_outside.locality}."
        )
    return " ".join(parts)


def _facts(
    city: City,
    local: list[ClinicView],
    serving: list[ClinicView],
    nearby: list[ClinicView],
    nearest_outside: ClinicView | None,
    miles: float,
) -> list[tuple[str, str]]:
    everyone = local + serving
    rows = [
        (f"Clinics located in {city.name}", str(len(local))),
        (f"Clinics based elsewhere that serve {city.name}", str(len(serving))),
        (f"Other clinics within {miles:.0f} miles", str(len(nearby))),
    ]
    closest = nearby[0] if nearby else nearest_outside
    if closest is not None and closest.distance_text:
        rows.append(
            (
                "Nearest clinic not listed above",
                f"{closest.name} ({lower_first(closest.distance_text)})",
            )
        )
    therapies = sorted({name for v in everyone for name in v.therapy_names})
    rows.append(("Treatments listed", ", ".join(therapies) if therapies else "None listed yet"))
    spravato = [v for v in everyone if any(t.slug == SPRAVATO for t in v.therapies)]
    rows.append(("Clinics listing Spravato (esketamine)", str(len(spravato))))
    with_hours = [v for v in everyone if v.hours_rows]
    rows.append(("Clinics that publish opening hours", f"{len(with_hours)} of {len(everyone)}"))
    rows.append(("Open on Saturday or Sunday", str(sum(1 for v in everyone if _weekend(v)))))
    with_phone = [v for v in everyone if v.call_display]
    rows.append(("Clinics with a phone number listed", f"{len(with_phone)} of {len(everyone)}"))
    return rows


def _faq(
    city: City,
    everyone: list[ClinicView],
    nearby: list[ClinicView],
    nearest_outside: ClinicView | None,
) -> list[dict[str, str]]:
    faq: list[dict[str, str]] = []
    n = len(everyone)
    if n:
        answer = (
            f"This directory lists {counted(n, 'clinic')} for {city.label}: {_names(everyone, 5)}. "
            "Listings come from each clinic's own published information."
        )
    else:
        answer = f"No clinic in this directory is located in or lists {city.label} yet."
    faq.append({"question": f"How many ketamine clinics serve {city.name}?", "answer": answer})

    spravato = [v for v in everyone if any(t.slug == SPRAVATO for t in v.therapies)]
    name = (
        vocabulary.therapies()[SPRAVATO].name if SPRAVATO in vocabulary.therapies() else "Spravato"
    )
    if spravato:
        certified = [v for v in spravato if v.spravato_rems_certified]
        answer = (
            f"{_names(spravato)} {'lists' if len(spravato) == 1 else 'list'} {name}. "
            f"{counted(len(certified), 'of them reports', 'of them report')} REMS certification; "
            "Spravato may only be given in REMS-certified settings, so confirm this when you call."
        )
    else:
        answer = (
            f"None of the clinics listed for {city.name} lists {name}. It may only be given at "
            "REMS-certified treatment centers; ask your prescriber where the nearest one is."
        )
    faq.append({"question": f"Can I get Spravato (esketamine) in {city.name}?", "answer": answer})

    weekend = [v for v in everyone if _weekend(v)]
    stated = [v for v in everyone if v.hours_rows]
    if weekend:
        answer = f"{_names(weekend)} {'lists' if len(weekend) == 1 else 'list'} weekend hours."
    elif stated:
        answer = (
            f"None of the {counted(len(stated), 'clinic')} that publish hours here "
            "lists weekend hours."
        )
    else:
        answer = (
            "None of these clinics has published its opening hours here; ask the clinic "
            "before you go."
        )
    faq.append(
        {"question": f"Are ketamine clinics near {city.name} open on weekends?", "answer": answer}
    )

    closest = nearby[0] if nearby else nearest_outside
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

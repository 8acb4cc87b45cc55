"""Display-ready views of clinics: the facts a page shows, computed once per clinic.

Every page that shows a clinic shows the same facts the same way, which is also what the
JSON-LD is built from. The words around them (labels, hours as text, distances) are the
theme's: ``templates/wording/`` and ``templates/content/labels.yaml``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from markupsafe import Markup

from kdirectory.record import vocabulary
from kdirectory.record.hours import WEEKDAYS, Interval
from kdirectory.record.languages import LANGUAGE_NAMES
from kdirectory.record.model import Clinic, Provider, SpecialHours
from kdirectory.site import urls
from kdirectory.site.templating import markdown_to_html

if TYPE_CHECKING:
    from kdirectory.site.images import Picture


FILTERS = {
    "accepting": "says_accepting",
    "spravato": "lists_spravato",
    "insurance": "takes_insurance",
    "weekends": "open_on_weekend",
}
"""The ways a list of clinics can be narrowed, each by a yes or no of :class:`ClinicView`
(the property named): a card carries ``data-<name>`` when it is yes, and a city page offers
the filter when a clinic it shows has it. The city page's counts (:mod:`~kdirectory.site.facts`)
count the same properties, so a filter and a count never disagree."""


@dataclass(frozen=True)
class Link:
    """A named page link."""

    name: str
    path: str


@dataclass(frozen=True)
class TherapyView:
    """A therapy as a clinic page lists it."""

    slug: str
    name: str
    requires_rems: bool


@dataclass(frozen=True)
class HoursRun:
    """Days in a row with the same opening hours: ``first`` to ``last`` (one day when they
    are the same); no shifts is closed."""

    first: str
    last: str
    shifts: tuple[Interval, ...]


@dataclass(frozen=True)
class Distance:
    """How far a clinic is from ``origin`` (a city centre or another clinic)."""

    miles: float
    origin: str
    approximate: bool
    """One end is only a town or ZIP code centre."""

    @property
    def known(self) -> bool:
        """A distance worth stating: not an approximate one under a mile, where "0.0 miles"
        between two clinics of one ZIP code would say nothing true."""
        return not (self.approximate and self.miles < 1)


@dataclass(frozen=True)
class ClinicView:
    """Everything a page shows about one clinic."""

    slug: str
    path: str
    name: str
    city: str
    region: str
    locality: str
    street_lines: tuple[str, ...]
    postal_code: str | None
    is_service_area: bool
    service_area_names: tuple[str, ...]
    phone_display: str | None
    phone_uri: str | None
    call_display: str | None
    call_uri: str | None
    url: str | None
    url_display: str | None
    email: str | None
    map_url: str | None
    timezone: str
    hours: tuple[tuple[str, tuple[Interval, ...]], ...]
    """The days whose hours the record states, Monday first, each with its shifts (none:
    closed)."""
    hours_runs: tuple[HoursRun, ...]
    hours_json: str
    special_hours: tuple[SpecialHours, ...]
    therapies: tuple[TherapyView, ...]
    therapy_names: tuple[str, ...]
    conditions: tuple[Link, ...]
    condition_names: tuple[str, ...]
    specialty_names: tuple[str, ...]
    brand: str | None
    spravato_rems_certified: bool
    accepting_new_patients: bool | None
    price_range: str | None
    insurance: tuple[str, ...]
    payment: tuple[str, ...]
    language_names: tuple[str, ...]
    providers: tuple[Provider, ...]
    description_html: Markup
    updated: date | None
    distance: Distance | None = None
    photos: tuple[Picture, ...] = ()
    """The clinic's photos as its page shows them (``partials/picture.html``); empty in
    lists of clinics."""

    @property
    def lists_ketamine(self) -> bool:
        """The record lists at least one ketamine therapy (every therapy in the vocabulary
        is a form of ketamine); without one, no page says the clinic offers it."""
        return bool(self.therapies)

    @property
    def open_on_weekend(self) -> bool:
        """The clinic publishes opening hours on Saturday or Sunday."""
        return any(day in {"saturday", "sunday"} and shifts for day, shifts in self.hours)

    @property
    def lists_spravato(self) -> bool:
        """The clinic lists a therapy that may only be given in REMS-certified settings."""
        return any(t.requires_rems for t in self.therapies)

    @property
    def says_accepting(self) -> bool:
        """The record says the clinic accepts new patients (not merely that it may)."""
        return self.accepting_new_patients is True

    @property
    def takes_insurance(self) -> bool:
        """The record lists at least one insurance plan the clinic takes."""
        return bool(self.insurance)

    @property
    def filters(self) -> tuple[str, ...]:
        """The :data:`FILTERS` this clinic matches, in their order."""
        return tuple(name for name, fact in FILTERS.items() if getattr(self, fact))

    def at_distance(self, miles: float, origin: str, *, approximate: bool = False) -> ClinicView:
        """A copy that also knows how far it is from ``origin``; ``approximate``: one end is
        only a town or ZIP code centre."""
        # A shallow copy, not dataclasses.replace: planning makes tens of thousands of these,
        # and replace runs __init__ over every field. The copy is set before anyone sees it.
        view = copy.copy(self)
        object.__setattr__(view, "distance", Distance(miles, origin, approximate))
        return view


def make_clinic_view(clinic: Clinic, timezone: str) -> ClinicView:
    """Format one clinic for display."""
    assert clinic.slug is not None
    address = clinic.address
    locality = f"{address.city}, {address.region}"
    street_lines = tuple(x for x in (address.street, address.unit) if x)
    therapies_vocab = vocabulary.therapies()
    conditions_vocab = vocabulary.conditions()
    specialties_vocab = vocabulary.specialties()
    therapies = tuple(
        TherapyView(slug, therapies_vocab[slug].name, therapies_vocab[slug].requires_rems)
        for slug in clinic.therapies
    )
    conditions = tuple(
        Link(conditions_vocab[slug].name, urls.condition(slug)) for slug in clinic.conditions
    )
    hours: tuple[tuple[str, tuple[Interval, ...]], ...] = ()
    hours_json = "{}"
    if clinic.hours is not None:
        hours = tuple(
            (day, tuple(shifts)) for day, shifts in clinic.hours.days() if shifts is not None
        )
        if hours:
            hours_json = json.dumps(
                {day: [[s.opens_text, s.closes_text] for s in shifts] for day, shifts in hours},
                separators=(",", ":"),
            )
    phone = clinic.phone
    call = clinic.call_phone
    map_url = None
    if address.street:
        query = ", ".join(
            x for x in (address.street, address.city, address.region, address.postal_code) if x
        )
        map_url = f"https://www.google.com/maps/search/?api=1&query={quote_plus(query)}"
    return ClinicView(
        slug=clinic.slug,
        path=urls.clinic(clinic.slug),
        name=clinic.name,
        city=address.city,
        region=address.region,
        locality=locality,
        street_lines=street_lines,
        postal_code=address.postal_code,
        is_service_area=clinic.is_service_area,
        service_area_names=tuple(clinic.service_area),
        phone_display=phone.national if phone else None,
        phone_uri=phone.tel_uri if phone else None,
        call_display=call.national if call else None,
        call_uri=call.tel_uri if call else None,
        url=clinic.url,
        url_display=_url_display(clinic.url) if clinic.url else None,
        email=clinic.email,
        map_url=map_url,
        timezone=timezone,
        hours=hours,
        hours_runs=hours_runs(hours),
        hours_json=hours_json,
        special_hours=tuple(sorted(clinic.special_hours, key=lambda s: s.date)),
        therapies=therapies,
        therapy_names=tuple(t.name for t in therapies),
        conditions=conditions,
        condition_names=tuple(link.name for link in conditions),
        specialty_names=tuple(specialties_vocab[s].name for s in clinic.specialties),
        brand=clinic.brand if clinic.brand and clinic.brand != clinic.name else None,
        spravato_rems_certified=bool(clinic.spravato_rems_certified),
        accepting_new_patients=clinic.accepting_new_patients,
        price_range=clinic.price_range,
        insurance=tuple(clinic.insurance),
        payment=tuple(clinic.payment),
        language_names=tuple(LANGUAGE_NAMES[code] for code in clinic.languages),
        providers=tuple(clinic.providers),
        description_html=markdown_to_html(clinic.description, shift_headings=2, record=True),
        updated=clinic.updated,
    )


def _url_display(url: str) -> str:
    text = url.split("://", 1)[-1]
    return text[4:].rstrip("/") if text.startswith("www.") else text.rstrip("/")


def hours_runs(hours: Sequence[tuple[str, tuple[Interval, ...]]]) -> tuple[HoursRun, ...]:
    """The stated days grouped into runs of days in a row with the same shifts, for a
    summary such as ``Mon–Fri 9:00 AM – 5:00 PM; Sun closed``."""
    runs: list[HoursRun] = []
    index = {day: i for i, day in enumerate(WEEKDAYS)}
    previous = -2
    for day, shifts in hours:
        if runs and runs[-1].shifts == shifts and index[day] == previous + 1:
            runs[-1] = replace(runs[-1], last=day)
        else:
            runs.append(HoursRun(day, day, shifts))
        previous = index[day]
    return tuple(runs)

"""Display-ready views of clinics: the text and links a page shows, computed once per clinic.

Templates stay simple (no formatting logic) and every page that shows a clinic shows the
same facts the same way, which is also what the JSON-LD is built from.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote_plus

from markupsafe import Markup

from kdirectory.record import vocabulary
from kdirectory.record.languages import LANGUAGE_NAMES
from kdirectory.record.model import WEEKDAYS, Clinic, Interval, Provider
from kdirectory.site.templating import markdown_to_html

PAYMENT_LABELS = {
    "cash": "Cash", "check": "Check", "credit-card": "Credit card", "debit-card": "Debit card",
    "hsa-fsa": "HSA/FSA", "financing": "Financing", "insurance": "Insurance",
}  # fmt: skip
DAY_ABBREVIATIONS = {
    "monday": "Mon", "tuesday": "Tue", "wednesday": "Wed", "thursday": "Thu",
    "friday": "Fri", "saturday": "Sat", "sunday": "Sun",
}  # fmt: skip
TIMEZONE_LABELS = {
    "America/Los_Angeles": "Pacific Time", "America/Denver": "Mountain Time",
    "America/Phoenix": "Arizona time", "America/Chicago": "Central Time",
    "America/New_York": "Eastern Time", "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time", "America/Puerto_Rico": "Atlantic Time",
}  # fmt: skip


def clock(minutes: int) -> str:
    """``13:30`` -> ``1:30 PM``; 0 and 1440 are midnight."""
    if minutes in (0, 1440):
        return "midnight"
    if minutes == 720:
        return "noon"
    hours, mins = divmod(minutes, 60)
    suffix = "AM" if hours < 12 else "PM"
    return f"{(hours - 1) % 12 + 1}:{mins:02d} {suffix}"


def shifts_text(shifts: list[Interval]) -> str:
    """``9:00 AM – 12:00 PM, 1:00 PM – 6:00 PM``; an empty list is ``Closed``."""
    if not shifts:
        return "Closed"
    if len(shifts) == 1 and shifts[0].opens == 0 and shifts[0].closes == 1440:
        return "Open 24 hours"
    return ", ".join(f"{clock(s.opens)} – {clock(s.closes)}" for s in shifts)


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 clinic``, ``3 clinics``, ``2,827 cities`` (pass ``many`` for irregular plurals)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def names_list(views: Sequence[ClinicView], limit: int = 3) -> str:
    """``A``, ``A and B``, ``A, B, and C``, ``A, B, C, and 4 more``; a name that repeats
    in ``views`` (branches in one city) says which one: ``Westwind Recovery (3229 Hillock
    Drive)``."""
    repeated = Counter(v.name for v in views)
    names = [
        f"{v.name} ({v.distinguisher})" if repeated[v.name] > 1 and v.distinguisher else v.name
        for v in views[:limit]
    ]
    if len(views) > limit:
        names.append(f"{len(views) - limit:,} more")
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def listing_summary(views: Sequence[ClinicView]) -> str:
    """What a list of clinics offers, counted as the records state it: ``3 clinics listing
    ketamine therapy``, ``2 clinics listing ketamine therapy and 1 more with therapies not
    listed``, ``4 clinics (therapies not listed)``. Only a record that lists a ketamine
    therapy is ever counted as offering one."""
    ketamine = sum(1 for v in views if v.lists_ketamine)
    other = len(views) - ketamine
    if not ketamine:
        return f"{counted(other, 'clinic')} (therapies not listed)"
    text = f"{counted(ketamine, 'clinic')} listing ketamine therapy"
    if other:
        text += f" and {other:,} more with therapies not listed"
    return text


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
class ClinicView:
    """Everything a page shows about one clinic, already formatted."""

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
    service_area_text: str
    phone_display: str | None
    phone_uri: str | None
    call_display: str | None
    call_uri: str | None
    url: str | None
    url_display: str | None
    email: str | None
    map_url: str | None
    timezone: str
    timezone_label: str
    hours_rows: tuple[tuple[str, str], ...]
    hours_summary: str | None
    hours_json: str
    special_rows: tuple[tuple[date, str], ...]
    therapies: tuple[TherapyView, ...]
    therapy_names: tuple[str, ...]
    conditions: tuple[Link, ...]
    condition_names: tuple[str, ...]
    specialty_names: tuple[str, ...]
    brand: str | None
    spravato_rems_certified: bool
    accepting_new_patients: bool | None
    practical_rows: tuple[tuple[str, str], ...]
    price_range: str | None
    insurance: tuple[str, ...]
    providers: tuple[Provider, ...]
    description_html: Markup
    updated: date | None
    distance_text: str | None = None

    @property
    def distinguisher(self) -> str:
        """What tells this clinic apart from another of the same name in its city: its
        street and unit, else its ZIP code, else its phone number."""
        if self.street_lines:
            return ", ".join(self.street_lines)
        if self.postal_code:
            return f"ZIP {self.postal_code}"
        return self.phone_display or ""

    @property
    def lists_ketamine(self) -> bool:
        """The record lists at least one ketamine therapy (every therapy in the vocabulary
        is a form of ketamine); without one, no page says the clinic offers it."""
        return bool(self.therapies)

    def at_distance(self, miles: float, origin: str, *, approximate: bool = False) -> ClinicView:
        """A copy that also says how far it is from ``origin``.

        ``approximate``: one end is only a town or ZIP code centre, so under a mile says
        nothing true ("0.0 miles" between two clinics of one ZIP code); the text says so.
        """
        if approximate and miles < 1:
            text = f"Near {origin}; no exact distance (the listing gives only its town or ZIP code)"
            return replace(self, distance_text=text)
        shown = f"{miles:.1f}" if miles < 10 else f"{miles:.0f}"
        return replace(self, distance_text=f"About {shown} miles from {origin}")


def clinic_path(slug: str) -> str:
    """``/clinics/<slug>/``"""
    return f"/clinics/{slug}/"


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
        Link(conditions_vocab[slug].name, f"/conditions/{slug}/") for slug in clinic.conditions
    )
    hours_rows: tuple[tuple[str, str], ...] = ()
    hours_json = "{}"
    summary = None
    if clinic.hours is not None:
        stated = [(day, shifts) for day, shifts in clinic.hours.days() if shifts is not None]
        if stated:
            hours_rows = tuple((day.capitalize(), shifts_text(shifts)) for day, shifts in stated)
            hours_json = json.dumps(
                {day: [[s.opens_text, s.closes_text] for s in shifts] for day, shifts in stated},
                separators=(",", ":"),
            )
            summary = _hours_summary(stated)
    special_rows = tuple(
        (
            s.date,
            (s.note + ": " if s.note else "")
            + ("Closed" if s.closed else shifts_text(s.hours or [])),
        )
        for s in sorted(clinic.special_hours, key=lambda s: s.date)
    )
    area = tuple(clinic.service_area)
    service_area_text = (
        f"{address.city} and {', '.join(area)} in its service area"
        if area
        else f"{address.city} as its area"
    )
    phone = clinic.phone
    call = clinic.call_phone
    map_url = None
    if address.street:
        query = ", ".join(
            x for x in (address.street, address.city, address.region, address.postal_code) if x
        )
        map_url = f"https://www.google.com/maps/search/?api=1&query={quote_plus(query)}"
    practical: list[tuple[str, str]] = []
    if clinic.accepting_new_patients is not None:
        practical.append(
            ("Accepting new patients", "Yes" if clinic.accepting_new_patients else "No")
        )
    if clinic.insurance:
        practical.append(("Insurance the clinic lists", ", ".join(clinic.insurance)))
    if clinic.payment:
        practical.append(("Payment", ", ".join(PAYMENT_LABELS[p] for p in clinic.payment)))
    if clinic.price_range:
        practical.append(("Prices the clinic publishes", clinic.price_range))
    if clinic.languages:
        practical.append(
            ("Languages", ", ".join(LANGUAGE_NAMES[code] for code in clinic.languages))
        )
    return ClinicView(
        slug=clinic.slug,
        path=clinic_path(clinic.slug),
        name=clinic.name,
        city=address.city,
        region=address.region,
        locality=locality,
        street_lines=street_lines,
        postal_code=address.postal_code,
        is_service_area=clinic.is_service_area,
        service_area_names=area,
        service_area_text=service_area_text,
        phone_display=phone.national if phone else None,
        phone_uri=phone.tel_uri if phone else None,
        call_display=call.national if call else None,
        call_uri=call.tel_uri if call else None,
        url=clinic.url,
        url_display=_url_display(clinic.url) if clinic.url else None,
        email=clinic.email,
        map_url=map_url,
        timezone=timezone,
        timezone_label=TIMEZONE_LABELS.get(timezone, timezone.replace("_", " ")),
        hours_rows=hours_rows,
        hours_summary=summary,
        hours_json=hours_json,
        special_rows=special_rows,
        therapies=therapies,
        therapy_names=tuple(t.name for t in therapies),
        conditions=conditions,
        condition_names=tuple(link.name for link in conditions),
        specialty_names=tuple(specialties_vocab[s].name for s in clinic.specialties),
        brand=clinic.brand if clinic.brand and clinic.brand != clinic.name else None,
        spravato_rems_certified=bool(clinic.spravato_rems_certified),
        accepting_new_patients=clinic.accepting_new_patients,
        practical_rows=tuple(practical),
        price_range=clinic.price_range,
        insurance=tuple(clinic.insurance),
        providers=tuple(clinic.providers),
        description_html=markdown_to_html(clinic.description, shift_headings=2, record=True),
        updated=clinic.updated,
    )


def _url_display(url: str) -> str:
    text = url.split("://", 1)[-1]
    return text[4:].rstrip("/") if text.startswith("www.") else text.rstrip("/")


def _hours_summary(stated: Sequence[tuple[str, list[Interval] | None]]) -> str:
    """``Mon–Fri 9:00 AM – 5:00 PM; Sat 10:00 AM – 2:00 PM; Sun closed``: runs of equal days."""
    parts: list[str] = []
    index = {day: i for i, day in enumerate(WEEKDAYS)}
    run: list[str] = []
    run_text = ""
    previous = -2
    for day, shifts in stated:
        text = shifts_text(shifts or [])
        if run and text == run_text and index[day] == previous + 1:
            run.append(day)
        else:
            if run:
                parts.append(
                    _run_label(run) + " " + run_text.lower()
                    if run_text == "Closed"
                    else _run_label(run) + " " + run_text
                )
            run, run_text = [day], text
        previous = index[day]
    if run:
        parts.append(
            _run_label(run) + " " + (run_text.lower() if run_text == "Closed" else run_text)
        )
    return "; ".join(parts)


def _run_label(days: list[str]) -> str:
    if len(days) == 1:
        return DAY_ABBREVIATIONS[days[0]]
    return f"{DAY_ABBREVIATIONS[days[0]]}–{DAY_ABBREVIATIONS[days[-1]]}"

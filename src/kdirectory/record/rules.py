"""Rules about one valid record that need more than its own fields' types: the ZIP against
the state, the Spravato REMS rule, PO boxes, coordinates far from their ZIP, records that
list no therapy, testimonials dated in the future, and the claims lint of the clinic's own
text (its name, description and price, its testimonials' quotes and its providers' bios)."""

from __future__ import annotations

import math
from datetime import date

from kdirectory.catalogue.claims import CLAIM_FIX
from kdirectory.record import vocabulary
from kdirectory.record.addresses import is_po_box
from kdirectory.record.claims import lint_claims
from kdirectory.record.gazetteer import zip_info
from kdirectory.record.model import Clinic
from kdirectory.record.source import Path_, SourceRecord
from kdirectory.report import Problem

MAX_KM_FROM_ZIP = 25.0


def check_clinic(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    """Every record-level problem of one clinic that passed the model."""
    before, after = timeless_checks(clinic, source)
    return [*before, *dated_checks(clinic, source), *after]


def timeless_checks(clinic: Clinic, source: SourceRecord) -> tuple[list[Problem], list[Problem]]:
    """The problems of :func:`check_clinic` that the record (and kdirectory's own data)
    alone decide, in its order: those before the :func:`dated_checks` and those after.
    The same record always has the same ones, so :mod:`kdirectory.record.cache` keeps them."""
    return [
        *_address_problems(clinic, source),
        *_therapy_problems(clinic, source),
        *_contact_problems(clinic, source),
        *_hours_problems(clinic, source),
    ], _claims_problems(clinic, source)


def dated_checks(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    """The problems of :func:`check_clinic` that depend on today's date too."""
    return _testimonial_problems(clinic, source)


def _address_problems(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    address = clinic.address
    problems: list[Problem] = []
    if address.street and is_po_box(address.street):
        problems.append(
            source.problem(
                ("address", "street"),
                f'"{address.street}" is a PO box, not a place patients can visit',
                "give the clinic's street address, or leave street out for a service-area clinic",
                rule="address.po_box",
            )
        )
    zip5 = address.zip5
    if zip5 is None:
        return problems
    info = zip_info(zip5)
    if info is None:
        problems.append(
            source.problem(
                ("address", "postal_code"),
                f"ZIP {zip5} does not exist",
                "check the ZIP on the clinic's website or at usps.com",
                rule="address.zip_unknown",
            )
        )
        return problems
    if info.state != address.region:
        state = vocabulary.states().get(info.state)
        where = f"{info.city}, {state.name if state else info.state}"
        problems.append(
            source.problem(
                ("address", "postal_code"),
                f"ZIP {zip5} is in {where}, not in {address.region}",
                "fix the ZIP or the region",
                rule="address.zip_state",
            )
        )
        return problems
    accepted = {info.city.casefold(), *(c.casefold() for c in info.acceptable_cities)}
    if address.city.casefold() not in accepted:
        names = ", ".join([info.city, *info.acceptable_cities])
        problems.append(
            source.problem(
                ("address", "city"),
                f'"{address.city}" is not a city name USPS uses for ZIP {zip5} ({names})',
                "check the city and the ZIP; a neighbourhood name may need the city's",
                rule="address.city_zip",
            )
        )
    if (
        clinic.geo is not None
        and info.lat is not None
        and info.lon is not None
        and not _surely_within(clinic.geo.lat, clinic.geo.lon, info.lat, info.lon)
    ):
        from geopy.distance import geodesic  # noqa: PLC0415 - geopy is slow to import

        km = geodesic((clinic.geo.lat, clinic.geo.lon), (info.lat, info.lon)).km
        if km > MAX_KM_FROM_ZIP:
            problems.append(
                source.problem(
                    ("geo",),
                    f"({clinic.geo.lat}, {clinic.geo.lon}) is {km:,.0f} km from the centre of "
                    f"ZIP {zip5} ({info.lat}, {info.lon})",
                    "check for swapped or mistyped coordinates (US longitudes are negative)",
                    rule="geo.far_from_zip",
                )
            )
    if clinic.timezone and info.timezone and clinic.timezone != info.timezone:
        problems.append(
            source.problem(
                ("timezone",),
                f"{clinic.timezone} differs from ZIP {zip5}'s time zone {info.timezone}",
                "leave timezone out to use the ZIP's",
                rule="timezone.zip",
            )
        )
    return problems


_EARTH_KM = 6371.0088
"""The mean radius of the Earth (IUGG)."""
_SPHERE_MARGIN = 1.01
"""On the sphere of :data:`_EARTH_KM`, a distance is within 0.6% of the geodesic one on
the WGS 84 ellipsoid; 1% more is a safe bound."""


def _surely_within(lat1: float, lon1: float, lat2: float, lon2: float) -> bool:
    """True when the two points are surely no more than :data:`MAX_KM_FROM_ZIP` apart: a
    great-circle distance (quick) with a margin, before the geodesic one (slow) is asked."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))
    return km * _SPHERE_MARGIN < MAX_KM_FROM_ZIP


def _therapy_problems(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    problems = []
    if not clinic.therapies:
        problems.append(
            source.problem(
                ("therapies",),
                "lists no therapy, so the site shows the clinic with 'therapies not listed' "
                "and never says it offers ketamine therapy",
                "add the therapies the clinic's own information names (e.g. therapies: "
                "[iv-ketamine-infusion]), or [ketamine-therapy] when it says only "
                "'ketamine therapy'",
                rule="therapies.none",
            )
        )
    therapies = vocabulary.therapies()
    rems = [slug for slug in clinic.therapies if therapies[slug].requires_rems]
    if rems and clinic.spravato_rems_certified is not True:
        index = clinic.therapies.index(rems[0])
        loc = (
            ("spravato_rems_certified",)
            if clinic.spravato_rems_certified is False
            else ("therapies", index)
        )
        problems.append(
            source.problem(
                loc,
                f"offers {rems[0]} (Spravato) but spravato_rems_certified is not true",
                "Spravato may only be given in a REMS-certified setting: set "
                "spravato_rems_certified: true once certified, or remove the therapy",
                rule="therapies.rems",
            )
        )
    if clinic.spravato_rems_certified and not rems:
        problems.append(
            source.problem(
                ("spravato_rems_certified",),
                "is true but the clinic does not list esketamine-nasal-spray",
                "add esketamine-nasal-spray to therapies if the clinic offers it",
                rule="therapies.rems_unused",
            )
        )
    return problems


def _contact_problems(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    problems = []
    if clinic.tracking_phone is not None and clinic.tracking_phone == clinic.phone:
        problems.append(
            source.problem(
                ("tracking_phone",),
                "is the same as phone",
                "leave tracking_phone out unless it is a separate call-tracking number",
                rule="phone.tracking_same",
            )
        )
    links: list[tuple[Path_, str | None]] = [
        (("url",), clinic.url),
        (("booking_url",), clinic.booking_url),
        *((("same_as", index), url) for index, url in enumerate(clinic.same_as)),
    ]
    for loc, url in links:
        if url and url.lower().startswith("http://"):
            problems.append(
                source.problem(
                    loc,
                    f'"{url}" is not https',
                    "use the https:// address",
                    rule="url.http",
                )
            )
    own_city = clinic.address.city.casefold()
    for index, city in enumerate(clinic.service_area):
        if city.split(",")[0].strip().casefold() == own_city:
            problems.append(
                source.problem(
                    ("service_area", index),
                    f'"{city}" is the clinic\'s own city',
                    "list only the other cities it serves",
                    rule="service_area.own_city",
                )
            )
    return problems


def _hours_problems(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for index, special in enumerate(clinic.special_hours):
        day = special.date.isoformat()
        if day in seen:
            problems.append(
                source.problem(
                    ("special_hours", index, "date"),
                    f"{day} is listed twice (also special_hours[{seen[day]}])",
                    "keep one entry per date",
                    rule="special_hours.duplicate",
                )
            )
        seen.setdefault(day, index)
    return problems


def _testimonial_problems(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    today = date.today()
    return [
        source.problem(
            ("testimonials", index, "date"),
            f"{testimonial.date.isoformat()} is in the future (today is {today.isoformat()})",
            "give the date the patient gave the testimonial, or leave date out",
            rule="testimonials.future_date",
        )
        for index, testimonial in enumerate(clinic.testimonials)
        if testimonial.date is not None and testimonial.date > today
    ]


def claim_texts(clinic: Clinic) -> list[tuple[Path_, str]]:
    """Every text of ``clinic`` the claims lint reads, with where it is: the description,
    name and price, every testimonial's quote and every provider's bio."""
    texts: list[tuple[Path_, str | None]] = [
        (("description",), clinic.description),
        (("name",), clinic.name),
        (("price_range",), clinic.price_range),
        *((("testimonials", i, "quote"), t.quote) for i, t in enumerate(clinic.testimonials)),
        *((("providers", i, "bio"), p.bio) for i, p in enumerate(clinic.providers)),
    ]
    return [(loc, text) for loc, text in texts if text]


TESTIMONIAL_CLAIM_FIX = (
    "a testimonial is published as the patient gave it, and the page would make the claim: "
    "leave the testimonial out, or quote only words that make no such claim"
)


def _claims_problems(clinic: Clinic, source: SourceRecord) -> list[Problem]:
    problems = []
    for loc, text in claim_texts(clinic):
        fix = TESTIMONIAL_CLAIM_FIX if loc[0] == "testimonials" else CLAIM_FIX
        for finding in lint_claims(text):
            problems.append(
                source.problem(
                    loc, f'says "{finding.phrase}": {finding.why}', fix, rule=finding.rule
                )
            )
    return problems

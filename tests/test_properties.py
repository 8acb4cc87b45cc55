"""Invariants checked with hypothesis: slugs, phones, model round trips."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from kdirectory.models import Clinic
from kdirectory.phones import parse_phone
from kdirectory.slugs import is_slug, slugify

# Area codes and exchanges that are in service, with the 555-01xx range reserved for fiction.
AREA_CODES = ["213", "310", "415", "619", "714", "760", "818", "858", "949"]


@given(st.text())
def test_slugs_are_safe_and_idempotent(text: str) -> None:
    slug = slugify(text)
    assert slug == slugify(slug)
    assert is_slug(slug)
    assert slug == slug.lower()
    assert slug.isascii()
    assert "/" not in slug
    assert ".." not in slug
    assert not slug.startswith("-")
    assert len(slug) <= 80


@given(
    area=st.sampled_from(AREA_CODES),
    line=st.integers(min_value=0, max_value=99),
    style=st.sampled_from(
        ["({a}) 555-01{l}", "{a}-555-01{l}", "{a}.555.01{l}", "+1 {a} 555 01{l}", "1{a}55501{l}"]
    ),
    extension=st.one_of(st.none(), st.integers(min_value=1, max_value=99999)),
)
def test_phone_round_trips_through_e164(
    area: str, line: int, style: str, extension: int | None
) -> None:
    text = style.format(a=area, l=f"{line:02d}")
    if extension is not None:
        text += f" ext. {extension}"
    phone = parse_phone(text)
    assert phone.e164 == f"+1{area}55501{line:02d}"
    assert parse_phone(str(phone)) == phone
    assert parse_phone(phone.national) == phone
    assert phone.extension == (str(extension) if extension is not None else None)


_hours = st.lists(
    st.tuples(st.integers(0, 11), st.integers(1, 11)).map(
        lambda t: f"{t[0]:02d}:00-{t[0] + 12 if t[1] else 23:02d}:00"
    ),
    max_size=1,
)


@given(
    name=st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != ""),
    city=st.sampled_from(["Escondido", "Los Angeles", "Buena Park"]),
    conditions=st.lists(
        st.sampled_from(["depression", "ptsd", "ocd", "chronic-pain"]), unique=True
    ),
    hours=_hours,
    accepting=st.one_of(st.none(), st.booleans()),
)
def test_model_json_model_round_trip(
    name: str, city: str, conditions: list[str], hours: list[str], accepting: bool | None
) -> None:
    clinic = Clinic.model_validate(
        {
            "name": name,
            "phone": "(760) 555-0123 x7",
            "address": {"city": city, "region": "California", "postal_code": "920251234"},
            "hours": {"monday": hours or "closed", "tuesday": ["08:00-12:00", "13:00-17:30"]},
            "conditions": conditions,
            "accepting_new_patients": accepting,
            "special_hours": [{"date": "2026-12-25", "closed": True, "note": "Christmas Day"}],
        }
    )
    dumped = json.loads(clinic.model_dump_json(exclude_none=True))
    assert Clinic.model_validate(dumped) == clinic
    assert dumped["address"]["region"] == "CA"
    assert dumped["address"]["postal_code"] == "92025-1234"

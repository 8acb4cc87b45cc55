"""Invariants checked with hypothesis: slugs, phones, model round trips, control characters
refused by the model and never printed raw, the claims lint's quick test."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kdirectory.record.claims import CLAIM_RULES, fold, lint_claims
from kdirectory.record.model import Clinic
from kdirectory.record.phones import parse_phone
from kdirectory.record.slugs import is_slug, slugify
from kdirectory.report import Problem, Report

CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if chr(c) not in "\t\n"]
"""What no text of a record may hold: C0 but tab and newline, DEL, C1."""
UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""What a printed problem never holds raw."""
no_control_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60
).filter(lambda s: s.strip() != "")

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


_hours = st.lists(st.integers(0, 11).map(lambda h: f"{h:02d}:00-{h + 12:02d}:00"), max_size=1)


@given(
    name=no_control_text,
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


def _minimal(name: str) -> dict[str, object]:
    return {"name": name, "address": {"city": "Escondido", "region": "CA"}}


@given(
    before=st.text(max_size=20),
    control=st.sampled_from(CONTROLS),
    after=st.text(max_size=20),
    where=st.sampled_from(["name", "city", "insurance", "note"]),
)
def test_any_control_character_anywhere_is_refused_by_the_model(
    before: str, control: str, after: str, where: str
) -> None:
    value = f"Harbor{before}{control}{after}"
    data: dict[str, object] = _minimal("Harbor Clinic")
    loc: tuple[str | int, ...]
    if where == "name":
        data["name"], loc = value, ("name",)
    elif where == "city":
        data["address"], loc = {"city": value, "region": "CA"}, ("address", "city")
    elif where == "insurance":
        data["insurance"], loc = ["Aetna", value], ("insurance", 1)
    else:
        data["special_hours"] = [{"date": "2026-12-25", "closed": True, "note": value}]
        loc = ("special_hours", 0, "note")
    with pytest.raises(ValidationError) as caught:
        Clinic.model_validate(data)
    errors = [e for e in caught.value.errors() if e["type"] == "text.control_character"]
    assert [e["loc"] for e in errors] == [loc]
    first = min(i for i, c in enumerate(value) if c in CONTROLS)
    message = errors[0]["msg"]
    assert f"(\\x{ord(value[first]):02x}, " in message
    assert f"at position {first + 1}" in message
    assert not UNPRINTABLE.search(errors[0]["msg"])


@given(text=no_control_text)
def test_text_without_control_characters_is_not_refused_for_them(text: str) -> None:
    try:
        Clinic.model_validate(_minimal(text))
    except ValidationError as exc:
        assert all(e["type"] != "text.control_character" for e in exc.errors())


@given(file=st.text(max_size=30), field=st.text(max_size=30), message=st.text(max_size=60))
def test_problems_print_as_one_line_without_control_characters(
    file: str, field: str, message: str
) -> None:
    problem = Problem("model.invalid", file=file, line=3, field=field, message=message, fix=message)
    line = problem.format()
    assert not UNPRINTABLE.search(line)
    assert not UNPRINTABLE.search(problem.explanation)
    text = Report(problems=[problem]).to_json()
    assert not UNPRINTABLE.search(text.replace("\n", ""))  # the indentation's own newlines
    assert json.loads(text)["problems"] == [
        {
            "file": file,
            "line": 3,
            "field": field,
            "message": message,
            "fix": message,
            "severity": "error",
            "rule": "model.invalid",
        }
    ]


# Words the claims patterns are made of, and what a case-blind pattern takes for their letters.
CLAIM_WORDS = [
    "cure", "cures", "cured", "curing", "secure", "guarantee", "guaranteed", "100", "100%",
    "percent", "no", "known", "side", "effect", "effects", "free", "completely", "totally",
    "perfectly", "safe", "risk", "non", "addictive", "not", "habit", "forming", "ketamine",
    "fda", "approved", "for", "the treatment of", "depression", "ptsd", "faster", "safer",
    "better", "more effective", "than", "traditional", "antidepressants", "ssris", "at",
    "home", "without", "monitoring", "unsupervised", "visit", ".",
]  # fmt: skip
LOOK_ALIKES = {"i": ["I", "\u0130", "\u0131"], "s": ["S", "\u017f"], "k": ["K", "\u212a"]}


@st.composite
def claim_texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(CLAIM_WORDS), min_size=1, max_size=8))
    text = draw(st.sampled_from([" ", "-", "  ", ""])).join(words)
    letters = [
        draw(st.sampled_from([c, c.upper(), *LOOK_ALIKES.get(c, [])])) if c.isalpha() else c
        for c in text
    ]
    return "".join(letters)


@settings(max_examples=1500)
@given(claim_texts())
def test_the_claims_needles_never_hide_a_match(text: str) -> None:
    """A rule's pattern is tried only when one of its needles is in the folded text (with
    the word it needs near): that must be so wherever the pattern matches, whatever the
    case of its letters."""
    folded = fold(text)
    for rule in CLAIM_RULES:
        if rule.pattern.search(text):
            assert rule.may_match(folded), (rule.rule, text)
    assert [(f.rule, f.phrase) for f in lint_claims(text)] == claims_found(text)


def test_the_claims_needles_never_hide_a_match_of_two_words() -> None:
    for first in CLAIM_WORDS:
        for second in CLAIM_WORDS:
            for text in (f"{first} {second}", f"{first}-{second}".upper(), first + second):
                folded = fold(text)
                for rule in CLAIM_RULES:
                    if rule.pattern.search(text):
                        assert rule.may_match(folded), (rule.rule, text)


CLAIMS = [
    "cure", "cures", "cured", "curing", "guarantee", "guaranteed", "100%", "100 %",
    "100 percent", "no side effects", "no side-effect", "no known side effects",
    "side-effect-free", "side effect free", "completely safe", "totally safe",
    "perfectly safe", "100% safe", "risk-free", "risk free", "non-addictive", "nonaddictive",
    "not habit-forming", "not addictive", "ketamine is FDA-approved for depression",
    "FDA approved ketamine for anxiety", "faster than antidepressants",
    "safer than traditional medications", "more effective than other medication",
    "at home ketamine without monitoring", "at-home ketamine, no doctor visit",
    "home use of ketamine with no supervision", "unsupervised ketamine",
]  # fmt: skip
"""One phrase of each way each claims pattern matches."""


def claims_found(text: str) -> list[tuple[str, str]]:
    every = sorted(
        [
            (m.start(), rule.rule, " ".join(m.group(0).split()))
            for rule in CLAIM_RULES
            for m in rule.pattern.finditer(text)
        ],
        key=lambda found: found[0],  # at one place, in the rules' order
    )
    return [(rule, phrase) for _, rule, phrase in every]


def test_every_way_a_claim_is_made_is_found_as_the_patterns_find_it() -> None:
    for claim in CLAIMS:
        for text in (claim, claim.upper(), f"Read – {claim.title()}.", f"Home: {claim} ß"):
            assert claims_found(text) != [], text
            assert [(f.rule, f.phrase) for f in lint_claims(text)] == claims_found(text), text

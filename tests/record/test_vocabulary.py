"""The packaged vocabularies: shape, verified codes, lookups and "did you mean"."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Literal

import pytest

from kdirectory.onboarding.normalise import hours_value
from kdirectory.onboarding.records import list_item
from kdirectory.record import vocabulary
from kdirectory.record.fields import PAYMENT_METHODS
from kdirectory.record.json_schema import clinic_schema
from kdirectory.record.languages import LANGUAGE_ALIASES, LANGUAGE_NAMES
from kdirectory.record.model import Clinic, WeeklyHours
from kdirectory.record.read import read_record
from kdirectory.record.vocabulary import Condition, IcdCode, State

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")
# Frozen from the FY2026 ICD-10-CM tabular list (April 1, 2026 update, via the
# simple-icd-10-cm 1.5.0 package). A change here means someone re-verified the codes.
VERIFIED_CODES = {
    "F10.1": "Alcohol abuse",
    "F10.2": "Alcohol dependence",
    "F19.1": "Other psychoactive substance abuse",
    "F19.2": "Other psychoactive substance dependence",
    "F31.3": "Bipolar disorder, current episode depressed, mild or moderate severity",
    "F31.4": "Bipolar disorder, current episode depressed, severe, without psychotic features",
    "F31.5": "Bipolar disorder, current episode depressed, severe, with psychotic features",
    "F32": "Depressive episode",
    "F32.A": "Depression, unspecified",
    "F33": "Major depressive disorder, recurrent",
    "F40.10": "Social phobia, unspecified",
    "F40.11": "Social phobia, generalized",
    "F41.1": "Generalized anxiety disorder",
    "F42.2": "Mixed obsessional thoughts and acts",
    "F42.8": "Other obsessive-compulsive disorder",
    "F42.9": "Obsessive-compulsive disorder, unspecified",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F43.11": "Post-traumatic stress disorder, acute",
    "F43.12": "Post-traumatic stress disorder, chronic",
    "F53.0": "Postpartum depression",
    "G43": "Migraine",
    "G56.4": "Causalgia of upper limb",
    "G57.7": "Causalgia of lower limb",
    "G89.29": "Other chronic pain",
    "G89.4": "Chronic pain syndrome",
    "G90.5": "Complex regional pain syndrome I (CRPS I)",
    "M79.7": "Fibromyalgia",
    "R45.851": "Suicidal ideations",
}


def all_codes() -> dict[str, str]:
    return {c.code: c.title for cond in vocabulary.conditions().values() for c in cond.codes}


# --- conditions -----------------------------------------------------------------------------


def test_the_conditions_are_the_fifteen_the_directory_covers() -> None:
    assert set(vocabulary.conditions()) == {
        "depression",
        "treatment-resistant-depression",
        "bipolar-depression",
        "generalized-anxiety",
        "social-anxiety",
        "ptsd",
        "ocd",
        "chronic-pain",
        "fibromyalgia",
        "crps",
        "migraine",
        "suicidal-ideation",
        "postpartum-depression",
        "alcohol-use-disorder",
        "substance-use-disorder",
    }
    assert list(vocabulary.conditions()) == sorted(vocabulary.conditions())


def test_condition_entries_are_well_formed() -> None:
    for slug, condition in vocabulary.conditions().items():
        assert isinstance(condition, Condition)
        assert condition.slug == slug
        assert SLUG.match(slug)
        assert condition.name
        assert condition.codes
        assert all(isinstance(code, IcdCode) for code in condition.codes)
        assert all(ICD10CM.match(code.code) for code in condition.codes), slug


def test_every_code_is_one_we_verified() -> None:
    assert all_codes() == VERIFIED_CODES


def test_codes_against_the_icd10cm_tables_when_available() -> None:
    cm = pytest.importorskip("simple_icd_10_cm")
    for code, title in all_codes().items():
        assert cm.is_valid_item(code), code
        assert cm.get_description(code) == title


def test_treatment_resistant_depression_is_coded_as_mdd() -> None:
    trd = vocabulary.conditions()["treatment-resistant-depression"]
    assert {c.code for c in trd.codes} == {"F32", "F33"}
    assert trd.coding_note is not None
    assert "no code of its own" in trd.coding_note
    assert vocabulary.conditions()["fibromyalgia"].coding_note is None


def test_depression_codes_are_mdd_categories() -> None:
    codes = {c.code for c in vocabulary.conditions()["depression"].codes}
    assert {"F32", "F33"} <= codes


# --- therapies and specialties --------------------------------------------------------------


def test_therapies() -> None:
    therapies = vocabulary.therapies()
    assert set(therapies) == {
        "ketamine-therapy",
        "iv-ketamine-infusion",
        "im-ketamine",
        "esketamine-nasal-spray",
        "oral-ketamine",
        "ketamine-assisted-psychotherapy",
    }
    assert [slug for slug, t in therapies.items() if t.requires_rems] == ["esketamine-nasal-spray"]
    for therapy in therapies.values():
        assert therapy.route
        assert therapy.fda_status
        # Ketamine for depression is off-label; only esketamine holds a depression approval.
        assert "approved for depression" not in therapy.fda_status.lower()
    assert "off-label" in therapies["iv-ketamine-infusion"].fda_status
    assert "2019" in therapies["esketamine-nasal-spray"].fda_status


def schemaorg_specialties() -> set[str]:
    """The current members of schema.org's MedicalSpecialty, from the packaged table."""
    table = json.loads(
        resources.files("kdirectory.check.schemaorg_data").joinpath("vocab.json").read_text("utf-8")
    )
    return {
        member
        for member, enumeration in table["members"].items()
        if enumeration == "MedicalSpecialty" and member not in table["superseded"]
    }


def test_specialties_are_the_schemaorg_medical_specialties() -> None:
    specialties = vocabulary.specialties()
    urls = {s.schema_url.removeprefix("https://schema.org/") for s in specialties.values()}
    assert urls == schemaorg_specialties()
    psychiatric = specialties["psychiatric"]
    assert psychiatric.schema_url == "https://schema.org/Psychiatric"
    assert psychiatric.name == "Psychiatry"
    assert all(SLUG.match(slug) for slug in specialties)


# --- states ---------------------------------------------------------------------------------


def test_states_include_50_states_dc_and_pr() -> None:
    states = vocabulary.states()
    assert len(set(states) - {"DC", "PR", "GU", "VI", "AS", "MP"}) == 50
    assert {"DC", "PR"} <= set(states)
    assert states["CA"] == State("CA", "California", "california", ("AZ", "NV", "OR"))
    assert states["DC"].slug == "district-of-columbia"
    assert list(states) == sorted(states)


def test_neighbors_are_real_and_symmetric() -> None:
    states = vocabulary.states()
    for code, state in states.items():
        assert code not in state.neighbors
        for other in state.neighbors:
            assert code in states[other].neighbors, (code, other)
    assert states["AK"].neighbors == ()
    assert states["HI"].neighbors == ()
    assert set(states["TN"].neighbors) == {"AL", "AR", "GA", "KY", "MO", "MS", "NC", "VA"}
    assert set(states["MO"].neighbors) == {"AR", "IA", "IL", "KS", "KY", "NE", "OK", "TN"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CA", "CA"),
        ("ca", "CA"),
        ("California", "CA"),
        (" california ", "CA"),
        ("CALIFORNIA", "CA"),
        ("new york", "NY"),
        ("New-York", "NY"),
        ("Washington", "WA"),
        ("Washington, D.C.", "DC"),
        ("D.C.", "DC"),
        ("district of columbia", "DC"),
        ("Puerto Rico", "PR"),
        ("Narnia", None),
        ("", None),
        ("C", None),
    ],
)
def test_state_code(text: str, code: str | None) -> None:
    assert vocabulary.state_code(text) == code


# --- resolve and suggest --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "slug"),
    [
        ("condition", "ptsd", "ptsd"),
        ("condition", "PTSD", "ptsd"),
        ("condition", "P.T.S.D.", "ptsd"),
        ("condition", "Post-traumatic stress disorder", "ptsd"),
        ("condition", "Major Depressive Disorder", "depression"),
        ("condition", "mdd", "depression"),
        ("condition", "TRD", "treatment-resistant-depression"),
        ("condition", "treatment resistant depression", "treatment-resistant-depression"),
        ("condition", "GAD", "generalized-anxiety"),
        ("condition", "anxiety", "generalized-anxiety"),
        ("condition", "OCD", "ocd"),
        ("condition", "CRPS", "crps"),
        ("condition", "Chronic Pain", "chronic-pain"),
        ("condition", "  chronic   pain ", "chronic-pain"),
        ("condition", "Postpartum Depression", "postpartum-depression"),
        ("condition", "spravato", None),
        ("therapy", "Spravato", "esketamine-nasal-spray"),
        ("therapy", "IV Ketamine", "iv-ketamine-infusion"),
        ("therapy", "ketamine troche", "oral-ketamine"),
        ("therapy", "KAP", "ketamine-assisted-psychotherapy"),
        ("specialty", "Psychiatric", "psychiatric"),
        ("specialty", "psychiatry", "psychiatric"),
        ("specialty", "https://schema.org/Anesthesia", "anesthesia"),
        ("specialty", "PharmacySpecialty", "pharmacy-specialty"),
        ("specialty", "Dermatologic", "dermatology"),
        ("specialty", "astrology", None),
    ],
)
def test_resolve(kind: str, text: str, slug: str | None) -> None:
    assert vocabulary.resolve(kind, text) == slug  # type: ignore[arg-type]


def test_resolve_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown vocabulary kind"):
        vocabulary.resolve("planet", "mars")  # type: ignore[arg-type]


def test_aliases_never_name_two_entries() -> None:
    terms: list[tuple[Literal["condition", "therapy", "specialty"], str, tuple[str, ...]]] = [
        *(("condition", c.slug, (c.name, *c.aliases)) for c in vocabulary.conditions().values()),
        *(("therapy", t.slug, (t.name, *t.aliases)) for t in vocabulary.therapies().values()),
        *(("specialty", s.slug, (s.name,)) for s in vocabulary.specialties().values()),
    ]
    for kind, slug, names in terms:
        assert vocabulary.resolve(kind, slug) == slug
        for name in names:
            assert vocabulary.resolve(kind, name) == slug, name


def condition_aliases() -> dict[str, str]:
    return {a: c.slug for c in vocabulary.conditions().values() for a in c.aliases}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anxeity", "generalized-anxiety"),
        ("depresion", "depression"),
        ("treatment-resistent-depression", "treatment-resistant-depression"),
        ("fibromyalga", "fibromyalgia"),
        ("PTSD", "ptsd"),
        ("migrane", "migraine"),
        ("xyzzy", None),
        ("", None),
    ],
)
def test_suggest(text: str, expected: str | None) -> None:
    assert vocabulary.suggest(text, vocabulary.conditions(), condition_aliases()) == expected


def test_suggest_without_aliases_and_from_any_choices() -> None:
    assert vocabulary.suggest("chronic-pian", vocabulary.conditions()) == "chronic-pain"
    assert vocabulary.suggest("Califronia", ["California", "Colorado"]) == "California"
    assert vocabulary.suggest("anything", []) is None


def test_lookups_are_cached_and_read_only() -> None:
    assert vocabulary.conditions() is vocabulary.conditions()
    with pytest.raises(TypeError):
        vocabulary.states()["XX"] = vocabulary.states()["CA"]  # type: ignore[index]


# --- one alias table and one hours reader for validate, new and import -----------------------


def spellings(field: str) -> list[str]:
    """Every way the vocabulary behind ``field`` lets a value be written."""
    if field == "conditions":
        return [t for c in vocabulary.conditions().values() for t in (c.slug, c.name, *c.aliases)]
    if field == "therapies":
        return [t for e in vocabulary.therapies().values() for t in (e.slug, e.name, *e.aliases)]
    if field == "specialties":
        return [t for e in vocabulary.specialties().values() for t in (e.slug, e.name)]
    if field == "languages":
        return [*LANGUAGE_NAMES, *(code.upper() for code in LANGUAGE_NAMES), *LANGUAGE_ALIASES]
    return [*PAYMENT_METHODS, *vocabulary.PAYMENT_ALIASES]


@pytest.mark.parametrize("field", list(vocabulary.ALIASED_FIELDS))
def test_the_model_and_new_and_import_read_every_alias_alike(field: str) -> None:
    place = {"name": "Clinic", "address": {"city": "Escondido", "region": "CA"}}
    for text in spellings(field):
        value = vocabulary.canonical(field, text)
        assert value is not None, text
        assert list_item(field, text) == value, text  # kdirectory new and import
        clinic = Clinic.model_validate({**place, field: [text]})  # kdirectory validate
        assert getattr(clinic, field) == [value], text


def test_payment_aliases_name_payment_methods() -> None:
    assert set(vocabulary.PAYMENT_ALIASES.values()) <= set(PAYMENT_METHODS)


def test_canonical_knows_only_vocabulary_fields() -> None:
    assert vocabulary.canonical("conditions", "astrology") is None
    with pytest.raises(ValueError, match="not a list field with a vocabulary"):
        vocabulary.canonical("insurance", "Aetna")


@pytest.mark.parametrize(
    ("text", "shifts"),
    [
        ("9am-12pm", ["09:00-12:00"]),
        ("9:00 AM - 5:00 PM", ["09:00-17:00"]),
        ("9:00 a.m. – 5:30 p.m.", ["09:00-17:30"]),
        ("09:00-17:00", ["09:00-17:00"]),
        ("9:00-17:00", ["09:00-17:00"]),
        ("9 am to 5 pm", ["09:00-17:00"]),
        ("noon-8pm", ["12:00-20:00"]),
        ("8pm-12am", ["20:00-24:00"]),
        ("22:00-00:00", ["22:00-24:00"]),
        ("9am-12pm, 1pm-5pm", ["09:00-12:00", "13:00-17:00"]),
        ("Closed", []),
        ("off", []),
        ("24 hours", ["00:00-24:00"]),
    ],
)
def test_the_model_and_new_and_import_read_hours_alike(text: str, shifts: list[str]) -> None:
    day = hours_value(text)  # kdirectory new and import
    assert day == ("closed" if not shifts else shifts[0] if len(shifts) == 1 else shifts)
    monday = WeeklyHours.model_validate({"monday": text}).monday  # kdirectory validate
    assert [str(shift) for shift in monday or []] == shifts


def test_a_yaml_file_is_read_through_the_same_tables(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "name: A\naddress: {city: Escondido, region: CA}\nconditions: [Anxiety]\n"
        "therapies: [spravato]\nlanguages: [Spanish]\npayment: [Credit Cards]\n"
        'hours: {monday: "9am-5pm", tuesday: ["9 AM-12 PM", "1pm-5pm"], sunday: 10:00}\n',
        encoding="utf-8",
    )
    record = read_record(path)
    assert record.data is not None
    assert record.data["conditions"] == ["generalized-anxiety"]
    assert record.data["therapies"] == ["esketamine-nasal-spray"]
    assert record.data["languages"] == ["es"]
    assert record.data["payment"] == ["credit-card"]
    assert record.data["hours"]["monday"] == "09:00-17:00"
    assert record.data["hours"]["tuesday"] == ["09:00-12:00", "13:00-17:00"]
    assert record.data["hours"]["sunday"] == "10:00"  # YAML's base-60 trap, still reported
    [problem] = record.problems
    assert problem.rule == "yaml.sexagesimal"
    assert problem.field == "hours.sunday"


def test_the_schema_lists_canonical_values_and_says_aliases_are_read() -> None:
    properties = clinic_schema()["properties"]
    for field, values in (
        ("conditions", sorted(vocabulary.conditions())),
        ("therapies", sorted(vocabulary.therapies())),
        ("languages", sorted(LANGUAGE_NAMES)),
        ("payment", list(PAYMENT_METHODS)),
    ):
        items = properties[field]["items"]
        assert items["enum"] == values, field
        assert "accepted too" in items["description"], field

"""How ``validate`` reads records: sizes refused or bounded with one clear message, every
problem of every file in one run, and values read as written (unquoted numbers keep their
digits, ZIPs their zeros; aliases and spellings that ``new`` and ``import`` accept)."""

from __future__ import annotations

from kdirectory import load_directory, validate
from tests.helpers import GOOD_RECORD, ProjectFactory, formatted, validated


def test_huge_file_is_refused_without_reading_it(make_project: ProjectFactory) -> None:
    root = make_project({})
    with (root / "data" / "clinics" / "huge.yaml").open("wb") as handle:
        handle.truncate(50_000_000)
    lines = formatted(validate(load_directory(root)))
    assert lines == [
        "data/clinics/huge.yaml: the file is 50.0 MB; a clinic record is a few kilobytes "
        "(is this the right file? One clinic per file, at most 1 MB)"
    ]


def test_ten_thousand_conditions_is_one_clear_error(make_project: ProjectFactory) -> None:
    many = "conditions: [" + ", ".join(f"c{i}" for i in range(10_000)) + "]"
    report = validated(
        make_project, {"x.yaml": GOOD_RECORD.replace("conditions: [depression, ptsd]", many)}
    )
    assert formatted(report) == [
        "data/clinics/x.yaml:14: conditions: has 10,000 entries; at most 40 are allowed "
        "(list only what this clinic really offers)"
    ]


def test_alias_bomb_is_bounded(make_project: ProjectFactory) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    lines = formatted(validated(make_project, {"x.yaml": bomb}))
    assert lines == [
        "data/clinics/x.yaml:1: has more than 100,000 values (a clinic record is small; is this the right file?)"
    ]


def test_every_problem_of_every_file_in_one_run(make_project: ProjectFactory) -> None:
    records: dict[str, str | bytes] = {
        "a.yaml": GOOD_RECORD.replace('"(760) 555-0123"', '"555"'),
        "b.yaml": GOOD_RECORD.replace("region: CA", "region: XX")
        .replace("92025", "92026")
        .replace("1200 N", "9 S"),
        "c.yaml": b"",
    }
    report = validated(make_project, records)
    files = {p.file for p in report.errors}
    assert files == {"data/clinics/a.yaml", "data/clinics/b.yaml", "data/clinics/c.yaml"}
    assert report.summary() == "3 files, 0 clinics, 3 errors, 0 warnings"


def test_unquoted_numbers_in_text_fields_keep_their_digits(make_project: ProjectFactory) -> None:
    text = GOOD_RECORD.replace('"(760) 555-0123"', "7605550123").replace('"92025"', "92025")
    directory = load_directory(make_project({"x.yaml": text}))
    assert formatted(validate(directory)) == []
    clinic = directory.clinics[0]
    assert str(clinic.phone) == "+17605550123"
    assert clinic.address.postal_code == "92025"


def test_leading_zero_zip_is_not_read_as_octal(make_project: ProjectFactory) -> None:
    text = (
        "name: Green Mountain Ketamine\naddress:\n  city: Montpelier\n  region: VT\n"
        "  postal_code: 05602\ntherapies: [iv-ketamine-infusion]\n"
    )
    directory = load_directory(make_project({"x.yaml": text}))
    assert formatted(validate(directory)) == []
    assert directory.clinics[0].address.postal_code == "05602"


ALIASES_RECORD = """\
name: Harbor Ketamine Clinic
phone: "(760) 555-0123"
address:
  street: 1200 N Main St
  city: Escondido
  region: CA
  postal_code: "92025"
hours:
  monday: 9am-12pm, 1pm-5pm
  tuesday: 9:00 AM - 5:00 PM
  wednesday: ["9am-12pm", "13:00-17:00"]
  thursday: 8pm-12am
  saturday: Closed
special_hours:
  - {date: 2026-12-24, hours: 9am-1pm}
conditions: [anxiety, PTSD, Major Depressive Disorder]
therapies: [Spravato, IV infusion]
spravato_rems_certified: true
specialties: [Psychiatry]
languages: [English, Spanish, ZH]
payment: [Credit Card, HSA/FSA, cash]
"""


def test_aliases_and_hours_spellings_are_read_as_new_and_import_read_them(
    make_project: ProjectFactory,
) -> None:
    directory = load_directory(make_project({"x.yaml": ALIASES_RECORD}))
    assert formatted(validate(directory)) == []  # not one layer (schema, model, rules) objects
    [clinic] = directory.clinics
    assert clinic.conditions == ["generalized-anxiety", "ptsd", "depression"]
    assert clinic.therapies == ["esketamine-nasal-spray", "iv-ketamine-infusion"]
    assert clinic.specialties == ["psychiatric"]
    assert clinic.languages == ["en", "es", "zh"]
    assert clinic.payment == ["credit-card", "hsa-fsa", "cash"]
    assert clinic.hours is not None
    hours = {day: [str(shift) for shift in shifts or []] for day, shifts in clinic.hours.days()}
    assert hours["monday"] == ["09:00-12:00", "13:00-17:00"]
    assert hours["tuesday"] == ["09:00-17:00"]
    assert hours["wednesday"] == ["09:00-12:00", "13:00-17:00"]
    assert hours["thursday"] == ["20:00-24:00"]
    assert clinic.hours.saturday == []  # closed
    assert [str(s) for s in clinic.special_hours[0].hours or []] == ["09:00-13:00"]
    # what the layers saw is the canonical record, as import and new would write it
    source = directory.entries[0].source
    assert source is not None and source.data is not None
    assert source.data["conditions"] == ["generalized-anxiety", "ptsd", "depression"]
    assert source.data["hours"]["monday"] == ["09:00-12:00", "13:00-17:00"]
    assert source.data["hours"]["saturday"] == "closed"


def test_unknown_entries_among_aliases_still_get_did_you_mean(
    make_project: ProjectFactory,
) -> None:
    text = ALIASES_RECORD.replace("[anxiety, PTSD,", "[anxiety, PTSD, depresion,").replace(
        "tuesday: 9:00 AM - 5:00 PM", "tuesday: 9:00 AM - 5:00 XM"
    )
    lines = formatted(validated(make_project, {"x.yaml": text}))
    assert lines == [
        'data/clinics/x.yaml:10: hours.tuesday[0]: "9:00 AM - 5:00 XM" is not a time range like '
        '09:00-17:00 (write it like "09:00-17:00" or "9am-5pm", or "closed")',
        'data/clinics/x.yaml:16: conditions[2]: unknown condition "depresion" (did you mean '
        '"depression"?)',
    ]

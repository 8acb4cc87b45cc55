"""Validation: one fixture per kind of bad input, each asserting its message, file and line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from kdirectory import load_directory, validate
from kdirectory.report import Report
from tests.conftest import GOOD_RECORD, ProjectFactory


def _report(make_project: ProjectFactory, records: Mapping[str, str | bytes]) -> Report:
    return validate(load_directory(make_project(dict(records))))


def _lines(report: Report) -> list[str]:
    return [p.format() for p in report.sorted_problems()]


def test_good_record_is_clean(make_project: ProjectFactory) -> None:
    report = _report(make_project, {"harbor.yaml": GOOD_RECORD})
    assert _lines(report) == []
    assert report.summary() == "1 file, 1 clinic, 0 errors, 0 warnings"


# (id, old text in GOOD_RECORD, new text, expected formatted problem)
EDITS: list[tuple[str, str, str, str]] = [
    (
        "phone-short",
        '"(760) 555-0123"',
        '"760-555-01"',
        'x.yaml:3: phone: "760-555-01" is not a valid US phone number (10 digits expected, found 8)',
    ),
    (
        "phone-letters",
        '"(760) 555-0123"',
        '"call us"',
        'x.yaml:3: phone: "call us" is not a phone number',
    ),
    (
        "phone-no-area-code",
        '"(760) 555-0123"',
        '"555-1234"',
        'x.yaml:3: phone: "555-1234" has no area code (add the 3-digit area code in front',
    ),
    (
        "phone-non-us",
        '"(760) 555-0123"',
        '"+44 20 7946 0958"',
        'x.yaml:3: phone: "+44 20 7946 0958" is not a US number (country code +44, GB)',
    ),
    (
        "phone-too-long",
        '"(760) 555-0123"',
        '"760555012345"',
        'x.yaml:3: phone: "760555012345" is not a valid US phone number (10 digits expected, found 12)',
    ),
    (
        "phone-area-code",
        '"(760) 555-0123"',
        '"123-456-7890"',
        'x.yaml:3: phone: "123-456-7890" is not a valid US phone number (area code 123',
    ),
    (
        "phone-number-type",
        '"(760) 555-0123"',
        "[7605550123]",
        "x.yaml:3: phone: must be a phone number written as text",
    ),
    (
        "tracking-phone",
        "url: https://harbor.example/\n",
        'url: https://harbor.example/\ntracking_phone: "555"\n',
        'x.yaml:3: tracking_phone: "555" is not a valid US phone number (10 digits expected, found 3)',
    ),
    (
        "zip-other-state",
        '"92025"',
        '"10001"',
        "x.yaml:9: address.postal_code: ZIP 10001 is in New York, New York, not in CA",
    ),
    (
        "zip-4-digits",
        '"92025"',
        '"5353"',
        'x.yaml:9: address.postal_code: "5353" has 4 digits; ZIP codes have 5 (a leading zero was probably lost: write "05353" in quotes)',
    ),
    (
        "zip-unknown",
        '"92025"',
        '"00001"',
        "x.yaml:9: address.postal_code: ZIP 00001 does not exist",
    ),
    (
        "zip-format",
        '"92025"',
        '"9202A"',
        'x.yaml:9: address.postal_code: "9202A" is not a ZIP code',
    ),
    (
        "state-unknown",
        "region: CA",
        "region: Californa",
        'x.yaml:8: address.region: "Californa" is not a US state (did you mean "CA"?)',
    ),
    (
        "city-not-zip",
        "city: Escondido",
        "city: Oceanside",
        'x.yaml:7: warning: address.city: "Oceanside" is not a city name USPS uses for ZIP 92025',
    ),
    (
        "condition-typo",
        "[depression, ptsd]",
        "[depression, anxeity]",
        'x.yaml:14: conditions[1]: unknown condition "anxeity" (did you mean "generalized-anxiety"?)',
    ),
    (
        "condition-alias-repeat",
        "[depression, ptsd]",
        "[anxiety, generalized-anxiety]",
        'x.yaml:14: conditions: lists "generalized-anxiety" twice',
    ),
    (
        "condition-repeat",
        "[depression, ptsd]",
        "[ptsd, ptsd]",
        'x.yaml:14: conditions: lists "ptsd" twice',
    ),
    (
        "conditions-not-list",
        "[depression, ptsd]",
        "depression",
        'x.yaml:14: conditions: must be a list, not the text "depression"',
    ),
    (
        "therapy-unknown",
        "[iv-ketamine-infusion]",
        "[iv-drip]",
        'x.yaml:15: therapies[0]: unknown therapy "iv-drip"',
    ),
    (
        "therapy-typo-of-an-alias",
        "[iv-ketamine-infusion]",
        "[Spravatto]",
        'x.yaml:15: therapies[0]: unknown therapy "Spravatto" (did you mean "esketamine-nasal-spray"?)',
    ),
    (
        "spravato-no-rems",
        "[iv-ketamine-infusion]",
        "[esketamine-nasal-spray]",
        "x.yaml:15: therapies[0]: offers esketamine-nasal-spray (Spravato) but spravato_rems_certified is not true",
    ),
    (
        "spravato-rems-false",
        "[iv-ketamine-infusion]",
        "[esketamine-nasal-spray]\nspravato_rems_certified: false",
        "x.yaml:16: spravato_rems_certified: offers esketamine-nasal-spray (Spravato) but spravato_rems_certified is not true",
    ),
    (
        "hours-overlap",
        '["09:00-12:00", "13:00-18:00"]',
        '["09:00-12:00", "11:00-18:00"]',
        "x.yaml:11: hours.monday: 09:00-12:00 and 11:00-18:00 overlap (merge them into one range or fix the times)",
    ),
    (
        "hours-reversed",
        '"10:00-14:00"',
        '"14:00-10:00"',
        'x.yaml:12: hours.saturday[0]: "14:00-10:00" closes before it opens',
    ),
    (
        "hours-format",
        '"10:00-14:00"',
        '"10-2"',
        'x.yaml:12: hours.saturday[0]: "10-2" is not a time range like 09:00-17:00 (write it like "09:00-17:00" or "9am-5pm", or "closed")',
    ),
    (
        "hours-format-12h",
        '"10:00-14:00"',
        '"10am-14pm"',
        'x.yaml:12: hours.saturday[0]: "10am-14pm" is not a time range like 09:00-17:00',
    ),
    (
        "hours-no-such-time",
        '"10:00-14:00"',
        '"10:00-25:00"',
        'x.yaml:12: hours.saturday[0]: "10:00-25:00" has a time that does not exist',
    ),
    (
        "hours-sexagesimal",
        'saturday: "10:00-14:00"',
        "saturday: 10:00",
        'x.yaml:12: hours.saturday: 10:00 is read by YAML as the number 600 (base 60), not a time (put times in quotes: "10:00")',
    ),
    (
        "hours-weekday-typo",
        "sunday: closed",
        "sundy: closed",
        'x.yaml:13: hours.sundy: unknown field "sundy" (did you mean "sunday"?)',
    ),
    (
        "special-date-unreal",
        "conditions:",
        "special_hours:\n  - {date: 2026-02-30, closed: true}\nconditions:",
        'x.yaml:15: special_hours[0].date: "2026-02-30" is not a real date (day is out of range for month)',
    ),
    (
        "special-date-format",
        "conditions:",
        'special_hours:\n  - {date: "12/25/2026", closed: true}\nconditions:',
        'x.yaml:15: special_hours[0].date: "12/25/2026" is not a date (write dates as YYYY-MM-DD',
    ),
    (
        "special-neither",
        "conditions:",
        "special_hours:\n  - {date: 2026-12-25}\nconditions:",
        "x.yaml:15: special_hours[0]: gives neither closed: true nor hours",
    ),
    (
        "special-twice",
        "conditions:",
        "special_hours:\n  - {date: 2026-12-25, closed: true}\n  - {date: 2026-12-25, closed: true}\nconditions:",
        "x.yaml:16: special_hours[1].date: 2026-12-25 is listed twice (also special_hours[0])",
    ),
    (
        "url-javascript",
        "https://harbor.example/",
        '"javascript:alert(1)"',
        'x.yaml:2: url: "javascript:alert(1)" is not a web address ("javascript:") (use a full address starting with https://)',
    ),
    (
        "url-incomplete",
        "https://harbor.example/",
        "https://harbor",
        'x.yaml:2: url: "https://harbor" is not a complete web address',
    ),
    (
        "url-http",
        "https://harbor.example/",
        "http://harbor.example/",
        'x.yaml:2: warning: url: "http://harbor.example/" is not https',
    ),
    (
        "email",
        "url: https://harbor.example/",
        "url: https://harbor.example/\nemail: info-at-harbor",
        'x.yaml:3: email: "info-at-harbor" is not an email address',
    ),
    (
        "bool-type",
        "conditions:",
        "accepting_new_patients: maybe\nconditions:",
        'x.yaml:14: accepting_new_patients: must be true or false, not the text "maybe"',
    ),
    (
        "geo-range",
        "hours:",
        "geo: {lat: 134.0, lon: -117.0}\nhours:",
        "x.yaml:10: geo.lat: 134.0 is out of range",
    ),
    (
        "geo-far-from-zip",
        "hours:",
        "geo: {lat: 33.11, lon: 117.07}\nhours:",
        "x.yaml:10: warning: geo: (33.11, 117.07) is ",
    ),
    (
        "unknown-key",
        "address:",
        "adress:",
        'x.yaml:4: adress: unknown field "adress" (did you mean "address"?)',
    ),
    (
        "missing-name",
        "name: Harbor Ketamine Clinic\n",
        "",
        "x.yaml:1: name: is required (add `name:`)",
    ),
    (
        "language",
        "conditions:",
        "languages: [englsh]\nconditions:",
        'x.yaml:14: languages[0]: unknown language "englsh" (did you mean "en"?)',
    ),
    (
        "language-unknown",
        "conditions:",
        "languages: [klingon]\nconditions:",
        'x.yaml:14: languages[0]: unknown language "klingon" (use an ISO 639-1 code such as en, es, zh, vi)',
    ),
    (
        "payment",
        "conditions:",
        "payment: [bitcoin]\nconditions:",
        'x.yaml:14: payment[0]: "bitcoin" is not one of: cash',
    ),
    (
        "timezone",
        "conditions:",
        "timezone: Pacific\nconditions:",
        'x.yaml:14: timezone: "Pacific" is not an IANA time zone',
    ),
    (
        "po-box",
        "street: 1200 N Main St",
        "street: PO Box 123",
        'x.yaml:5: warning: address.street: "PO Box 123" is a PO box, not a place patients can visit',
    ),
    (
        "slug",
        "conditions:",
        "slug: Bad Slug!\nconditions:",
        'x.yaml:14: slug: "Bad Slug!" is not a valid slug',
    ),
    (
        "claim-cure",
        "conditions:",
        "description: We cure depression in one visit.\nconditions:",
        'x.yaml:14: description: says "cure": ketamine treatment can relieve symptoms',
    ),
    (
        "claim-not-addictive",
        "conditions:",
        "description: Ketamine is non-addictive and completely safe.\nconditions:",
        'x.yaml:14: description: says "non-addictive"',
    ),
    (
        "duplicate-key",
        "url: https://harbor.example/",
        "name: Other\nurl: https://harbor.example/",
        "x.yaml:2: name: is given twice (first on line 1)",
    ),
    (
        "tracking-same",
        "url: https://harbor.example/\n",
        'url: https://harbor.example/\ntracking_phone: "760-555-0123"\n',
        "x.yaml:3: warning: tracking_phone: is the same as phone",
    ),
    (
        "yaml-comment-value",
        "unit: Suite 210",
        "unit: #210",
        'x.yaml:6: address.unit: "#210" is read by YAML as a comment, so unit is empty (put it in quotes: unit: "#210")',
    ),
    (
        "yaml-syntax",
        "name: Harbor Ketamine Clinic",
        "name: Harbor: Ketamine Clinic",
        "x.yaml:1: is not valid YAML: mapping values are not allowed",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS]
)
def test_bad_record(make_project: ProjectFactory, old: str, new: str, expected: str) -> None:
    assert old in GOOD_RECORD
    report = _report(make_project, {"x.yaml": GOOD_RECORD.replace(old, new, 1)})
    lines = _lines(report)
    assert any(line.startswith("data/clinics/" + expected) for line in lines), lines


def test_at_least_forty_distinct_problems() -> None:
    assert len({e[3] for e in EDITS}) + len(WHOLE_FILES) >= 40


WHOLE_FILES: list[tuple[str, str, bytes, str]] = [
    ("empty", "x.yaml", b"", "data/clinics/x.yaml: the file is empty"),
    (
        "comments-only",
        "x.yaml",
        b"# nothing here\n",
        "data/clinics/x.yaml: holds no record (only comments)",
    ),
    (
        "binary",
        "x.yaml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "data/clinics/x.yaml: is a binary file",
    ),
    (
        "not-utf8",
        "x.yaml",
        "name: Cl\u00ednica\n".encode("cp1252"),
        "data/clinics/x.yaml:1: is not UTF-8 text (byte 0xed",
    ),
    (
        "list",
        "x.yaml",
        b"- name: A\n- name: B\n",
        "data/clinics/x.yaml:1: holds a list, not a clinic record",
    ),
    (
        "two-documents",
        "x.yaml",
        b"name: A\n---\nname: B\n",
        "data/clinics/x.yaml:2: is not valid YAML: holds more than one YAML document",
    ),
    (
        "json-syntax",
        "x.json",
        b'{"name": "A",\n "address": }\n',
        "data/clinics/x.json:2: is not valid JSON: Expecting value (column 13)",
    ),
    (
        "json-field",
        "x.json",
        b'{"name": "A",\n "address": {"city": "Escondido", "region": "CA"},\n "phone": "555"\n}\n',
        'data/clinics/x.json:3: phone: "555" is not a valid US phone number',
    ),
    (
        "tag",
        "x.yaml",
        b"name: !!python/object:os.system ls\n",
        "data/clinics/x.yaml:1: name: uses the YAML tag",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "expected"), [w[1:] for w in WHOLE_FILES], ids=[w[0] for w in WHOLE_FILES]
)
def test_bad_file(make_project: ProjectFactory, name: str, content: bytes, expected: str) -> None:
    report = _report(make_project, {name: content})
    lines = _lines(report)
    assert any(line.startswith(expected) for line in lines), lines
    assert not report.ok()


def test_huge_file_is_refused_without_reading_it(make_project: ProjectFactory) -> None:
    root = make_project({})
    with (root / "data" / "clinics" / "huge.yaml").open("wb") as handle:
        handle.truncate(50_000_000)
    lines = _lines(validate(load_directory(root)))
    assert lines == [
        "data/clinics/huge.yaml: the file is 50.0 MB; a clinic record is a few kilobytes "
        "(is this the right file? One clinic per file, at most 1 MB)"
    ]


def test_ten_thousand_conditions_is_one_clear_error(make_project: ProjectFactory) -> None:
    many = "conditions: [" + ", ".join(f"c{i}" for i in range(10_000)) + "]"
    report = _report(
        make_project, {"x.yaml": GOOD_RECORD.replace("conditions: [depression, ptsd]", many)}
    )
    assert _lines(report) == [
        "data/clinics/x.yaml:14: conditions: has 10,000 entries; at most 40 are allowed "
        "(list only what this clinic really offers)"
    ]


def test_alias_bomb_is_bounded(make_project: ProjectFactory) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    lines = _lines(_report(make_project, {"x.yaml": bomb}))
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
    report = _report(make_project, records)
    files = {p.file for p in report.errors}
    assert files == {"data/clinics/a.yaml", "data/clinics/b.yaml", "data/clinics/c.yaml"}
    assert report.summary() == "3 files, 0 clinics, 3 errors, 0 warnings"


def test_unquoted_numbers_in_text_fields_keep_their_digits(make_project: ProjectFactory) -> None:
    text = GOOD_RECORD.replace('"(760) 555-0123"', "7605550123").replace('"92025"', "92025")
    directory = load_directory(make_project({"x.yaml": text}))
    assert _lines(validate(directory)) == []
    clinic = directory.clinics[0]
    assert str(clinic.phone) == "+17605550123"
    assert clinic.address.postal_code == "92025"


def test_leading_zero_zip_is_not_read_as_octal(make_project: ProjectFactory) -> None:
    text = (
        "name: Green Mountain Ketamine\naddress:\n  city: Montpelier\n  region: VT\n"
        "  postal_code: 05602\ntherapies: [iv-ketamine-infusion]\n"
    )
    directory = load_directory(make_project({"x.yaml": text}))
    assert _lines(validate(directory)) == []
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
    assert _lines(validate(directory)) == []  # not one layer (schema, model, rules) objects
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
    lines = _lines(_report(make_project, {"x.yaml": text}))
    assert lines == [
        'data/clinics/x.yaml:10: hours.tuesday[0]: "9:00 AM - 5:00 XM" is not a time range like '
        '09:00-17:00 (write it like "09:00-17:00" or "9am-5pm", or "closed")',
        'data/clinics/x.yaml:16: conditions[2]: unknown condition "depresion" (did you mean '
        '"depression"?)',
    ]


def test_json_format_lists_objects(make_project: ProjectFactory) -> None:
    report = _report(make_project, {"x.yaml": GOOD_RECORD.replace('"(760) 555-0123"', '"555"')})
    items = json.loads(report.to_json())
    assert items[0]["file"] == "data/clinics/x.yaml"
    assert items[0]["line"] == 3
    assert items[0]["field"] == "phone"
    assert items[0]["severity"] == "error"
    assert items[0]["rule"] == "phone"
    assert set(items[0]) == {"file", "line", "field", "message", "fix", "severity", "rule"}


# --- across the directory -----------------------------------------------------------------


def test_same_address_in_two_spellings_is_an_error(make_project: ProjectFactory) -> None:
    a = GOOD_RECORD.replace("1200 N Main St", "1200 NORTH MAIN STREET").replace(
        "Suite 210", "SUITE 210"
    )
    b = (
        GOOD_RECORD.replace("Harbor Ketamine Clinic", "Coastal Mind Center")
        .replace("1200 N Main St", "1200 N. Main St.")
        .replace("Suite 210", '"#210"')
        .replace("(760) 555-0123", "(760) 555-0188")
    )
    lines = _lines(_report(make_project, {"a.yaml": a, "b.yaml": b}))
    assert lines == [
        "data/clinics/b.yaml:4: address: is the same address as data/clinics/a.yaml "
        "(1200 N MAIN ST STE 210, ESCONDIDO 92025) (one file per location: merge the two records, "
        "or correct the suite)"
    ]


def test_explicit_slug_collision(make_project: ProjectFactory) -> None:
    a = "slug: harbor\n" + GOOD_RECORD
    b = "slug: harbor\n" + GOOD_RECORD.replace("1200 N", "77 W").replace(
        "Harbor Ketamine", "Bay Ketamine"
    ).replace("(760) 555-0123", "(760) 555-0177")
    lines = _lines(_report(make_project, {"a.yaml": a, "b.yaml": b}))
    assert lines == [
        'data/clinics/b.yaml:1: slug: slug "harbor" is already used by data/clinics/a.yaml '
        "(give each clinic its own slug: add `slug:` with a different value)"
    ]


def test_derived_slug_collision_adds_the_city(make_project: ProjectFactory) -> None:
    a = GOOD_RECORD
    b = (
        GOOD_RECORD.replace("1200 N Main St", "500 Beach Blvd")
        .replace("Escondido", "Oceanside")
        .replace("92025", "92054")
        .replace("(760) 555-0123", "(760) 555-0166")
    )
    directory = load_directory(make_project({"a.yaml": a, "b.yaml": b}))
    assert _lines(validate(directory)) == []
    assert sorted(c.slug or "" for c in directory.clinics) == [
        "harbor-ketamine-clinic-escondido",
        "harbor-ketamine-clinic-oceanside",
    ]


def test_shared_phone_warns_unless_same_brand(make_project: ProjectFactory) -> None:
    a = GOOD_RECORD
    b = GOOD_RECORD.replace("1200 N Main St", "500 Grand Ave").replace(
        "Harbor Ketamine Clinic", "Grand Wellness"
    )
    lines = _lines(_report(make_project, {"a.yaml": a, "b.yaml": b}))
    assert lines == [
        "data/clinics/b.yaml:3: warning: phone: (760) 555-0123 is also the phone of data/clinics/a.yaml "
        "at another address (if both are branches of one practice, give both the same `brand:`)"
    ]
    branded = {
        name: "brand: Harbor Group\n" + text for name, text in {"a.yaml": a, "b.yaml": b}.items()
    }
    assert _lines(_report(make_project, branded)) == []


def test_near_duplicate_names_in_one_city(make_project: ProjectFactory) -> None:
    a = GOOD_RECORD
    b = (
        GOOD_RECORD.replace("Harbor Ketamine Clinic", "Harbour Ketamine Clinics")
        .replace("1200 N Main St", "500 Grand Ave")
        .replace("(760) 555-0123", "(760) 555-0155")
    )
    lines = _lines(_report(make_project, {"a.yaml": a, "b.yaml": b}))
    assert lines == [
        'data/clinics/b.yaml:1: warning: name: "Harbour Ketamine Clinics" is nearly the same name as '
        '"Harbor Ketamine Clinic" in data/clinics/a.yaml (same city) (the same clinic twice? merge the '
        "records, or make the names distinct)"
    ]


def test_same_name_at_same_coordinates(make_project: ProjectFactory) -> None:
    geo = "geo: {lat: 33.12001, lon: -117.08001}\nhours:"
    a = GOOD_RECORD.replace("hours:", geo)
    b = "slug: harbor-north\n" + GOOD_RECORD.replace("hours:", geo).replace(
        "1200 N Main St", "1201 N Main St"
    ).replace("(760) 555-0123", "(760) 555-0155")
    lines = _lines(_report(make_project, {"a.yaml": a, "b.yaml": b}))
    assert any("looks like" in line and "at the same coordinates" in line for line in lines), lines


def test_missing_project_folder(tmp_path: Path) -> None:
    from kdirectory import ProjectNotFoundError

    with pytest.raises(ProjectNotFoundError, match="no data/clinics/ folder"):
        load_directory(tmp_path)


def test_demo_directory_validates_clean() -> None:
    from tests.conftest import REPO

    report = validate(load_directory(REPO))
    assert report.problems == []
    assert report.clinics >= 2

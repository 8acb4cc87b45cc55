"""Validation: one fixture per kind of bad input, each asserting its message, file and line."""

from __future__ import annotations

import pytest

from tests.helpers import GOOD_RECORD, ProjectFactory, formatted, validated


def test_good_record_is_clean(make_project: ProjectFactory) -> None:
    report = validated(make_project, {"harbor.yaml": GOOD_RECORD})
    assert formatted(report) == []
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
    report = validated(make_project, {"x.yaml": GOOD_RECORD.replace(old, new, 1)})
    lines = formatted(report)
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
    report = validated(make_project, {name: content})
    lines = formatted(report)
    assert any(line.startswith(expected) for line in lines), lines
    assert not report.ok()

"""The record fields brand sites need (valid on any site): booking_url, providers' npi and
bio, testimonials and photos; the claims lint over testimonials and bios; and the rules of
a brand site (every record is the brand's, service-area cities near a location serving
them, the text colour of buttons). Each rule with a record that fails it and one that
passes, its message, file and line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.cli import app
from kdirectory.record.npi import check_digit, is_valid_npi
from kdirectory.report import Report
from tests.helpers import GOOD_RECORD, ProjectFactory, formatted
from tests.record.images import HTML, JPEG, PNG, SVG, WEBP, png_header, put

FIRST_NEW_LINE = GOOD_RECORD.count("\n") + 1
"""The line of the first field added below GOOD_RECORD."""


def check(make_project: ProjectFactory, extra: str, config: str | None = None) -> list[str]:
    """Every problem ``validate`` reports on GOOD_RECORD with ``extra`` appended, as
    printed, for a project in which ``photos/`` holds the test images."""
    root = make_project({"x.yaml": GOOD_RECORD + extra}, config)
    add_photos(root)
    return formatted(validate(load_directory(root)))


def add_photos(root: Path) -> None:
    for name, content in [
        ("photos/lobby.jpg", JPEG),
        ("photos/room.png", PNG),
        ("photos/garden.webp", WEBP),
        ("photos/page.jpg", HTML),
        ("photos/logo.svg", SVG),
        ("photos/really-png.jpg", PNG),
        ("photos/broken.png", PNG[:40]),
    ]:
        put(root, name, content)


def at(line: int, field: str, text: str, *, warning: bool = False) -> str:
    """The start of a printed problem of x.yaml at ``line`` (counted from the first added
    line, 0) and ``field``."""
    label = "warning: " if warning else ""
    return f"data/clinics/x.yaml:{FIRST_NEW_LINE + line}: {label}{field}: {text}"


def one(lines: list[str], start: str) -> None:
    assert len(lines) == 1, lines
    assert lines[0].startswith(start), lines[0]


# --- booking_url ------------------------------------------------------------------------------


def test_a_booking_url(make_project: ProjectFactory) -> None:
    assert check(make_project, "booking_url: https://harbor.example/book?at=escondido\n") == []


def test_a_booking_url_is_a_web_address(make_project: ProjectFactory) -> None:
    one(
        check(make_project, "booking_url: javascript:alert(1)\n"),
        at(0, "booking_url", '"javascript:alert(1)" is not a web address ("javascript:")'),
    )


def test_a_booking_url_over_http_is_a_warning(make_project: ProjectFactory) -> None:
    one(
        check(make_project, "booking_url: http://harbor.example/book\n"),
        at(0, "booking_url", '"http://harbor.example/book" is not https', warning=True),
    )


# --- providers: npi and bio -----------------------------------------------------------------------


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126", "1497758544"])
def test_valid_npis(npi: str) -> None:
    assert is_valid_npi(npi)
    assert check_digit(npi[:9]) == int(npi[9])


@pytest.mark.parametrize(
    "npi", ["1234567890", "1234567894", "1245319598", "2234567893", "123456789", "12345678931"]
)
def test_invalid_npis(npi: str) -> None:
    assert not is_valid_npi(npi)


def test_the_check_digit_is_luhn_over_the_80840_prefix() -> None:
    assert check_digit("123456789") == 3
    with pytest.raises(ValueError, match="not nine digits"):
        check_digit("12345678a")


def test_a_provider_with_an_npi_and_a_bio(make_project: ProjectFactory) -> None:
    extra = (
        "providers:\n"
        "  - name: Dana Whitfield\n"
        "    credentials: MD\n"
        "    npi: 1234567893\n"  # unquoted: read as text, not a number
        "    bio: Board-certified anesthesiologist who monitors every infusion.\n"
    )
    assert check(make_project, extra) == []
    clinic = load_directory(make_project({"x.yaml": GOOD_RECORD + extra})).clinics[0]
    assert clinic.providers[0].npi == "1234567893"


@pytest.mark.parametrize(
    ("npi", "expected"),
    [
        (
            "1234567890",
            '"1234567890" is not a valid NPI: its last digit, the check digit, should be 3 for '
            "the nine digits before it, not 0 (a digit was probably mistyped: compare the "
            "number with the NPI Registry (npiregistry.cms.hhs.gov))",
        ),
        (
            '"12345"',
            '"12345" is not an NPI: an NPI is 10 digits and nothing else (found 5 digits)',
        ),
        ('"1234567a93"', '"1234567a93" is not an NPI: an NPI is 10 digits and nothing else'),
        ('"123-456-7893"', "is 12 characters long; at most 10 (an NPI is 10 digits, without"),
    ],
)
def test_a_wrong_npi_says_what_is_wrong(
    make_project: ProjectFactory, npi: str, expected: str
) -> None:
    extra = f"providers:\n  - name: Dana Whitfield\n    npi: {npi}\n"
    one(check(make_project, extra), at(2, "providers[0].npi", expected))


def test_an_npi_given_as_a_json_number_is_read_as_text(make_project: ProjectFactory) -> None:
    """As a ZIP code or a phone number: an NPI is an identifier, never a quantity."""
    record = {
        "name": "Harbor Ketamine Clinic",
        "address": {"city": "Escondido", "region": "CA", "postal_code": "92025"},
        "therapies": ["iv-ketamine-infusion"],
        "providers": [{"name": "Dana Whitfield", "npi": 1234567893}],
    }
    directory = load_directory(make_project({"x.json": json.dumps(record, indent=2)}))
    assert formatted(validate(directory)) == []
    assert directory.clinics[0].providers[0].npi == "1234567893"


def test_a_bio_is_limited_in_length(make_project: ProjectFactory) -> None:
    extra = f"providers:\n  - name: Dana Whitfield\n    bio: {'word ' * 500}\n"
    one(
        check(make_project, extra),
        at(2, "providers[0].bio", "is 2,499 characters long; at most 2000 (keep the bio"),
    )


def test_a_claim_in_a_bio_is_an_error_on_its_line(make_project: ProjectFactory) -> None:
    extra = (
        "providers:\n"
        "  - name: Dana Whitfield\n"
        "    role: Medical director\n"
        "    bio: Dr. Whitfield offers guaranteed results for depression.\n"
    )
    lines = check(make_project, extra)
    one(lines, at(3, "providers[0].bio", 'says "guaranteed": no treatment outcome can be'))
    report = validate(load_directory(make_project({"x.yaml": GOOD_RECORD + extra})))
    assert [(p.rule, p.severity) for p in report.problems] == [("claims.guarantee", "error")]


# --- testimonials -----------------------------------------------------------------------------------

TESTIMONIAL = (
    "testimonials:\n"
    "  - quote: The staff explained every step and checked on me throughout.\n"
    "    attribution: Maria, Escondido\n"
    "    date: 2026-05-14\n"
    "    consent: true\n"
)


def test_a_testimonial_with_consent(make_project: ProjectFactory) -> None:
    assert check(make_project, TESTIMONIAL) == []
    clinic = load_directory(make_project({"x.yaml": GOOD_RECORD + TESTIMONIAL})).clinics[0]
    testimonial = clinic.testimonials[0]
    assert (testimonial.attribution, testimonial.consent) == ("Maria, Escondido", True)
    assert testimonial.date is not None and testimonial.date.isoformat() == "2026-05-14"


CONSENT_FIX = (
    "the clinic must hold the patient's written permission to publish the testimonial "
    "(set consent: true only when it does)"
)


def test_a_testimonial_without_consent_is_an_error(make_project: ProjectFactory) -> None:
    lines = check(make_project, TESTIMONIAL.replace("    consent: true\n", ""))
    assert lines == [at(1, "testimonials[0].consent", f"is missing: {CONSENT_FIX}")]


@pytest.mark.parametrize(
    ("value", "said"), [("false", "is false"), ('"yes"', "is 'yes', not true"), ("1", "is 1")]
)
def test_consent_is_true_or_an_error(make_project: ProjectFactory, value: str, said: str) -> None:
    lines = check(make_project, TESTIMONIAL.replace("consent: true", f"consent: {value}"))
    one(lines, at(4, "testimonials[0].consent", said))
    assert CONSENT_FIX in lines[0]


def test_a_claim_in_a_testimonial_is_an_error_on_its_line(make_project: ProjectFactory) -> None:
    extra = TESTIMONIAL.replace(
        "The staff explained every step and checked on me throughout.",
        "After six infusions it cured my depression.",
    )
    lines = check(make_project, extra)
    assert lines == [
        at(
            1,
            "testimonials[0].quote",
            'says "cured": ketamine treatment can relieve symptoms; no one can promise a cure '
            "(a testimonial is published as the patient gave it, and the page would make the "
            "claim: leave the testimonial out, or quote only words that make no such claim)",
        )
    ]


def test_every_testimonial_is_linted(make_project: ProjectFactory) -> None:
    second = (
        "  - quote: Guaranteed results, and it is completely safe.\n"
        "    attribution: Joe, Vista\n"
        "    consent: true\n"
    )
    lines = check(make_project, TESTIMONIAL + second)
    assert len(lines) == 2
    assert all(line.startswith(at(5, "testimonials[1].quote", "says ")) for line in lines)
    assert {line.split(": says ")[1].split(":")[0] for line in lines} == {
        '"Guaranteed"',
        '"completely safe"',
    }


def test_a_testimonial_dated_in_the_future_is_an_error(make_project: ProjectFactory) -> None:
    lines = check(make_project, TESTIMONIAL.replace("2026-05-14", "2999-01-01"))
    one(lines, at(3, "testimonials[0].date", "2999-01-01 is in the future (today is "))


def test_a_testimonial_date_exists(make_project: ProjectFactory) -> None:
    lines = check(make_project, TESTIMONIAL.replace("2026-05-14", '"2026-02-30"'))
    one(lines, at(3, "testimonials[0].date", '"2026-02-30" is not a real date'))


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "expected"),
    [
        (
            "    attribution: Maria, Escondido\n",
            "",
            1,
            "testimonials[0].attribution",
            "is required",
        ),
        ("Maria, Escondido", "M" * 81, 2, "testimonials[0].attribution", "is 81 characters long"),
        ("The staff explained", "x" * 1000, 1, "testimonials[0].quote", "is 1,041 characters"),
        ("    date: 2026-05-14\n", "    stars: 5\n", 3, "testimonials[0].stars", "unknown field"),
    ],
)
def test_a_testimonials_fields(
    make_project: ProjectFactory, old: str, new: str, line: int, field: str, expected: str
) -> None:
    assert old in TESTIMONIAL
    one(check(make_project, TESTIMONIAL.replace(old, new)), at(line, field, expected))


def test_claims_in_new_text_are_errors_on_a_directory_too(make_project: ProjectFactory) -> None:
    extra = TESTIMONIAL.replace("checked on me throughout", "it has no side effects")
    report = validate(load_directory(make_project({"x.yaml": GOOD_RECORD + extra})))
    assert [p.rule for p in report.errors] == ["claims.no_side_effects"]


# --- photos -----------------------------------------------------------------------------------------


def photo(file: str, alt: str = "Reception area of the Escondido clinic") -> str:
    return f"photos:\n  - file: {file}\n    alt: {alt}\n"


@pytest.mark.parametrize("file", ["photos/lobby.jpg", "photos/room.png", "photos/garden.webp"])
def test_a_photo_in_the_project(make_project: ProjectFactory, file: str) -> None:
    extra = photo(file) + "    caption: Our waiting room\n"
    assert check(make_project, extra) == []


@pytest.mark.parametrize(
    ("file", "rule_start"),
    [
        ("../outside.jpg", '"../outside.jpg" climbs out of the project with ".."'),
        ("/etc/hosts", '"/etc/hosts" is an absolute path, not one in the project'),
        ('"C:\\\\photos\\\\lobby.jpg"', '"C:\\\\photos\\\\lobby.jpg" is an absolute path'),
        ("photos/missing.jpg", '"photos/missing.jpg" does not exist in the project'),
        ("photos", '"photos" is not a file'),
        ("photos/page.jpg", '"photos/page.jpg" is no image by its content; a JPEG, PNG, WebP'),
        ("photos/logo.svg", '"photos/logo.svg" is a SVG image by its content; a JPEG, PNG, WebP'),
        ("photos/really-png.jpg", '"photos/really-png.jpg" holds a PNG image but its name'),
        ("photos/broken.png", '"photos/broken.png" starts like a PNG image but cannot be read'),
    ],
)
def test_a_bad_photo_file_is_an_error_on_its_line(
    make_project: ProjectFactory, file: str, rule_start: str
) -> None:
    one(check(make_project, photo(file)), at(1, "photos[0].file", rule_start))


def test_the_rules_of_bad_photo_files(make_project: ProjectFactory) -> None:
    rules = {}
    for file in ("../outside.jpg", "photos/missing.jpg", "photos/page.jpg"):
        root = make_project({"x.yaml": GOOD_RECORD + photo(file)})
        add_photos(root)
        rules[file] = [p.rule for p in validate(load_directory(root)).errors]
    assert rules == {
        "../outside.jpg": ["photos.outside_project"],
        "photos/missing.jpg": ["photos.missing"],
        "photos/page.jpg": ["photos.not_image"],
    }


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_photo_linked_from_outside_the_project_is_refused(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    outside = put(tmp_path, "elsewhere/lobby.jpg", JPEG)
    root = make_project({"x.yaml": GOOD_RECORD + photo("photos/linked.jpg")})
    add_photos(root)
    (root / "photos" / "linked.jpg").symlink_to(outside)
    lines = formatted(validate(load_directory(root)))
    one(lines, at(1, "photos[0].file", '"photos/linked.jpg" is a link that leads out of the'))


def test_a_photo_over_20_mb_is_refused(make_project: ProjectFactory) -> None:
    root = make_project({"x.yaml": GOOD_RECORD + photo("photos/huge.jpg")})
    add_photos(root)
    with (root / "photos" / "huge.jpg").open("wb") as handle:
        handle.write(JPEG)
        handle.truncate(21_000_000)  # sparse: fast to make
    report = validate(load_directory(root))
    one(formatted(report), at(1, "photos[0].file", '"photos/huge.jpg" is 21.0 MB; at most 20 MB'))
    assert [p.rule for p in report.problems] == ["photos.too_large"]


def test_a_photo_of_more_than_50_megapixels_is_refused(make_project: ProjectFactory) -> None:
    root = make_project({"x.yaml": GOOD_RECORD + photo("photos/huge.png")})
    add_photos(root)
    put(root, "photos/huge.png", png_header(8000, 7000))
    report = validate(load_directory(root))
    one(
        formatted(report),
        at(1, "photos[0].file", '"photos/huge.png" is 8,000 x 7,000 pixels (56.0 megapixels); '),
    )
    assert [p.rule for p in report.problems] == ["photos.too_large"]
    put(root, "photos/huge.png", png_header(20_000, 10_000))  # past Pillow's own limit
    assert [p.rule for p in validate(load_directory(root)).problems] == ["photos.too_large"]


@pytest.mark.parametrize(
    ("extra", "line", "expected"),
    [
        ("photos:\n  - file: photos/lobby.jpg\n", 1, "photos[0].alt: is required"),
        ('photos:\n  - file: photos/lobby.jpg\n    alt: ""\n', 2, "photos[0].alt: is empty"),
        (photo("photos/lobby.jpg", "a" * 251), 2, "photos[0].alt: is 251 characters long"),
    ],
)
def test_a_photo_needs_alternative_text(
    make_project: ProjectFactory, extra: str, line: int, expected: str
) -> None:
    one(check(make_project, extra), f"data/clinics/x.yaml:{FIRST_NEW_LINE + line}: {expected}")


@pytest.mark.parametrize(
    ("alt", "rule", "said"),
    [
        ("lobby.jpg", "photos.alt_file_name", '"lobby.jpg" is the file\'s name'),
        ("Lobby", "photos.alt_file_name", '"Lobby" is the file\'s name'),
        ("Photo of our lobby", "photos.alt_redundant", 'starts with "Photo of"'),
        ("An image of the lobby", "photos.alt_redundant", 'starts with "An image of"'),
    ],
)
def test_alternative_text_that_describes_nothing_is_a_warning(
    make_project: ProjectFactory, alt: str, rule: str, said: str
) -> None:
    root = make_project({"x.yaml": GOOD_RECORD + photo("photos/lobby.jpg", alt)})
    add_photos(root)
    report = validate(load_directory(root))
    assert [(p.rule, p.severity) for p in report.problems] == [(rule, "warning")]
    one(formatted(report), at(2, "photos[0].alt", said, warning=True))


def test_alternative_text_that_mentions_a_photo_later_is_fine(
    make_project: ProjectFactory,
) -> None:
    assert check(make_project, photo("photos/lobby.jpg", "Lobby with a photo of the coast")) == []


# --- the JSON Schema ----------------------------------------------------------------------------


def test_the_schema_lists_the_new_fields() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    properties = schema["properties"]
    assert {"booking_url", "testimonials", "photos"} <= properties.keys()
    assert properties["booking_url"]["anyOf"][0]["format"] == "uri"
    defs = schema["$defs"]
    assert {"npi", "bio"} <= defs["Provider"]["properties"].keys()
    assert defs["Provider"]["properties"]["npi"]["anyOf"][0]["pattern"] == "^[0-9]{10}$"
    testimonial = defs["Testimonial"]
    assert sorted(testimonial["required"]) == ["attribution", "consent", "quote"]
    assert testimonial["properties"]["consent"]["const"] is True
    assert testimonial["properties"]["attribution"]["maxLength"] == 80
    photo_schema = defs["Photo"]
    assert sorted(photo_schema["required"]) == ["alt", "file"]
    assert photo_schema["properties"]["alt"]["maxLength"] == 250


# --- brand sites ----------------------------------------------------------------------------------

BRAND_CONFIG = """\
[site]
kind = "brand"
name = "Harbor Ketamine Care"
base_url = "https://harborketamine.example"

[brand]
name = "Harbor Ketamine Care"
url = "https://harborketamine.example"
"""
BRANDED = "brand: Harbor Ketamine Care\n" + GOOD_RECORD


def brand_report(
    make_project: ProjectFactory, records: dict[str, str], config: str = BRAND_CONFIG
) -> Report:
    return validate(load_directory(make_project(records, config)))


def test_records_of_the_brand_are_clean(make_project: ProjectFactory) -> None:
    assert formatted(brand_report(make_project, {"x.yaml": BRANDED})) == []


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            GOOD_RECORD,
            "data/clinics/x.yaml:1: brand: is missing: on a brand site every location gives the "
            'brand, "Harbor Ketamine Care" ([brand] name in kdirectory.toml) (add brand: Harbor '
            "Ketamine Care)",
        ),
        (
            "brand: Harbor Ketamine\n" + GOOD_RECORD,
            'data/clinics/x.yaml:1: brand: "Harbor Ketamine" is not the site\'s brand "Harbor '
            'Ketamine Care" ([brand] name in kdirectory.toml) (write brand: Harbor Ketamine '
            "Care, or move this clinic out of the brand site's records)",
        ),
        (
            GOOD_RECORD.replace("url:", "brand: harbor  ketamine CARE\nurl:"),
            'data/clinics/x.yaml:2: brand: "harbor  ketamine CARE" is not the site\'s brand '
            '"Harbor Ketamine Care" ([brand] name in kdirectory.toml); they differ in capitals '
            "or spaces only",
        ),
    ],
)
def test_a_record_of_another_brand_is_an_error(
    make_project: ProjectFactory, record: str, expected: str
) -> None:
    report = brand_report(make_project, {"x.yaml": record})
    one(formatted(report), expected)
    assert [(p.rule, p.severity) for p in report.problems] == [("brand.mismatch", "error")]


def test_a_directory_does_not_check_brands(make_project: ProjectFactory) -> None:
    record = "brand: Someone Else\n" + GOOD_RECORD + "service_area: [Calimesa]\n"
    assert formatted(validate(load_directory(make_project({"x.yaml": record})))) == []


# Distances from the centre of ZIP 92025 (Escondido, CA; the record gives no geo) to the
# gazetteer's centres: Newport Beach 59.25 miles, Calimesa 60.98 miles.


def test_a_city_59_miles_away_may_be_served(make_project: ProjectFactory) -> None:
    record = BRANDED + "service_area: [Vista, Newport Beach]\n"
    assert formatted(brand_report(make_project, {"x.yaml": record})) == []


def test_a_city_61_miles_away_may_not(make_project: ProjectFactory) -> None:
    record = BRANDED + 'service_area: [Vista, "Calimesa, CA"]\n'
    report = brand_report(make_project, {"x.yaml": record})
    assert formatted(report) == [
        f'data/clinics/x.yaml:{FIRST_NEW_LINE + 1}: service_area[1]: "Calimesa, CA" is 61.0 '
        "miles from this location, the nearest serving it; a brand site lists only cities "
        "within 60 miles of a location that serves them (remove the city from service_area, "
        "or list it on a location within 60 miles of it)"
    ]
    assert [(p.rule, p.severity) for p in report.problems] == [("brand.service_area_far", "error")]


def test_a_far_city_is_fine_when_another_location_serves_it_nearby(
    make_project: ProjectFactory,
) -> None:
    riverside = (
        BRANDED.replace("Harbor Ketamine Clinic", "Harbor Ketamine Care Riverside")
        .replace("1200 N Main St", "3900 Market St")
        .replace("Escondido", "Riverside")
        .replace("92025", "92501")
        .replace("(760) 555-0123", "(951) 555-0123")
    )
    records = {
        "x.yaml": BRANDED + "service_area: [Calimesa]\n",
        "riverside.yaml": riverside + "service_area: [Calimesa]\n",
    }
    assert formatted(brand_report(make_project, records)) == []
    alone = brand_report(make_project, {"x.yaml": records["x.yaml"], "r.yaml": riverside})
    assert [p.rule for p in alone.problems] == ["brand.service_area_far"]


def test_the_location_is_its_geo_when_given(make_project: ProjectFactory) -> None:
    # Calimesa's centre is about 11 miles from Redlands: a record there serves it.
    near = BRANDED + "geo: {lat: 34.0556, lon: -117.1825}\nservice_area: [Calimesa]\n"
    report = brand_report(make_project, {"x.yaml": near})
    assert [p.rule for p in report.problems] == ["geo.far_from_zip"]  # the geo is not in 92025


def test_a_city_the_gazetteer_cannot_place_is_a_warning(make_project: ProjectFactory) -> None:
    record = BRANDED + "service_area: [Atlantis]\n"
    report = brand_report(make_project, {"x.yaml": record})
    assert formatted(report) == [
        f'data/clinics/x.yaml:{FIRST_NEW_LINE + 1}: warning: service_area[0]: "Atlantis" '
        "cannot "
        'be checked against the 60-mile limit: the gazetteer knows no city "Atlantis" in CA '
        "(write the city as USPS names it, as City or City, ST (e.g. Buena Park, CA); give the "
        "location's geo or ZIP code if it has none)"
    ]
    assert [p.rule for p in report.problems] == ["brand.service_area_unplaced"]


def test_a_light_primary_colour_says_buttons_use_dark_text(make_project: ProjectFactory) -> None:
    config = BRAND_CONFIG + 'colors = { primary = "#ff8800", accent = "#c2410c" }\n'
    report = brand_report(make_project, {"x.yaml": BRANDED}, config)
    assert formatted(report) == [
        'kdirectory.toml:9: warning: brand.colors.primary: white text on "#ff8800" reaches '
        "only 2.39:1, so buttons are written in the theme's dark text #1d2327 (6.64:1) "
        "(nothing to do if dark text suits the brand; for white text, use a darker primary "
        'such as "#b56000")'
    ]
    assert [(p.rule, p.severity) for p in report.problems] == [
        ("brand.dark_button_text", "warning")
    ]
    assert not report.errors


def test_a_dark_primary_colour_says_nothing(make_project: ProjectFactory) -> None:
    config = BRAND_CONFIG + 'colors = { primary = "#0b5563" }\n'
    assert formatted(brand_report(make_project, {"x.yaml": BRANDED}, config)) == []

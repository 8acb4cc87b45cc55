"""``kdirectory check`` on JSON-LD: a seeded defect per rule (the block parses, fits
schema.org, has Google's LocalBusiness fields and says what the page shows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.sites import (
    ESCONDIDO,
    HARBOR,
    Defect,
    assert_found,
    registry,
    replace,
    resub,
)

JSONLD_DEFECTS: list[Defect] = []
defect = registry(JSONLD_DEFECTS)


# JSON-LD.


@defect("demo", ESCONDIDO, "jsonld.parse")
def jsonld_invalid_json(site: Path) -> None:
    replace(
        site, ESCONDIDO, '{"@context":"https://schema.org",', '{"@context":"https://schema.org",,'
    )


@defect("demo", ESCONDIDO, "jsonld.structure")
def jsonld_foreign_context(site: Path) -> None:
    replace(
        site, ESCONDIDO, '"@context":"https://schema.org"', '"@context":"https://example.org/vocab"'
    )


@defect("rich", HARBOR, "jsonld.not-allowed")
def jsonld_property_not_on_its_type(site: Path) -> None:
    replace(
        site, HARBOR, '"@type":"MedicalClinic",', '"@type":"MedicalClinic","servesCuisine":"Thai",'
    )


@defect("rich", HARBOR, "jsonld.unknown-type")
def jsonld_unknown_type(site: Path) -> None:
    replace(site, HARBOR, '"@type":"MedicalClinic"', '"@type":"MedicalClinik"')


@defect("rich", HARBOR, "jsonld.unknown-property")
def jsonld_unknown_property(site: Path) -> None:
    replace(site, HARBOR, '"@type":"MedicalClinic",', '"@type":"MedicalClinic","cuisine":"Thai",')


@defect("rich", HARBOR, "jsonld.range")
def jsonld_boolean_that_is_not(site: Path) -> None:
    replace(
        site,
        HARBOR,
        '"@type":"MedicalClinic",',
        '"@type":"MedicalClinic","isAcceptingNewPatients":"maybe",',
    )


@defect("rich", HARBOR, "jsonld.range")
def jsonld_person_where_text_is_expected(site: Path) -> None:
    replace(
        site,
        HARBOR,
        '"telephone":"+17605550123"',
        '"telephone":{"@type":"Person","name":"+17605550123"}',
    )


@defect("rich", HARBOR, "jsonld.retired")
def jsonld_superseded_property(site: Path) -> None:
    replace(site, HARBOR, '"hasMap":', '"map":')


@defect("rich", HARBOR, "jsonld.google-required")
def jsonld_clinic_without_address(site: Path) -> None:
    resub(site, HARBOR, r'"address":\{[^{}]*\},', "")


@defect("rich", HARBOR, "jsonld.google-recommended")
def jsonld_clinic_without_telephone(site: Path) -> None:
    replace(site, HARBOR, '"telephone":"+17605550123",', "")


@defect("rich", HARBOR, "jsonld.nap-phone")
def jsonld_telephone_differs(site: Path) -> None:
    replace(site, HARBOR, '"telephone":"+17605550123"', '"telephone":"+17605550177"')


@defect("rich", HARBOR, "jsonld.nap-hours")
def jsonld_hours_differ(site: Path) -> None:
    replace(
        site,
        HARBOR,
        '"dayOfWeek":"https://schema.org/Saturday","opens":"10:00","closes":"14:00"',
        '"dayOfWeek":"https://schema.org/Saturday","opens":"10:00","closes":"15:00"',
    )


@defect("rich", HARBOR, "jsonld.nap-hours")
def jsonld_split_shift_flattened(site: Path) -> None:
    """Monday 9-12 and 13-18 written as one 9-18 shift: the lunch break is lost."""
    resub(
        site,
        HARBOR,
        r'"closes":"12:00"\},\{"@type":"OpeningHoursSpecification",'
        r'"dayOfWeek":"https://schema.org/Monday","opens":"13:00",',
        "",
    )


@defect("rich", HARBOR, "jsonld.nap-hours")
def hours_table_differs(site: Path) -> None:
    replace(site, HARBOR, "<td>10:00 AM – 2:00 PM</td>", "<td>10:00 AM – 3:00 PM</td>")


@defect("rich", HARBOR, "jsonld.nap-hours")
def jsonld_special_hours_differ(site: Path) -> None:
    replace(site, HARBOR, '"validFrom":"2026-12-24"', '"validFrom":"2026-12-23"')


@defect("rich", HARBOR, "jsonld.nap-address")
def jsonld_address_differs(site: Path) -> None:
    replace(site, HARBOR, '"postalCode":"92025"', '"postalCode":"92026"')


@defect("rich", HARBOR, "jsonld.nap-address")
def jsonld_street_differs(site: Path) -> None:
    replace(site, HARBOR, '"streetAddress":"1200 N Main St,', '"streetAddress":"1210 N Main St,')


@defect("rich", HARBOR, "jsonld.nap-address")
def jsonld_city_of_a_nearby_clinic(site: Path) -> None:
    """The page shows "Vista, CA" (a nearby clinic's card), but not as this clinic's address."""
    replace(site, HARBOR, '"addressLocality":"Escondido"', '"addressLocality":"Vista"')


@defect("rich", HARBOR, "jsonld.nap-address")
def jsonld_postal_code_that_is_part_of_another_number(site: Path) -> None:
    replace(site, HARBOR, '"postalCode":"92025"', '"postalCode":"210"')  # "Suite 210"


@defect("rich", HARBOR, "jsonld.nap-hours")
def jsonld_special_hours_times_differ(site: Path) -> None:
    replace(
        site,
        HARBOR,
        '"validThrough":"2026-12-24","opens":"09:00","closes":"12:00"',
        '"validThrough":"2026-12-24","opens":"09:00","closes":"17:00"',
    )


@defect("rich", HARBOR, "jsonld.nap-hours")
def jsonld_open_on_a_closed_holiday(site: Path) -> None:
    replace(
        site,
        HARBOR,
        '"validThrough":"2026-12-25","opens":"00:00","closes":"00:00"',
        '"validThrough":"2026-12-25","opens":"09:00","closes":"17:00"',
    )


@defect("rich", HARBOR, "jsonld.nap-name")
def jsonld_name_differs_from_h1(site: Path) -> None:
    replace(
        site,
        HARBOR,
        '"name":"Harbor Ketamine Clinic","mainEntityOfPage"',
        '"name":"Harbour Ketamine Clinic","mainEntityOfPage"',
    )


@pytest.mark.parametrize("case", JSONLD_DEFECTS, ids=[d.seed.__name__ for d in JSONLD_DEFECTS])
def test_a_seeded_json_ld_defect_is_found_on_its_page(
    case: Defect, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert_found(case, request.getfixturevalue(case.site), tmp_path)

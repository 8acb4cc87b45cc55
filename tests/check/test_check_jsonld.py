"""``kdirectory check`` on JSON-LD: a seeded defect per rule (the block parses, fits
schema.org, has Google's LocalBusiness fields and says what the page shows; on a brand city
page, each location's node says what that location's block shows)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kdirectory.check import check_site
from tests.check.sites import (
    BRAND_ESCONDIDO,
    ESCONDIDO,
    ESCONDIDO_ID,
    HARBOR,
    SAN_DIEGO,
    UNIVERSITY_CITY_ID,
    Built,
    Defect,
    assert_found,
    registry,
    replace,
    replace_in_block,
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


# A brand city page: each location's MedicalClinic node against its own block. Both San
# Diego locations are on the page, so a card showing the other location's phone, or a
# street that is not its own, is a defect only a comparison block by block finds.


@defect("brand", SAN_DIEGO, "jsonld.nap-phone")
def card_shows_the_other_locations_phone(site: Path) -> None:
    replace_in_block(site, SAN_DIEGO, UNIVERSITY_CITY_ID, "tel:+18585550119", "tel:+16195550187")
    replace_in_block(site, SAN_DIEGO, UNIVERSITY_CITY_ID, "(858) 555-0119", "(619) 555-0187")


@defect("brand", SAN_DIEGO, "jsonld.nap-hours")
def card_shows_other_hours(site: Path) -> None:
    """Monday 9-5 shown as 8-6, the other San Diego location's Monday."""
    replace_in_block(
        site,
        SAN_DIEGO,
        UNIVERSITY_CITY_ID,
        '<tr><th scope="row">Monday</th><td>9:00 AM – 5:00 PM</td></tr>',
        '<tr><th scope="row">Monday</th><td>8:00 AM – 6:00 PM</td></tr>',
    )


@defect("brand", SAN_DIEGO, "jsonld.nap-hours")
def card_drops_a_holiday(site: Path) -> None:
    replace_in_block(site, SAN_DIEGO, UNIVERSITY_CITY_ID, 'datetime="2026-12-25"', "")


@defect("brand", SAN_DIEGO, "jsonld.nap-address")
def card_shows_another_street(site: Path) -> None:
    replace_in_block(site, SAN_DIEGO, UNIVERSITY_CITY_ID, "4150 Regents Park Row", "4510 Regents")


@defect("brand", SAN_DIEGO, "jsonld.nap-name")
def card_shows_another_name(site: Path) -> None:
    replace_in_block(
        site, SAN_DIEGO, UNIVERSITY_CITY_ID, ">Harbor Ketamine Care University City<", ">UTC<"
    )


@defect("brand", SAN_DIEGO, "jsonld.nap-block")
def card_not_marked_with_its_node(site: Path) -> None:
    replace(site, SAN_DIEGO, f' data-jsonld-id="{UNIVERSITY_CITY_ID}"', "")


@defect("brand", BRAND_ESCONDIDO, "jsonld.nap-phone")
def the_one_location_of_a_city_shows_another_phone(site: Path) -> None:
    replace_in_block(
        site,
        BRAND_ESCONDIDO,
        ESCONDIDO_ID,
        'Phone: <a href="tel:+17605550141"',
        'Phone: <a href="tel:+17605550142"',
    )


@pytest.mark.parametrize("case", JSONLD_DEFECTS, ids=[d.seed.__name__ for d in JSONLD_DEFECTS])
def test_a_seeded_json_ld_defect_is_found_on_its_page(
    case: Defect, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert_found(case, request.getfixturevalue(case.site), tmp_path)


# --- brand city pages --------------------------------------------------------------------------


def test_the_clean_brand_site_has_no_findings(brand: Built) -> None:
    assert [p.format("check") for p in brand.report.problems] == []
    text = (brand.out / SAN_DIEGO).read_text("utf-8")
    assert text.count("data-jsonld-id=") == 2  # one block per location, none for other cards


@pytest.mark.parametrize(
    ("seed", "rule", "says"),
    [
        (card_shows_the_other_locations_phone, "jsonld.nap-phone", "+18585550119"),
        (card_shows_other_hours, "jsonld.nap-hours", "Monday"),
        (card_shows_another_street, "jsonld.nap-address", "4150 Regents Park Row"),
    ],
)
def test_a_location_card_that_differs_from_its_node_is_named(
    brand: Built, tmp_path: Path, seed: Any, rule: str, says: str
) -> None:
    """One finding, on the city page, at the altered location's block, naming the
    location and what differs; the other location on the page is not reported."""
    site = tmp_path / "site"
    shutil.copytree(brand.out, site)
    seed(site)
    (problem,) = check_site(site).problems
    text = (site / SAN_DIEGO).read_text("utf-8")
    block_line = text[: text.index(f'data-jsonld-id="{UNIVERSITY_CITY_ID}"')].count("\n") + 1
    assert (problem.rule, problem.file, problem.line) == (rule, SAN_DIEGO, block_line)
    assert problem.field.startswith("@graph[")
    assert "'Harbor Ketamine Care University City'" in problem.message
    assert says in problem.message

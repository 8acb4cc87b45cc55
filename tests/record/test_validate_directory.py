"""Rules across the records of a directory: one address, one slug, one phone per clinic;
near-duplicate names and clinics at the same coordinates."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdirectory import load_directory, validate
from tests.helpers import GOOD_RECORD, REPO, ProjectFactory, formatted, validated


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
    lines = formatted(validated(make_project, {"a.yaml": a, "b.yaml": b}))
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
    lines = formatted(validated(make_project, {"a.yaml": a, "b.yaml": b}))
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
    assert formatted(validate(directory)) == []
    assert sorted(c.slug or "" for c in directory.clinics) == [
        "harbor-ketamine-clinic-escondido",
        "harbor-ketamine-clinic-oceanside",
    ]


def test_shared_phone_warns_unless_same_brand(make_project: ProjectFactory) -> None:
    a = GOOD_RECORD
    b = GOOD_RECORD.replace("1200 N Main St", "500 Grand Ave").replace(
        "Harbor Ketamine Clinic", "Grand Wellness"
    )
    lines = formatted(validated(make_project, {"a.yaml": a, "b.yaml": b}))
    assert lines == [
        "data/clinics/b.yaml:3: warning: phone: (760) 555-0123 is also the phone of data/clinics/a.yaml "
        "at another address (if both are branches of one practice, give both the same `brand:`)"
    ]
    branded = {
        name: "brand: Harbor Group\n" + text for name, text in {"a.yaml": a, "b.yaml": b}.items()
    }
    assert formatted(validated(make_project, branded)) == []


def test_near_duplicate_names_in_one_city(make_project: ProjectFactory) -> None:
    a = GOOD_RECORD
    b = (
        GOOD_RECORD.replace("Harbor Ketamine Clinic", "Harbour Ketamine Clinics")
        .replace("1200 N Main St", "500 Grand Ave")
        .replace("(760) 555-0123", "(760) 555-0155")
    )
    lines = formatted(validated(make_project, {"a.yaml": a, "b.yaml": b}))
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
    lines = formatted(validated(make_project, {"a.yaml": a, "b.yaml": b}))
    assert any("looks like" in line and "at the same coordinates" in line for line in lines), lines


def test_missing_project_folder(tmp_path: Path) -> None:
    from kdirectory import ProjectNotFoundError

    with pytest.raises(ProjectNotFoundError, match="no data/clinics/ folder"):
        load_directory(tmp_path)


def test_demo_directory_validates_clean() -> None:

    report = validate(load_directory(REPO))
    assert report.problems == []
    assert report.clinics >= 2

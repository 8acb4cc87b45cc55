"""Onboarding for brand sites: `kdirectory import` fills booking_url from its column, and
`kdirectory init --kind brand` starts a brand site whose records agree with its [brand]."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.cli import app
from kdirectory.onboarding.columns import map_columns
from kdirectory.onboarding.project_init import BRAND_NAME, init_project
from kdirectory.onboarding.records import check_data
from kdirectory.record.config import load_config
from tests.onboarding.spreadsheets import records, rejected_cells, run_import, write

runner = CliRunner()

# --- import: booking_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["Booking URL", "Online Booking", "book online", "Scheduling Link", "booking"]
)
def test_a_booking_column_is_recognised(header: str) -> None:
    mapping = map_columns(["Practice Name", "City", "State", "Website", header])
    assert mapping.by_field["booking_url"] == 4
    assert mapping.by_field["url"] == 3


def test_import_fills_booking_url(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "clinics.csv",
        "Practice Name,City,State,Zip,Therapies,Website,Booking URL\n"
        "Harbor Ketamine Clinic,Escondido,CA,92025,IV ketamine,harbor.example,"
        "harbor.example/book\n"
        "Bay Ketamine Clinic,Vista,CA,92083,IV ketamine,bay.example,\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    imported = records(project)
    assert imported["harbor-ketamine-clinic"]["booking_url"] == "https://harbor.example/book"
    assert "booking_url" not in imported["bay-ketamine-clinic"]
    assert validate(load_directory(project)).ok(strict=True)


def test_a_booking_url_that_is_no_web_address_rejects_the_row(
    project: Path, tmp_path: Path
) -> None:
    sheet = write(
        tmp_path / "clinics.csv",
        "Practice Name,City,State,Zip,Therapies,Booking URL\n"
        "Harbor Ketamine Clinic,Escondido,CA,92025,IV ketamine,mailto:book@harbor.example\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1, result.output
    assert records(project) == {}
    rejected = (project / "rejected.csv").read_text(encoding="utf-8")
    assert 'Booking URL: ""mailto:book@harbor.example"" is not a web address' in rejected


# --- init --kind brand -----------------------------------------------------------------------------


def test_init_kind_brand_writes_a_brand_site_that_validates(tmp_path: Path) -> None:
    root = tmp_path / "harbor-site"
    result = runner.invoke(app, ["init", str(root), "--kind", "brand"])
    assert result.exit_code == 0, result.output
    assert f"created {root / 'kdirectory.toml'}" in result.output

    config = load_config(root)
    assert config.site.kind == "brand"
    assert config.brand is not None and config.brand.name == BRAND_NAME
    directory = load_directory(root)
    assert [clinic.brand for clinic in directory.clinics] == [BRAND_NAME]
    assert directory.clinics[0].booking_url is not None

    validated = runner.invoke(app, ["validate", str(root), "--strict"])
    assert validated.exit_code == 0, validated.output
    assert validated.output.strip().endswith("1 file, 1 clinic, 0 errors, 0 warnings")


def test_the_brand_table_is_explained_and_its_optional_keys_work_uncommented(
    tmp_path: Path,
) -> None:
    root = init_project(tmp_path / "brand", "brand").root
    text = (root / "kdirectory.toml").read_text(encoding="utf-8")
    brand_table = text.split("[brand]\n", 1)[1].split("\n[review]", 1)[0]
    assert brand_table.count("#") >= 8  # every key explained
    for key in ("phone", "booking_url", "logo", "colors"):
        assert f"\n# {key} = " in brand_table, key
    # uncommenting the optional keys (but the logo, whose file the project lacks) gives
    # settings that load, with the documented colours passing
    opened = "\n".join(
        line.removeprefix("# ")
        if line.startswith(("# phone", "# booking_url", "# colors"))
        else line
        for line in text.splitlines()
    )
    tomllib.loads(opened)
    (root / "kdirectory.toml").write_text(opened, encoding="utf-8")
    brand = load_config(root).brand
    assert brand is not None
    assert brand.phone is not None and brand.booking_url is not None
    assert brand.colors.on_primary == "#ffffff"


def test_init_is_a_directory_by_default(tmp_path: Path) -> None:
    root = init_project(tmp_path / "directory").root
    config = load_config(root)
    assert (config.site.kind, config.brand) == ("directory", None)
    assert load_directory(root).clinics[0].brand is None


def test_an_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "x"), "--kind", "chain"])
    assert result.exit_code == 2
    assert "'chain' is not one of 'directory', 'brand'" in result.output
    assert not (tmp_path / "x").exists()


# --- import on a brand site: the brand's rules ---------------------------------------------------


@pytest.fixture
def brand_project(tmp_path: Path) -> Path:
    """A brand site as `kdirectory init --kind brand` makes it: one location in Escondido."""
    return init_project(tmp_path / "brand", "brand").root


BRAND_HEADER = "Practice Name,Address 1,City,State,Zip Code,Phone Number,Brand,Cities Served\n"


def brand_sheet(tmp_path: Path, *rows: str) -> Path:
    """``locations.csv`` with ``BRAND_HEADER`` and ``rows``, each offering IV ketamine."""
    header = BRAND_HEADER.replace("\n", ",Therapies\n")
    return write(tmp_path / "locations.csv", header + "".join(f"{r},IV ketamine\n" for r in rows))


def test_import_rejects_a_row_of_another_brand_with_the_rule_and_the_reason(
    brand_project: Path, tmp_path: Path
) -> None:
    sheet = brand_sheet(
        tmp_path,
        f"{BRAND_NAME} Vista,1 Main St,Vista,CA,92083,(760) 555-0101,{BRAND_NAME},",
        "Bay Clinic Oceanside,2 Main St,Oceanside,CA,92054,(760) 555-0102,Bay Clinics,",
    )
    result = run_import(str(sheet), "--into", str(brand_project))
    assert result.exit_code == 1, result.output
    assert set(records(brand_project)) == {
        "example-ketamine-clinic",
        "example-ketamine-care-vista",
    }
    assert "brand.mismatch" in result.output  # the summary counts rejections by rule
    header, row = rejected_cells(brand_project)
    assert header[:2] == ["row", "reason"]
    assert row[0] == "3"
    assert row[1] == (
        f'Brand: "Bay Clinics" is not the site\'s brand "{BRAND_NAME}" ([brand] name in '
        f"kdirectory.toml) (give the row that brand, or every row that leaves it empty with "
        f'--set "brand={BRAND_NAME}")'
    )
    assert validate(load_directory(brand_project)).ok(strict=True)


def test_a_row_without_a_brand_is_rejected_until_set_gives_it(
    brand_project: Path, tmp_path: Path
) -> None:
    sheet = write(
        tmp_path / "locations.csv",
        "Practice Name,Address 1,City,State,Zip Code,Therapies\n"
        f"{BRAND_NAME} Vista,1 Main St,Vista,CA,92083,IV ketamine\n",
    )
    refused = run_import(str(sheet), "--into", str(brand_project))
    assert refused.exit_code == 1, refused.output
    (_, row) = rejected_cells(brand_project)
    assert row[1].startswith(
        f'brand: is missing: on a brand site every location gives the brand, "{BRAND_NAME}"'
    )
    assert f'--set "brand={BRAND_NAME}"' in row[1]

    result = run_import(str(sheet), "--into", str(brand_project), "--set", f"brand={BRAND_NAME}")
    assert result.exit_code == 0, result.output
    assert records(brand_project)["example-ketamine-care-vista"]["brand"] == BRAND_NAME
    assert validate(load_directory(brand_project)).ok(strict=True)


def test_set_of_another_brand_is_refused_before_any_row_is_read(
    brand_project: Path, tmp_path: Path
) -> None:
    sheet = write(tmp_path / "locations.csv", "Practice Name,City,State\nBay Clinic,Vista,CA\n")
    result = run_import(str(sheet), "--into", str(brand_project), "--set", "brand=Bay Clinics")
    assert result.exit_code == 2, result.output
    assert '--set "brand=Bay Clinics": "Bay Clinics" is not the site\'s brand' in result.output
    assert not (brand_project / "rejected.csv").exists()


def test_a_city_served_far_from_every_location_rejects_the_row(
    brand_project: Path, tmp_path: Path
) -> None:
    sheet = brand_sheet(
        tmp_path,
        f'{BRAND_NAME} Vista,1 Main St,Vista,CA,92083,(760) 555-0101,{BRAND_NAME},"Oceanside, Fresno"',
    )
    result = run_import(str(sheet), "--into", str(brand_project))
    assert result.exit_code == 1, result.output
    assert "brand.service_area_far" in result.output
    (_, row) = rejected_cells(brand_project)
    assert row[1].startswith('Cities Served (service_area[1]): "Fresno" is ')
    assert (
        "miles from this location, the nearest serving it; a brand site lists only cities within 60 miles"
        in row[1]
    )
    assert "example-ketamine-care-vista" not in records(brand_project)


def test_a_far_city_is_accepted_when_a_nearer_location_serves_it(
    brand_project: Path, tmp_path: Path
) -> None:
    """The 60 miles are from the nearest location that serves the city, as validate counts
    them: here the location of an earlier row of the same file."""
    sheet = brand_sheet(
        tmp_path,
        f"{BRAND_NAME} Vista,1 Main St,Vista,CA,92083,(760) 555-0101,{BRAND_NAME},Temecula",
        f"{BRAND_NAME} Los Angeles,3 Main St,Los Angeles,CA,90012,(213) 555-0103,{BRAND_NAME},"
        "Temecula",
    )
    result = run_import(str(sheet), "--into", str(brand_project))
    assert result.exit_code == 0, result.output
    assert {"example-ketamine-care-vista", "example-ketamine-care-los-angeles"} <= set(
        records(brand_project)
    )
    assert validate(load_directory(brand_project)).ok(strict=True)


def test_a_far_city_is_accepted_when_a_record_already_in_the_project_serves_it(
    brand_project: Path, tmp_path: Path
) -> None:
    record = brand_project / "data" / "clinics" / "example-ketamine-clinic.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("hours:", "service_area: [Temecula]\nhours:", 1), "utf-8")
    sheet = brand_sheet(
        tmp_path,
        f"{BRAND_NAME} Los Angeles,3 Main St,Los Angeles,CA,90012,(213) 555-0103,{BRAND_NAME},"
        "Temecula",
    )
    result = run_import(str(sheet), "--into", str(brand_project))
    assert result.exit_code == 0, result.output
    assert validate(load_directory(brand_project)).ok(strict=True)


def test_a_city_the_gazetteer_does_not_know_is_a_warning(
    brand_project: Path, tmp_path: Path
) -> None:
    sheet = brand_sheet(
        tmp_path,
        f"{BRAND_NAME} Vista,1 Main St,Vista,CA,92083,(760) 555-0101,{BRAND_NAME},Atlantis",
    )
    result = run_import(str(sheet), "--into", str(brand_project))
    assert result.exit_code == 0, result.output
    assert (
        'warning: locations.csv row 2: Cities Served (service_area[0]): "Atlantis" cannot be '
        "checked against the 60-mile limit" in result.output
    )
    assert "example-ketamine-care-vista" in records(brand_project)


def test_an_update_to_another_brand_is_rejected(brand_project: Path, tmp_path: Path) -> None:
    sheet = brand_sheet(
        tmp_path,
        "Example Ketamine Care Escondido,1200 N Main St,Escondido,CA,92025,(760) 555-0123,"
        "Bay Clinics,",
    )
    before = records(brand_project)
    result = run_import(str(sheet), "--into", str(brand_project), "--update")
    assert result.exit_code == 1, result.output
    (_, row) = rejected_cells(brand_project)
    assert row[1].startswith('Brand: "Bay Clinics" is not the site\'s brand')
    assert records(brand_project) == before


def test_a_directory_keeps_any_brand(project: Path, tmp_path: Path) -> None:
    sheet = brand_sheet(
        tmp_path, "Bay Clinic Oceanside,2 Main St,Oceanside,CA,92054,(760) 555-0102,Bay Clinics,"
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert records(project)["bay-clinic-oceanside"]["brand"] == "Bay Clinics"


def test_an_updated_record_is_not_held_to_its_old_place(brand_project: Path) -> None:
    """A record the row updates is left out of the records it joins: its old location
    does not serve its cities any more."""
    record = brand_project / "data" / "clinics" / "example-ketamine-clinic.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("hours:", "service_area: [Temecula]\nhours:", 1), "utf-8")
    directory = load_directory(brand_project)
    moved = {
        "name": "Example Ketamine Care Escondido",
        "brand": BRAND_NAME,
        "address": {"city": "Los Angeles", "region": "CA", "postal_code": "90012"},
        "service_area": ["Temecula"],
        "therapies": ["iv-ketamine-infusion"],
    }
    _, beside = check_data(moved, "row 2", directory)
    assert [p.rule for p in beside] == []  # the Escondido location serves Temecula too
    origin = "data/clinics/example-ketamine-clinic.yaml"
    _, instead = check_data(moved, "row 2", directory, replacing=origin)
    assert [(p.rule, p.field) for p in instead] == [("brand.service_area_far", "service_area[0]")]

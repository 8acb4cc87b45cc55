"""`kdirectory new` on a brand site: the record gives the site's brand, and an answer that
breaks one of the brand's rules is explained and asked again, as validate would refuse it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.cli import app
from kdirectory.onboarding.new_clinic import AnswerError, Answers
from kdirectory.onboarding.project_init import BRAND_NAME, init_project

runner = CliRunner()


@pytest.fixture
def brand_project(tmp_path: Path) -> Path:
    """A brand site as `kdirectory init --kind brand` makes it: one location in Escondido."""
    return init_project(tmp_path / "brand", "brand").root


def answers(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_new_gives_the_brand_and_asks_again_for_a_city_too_far_to_serve(
    brand_project: Path,
) -> None:
    result = runner.invoke(
        app,
        ["new", str(brand_project)],
        input=answers(
            f"{BRAND_NAME} Vista",  # name
            "1 Main St",  # street
            "",  # unit
            "Vista",  # city
            "CA",  # state
            "92083",  # ZIP
            "Oceanside, Fresno",  # other cities served: Fresno is far
            "Oceanside, Atlantis",  # a city the gazetteer does not know: a warning
            "(760) 555-0101",  # phone
            "",  # website
            "",  # email
            "depression",  # conditions
            "IV infusion",  # therapies
            "",  # insurance
            "",  # payment
            "",  # languages
            "",  # accepting new patients
            "9am-5pm",  # hours
            "closed",  # saturday
            "closed",  # sunday
            "y",  # write it
        ),
    )
    assert result.exit_code == 0, result.output
    output = result.output
    assert f"A location of {BRAND_NAME}: its record gives that brand" in output
    assert 'Error: "Fresno" is ' in output
    assert "a brand site lists only cities within 60 miles of a location that serves them" in (
        output
    )
    assert 'warning: "Atlantis" cannot be checked against the 60-mile limit' in output
    path = brand_project / "data" / "clinics" / "example-ketamine-care-vista.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record["brand"] == BRAND_NAME
    assert record["service_area"] == ["Oceanside", "Atlantis"]
    report = validate(load_directory(brand_project))
    assert report.errors == []
    assert [p.rule for p in report.warnings] == ["brand.service_area_unplaced"]


def test_a_far_city_is_served_when_a_nearer_location_serves_it(brand_project: Path) -> None:
    """The 60 miles are from the nearest location that serves the city, as validate counts
    them, the project's own records included."""
    record = brand_project / "data" / "clinics" / "example-ketamine-clinic.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("hours:", "service_area: [Temecula]\nhours:", 1), "utf-8")
    new = Answers(brand_project, load_directory(brand_project))
    assert new.data == {"brand": BRAND_NAME}
    new.store("name", f"{BRAND_NAME} Los Angeles")
    for field, value in (("city", "Los Angeles"), ("region", "CA"), ("postal_code", "90012")):
        new.store(f"address.{field}", value)
    assert new.check("service_area", "Temecula", convert=lambda a: [a]) == (["Temecula"], [])
    with pytest.raises(AnswerError, match=r'"Fresno" is .* miles from this location'):
        new.check("service_area", "Fresno", convert=lambda a: [a])


def test_a_directory_record_gives_no_brand(tmp_path: Path) -> None:
    root = init_project(tmp_path / "directory").root
    new = Answers(root, load_directory(root))
    assert new.brand is None and new.data == {}

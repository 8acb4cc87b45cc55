"""The synthetic generator's brand_fields option: booking pages and NPIs added to records
that are otherwise the same, and nothing changed without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kdirectory import load_directory, validate
from kdirectory.record.npi import is_valid_npi
from kdirectory.testing.synthetic import generate_project, generate_records
from tests.helpers import snapshot

COUNT = 150


def without_brand_fields(record: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in record.items() if key != "booking_url"}
    if "providers" in out:
        out["providers"] = [
            {key: value for key, value in person.items() if key != "npi"}
            for person in out["providers"]
        ]
    return out


def test_the_option_adds_fields_and_changes_nothing_else() -> None:
    plain = list(generate_records(COUNT, seed=3))
    branded = list(generate_records(COUNT, seed=3, brand_fields=True))
    assert [without_brand_fields(record) for record in branded] == plain
    booking = [record for record in branded if "booking_url" in record]
    assert 0 < len(booking) < COUNT
    assert all(record["booking_url"].startswith(record["url"].rstrip("/")) for record in booking)
    assert all(
        list(record).index("booking_url") == list(record).index("url") + 1 for record in booking
    )
    npis = [p["npi"] for record in branded for p in record.get("providers", []) if "npi" in p]
    assert npis and all(is_valid_npi(value) for value in npis)
    assert len(set(npis)) == len(npis)


def test_without_the_option_the_files_are_the_same(tmp_path: Path) -> None:
    generate_project(tmp_path / "default", 60, seed=5)
    generate_project(tmp_path / "off", 60, seed=5, brand_fields=False)
    assert snapshot(tmp_path / "default") == snapshot(tmp_path / "off")


def test_a_project_with_brand_fields_validates_clean(tmp_path: Path) -> None:
    generate_project(tmp_path, COUNT, seed=3, brand_fields=True)
    report = validate(load_directory(tmp_path))
    assert [p.format() for p in report.sorted_problems()] == []
    assert generate_project(tmp_path / "again", COUNT, seed=3, brand_fields=True)
    assert snapshot(tmp_path / "again" / "data") == snapshot(tmp_path / "data")

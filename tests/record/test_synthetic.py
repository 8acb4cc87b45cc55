"""The synthetic project generator: valid, realistic, deterministic records."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from kdirectory import Directory, load_directory, validate
from kdirectory.record.config import load_config
from kdirectory.record.gazetteer import zip_info
from kdirectory.record.write import dump_record
from kdirectory.testing.synthetic import generate_project, generate_records
from tests.helpers import snapshot

COUNT = 200


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("synthetic")
    return root, generate_project(root, COUNT, seed=0)


@pytest.fixture(scope="module")
def directory(project: tuple[Path, list[Path]]) -> Directory:
    return load_directory(project[0])


def test_generated_project_validates_without_errors_or_warnings(directory: Directory) -> None:
    report = validate(directory)
    assert [p.format() for p in report.sorted_problems()] == []
    assert report.summary() == f"{COUNT} files, {COUNT} clinics, 0 errors, 0 warnings"


def test_project_layout_and_settings(project: tuple[Path, list[Path]]) -> None:
    root, paths = project
    assert len(paths) == COUNT
    assert all(p.parent == root / "data" / "clinics" and p.suffix == ".yaml" for p in paths)
    config = load_config(root)
    assert config.site.base_url == "https://directory.example"
    assert config.geocoder.provider == "offline"
    assert config.geocoder.user_agent
    assert config.review.reviewed_by
    assert config.build.out == "site"


def test_slugs_and_names_are_unique(project: tuple[Path, list[Path]], directory: Directory) -> None:
    slugs = [clinic.slug for clinic in directory.clinics]
    assert len(set(slugs)) == COUNT
    assert {p.stem for p in project[1]} == set(slugs)
    assert len({clinic.name for clinic in directory.clinics}) == COUNT


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate_project(tmp_path / "a", 60, seed=7)
    generate_project(tmp_path / "b", 60, seed=7)
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert len(first) == 61  # 60 records and kdirectory.toml
    assert first == second


def test_different_seeds_differ() -> None:
    one = list(generate_records(60, seed=1))
    two = list(generate_records(60, seed=2))
    assert one != two
    assert {r["name"] for r in one} != {r["name"] for r in two}


def test_files_are_dump_record_of_the_records(project: tuple[Path, list[Path]]) -> None:
    records = list(generate_records(COUNT, seed=0))
    for record, path in zip(records, project[1], strict=True):
        text = path.read_text(encoding="utf-8")
        assert text == dump_record(record)  # the fast writer's text is dump_record's
        assert yaml.safe_load(text) == record
        postal_code = record["address"].get("postal_code")
        if postal_code and postal_code.isdigit():
            assert f"postal_code: '{postal_code}'" in text  # digits always quoted


def test_addresses_are_real_and_clustered(directory: Directory) -> None:
    for clinic in directory.clinics:
        address = clinic.address
        if address.zip5 is None:
            assert clinic.is_service_area
            continue
        info = zip_info(address.zip5)
        assert info is not None
        assert info.kind == "STANDARD"
        assert (info.state, info.city) == (address.region, address.city)
    cities = Counter((c.address.region, c.address.city) for c in directory.clinics)
    # Clinics share cities, big ones most: 200 records fall in ~170 cities (10,000 in ~5,000,
    # with Houston and New York near 200 each).
    assert len(cities) < COUNT * 0.9
    assert cities.most_common(1)[0][1] >= 3
    streets = [(c.address.street, c.address.zip5) for c in directory.clinics if c.address.street]
    assert len(streets) == len(set(streets))


def test_records_vary_like_a_real_directory(directory: Directory) -> None:
    clinics = directory.clinics
    therapies = Counter(t for c in clinics for t in c.therapies)
    conditions = Counter(x for c in clinics for x in c.conditions)
    assert len(therapies) == 5
    assert len(conditions) >= 12
    assert all(
        c.spravato_rems_certified for c in clinics if "esketamine-nasal-spray" in c.therapies
    )
    assert any(c.url for c in clinics) and any(not c.url for c in clinics)
    assert any(c.geo for c in clinics) and any(not c.geo for c in clinics)
    assert any(c.brand for c in clinics)
    assert any(c.is_service_area for c in clinics)
    served = [c for c in clinics if c.service_area]
    assert served
    own_cities = {(c.address.region, c.address.city) for c in clinics}
    for clinic in served:
        for entry in clinic.service_area:
            name, _, region = entry.partition(", ")
            assert (region or clinic.address.region, name) in own_cities
            assert name != clinic.address.city
    days = [shifts for c in clinics if c.hours for _, shifts in c.hours.days()]
    assert any(shifts is not None and len(shifts) == 2 for shifts in days)  # split shifts
    assert any(shifts == [] for shifts in days)  # closed days
    assert any(c.special_hours for c in clinics)
    assert all(c.phone is None or c.phone.e164[5:10] == "55501" for c in clinics)  # fictional
    assert len({c.phone for c in clinics if c.phone and not c.brand}) == sum(
        1 for c in clinics if c.phone and not c.brand
    )


def test_states_limit_where_clinics_are() -> None:
    records = list(generate_records(40, seed=3, states=["TX", "Oklahoma"]))
    assert {r["address"]["region"] for r in records} <= {"TX", "Texas", "OK", "Oklahoma"}


@pytest.mark.parametrize(
    ("count", "states", "message"),
    [(-1, None, "count must be 0 or more"), (3, ["Narnia"], "not a US state")],
)
def test_bad_arguments(count: int, states: list[str] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_records(count, states=states)


def test_zero_records_is_an_empty_project(tmp_path: Path) -> None:
    assert generate_project(tmp_path, 0) == []
    assert (tmp_path / "kdirectory.toml").is_file()
    assert validate(load_directory(tmp_path)).problems == []

"""Every example project in ``examples/`` validates without a problem and builds a site that
``kdirectory check`` passes; the seed clinics' brand sites say only what their records hold."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest

from kdirectory import build_site, load_directory, validate
from tests.helpers import REPO

EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if (p / "kdirectory.toml").is_file())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_an_example_validates_and_builds_clean(example: Path, tmp_path: Path) -> None:
    root = shutil.copytree(example, tmp_path / example.name)
    directory = load_directory(root)
    report = validate(directory)
    assert [p.format() for p in report.problems] == []
    result = build_site(directory, tmp_path / "site")
    assert result.check is not None and result.check.errors == []


@pytest.mark.parametrize(
    ("example", "withheld"),
    [
        # no street, phone, hours or clinicians on its public page
        ("bff-medical-wellness-clinic", ("address", "phone number", "opening hours", "clinicians")),
        # a phone, but no street, hours or clinicians
        ("ketamine-clinics-of-los-angeles", ("address", "opening hours", "clinicians")),
    ],
)
def test_a_seed_clinics_home_page_promises_only_what_its_record_states(
    example: str, withheld: tuple[str, ...], tmp_path: Path
) -> None:
    root = shutil.copytree(REPO / "examples" / example, tmp_path / example)
    build_site(load_directory(root), tmp_path / "site")
    page = lxml.html.parse(str(tmp_path / "site" / "index.html")).getroot()
    description = page.xpath("string(//meta[@name='description']/@content)")
    assert "gives its" in description
    for word in withheld:
        assert word not in description
    assert "reviewed" not in description


def test_a_brand_sites_clinicians_are_not_held_to_googles_business_listing_fields(
    tmp_path: Path,
) -> None:
    """Its physicians are IndividualPhysicians (a kind of LocalBusiness in schema.org) that
    practise at a clinic; the clinic carries the phone, website and hours, so the fictional
    brand, whose locations state all three, builds without a warning."""
    root = shutil.copytree(REPO / "examples" / "harbor-ketamine-care", tmp_path / "harbor")
    result = build_site(load_directory(root), tmp_path / "site")
    assert result.check is not None
    assert [p.format("check") for p in result.check.warnings] == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_a_brand_sites_guide_never_calls_it_a_directory(example: Path, tmp_path: Path) -> None:
    root = shutil.copytree(example, tmp_path / example.name)
    build_site(load_directory(root), tmp_path / "site")
    guide = (tmp_path / "site" / "guide" / "choosing-a-clinic" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "this directory" not in guide
    assert "ours or another" in guide

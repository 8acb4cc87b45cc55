"""``[check] external_paths``: links to paths of the site's own host that another application
serves (a brand's booking app at ``/book``) are not broken links, for ``kdirectory check``
and for the build's own check; every other link into the site still is."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kdirectory._output import MANIFEST
from kdirectory.check import check_site
from kdirectory.exceptions import SiteCheckFailedError
from kdirectory.record.validate import load_directory
from kdirectory.site.build import build_site
from tests.check.sites import BRAND_BUILD_DATE, BRAND_EXAMPLE, Built, replace

SAME_HOST_BOOKING = 'booking_url = "https://harborketamine.example/book"'


def same_host_project(root: Path, check: str = "") -> Path:
    """The example brand, its booking link on its own host (``/book``, which another
    application serves), with ``check`` added to its settings."""
    shutil.copytree(BRAND_EXAMPLE, root)
    config = root / "kdirectory.toml"
    text, count = re.subn(r"(?m)^booking_url = .*$", SAME_HOST_BOOKING, config.read_text("utf-8"))
    assert count == 1
    config.write_text(text + check, encoding="utf-8")
    return root


@pytest.fixture
def build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BRAND_BUILD_DATE)


def test_a_same_host_booking_link_is_refused_without_the_setting(
    tmp_path: Path, build_date: None
) -> None:
    root = same_host_project(tmp_path / "project")
    with pytest.raises(SiteCheckFailedError) as caught:
        build_site(load_directory(root), tmp_path / "site")
    broken = [p for p in caught.value.report.errors if p.rule == "links.broken"]
    assert broken and all(p.field == "https://harborketamine.example/book" for p in broken)
    assert {p.file for p in broken} >= {"index.html", "ca/escondido/index.html"}
    assert caught.value.report.errors == broken


def test_with_the_setting_the_build_and_check_pass_and_without_it_check_flags_it(
    tmp_path: Path, build_date: None
) -> None:
    root = same_host_project(tmp_path / "project", '\n[check]\nexternal_paths = ["/book"]\n')
    out = tmp_path / "site"
    result = build_site(load_directory(root), out)
    assert result.check is not None and result.check.problems == []
    assert 'href="https://harborketamine.example/book"' in (out / "index.html").read_text("utf-8")
    # kdirectory check reads the setting the site was built with from its manifest.
    assert json.loads((out / MANIFEST).read_text("utf-8"))["external_paths"] == ["/book"]
    assert check_site(out).problems == []
    # Told that nothing is served elsewhere, check finds the links broken again.
    flagged = check_site(out, external_paths=())
    assert flagged.errors and {p.rule for p in flagged.errors} == {"links.broken"}


def test_a_site_built_without_the_setting_records_none(brand: Built) -> None:
    assert "external_paths" not in json.loads((brand.out / MANIFEST).read_text("utf-8"))


def test_a_path_is_matched_exactly_and_a_prefix_ending_in_a_slash_covers_what_is_under_it(
    brand: Built, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(brand.out, site)
    links = [
        "/book",  # served elsewhere
        "/book/",  # not: "/book" names one path
        "/bookings",
        "/patient-portal/",  # served elsewhere, as is everything under it
        "/patient-portal",
        "/patient-portal/login?next=%2F",
        "/patient%2Dportal/login",  # the same path, percent-encoded
        "/patient-portals/",
        "https://harborketamine.example/patient-portal/",
    ]
    anchors = "".join(f'<a href="{href}">x</a>' for href in links)
    replace(site, "index.html", "</main>", f"<p>{anchors}</p></main>")
    report = check_site(site, external_paths=["/book", "/patient-portal/"])
    broken = sorted(p.field for p in report.problems if p.rule == "links.broken")
    assert broken == ["/book/", "/bookings", "/patient-portals/"]
    assert [p.rule for p in report.problems] == ["links.broken"] * 3

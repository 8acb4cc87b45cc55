"""The build's uniqueness gate: look-alike pages (the same text once their names are set
aside) are built noindex and left out of the sitemap, so the check the build runs finds no
doorway pages; with the gate off, the build refuses to publish them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kdirectory.exceptions import SiteCheckFailedError
from kdirectory.record.validate import load_directory
from kdirectory.report import Report
from kdirectory.site.build import build_site
from tests.check.sites import (
    NOINDEX,
    SITEMAP_NS,
    Built,
    build_and_check,
    found,
    write_project,
)
from tests.helpers import DEMO_CONFIG, GOOD_RECORD

SERVED = {"/ca/vista/", "/ca/san-marcos/", "/ca/oceanside/"}


def sitemap_paths(out: Path) -> set[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    return {
        (loc.text or "").removeprefix("https://directory.example")
        for loc in root.iter(f"{SITEMAP_NS}loc")
    }


def service_area_project(root: Path, threshold: float | None = None) -> Path:
    config = DEMO_CONFIG
    if threshold is not None:
        assert "[build]\n" in config
        config = config.replace("[build]\n", f"[build]\nuniqueness_threshold = {threshold}\n")
    record = GOOD_RECORD + "service_area: [Vista, San Marcos, Oceanside]\n"
    return write_project(root, {"harbor.yaml": record}, config)


def test_the_gate_noindexes_look_alike_service_area_pages(tmp_path: Path) -> None:
    built = build_and_check(service_area_project(tmp_path / "project"))
    noindexed = dict(built.result.noindex)
    assert len(noindexed) == 2
    assert set(noindexed) < SERVED
    for path, reason in noindexed.items():
        assert "under the 20% threshold" in reason, reason
        assert "uniqueness_threshold" in reason
        page = (built.out / path.strip("/") / "index.html").read_text(encoding="utf-8")
        assert NOINDEX in page
    listed = sitemap_paths(built.out)
    assert not set(noindexed) & listed
    assert SERVED - set(noindexed) <= listed  # the one kept stays in the sitemap
    assert "/ca/escondido/" in listed
    for rule in ("sitemap.noindex", "sitemap.unlisted", "sitemap.unknown"):
        assert found(built.report, rule) == []
    assert built.report.errors == []
    assert found(built.report, "content.near-duplicate") == []


def test_a_zero_threshold_turns_the_gate_off_and_the_build_refuses_doorways(
    tmp_path: Path,
) -> None:
    root = service_area_project(tmp_path / "project", threshold=0)
    out = root / "site"
    # Without the gate nothing marks the look-alike pages noindex, so the check the build
    # runs before publishing finds them (identical once names are set aside) and nothing
    # is published.
    with pytest.raises(SiteCheckFailedError) as failed:
        build_site(load_directory(root), out)
    report = failed.value.report
    assert isinstance(report, Report)
    twins = {f.file for f in report.errors if f.rule == "content.near-duplicate"}
    assert twins and twins <= {f"ca/{p.strip('/').split('/')[-1]}/index.html" for p in SERVED}
    assert {f.rule for f in report.errors} == {"content.near-duplicate"}
    assert not out.exists()  # made for this build, removed with it


def test_the_demo_city_pages_stay_indexable(demo: Built) -> None:
    cities = {"/ca/escondido/", "/ca/buena-park/", "/ca/los-angeles/"}
    assert not {path for path, _ in demo.result.noindex} & cities
    assert cities <= sitemap_paths(demo.out)
    for path in cities:
        assert NOINDEX not in (demo.out / path.strip("/") / "index.html").read_text("utf-8")

"""Built sites for the tests of ``kdirectory check``: the demo, a richer fixture site whose
clinic has a street address, phone, split-shift and special hours, and the example brand
site with a second location in San Diego, each built and checked once per test session,
and the tools to seed ONE defect into a copy of one.

The ``demo``, ``rich`` and ``brand`` fixtures (``conftest.py``) build them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kdirectory.catalogue import RULES
from kdirectory.check import check_site
from kdirectory.record.validate import load_directory
from kdirectory.report import Report
from kdirectory.site.build import BuildResult, build_site
from tests.helpers import DEMO_CONFIG, GOOD_RECORD, REPO, ProjectFactory

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NOINDEX = '<meta name="robots" content="noindex">'

# Pages of the demo site.
HOME = "index.html"
STATE = "ca/index.html"
ESCONDIDO = "ca/escondido/index.html"
BUENA_PARK = "ca/buena-park/index.html"
LOS_ANGELES = "ca/los-angeles/index.html"
BFF = "clinics/bff-medical-wellness-clinic/index.html"
OCD = "conditions/ocd/index.html"
# The rich site's clinic page: street address, phone, split shifts, special hours, url.
HARBOR = "clinics/harbor-ketamine-clinic-escondido/index.html"

# Pages of the brand site: a city with two locations, and one with one.
BRAND_EXAMPLE = REPO / "examples" / "harbor-ketamine-care"
BRAND_BUILD_DATE = "1795996800"
"""2026-11-30 00:00 UTC (``SOURCE_DATE_EPOCH``): the example's special hours are after it."""
SAN_DIEGO = "ca/san-diego/index.html"
BRAND_ESCONDIDO = "ca/escondido/index.html"
UNIVERSITY_CITY_ID = (
    "https://harborketamine.example/clinics/harbor-ketamine-care-university-city/#clinic"
)
ESCONDIDO_ID = "https://harborketamine.example/clinics/harbor-ketamine-care-escondido/#clinic"

RICH_RECORD = (
    GOOD_RECORD
    + """\
special_hours:
  - {date: 2026-12-24, hours: "09:00-12:00"}
  - {date: 2026-12-25, closed: true}
"""
)


# --- built sites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A built site, its build result and the report of ``check`` on it (do not modify)."""

    root: Path
    out: Path
    result: BuildResult
    report: Report


def build_and_check(root: Path) -> Built:
    out = root / "site"
    result = build_site(load_directory(root), out)
    return Built(root, out, result, check_site(out))


def write_project(root: Path, records: dict[str, str], config: str | None = None) -> Path:
    """A project at ``root`` with the demo's kdirectory.toml (or ``config``) and these
    records."""
    return ProjectFactory(root.parent)(records, config or DEMO_CONFIG, at=root.name)


def university_city_record() -> str:
    """A second San Diego location of the example brand, made from its San Diego record:
    another address, phone, booking link, weekday hours and description."""
    record = (BRAND_EXAMPLE / "data" / "clinics" / "san-diego.yaml").read_text("utf-8")
    changes = {
        "Harbor Ketamine Care San Diego": "Harbor Ketamine Care University City",
        "3900 Fifth Ave": "4150 Regents Park Row",
        '"92103"': '"92122"',
        "geo: {lat: 32.74937, lon: -117.16052}": "geo: {lat: 32.87860, lon: -117.21400}",
        "(619) 555-0187": "(858) 555-0119",
        "book.harborketamine.example/san-diego": "book.harborketamine.example/university-city",
        'monday: "08:00-18:00"': 'monday: "09:00-17:00"',
        "The San Diego location is in Hillcrest, on Fifth Avenue near University Avenue": "The University City location is near the La Jolla Village Drive trolley stop",
    }
    for old, new in changes.items():
        assert old in record, f"{old!r} is not in the example's san-diego.yaml: update this"
        record = record.replace(old, new)
    return record


def copy_brand(root: Path) -> Path:
    """The example brand project, written at ``root``, with a second San Diego location."""
    shutil.copytree(BRAND_EXAMPLE, root)
    second = root / "data" / "clinics" / "university-city.yaml"
    second.write_text(university_city_record(), encoding="utf-8")
    return root


def copy_demo(root: Path) -> Path:
    """The demo project, written at ``root``."""
    return ProjectFactory(root.parent)(demo=True, at=root.name)


def found(report: Report, rule: str) -> list[str]:
    """The problems of ``rule``, formatted (so a failing assert shows them)."""
    return [p.format("check") for p in report.problems if p.rule == rule]


# --- seeding one defect ------------------------------------------------------------------------


def replace(site: Path, page: str, old: str, new: str) -> None:
    """Replace the first ``old`` in ``page`` (fails when the template no longer has it)."""
    path = site / page
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {page}: the template changed, update the defect"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def resub(site: Path, page: str, pattern: str, new: str | Callable[[re.Match[str]], str]) -> None:
    """Replace the first match of ``pattern`` in ``page`` (fails when nothing matches)."""
    path = site / page
    text = path.read_text(encoding="utf-8")
    edited, count = re.subn(
        pattern, new if callable(new) else (lambda _: new), text, count=1, flags=re.DOTALL
    )
    assert count == 1 and edited != text, f"{pattern!r} changed nothing in {page}"
    path.write_text(edited, encoding="utf-8")


def replace_in_block(site: Path, page: str, node_id: str, old: str, new: str) -> None:
    """Replace every ``old`` inside the element of ``page`` marked as showing ``node_id``
    (``data-jsonld-id``) and nowhere else (fails when the block does not have it)."""
    path = site / page
    text = path.read_text(encoding="utf-8")
    marker = f'data-jsonld-id="{node_id}"'
    start = text.index(marker)
    following = text.find("data-jsonld-id=", start + len(marker))
    end = following if following >= 0 else text.index("</main>", start)
    block = text[start:end]
    assert old in block, f"{old!r} is not in the block of {node_id} on {page}"
    path.write_text(text[:start] + block.replace(old, new) + text[end:], encoding="utf-8")


def tag_text(site: Path, page: str, pattern: str) -> str:
    match = re.search(pattern, (site / page).read_text(encoding="utf-8"), re.DOTALL)
    assert match, f"{pattern!r} not in {page}"
    return match[1]


Seed = Callable[[Path], None]


@dataclass(frozen=True)
class Defect:
    seed: Seed
    site: Literal["demo", "rich", "brand"]
    page: str  # the page the problem must name
    rule: str


Register = Callable[[Literal["demo", "rich", "brand"], str, str], Callable[[Seed], Seed]]


def registry(defects: list[Defect]) -> Register:
    """A decorator that adds the decorated function to ``defects`` as a seeded defect
    expected to give ``rule`` on ``page``."""

    def defect(
        site: Literal["demo", "rich", "brand"], page: str, rule: str
    ) -> Callable[[Seed], Seed]:
        def register(seed: Seed) -> Seed:
            defects.append(Defect(seed, site, page, rule))
            return seed

        return register

    return defect


def assert_found(case: Defect, clean: Built, tmp_path: Path) -> None:
    """Seed ``case`` into a copy of ``clean`` and expect its rule on its page, with the
    rule's severity and fix."""
    assert found(clean.report, case.rule) == [], "the clean site must not have it already"
    site = tmp_path / "site"
    shutil.copytree(clean.out, site)
    case.seed(site)
    report = check_site(site)
    hits = [p for p in report.problems if p.rule == case.rule and p.file == case.page]
    assert hits, f"no {case.rule} on {case.page}:\n" + "\n".join(report.lines())
    rule = RULES[case.rule]
    assert all(p.severity == rule.severity and p.fix == rule.fix and p.message for p in hits)

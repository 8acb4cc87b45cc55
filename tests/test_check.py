"""The quality gate, ``kdirectory check``.

A corpus of broken sites: the demo (and a richer fixture site whose clinic has a street
address, phone, split-shift and special hours) is built once, then each case copies the clean
site, seeds ONE defect by editing its files, and expects the right rule id on the right page.
Plus the JSON and text output, ``build --check``, the build's uniqueness gate, and the
shingle / MinHash similarity the near-duplicate rule and the gate stand on.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from typer.testing import CliRunner

from kdirectory.check import JSON_FORMAT_VERSION, RULES, SiteReport, check_site
from kdirectory.check.similarity import (
    EXACT_PAIRS_UP_TO,
    SimilarPair,
    jaccard,
    near_duplicates,
    shingles,
    signature,
    unique_shares,
)
from kdirectory.cli import app
from kdirectory.exceptions import SiteCheckFailedError, SiteNotFoundError
from kdirectory.record.validate import load_directory
from kdirectory.site.build import BuildResult, build_site
from tests.conftest import GOOD_RECORD, REPO, VISTA, copy_demo

runner = CliRunner()

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NOINDEX = '<meta name="robots" content="noindex">'
FINDING_KEYS = {"page", "rule", "severity", "message", "fix", "line", "where"}

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
    report: SiteReport


def build_and_check(root: Path) -> Built:
    out = root / "site"
    result = build_site(load_directory(root), out)
    return Built(root, out, result, check_site(out))


def write_project(root: Path, records: dict[str, str], config: str | None = None) -> Path:
    """A project with the demo's kdirectory.toml (or ``config``) and these records."""
    clinics = root / "data" / "clinics"
    clinics.mkdir(parents=True)
    text = config if config is not None else (REPO / "kdirectory.toml").read_text("utf-8")
    (root / "kdirectory.toml").write_text(text, encoding="utf-8")
    for name, record in records.items():
        (clinics / name).write_text(record, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo directory, built and checked once."""
    return build_and_check(copy_demo(tmp_path_factory.mktemp("check-demo") / "project"))


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Two fictional clinics (one with special hours), built and checked once."""
    root = tmp_path_factory.mktemp("check-rich") / "project"
    return build_and_check(write_project(root, {"harbor.yaml": RICH_RECORD, "vista.yaml": VISTA}))


def found(report: SiteReport, rule: str) -> list[str]:
    """The findings of ``rule``, formatted (so a failing assert shows them)."""
    return [f.format() for f in report.findings if f.rule == rule]


# --- the clean sites ---------------------------------------------------------------------------


def test_the_clean_demo_has_no_errors(demo: Built) -> None:
    assert demo.report.errors == []
    assert demo.report.pages == len(list(demo.out.rglob("*.html")))
    # The demo's two clinics publish no hours or website: that is worth a warning, no more.
    assert {f.rule for f in demo.report.warnings} == {"jsonld.google-recommended"}
    assert {f.page for f in demo.report.warnings} == {
        BFF,
        "clinics/ketamine-clinics-of-los-angeles/index.html",
    }


def test_the_clean_rich_site_has_no_findings(rich: Built) -> None:
    assert rich.report.errors == []
    assert rich.report.warnings == []
    page = (rich.out / HARBOR).read_text(encoding="utf-8")
    # The facts the NAP defects below tamper with are really on the page.
    for fact in ('"telephone":"+17605550123"', "openingHoursSpecification", "2026-12-24"):
        assert fact in page
    assert "1:00 PM – 6:00 PM" in page  # a split shift


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


def tag_text(site: Path, page: str, pattern: str) -> str:
    match = re.search(pattern, (site / page).read_text(encoding="utf-8"), re.DOTALL)
    assert match, f"{pattern!r} not in {page}"
    return match[1]


Seed = Callable[[Path], None]


@dataclass(frozen=True)
class Defect:
    seed: Seed
    site: Literal["demo", "rich"]
    page: str  # the page the finding must name
    rule: str


DEFECTS: list[Defect] = []


def defect(site: Literal["demo", "rich"], page: str, rule: str) -> Callable[[Seed], Seed]:
    """Register the decorated function as a seeded defect expected to give ``rule`` on ``page``."""

    def register(seed: Seed) -> Seed:
        DEFECTS.append(Defect(seed, site, page, rule))
        return seed

    return register


# The head.


@defect("demo", ESCONDIDO, "head.canonical")
def missing_canonical(site: Path) -> None:
    resub(site, ESCONDIDO, r'<link rel="canonical"[^>]*>\n', "")


@defect("demo", ESCONDIDO, "head.canonical-self")
def canonical_to_another_page(site: Path) -> None:
    replace(
        site,
        ESCONDIDO,
        '<link rel="canonical" href="https://directory.example/ca/escondido/">',
        '<link rel="canonical" href="https://directory.example/ca/los-angeles/">',
    )


@defect("demo", ESCONDIDO, "head.canonical")
def relative_canonical(site: Path) -> None:
    replace(
        site,
        ESCONDIDO,
        'rel="canonical" href="https://directory.example/',
        'rel="canonical" href="/',
    )


@defect("demo", ESCONDIDO, "head.canonical")
def two_canonicals(site: Path) -> None:
    resub(site, ESCONDIDO, r'(<link rel="canonical"[^>]*>)', lambda m: m[1] + "\n" + m[1])


@defect("demo", LOS_ANGELES, "head.title-duplicate")
def duplicate_title(site: Path) -> None:
    title = tag_text(site, ESCONDIDO, r"<title>(.*?)</title>")
    resub(site, LOS_ANGELES, r"<title>.*?</title>", f"<title>{title}</title>")


@defect("demo", ESCONDIDO, "head.title-length")
def title_too_short(site: Path) -> None:
    resub(site, ESCONDIDO, r"<title>.*?</title>", "<title>Escondido</title>")


@defect("demo", ESCONDIDO, "head.title-length")
def title_too_long(site: Path) -> None:
    resub(site, ESCONDIDO, r"<title>(.*?)</title>", lambda m: f"<title>{m[1] * 3}</title>")


@defect("demo", ESCONDIDO, "head.title")
def missing_title(site: Path) -> None:
    resub(site, ESCONDIDO, r"<title>.*?</title>\n", "")


@defect("demo", ESCONDIDO, "head.description")
def missing_description(site: Path) -> None:
    resub(site, ESCONDIDO, r'<meta name="description"[^>]*>\n', "")


@defect("demo", LOS_ANGELES, "head.description-duplicate")
def duplicate_description(site: Path) -> None:
    description = tag_text(site, ESCONDIDO, r'<meta name="description" content="([^"]*)">')
    resub(
        site,
        LOS_ANGELES,
        r'<meta name="description" content="[^"]*">',
        f'<meta name="description" content="{description}">',
    )


@defect("demo", ESCONDIDO, "head.description-length")
def description_too_short(site: Path) -> None:
    resub(
        site,
        ESCONDIDO,
        r'<meta name="description" content="[^"]*">',
        '<meta name="description" content="Ketamine clinics in Escondido.">',
    )


@defect("demo", ESCONDIDO, "html.lang")
def missing_lang(site: Path) -> None:
    replace(site, ESCONDIDO, '<html lang="en-US">', "<html>")


@defect("demo", ESCONDIDO, "head.viewport")
def missing_viewport(site: Path) -> None:
    resub(site, ESCONDIDO, r'<meta name="viewport"[^>]*>\n', "")


# The body.


@defect("demo", ESCONDIDO, "html.h1")
def two_h1(site: Path) -> None:
    resub(site, ESCONDIDO, r"(<h1>.*?</h1>)", lambda m: m[1] + "\n<h1>Also in Escondido</h1>")


@defect("demo", ESCONDIDO, "html.h1")
def no_h1(site: Path) -> None:
    resub(site, ESCONDIDO, r"<h1>(.*?)</h1>", lambda m: f"<h2>{m[1]}</h2>")


@defect("demo", ESCONDIDO, "html.img-alt")
def img_without_alt(site: Path) -> None:
    resub(site, ESCONDIDO, r"(<h1>.*?</h1>)", lambda m: m[1] + '\n<img src="/favicon.svg">')


@defect("demo", ESCONDIDO, "links.broken")
def broken_internal_link(site: Path) -> None:
    replace(
        site, ESCONDIDO, 'href="/clinics/bff-medical-wellness-clinic/"', 'href="/clinics/gone/"'
    )


@defect("demo", ESCONDIDO, "links.broken")
def broken_relative_link(site: Path) -> None:
    replace(site, ESCONDIDO, 'href="/clinics/bff-medical-wellness-clinic/"', 'href="../nowhere/"')


@defect("demo", ESCONDIDO, "links.anchor")
def broken_fragment_anchor(site: Path) -> None:
    replace(site, ESCONDIDO, 'href="#main"', 'href="#nope"')


@defect("demo", ESCONDIDO, "links.anchor")
def broken_anchor_on_another_page(site: Path) -> None:
    replace(site, ESCONDIDO, '<a href="/ca/">', '<a href="/ca/#nope">')


@defect("demo", ESCONDIDO, "claims.cure")
def cure_in_description(site: Path) -> None:
    resub(
        site,
        ESCONDIDO,
        r'<meta name="description" content="[^"]*">',
        '<meta name="description" content="Ketamine therapy in Escondido, CA: the clinic that '
        'cures depression in weeks. Addresses, phone numbers and hours.">',
    )


@defect("demo", ESCONDIDO, "claims.guarantee")
def guaranteed_results_in_page_text(site: Path) -> None:
    resub(
        site,
        ESCONDIDO,
        r"(<h1>.*?</h1>)",
        lambda m: m[1] + "\n<p>Guaranteed results after six infusions.</p>",
    )


@defect("demo", ESCONDIDO, "content.near-duplicate")
def city_pages_alike(site: Path) -> None:
    """Buena Park's <main> becomes Escondido's with the city name swapped: a doorway page.
    (Reported on the second page of the pair, in file order.)"""
    main = tag_text(site, ESCONDIDO, r"(<main.*?</main>)").replace("Escondido", "Buena Park")
    resub(site, BUENA_PARK, r"<main.*?</main>", main)


@defect("demo", ESCONDIDO, "html.unreadable")
def binary_page(site: Path) -> None:
    (site / ESCONDIDO).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


@defect("demo", ESCONDIDO, "html.unreadable")
def gzipped_page(site: Path) -> None:
    path = site / ESCONDIDO
    path.write_bytes(gzip.compress(path.read_bytes(), mtime=0))


@defect("demo", ESCONDIDO, "html.unreadable")
def page_in_another_encoding(site: Path) -> None:
    path = site / ESCONDIDO
    text = path.read_text(encoding="utf-8")
    assert not text.isascii()
    path.write_bytes(text.encode("cp1252"))


@defect("demo", ESCONDIDO, "html.unreadable")
def empty_page(site: Path) -> None:
    (site / ESCONDIDO).write_bytes(b"")


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


# Sitemap and robots.txt.


@defect("demo", OCD, "sitemap.noindex")
def noindex_page_in_sitemap(site: Path) -> None:
    resub(site, OCD, r'(<meta name="viewport"[^>]*>)', lambda m: m[1] + "\n" + NOINDEX)


@defect("demo", ESCONDIDO, "sitemap.unlisted")
def indexable_page_missing_from_sitemap(site: Path) -> None:
    replace(
        site, "sitemap.xml", "<url><loc>https://directory.example/ca/escondido/</loc></url>\n", ""
    )


@defect("demo", "sitemap.xml", "sitemap.unknown")
def sitemap_url_without_a_page(site: Path) -> None:
    replace(
        site,
        "sitemap.xml",
        "</urlset>",
        "<url><loc>https://directory.example/ca/atlantis/</loc></url>\n</urlset>",
    )


@defect("demo", "sitemap.xml", "sitemap.missing")
def missing_sitemap(site: Path) -> None:
    (site / "sitemap.xml").unlink()


@defect("demo", "sitemap.xml", "sitemap.missing")
def unparsable_sitemap(site: Path) -> None:
    replace(site, "sitemap.xml", "</urlset>", "")


@defect("demo", "robots.txt", "robots.sitemap")
def robots_without_sitemap_line(site: Path) -> None:
    resub(site, "robots.txt", r"Sitemap:[^\n]*\n", "")


@defect("demo", "robots.txt", "robots.sitemap")
def robots_relative_sitemap(site: Path) -> None:
    replace(site, "robots.txt", "Sitemap: https://directory.example/", "Sitemap: /")


@defect("demo", "robots.txt", "robots.blocked")
def robots_disallows_everything(site: Path) -> None:
    replace(site, "robots.txt", "Allow: /", "Disallow: /")


@defect("demo", "robots.txt", "robots.missing")
def missing_robots(site: Path) -> None:
    (site / "robots.txt").unlink()


@pytest.mark.parametrize("case", DEFECTS, ids=[d.seed.__name__ for d in DEFECTS])
def test_a_seeded_defect_is_found_on_its_page(
    case: Defect, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    clean: Built = request.getfixturevalue(case.site)
    assert found(clean.report, case.rule) == [], "the clean site must not have it already"
    site = tmp_path / "site"
    shutil.copytree(clean.out, site)
    case.seed(site)
    report = check_site(site)
    hits = [f for f in report.findings if f.rule == case.rule and f.page == case.page]
    assert hits, f"no {case.rule} on {case.page}:\n" + "\n".join(
        f.format() for f in report.sorted_findings()
    )
    rule = RULES[case.rule]
    assert all(f.severity == rule.severity and f.fix == rule.fix and f.message for f in hits)


CLAIM_EXAMPLES = {
    "claims.cure": "Ketamine cures depression for good.",
    "claims.guarantee": "Relief is guaranteed.",
    "claims.hundred_percent": "Our patients report a 100% success rate.",
    "claims.no_side_effects": "There are no side effects.",
    "claims.completely_safe": "Each infusion is completely safe.",
    "claims.not_addictive": "Ketamine is non-addictive.",
    "claims.fda_depression": "Ketamine is FDA-approved for depression.",
    "claims.versus_antidepressants": "It works faster than antidepressants.",
    "claims.unmonitored_home_use": "Order home ketamine kits without monitoring.",
}


@pytest.mark.parametrize("rule", sorted(CLAIM_EXAMPLES))
def test_each_overclaim_in_page_text_is_found(rule: str, demo: Built, tmp_path: Path) -> None:
    assert found(demo.report, rule) == []
    site = tmp_path / "site"
    shutil.copytree(demo.out, site)
    example = CLAIM_EXAMPLES[rule]
    resub(site, ESCONDIDO, r"(<h1>.*?</h1>)", lambda m: f"{m[1]}\n<p>{example}</p>")
    hits = [f for f in check_site(site).findings if f.rule == rule and f.page == ESCONDIDO]
    assert [f.where for f in hits] == ["page text"]


def test_the_corpus_covers_every_rule() -> None:
    assert len(DEFECTS) >= 30
    assert {d.rule for d in DEFECTS} | set(CLAIM_EXAMPLES) == set(RULES)


def test_a_near_duplicate_names_its_twin_and_similarity(demo: Built, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(demo.out, site)
    city_pages_alike(site)
    [hit] = [f for f in check_site(site).findings if f.rule == "content.near-duplicate"]
    assert (hit.page, hit.where, hit.severity) == (ESCONDIDO, BUENA_PARK, "error")
    assert re.match(r"(9\d|100)% alike with ca/buena-park/index\.html", hit.message)
    # A noindex twin is the build's answer to it: no longer reported.
    resub(site, BUENA_PARK, r'(<meta name="viewport"[^>]*>)', lambda m: m[1] + NOINDEX)
    replace(
        site, "sitemap.xml", "<url><loc>https://directory.example/ca/buena-park/</loc></url>", ""
    )
    report = check_site(site)
    assert report.errors == []
    assert found(report, "content.near-duplicate") == []


def test_a_missing_site_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SiteNotFoundError):
        check_site(tmp_path / "nowhere")
    with pytest.raises(SiteNotFoundError):
        check_site(tmp_path)  # a folder without pages


# --- output ------------------------------------------------------------------------------------


def test_json_output_is_documented_and_stable(demo: Built) -> None:
    first = runner.invoke(app, ["check", str(demo.out), "--format", "json"])
    second = runner.invoke(app, ["check", str(demo.out), "--format", "json"])
    assert first.exit_code == 0, first.output
    assert "Traceback" not in first.output
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert set(data) == {"version", "site", "pages", "errors", "warnings", "findings"}
    assert data["version"] == JSON_FORMAT_VERSION == 1
    assert data["site"] == str(demo.out)
    assert data["pages"] == demo.report.pages
    assert (data["errors"], data["warnings"]) == (0, len(demo.report.warnings))
    assert data["findings"], "the demo's warnings are listed"
    for item in data["findings"]:
        assert set(item) == FINDING_KEYS
        assert item["severity"] == RULES[item["rule"]].severity
        assert item["fix"] == RULES[item["rule"]].fix
        assert isinstance(item["line"], int | None)
    order = [(f["page"], f["line"] or 0, f["rule"], f["where"]) for f in data["findings"]]
    assert order == sorted(order)


def test_json_output_of_a_broken_site_exits_one(demo: Built, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(demo.out, site)
    missing_lang(site)
    result = runner.invoke(app, ["check", str(site), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    assert data["errors"] == len(errors) == 1
    assert errors[0] == {
        "page": ESCONDIDO,
        "rule": "html.lang",
        "severity": "error",
        "message": "<html> has no lang attribute",
        "fix": RULES["html.lang"].fix,
        "line": None,
        "where": "",
    }


def test_text_output_names_page_rule_severity_and_fix(demo: Built, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(demo.out, site)
    missing_lang(site)
    broken_internal_link(site)
    result = runner.invoke(app, ["check", str(site)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    *lines, summary = result.stdout.splitlines()
    report = check_site(site)
    assert lines == [f.format() for f in report.sorted_findings()]
    for item, line in zip(report.sorted_findings(), lines, strict=True):
        assert line.startswith(item.page)
        assert f" {item.severity} {item.rule}" in line
        assert "(fix: " in line
    assert any(line.startswith(f"{ESCONDIDO}:") and "links.broken" in line for line in lines)
    warnings = len(report.warnings)
    assert summary == f"FAILED: checked {report.pages} pages: 2 errors, {warnings} warnings"


def test_exit_codes(demo: Built, tmp_path: Path) -> None:
    clean = runner.invoke(app, ["check", str(demo.out)])
    assert clean.exit_code == 0, clean.output
    warnings = len(demo.report.warnings)
    assert clean.stdout.splitlines()[-1] == (
        f"checked {demo.report.pages} pages: 0 errors, {warnings} warnings"
    )
    assert runner.invoke(app, ["check", str(demo.out), "--strict"]).exit_code == 1
    for missing in (tmp_path / "no-such-site", tmp_path):
        result = runner.invoke(app, ["check", str(missing), "--format", "json"])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output


def test_base_url_option_checks_canonicals_against_it(demo: Built) -> None:
    result = runner.invoke(
        app, ["check", str(demo.out), "--base-url", "https://elsewhere.example", "--format", "json"]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    pages = {f["page"] for f in data["findings"] if f["rule"] == "head.canonical-self"}
    assert pages == {p.relative_to(demo.out).as_posix() for p in demo.out.rglob("*.html")}


def test_build_check_runs_the_gate(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "project")
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out), "--check"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    pages = len(list(out.rglob("*.html")))
    assert f"checked {pages} pages: 0 errors" in result.stdout


# --- the uniqueness gate -----------------------------------------------------------------------

SERVED = {"/ca/vista/", "/ca/san-marcos/", "/ca/oceanside/"}


def sitemap_paths(out: Path) -> set[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    return {
        (loc.text or "").removeprefix("https://directory.example")
        for loc in root.iter(f"{SITEMAP_NS}loc")
    }


def service_area_project(root: Path, threshold: float | None = None) -> Path:
    config = (REPO / "kdirectory.toml").read_text(encoding="utf-8")
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
    assert isinstance(report, SiteReport)
    twins = {f.page for f in report.errors if f.rule == "content.near-duplicate"}
    assert twins and twins <= {f"ca/{p.strip('/').split('/')[-1]}/index.html" for p in SERVED}
    assert {f.rule for f in report.errors} == {"content.near-duplicate"}
    assert not out.exists()  # made for this build, removed with it


def test_the_demo_city_pages_stay_indexable(demo: Built) -> None:
    cities = {"/ca/escondido/", "/ca/buena-park/", "/ca/los-angeles/"}
    assert not {path for path, _ in demo.result.noindex} & cities
    assert cities <= sitemap_paths(demo.out)
    for path in cities:
        assert NOINDEX not in (demo.out / path.strip("/") / "index.html").read_text("utf-8")


# --- similarity --------------------------------------------------------------------------------


def test_jaccard_basics() -> None:
    a, b = frozenset({1, 2, 3}), frozenset({2, 3, 4})
    assert jaccard(a, b) == jaccard(b, a) == 0.5
    assert jaccard(a, a) == 1.0
    assert jaccard(a, frozenset({7})) == 0.0
    assert jaccard(frozenset(), frozenset()) == 0.0  # two empty pages are not alike


def test_shingles_ignore_case_and_punctuation_and_can_set_names_aside() -> None:
    text = "Clinics in Escondido, CA: call to ask about hours and prices."
    assert shingles(text) == shingles(text.upper().replace(",", " ").replace(":", ""))
    assert len(shingles("one two three four five six")) == 2
    assert len(shingles("too short")) == 1
    assert shingles("") == frozenset()
    other = text.replace("Escondido", "Buena Park")
    assert jaccard(shingles(text), shingles(other)) < 0.5
    assert shingles(text, set_aside=["Escondido"]) == shingles(other, set_aside=["Buena Park"])


def test_unique_shares() -> None:
    a = shingles("a b c d e f g h")
    b = shingles("a b c d e x y z")
    shares = unique_shares({"a": a, "b": b, "empty": frozenset()})
    assert shares == {"a": 0.75, "b": 0.75, "empty": 0.0}


def random_text(rng: random.Random, words: int = 150) -> list[str]:
    return [f"w{rng.randrange(5000)}" for _ in range(words)]


@pytest.mark.parametrize(("threshold", "precomputed"), [(0.9, False), (0.9, True), (0.75, True)])
def test_minhash_finds_every_pair_brute_force_finds(threshold: float, precomputed: bool) -> None:
    rng = random.Random(1234)
    texts = {f"page-{n:04d}": random_text(rng) for n in range(EXACT_PAIRS_UP_TO + 60)}
    for n in range(40):  # plant twins with 0-4 words changed (Jaccard about 1.0 down to 0.76)
        words = list(texts[f"page-{n:04d}"])
        for _ in range(n % 5):
            words[rng.randrange(len(words))] = f"x{rng.randrange(1000)}"
        texts[f"twin-{n:04d}"] = words
    pages = {name: shingles(" ".join(words)) for name, words in texts.items()}
    assert len(pages) > EXACT_PAIRS_UP_TO  # the MinHash + LSH path
    names = sorted(pages)
    brute = {
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if jaccard(pages[a], pages[b]) >= threshold
    }
    assert len(brute) >= 15  # enough planted pairs at the threshold to make this mean something
    signatures = {name: signature(s) for name, s in pages.items()} if precomputed else None
    result = near_duplicates(pages, threshold, signatures)
    assert {(p.first, p.second) for p in result} == brute
    assert all(p.similarity == jaccard(pages[p.first], pages[p.second]) for p in result)
    assert result == near_duplicates(dict(reversed(pages.items())), threshold)  # deterministic
    assert result == sorted(result, key=lambda p: (-p.similarity, p.first, p.second))


def test_near_duplicates_small_site_compares_every_pair() -> None:
    base = "ketamine therapy clinics listed with hours phone and address for the whole region"
    pages = {
        "a": shingles(base),
        "b": shingles(base),
        "c": shingles("a different page about another subject entirely with its own words"),
        "d": frozenset(),
    }
    assert near_duplicates(pages, 0.9) == [SimilarPair("a", "b", 1.0)]

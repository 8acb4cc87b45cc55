"""The quality gate, ``kdirectory check``: a corpus of broken sites.

The demo and a richer fixture site are built once (:mod:`tests.check.sites`); each case
copies a clean site, seeds ONE defect by editing its files, and expects the right rule id on
the right page. The JSON-LD defects are in ``test_check_jsonld.py``, the output of the
command in ``test_check_output.py``, the uniqueness gate in ``test_check_gate.py`` and the
similarity both stand on in ``test_similarity.py``.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest

from kdirectory.catalogue import RULES
from kdirectory.check import check_site
from kdirectory.exceptions import SiteNotFoundError
from tests.check.sites import (
    BFF,
    BUENA_PARK,
    ESCONDIDO,
    HARBOR,
    LOS_ANGELES,
    NOINDEX,
    OCD,
    Built,
    Defect,
    assert_found,
    found,
    registry,
    replace,
    resub,
    tag_text,
)
from tests.check.test_check_jsonld import JSONLD_DEFECTS

DEFECTS: list[Defect] = []
defect = registry(DEFECTS)


# --- the clean sites ---------------------------------------------------------------------------


def test_the_clean_demo_has_no_errors(demo: Built) -> None:
    assert demo.report.errors == []
    assert demo.report.pages == len(list(demo.out.rglob("*.html")))
    # The demo's two clinics publish no hours or website: that is worth a warning, no more.
    assert {f.rule for f in demo.report.warnings} == {"jsonld.google-recommended"}
    assert {f.file for f in demo.report.warnings} == {
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


REDIRECT_PAGE = (
    '<!doctype html>\n<html lang="en">\n<head>\n<title>Moved</title>\n'
    '<link rel="canonical" href="https://directory.example{0}">\n'
    '<meta http-equiv="refresh" content="0; url={0}">\n</head>\n'
    '<body><p>Moved to <a href="{0}">here</a>.</p></body>\n</html>\n'
)


@defect("demo", "clinics/old-name/index.html", "links.redirect-target")
def redirect_to_no_page(site: Path) -> None:
    (site / "clinics" / "old-name").mkdir()
    page = REDIRECT_PAGE.format("/clinics/nowhere/")
    (site / "clinics" / "old-name" / "index.html").write_text(page, encoding="utf-8")


@defect("demo", "_redirects", "links.redirects-file")
def redirects_line_without_its_page(site: Path) -> None:
    line = "/clinics/old-name/ /clinics/bff-medical-wellness-clinic/ 301\n"
    (site / "_redirects").write_text(line, encoding="utf-8")


@pytest.mark.parametrize("case", DEFECTS, ids=[d.seed.__name__ for d in DEFECTS])
def test_a_seeded_defect_is_found_on_its_page(
    case: Defect, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert_found(case, request.getfixturevalue(case.site), tmp_path)


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
    hits = [f for f in check_site(site).problems if f.rule == rule and f.file == ESCONDIDO]
    assert [f.field for f in hits] == ["page text"]


def test_the_corpus_covers_every_rule() -> None:
    defects = DEFECTS + JSONLD_DEFECTS
    assert len(defects) >= 30
    check_rules = {rule.id for rule in RULES.values() if "check" in rule.stages}
    assert {d.rule for d in defects} | set(CLAIM_EXAMPLES) == check_rules


def test_a_near_duplicate_names_its_twin_and_similarity(demo: Built, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(demo.out, site)
    city_pages_alike(site)
    [hit] = [f for f in check_site(site).problems if f.rule == "content.near-duplicate"]
    assert (hit.file, hit.field, hit.severity) == (ESCONDIDO, BUENA_PARK, "error")
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

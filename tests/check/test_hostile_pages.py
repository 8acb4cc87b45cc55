"""`kdirectory check` on pages built to hurt: JSON-LD and HTML nested past any sane depth and
a sitemap that does not parse are findings, said once, never a crash."""

from __future__ import annotations

from pathlib import Path

from kdirectory.check import check_site
from kdirectory.check.page import read_page
from kdirectory.check.page_rules import page_findings
from kdirectory.check.structured import jsonld_findings


def test_deep_json_ld_and_deep_html_are_findings_not_crashes() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    head = '<!doctype html><html lang="en"><head><title>Deep</title>'
    page = read_page(
        "deep.html",
        f'{head}<script type="application/ld+json">{deep}</script></head>'
        "<body><main><h1>Deep</h1></main></body></html>".encode(),
    )
    assert page is not None
    [found] = jsonld_findings(page)
    assert (found.rule, found.severity) == ("jsonld.parse", "error")
    assert "nested more than" in found.message
    body = "<div>" * 3000 + "lost" + "</div>" * 3000
    page = read_page(
        "deep.html", f"{head}</head><body><main><h1>Deep</h1>\n{body}</main></body></html>".encode()
    )
    assert page is not None
    said = [f for f in page_findings(page, None) if f.rule == "html.unreadable"]
    assert said and "nest more than 255 deep" in said[0].message and said[0].line == 2


def test_an_unreadable_sitemap_is_one_finding_not_one_per_page(
    built_demo: tuple[Path, Path],
) -> None:
    _, out = built_demo
    (out / "sitemap.xml").write_text("<urlset", "utf-8")
    report = check_site(out)
    rules = [p.rule for p in report.problems if p.rule.startswith("sitemap.")]
    assert rules == ["sitemap.missing"]

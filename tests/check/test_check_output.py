"""What ``kdirectory check`` prints: one line a problem (page, line, severity, rule, what
on the page, the message and the fix) and a summary, or the versioned JSON report; its exit
codes; and ``build --check``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kdirectory.catalogue import RULES
from kdirectory.check import check_site
from kdirectory.cli import app
from kdirectory.report import REPORT_VERSION
from tests.check.sites import ESCONDIDO, Built, copy_demo
from tests.check.test_check import broken_internal_link, missing_lang

runner = CliRunner()
PROBLEM_KEYS = {"rule", "severity", "file", "line", "field", "message", "fix"}


def test_json_output_is_documented_and_stable(demo: Built) -> None:
    first = runner.invoke(app, ["check", str(demo.out), "--format", "json"])
    second = runner.invoke(app, ["check", str(demo.out), "--format", "json"])
    assert first.exit_code == 0, first.output
    assert "Traceback" not in first.output
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert set(data) == {"format", "version", "command", "summary", "problems"}
    assert (data["format"], data["version"], data["command"]) == (
        "kdirectory-report",
        REPORT_VERSION,
        "check",
    )
    assert data["summary"] == {
        "site": str(demo.out),
        "pages": demo.report.pages,
        "errors": 0,
        "warnings": len(demo.report.warnings),
    }
    assert data["problems"], "the demo's warnings are listed"
    for item in data["problems"]:
        assert set(item) == PROBLEM_KEYS
        assert item["severity"] == RULES[item["rule"]].severity
        assert item["fix"] == RULES[item["rule"]].fix
        assert isinstance(item["line"], int | None)
    order = [(p["file"], p["line"] or 0, p["field"], p["rule"]) for p in data["problems"]]
    assert order == sorted(order)


def test_json_output_of_a_broken_site_exits_one(demo: Built, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(demo.out, site)
    missing_lang(site)
    result = runner.invoke(app, ["check", str(site), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert data["summary"]["errors"] == len(errors) == 1
    assert errors[0] == {
        "rule": "html.lang",
        "severity": "error",
        "file": ESCONDIDO,
        "line": None,
        "field": "",
        "message": "<html> has no lang attribute",
        "fix": RULES["html.lang"].fix,
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
    assert lines == report.lines()
    for item, line in zip(report.sorted_problems(), lines, strict=True):
        assert line.startswith(item.file)
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
    pages = {p["file"] for p in data["problems"] if p["rule"] == "head.canonical-self"}
    assert pages == {p.relative_to(demo.out).as_posix() for p in demo.out.rglob("*.html")}


def test_build_check_runs_the_gate(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "project")
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out), "--check"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    pages = len(list(out.rglob("*.html")))
    assert f"checked {pages} pages: 0 errors" in result.stdout

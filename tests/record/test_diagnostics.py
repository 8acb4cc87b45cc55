"""One model of a problem for every command: :class:`Problem` (a rule of the catalogue,
where, what, the fix) and :class:`Report`, printed one line a problem as ``validate`` and
``check`` print them, and as one versioned JSON object for tools."""

from __future__ import annotations

import json

import pytest

from kdirectory import Problem, Report, load_directory, validate
from kdirectory.catalogue import RULES
from kdirectory.report import REPORT_FORMAT, REPORT_VERSION
from tests.helpers import GOOD_RECORD, ProjectFactory

PROBLEM_KEYS = ["rule", "severity", "file", "line", "field", "message", "fix"]


def test_the_severity_is_the_rules() -> None:
    assert Problem("therapies.none", "x.yaml", 3, "therapies", "m").severity == "warning"
    assert Problem("html.h1", "index.html", None, "", "m").severity == "error"
    for rule_id, rule in RULES.items():
        assert Problem(rule_id, "f", None, "", "m").severity == rule.severity
    with pytest.raises(TypeError):
        Problem("html.h1", "index.html", None, "", "m", severity="warning")  # type: ignore[call-arg]


def test_a_rule_that_is_not_catalogued_is_refused() -> None:
    with pytest.raises(KeyError, match=r"no rule 'phone\.typo'"):
        Problem("phone.typo", "x.yaml", 3, "phone", "m")


def test_validate_prints_where_an_editor_jumps_to() -> None:
    error = Problem("phone.invalid", "data/clinics/x.yaml", 3, "phone", '"555" is short', "add")
    assert error.format() == 'data/clinics/x.yaml:3: phone: "555" is short (add)'
    warning = Problem("url.http", "data/clinics/x.yaml", None, "url", "is not https")
    assert warning.format() == "data/clinics/x.yaml: warning: url: is not https"
    whole = Problem("file.empty", "data/clinics/x.yaml", None, "", "the file is empty", "fill")
    assert whole.format("validate") == "data/clinics/x.yaml: the file is empty (fill)"


def test_check_prints_severity_rule_and_where_on_the_page() -> None:
    fix = RULES["links.broken"].fix
    broken = Problem("links.broken", "ca/index.html", 12, "/x/", "link to /x/ leads nowhere", fix)
    assert broken.format("check") == (
        f"ca/index.html:12: error links.broken [/x/]: link to /x/ leads nowhere (fix: {fix})"
    )
    lang = Problem("html.lang", "index.html", None, "", "<html> has no lang attribute", "set it")
    assert lang.format("check") == (
        "index.html: error html.lang: <html> has no lang attribute (fix: set it)"
    )


def test_both_shapes_escape_control_characters() -> None:
    problem = Problem("head.title-length", "a\x1b[2J.html", 1, "\u202e", "title\nhere", "x")
    for command in ("validate", "check"):
        line = problem.format(command)  # type: ignore[arg-type]
        assert "\x1b" not in line and "\n" not in line and "\u202e" not in line
        assert "\\x1b" in line and "\\u202e" in line


def test_the_summary_says_what_was_looked_at() -> None:
    problems = [Problem("html.h1", "a.html", None, "", "m"), Problem("url.http", "x", 1, "", "m")]
    assert Report(problems, files=3, clinics=2).summary() == (
        "3 files, 2 clinics, 1 error, 1 warning"
    )
    site = Report(problems[:1], command="check", site="public", pages=1)
    assert site.summary() == "checked 1 page: 1 error, 0 warnings"
    assert site.counts() == {"site": "public", "pages": 1, "errors": 1, "warnings": 0}


def test_validate_json_is_the_versioned_report(make_project: ProjectFactory) -> None:
    root = make_project({"x.yaml": GOOD_RECORD.replace('"(760) 555-0123"', '"555"')})
    data = json.loads(validate(load_directory(root)).to_json())
    assert list(data) == ["format", "version", "command", "summary", "problems"]
    assert (data["format"], data["version"], data["command"]) == (
        REPORT_FORMAT,
        REPORT_VERSION,
        "validate",
    )
    assert data["summary"] == {"files": 1, "clinics": 0, "errors": 1, "warnings": 0}
    [item] = data["problems"]
    assert list(item) == PROBLEM_KEYS
    assert item["rule"] == "phone.invalid"
    assert (item["file"], item["line"], item["field"]) == ("data/clinics/x.yaml", 3, "phone")
    assert (item["severity"], item["fix"]) == ("error", "check for a missing digit")


def test_json_is_sorted_faithful_and_printable() -> None:
    message = "a \x9b2J \u202e b"
    report = Report(
        [
            Problem("url.http", "b.yaml", 2, "url", "second"),
            Problem("phone.invalid", "a.yaml", 9, "phone", message),
            Problem("email.invalid", "a.yaml", 1, "email", "first"),
        ]
    )
    text = report.to_json()
    assert text.endswith("}\n")
    assert "\x9b" not in text and "\u202e" not in text and "\\u009b" in text
    problems = json.loads(text)["problems"]
    assert [p["message"] for p in problems] == ["first", message, "second"]
    assert problems[2]["fix"] is None

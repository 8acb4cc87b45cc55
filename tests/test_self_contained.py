"""The repository stands on its own: the test suite runs from a fresh clone (it reads nothing
outside the repository), and neither the tests nor what users read cite what a reader of the
repository does not have (design notes kept elsewhere, issue trackers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import REPO

TESTS = REPO / "tests"
CHECKERS = {Path(__file__).name, "test_docs.py"}
"""Tests whose job is to look for these words: they name them."""
TEXT_SUFFIXES = {".py", ".md", ".csv", ".yaml", ".yml", ".json", ".toml", ".txt"}

FORBIDDEN = {
    "a folder next to the checkout": re.compile(r"\.\./shared\b|\bshared/|[\"']shared[\"']"),
    "a path above the repository": re.compile(r"\b(?:REPO|ROOT)\.parent\b"),
    "a design document": re.compile(r"\bDESIGN\.md\b", re.IGNORECASE),
    "an issue number": re.compile(
        r"\b(?:issue|bug|ticket|gh)[ -]?#?\d+|/issues/\d+|\b(?:see|fixes|closes|per)\s+#\d+",
        re.IGNORECASE,
    ),
}


def suite_files() -> list[Path]:
    """Every text file of the suite but the committed golden site (built, not written)."""
    return sorted(
        path
        for path in TESTS.rglob("*")
        if path.is_file()
        and path.suffix in TEXT_SUFFIXES
        and TESTS / "golden" not in path.parents
        and "__pycache__" not in path.parts
        and path.name not in CHECKERS
    )


def test_the_suite_has_files_to_look_at() -> None:
    names = {path.relative_to(TESTS).as_posix() for path in suite_files()}
    assert {"conftest.py", "helpers.py", "data/real/us_facilities_public.csv"} <= names


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_test_file_reaches_outside_the_repository_or_cites_what_it_lacks(what: str) -> None:
    pattern = FORBIDDEN[what]
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()[:120]}"
        for path in suite_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == [], f"{what}:\n" + "\n".join(found)


def test_nothing_users_read_cites_files_they_do_not_have() -> None:
    shipped = [*REPO.joinpath("src").rglob("*.py"), *REPO.joinpath("templates").rglob("*")]
    shipped += [REPO / "README.md", *REPO.joinpath("docs").rglob("*.md")]
    for path in shipped:
        if path.is_file() and path.suffix in {".py", ".md", ".html", ".yaml"}:
            text = path.read_text(encoding="utf-8")
            assert not FORBIDDEN["a design document"].search(text), path
            assert not FORBIDDEN["a folder next to the checkout"].search(text), path


@pytest.mark.parametrize(
    ("what", "line"),
    [
        ("a folder next to the checkout", 'CSV = ROOT / ".." / "x" / "../shared/data/real"'),
        ("a folder next to the checkout", 'VOCAB = "shared/vocab/schemaorg-30.0"'),
        ("a folder next to the checkout", 'DATA = REPO.parent / "shared" / "data"'),
        ("a path above the repository", "VOCAB = ROOT.parent / 'vocab'"),
        ("a design document", "# as DESIGN.md says"),
        ("an issue number", "# regression test for issue 42"),
        ("an issue number", "# see #118"),
        ("an issue number", "# https://github.com/o/r/issues/7"),
    ],
)
def test_the_patterns_find_what_they_are_for(what: str, line: str) -> None:
    assert FORBIDDEN[what].search(line)


@pytest.mark.parametrize(
    "line",
    [
        'unit: "#210"',  # a suite number in a record
        'assert phone == "(559) 555-0170 ext. 9"  # "#9"',
        'parts["xl/sharedStrings.xml"] = b""',
        'shared = tmp_path / "shared.txt"',
        "js/mentalhealth.js#0",
    ],
)
def test_the_patterns_leave_test_data_alone(line: str) -> None:
    assert not any(pattern.search(line) for pattern in FORBIDDEN.values())

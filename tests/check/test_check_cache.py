"""The check cache (``check_site(cache=...)``): a page whose bytes are unchanged is not read
again, what depends on the rest of the site is worked out on every run, and the report is
the same with a cold cache, a warm cache and none."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kdirectory.check import cache as cache_module
from kdirectory.check import check_site
from kdirectory.check import run as run_module
from kdirectory.check.page_record import PageRecord
from kdirectory.check.page_record import read_record as read_and_check
from kdirectory.cli import app
from kdirectory.report import Report
from tests.check.sites import BFF, ESCONDIDO, Built, replace, resub
from tests.check.test_check import DEFECTS
from tests.check.test_check_jsonld import JSONLD_DEFECTS


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every page read and checked in this process (not taken from the cache)."""
    pages: list[str] = []

    def read_record(name: str, *args: Any) -> PageRecord:
        pages.append(name)
        return read_and_check(name, *args)

    monkeypatch.setattr(run_module, "read_record", read_record)
    yield pages


def checked(site: Path, cache: Path | None, **options: Any) -> tuple[Report, list[str]]:
    notices: list[str] = []
    return check_site(site, cache=cache, notices=notices, **options), notices


def assert_same_three_ways(site: Path, cache: Path) -> Report:
    """No cache, a cold cache and a warm one give the same problems in the same order."""
    none, _ = checked(site, None)
    cold, cold_notices = checked(site, cache)
    warm, warm_notices = checked(site, cache)
    assert cold.problems == none.problems
    assert warm.problems == none.problems
    assert (cold.pages, warm.pages) == (none.pages, none.pages)
    assert cold_notices == warm_notices == []
    return none


def copy_of(built: Built, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built.out, site)
    return site


def test_the_report_is_the_same_with_a_cold_a_warm_and_no_cache(
    demo: Built, tmp_path: Path, reads: list[str]
) -> None:
    site = copy_of(demo, tmp_path)
    report = assert_same_three_ways(site, tmp_path / "check.sqlite")
    assert report.problems == demo.report.problems
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    assert sorted(reads) == sorted(pages * 2)  # no cache, then cold; the warm run read none


def test_the_report_of_each_seeded_defect_is_the_same_with_and_without_cache(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # One cache for every seeded copy: each run finds most pages cached, the seeded ones not.
    cache = tmp_path / "check.sqlite"
    for number, case in enumerate(DEFECTS + JSONLD_DEFECTS):
        site = tmp_path / f"site-{number}"
        shutil.copytree(request.getfixturevalue(case.site).out, site)
        case.seed(site)
        none, _ = checked(site, None)
        for _ in ("cold or partly warm", "warm"):
            cached, notices = checked(site, cache)
            assert (cached.problems, notices) == (none.problems, []), case.seed.__name__
        assert any(p.rule == case.rule and p.file == case.page for p in none.problems)
        shutil.rmtree(site)


def test_only_a_page_whose_bytes_changed_is_read_again(
    demo: Built, tmp_path: Path, reads: list[str]
) -> None:
    site, cache = copy_of(demo, tmp_path), tmp_path / "check.sqlite"
    checked(site, cache)
    reads.clear()
    replace(site, ESCONDIDO, "</main>", "<p>Parking behind the building.</p></main>")
    warm, _ = checked(site, cache)
    assert reads == [ESCONDIDO]
    assert warm.problems == checked(site, None)[0].problems
    reads.clear()
    (site / ESCONDIDO).touch()  # the same bytes: not read again
    checked(site, cache)
    assert reads == []


def test_what_depends_on_other_pages_is_worked_out_on_every_run(
    demo: Built, tmp_path: Path, reads: list[str]
) -> None:
    site, cache = copy_of(demo, tmp_path), tmp_path / "check.sqlite"
    checked(site, cache)
    reads.clear()
    # A page that others link to is gone: their links break, though none of them changed.
    shutil.rmtree((site / BFF).parent)
    warm, _ = checked(site, cache)
    assert reads == []
    broken = [p for p in warm.problems if p.rule == "links.broken"]
    assert broken
    assert all(p.line is not None for p in broken)
    assert warm.problems == checked(site, None)[0].problems
    # The rows of files no longer in the site are dropped.
    with sqlite3.connect(cache) as db:
        kept = {path for (path,) in db.execute("SELECT path FROM pages")}
    assert BFF not in kept
    assert kept == {str(p.relative_to(site)) for p in site.rglob("*.html")}


def test_another_site_url_or_checker_reads_every_page_again(
    demo: Built, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, cache = copy_of(demo, tmp_path), tmp_path / "check.sqlite"
    pages = len(list(site.rglob("*.html")))
    checked(site, cache)
    reads.clear()
    moved, _ = checked(site, cache, base_url="https://elsewhere.example")
    assert len(reads) == pages
    assert moved.problems == checked(site, None, base_url="https://elsewhere.example")[0].problems
    reads.clear()
    monkeypatch.setattr(cache_module, "checker_fingerprint", lambda: "another kdirectory")
    checked(site, cache)
    assert len(reads) == pages
    with sqlite3.connect(cache) as db:  # the rows of the other checker and URL are dropped
        assert db.execute("SELECT count(*), count(DISTINCT fingerprint) FROM pages").fetchone() == (
            pages,
            1,
        )


@pytest.mark.parametrize(
    "damage",
    [
        "not a database",
        "a foreign database",
        "a row that fails its checksum",
        "a row that does not read back",
    ],
)
def test_a_damaged_cache_is_set_aside_and_the_report_is_unchanged(
    damage: str, demo: Built, tmp_path: Path, reads: list[str]
) -> None:
    site, cache = copy_of(demo, tmp_path), tmp_path / "check.sqlite"
    expected = checked(site, None)[0]
    if damage == "not a database":
        cache.write_bytes(b"these are not the pages you are looking for\n" * 100)
    elif damage == "a foreign database":
        with sqlite3.connect(cache) as db:
            db.execute("CREATE TABLE clinics (name TEXT)")
        db.close()
    else:
        checked(site, cache)
        column = "checksum" if damage == "a row that fails its checksum" else "facts"
        with sqlite3.connect(cache) as db:
            if column == "checksum":
                db.execute("UPDATE pages SET checksum = checksum + 1 WHERE path = ?", (ESCONDIDO,))
            else:  # a payload that is not zlib, under a checksum that matches it
                row = db.execute(
                    "SELECT shingles, signature FROM pages WHERE path = ?", (ESCONDIDO,)
                )
                shingles, signature = row.fetchone()
                facts = b"not zlib"
                sum_ = cache_module._checksum(facts, shingles, signature)
                db.execute(
                    "UPDATE pages SET facts = ?, checksum = ? WHERE path = ?",
                    (facts, sum_, ESCONDIDO),
                )
        db.close()
    reads.clear()
    report, notices = checked(site, cache)
    assert report.problems == expected.problems
    assert len(notices) == 1
    assert "damaged" in notices[0] and "check.sqlite.corrupt" in notices[0]
    assert (tmp_path / "check.sqlite.corrupt").is_file()
    assert len(reads) == report.pages  # nothing read from the damaged file was used
    reads.clear()
    again, notices = checked(site, cache)  # the new cache is sound
    assert (again.problems, notices, reads) == (expected.problems, [], [])


def test_a_cache_that_cannot_be_written_is_done_without(demo: Built, tmp_path: Path) -> None:
    site = copy_of(demo, tmp_path)
    (tmp_path / "blocked").write_text("a file where the cache's folder would be")
    report, notices = checked(site, tmp_path / "blocked" / "check.sqlite")
    assert report.problems == demo.report.problems
    assert len(notices) == 1
    assert "cannot write the check cache" in notices[0]


def test_pages_read_in_several_processes_are_cached_alike(
    demo: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_module, "_PARALLEL_FROM", 2)
    site, cache = copy_of(demo, tmp_path), tmp_path / "check.sqlite"
    assert_same_three_ways(site, cache)
    resub(site, ESCONDIDO, r"<title>[^<]*</title>", "<title>Changed</title>")
    assert checked(site, cache, jobs=2)[0].problems == checked(site, None, jobs=1)[0].problems


def test_kdirectory_check_keeps_the_cache_of_the_project_it_checks(
    demo: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(demo.root, root, ignore=shutil.ignore_patterns(".kdirectory"))
    monkeypatch.chdir(root)
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not (root / ".kdirectory" / "check.sqlite").exists()
    first = runner.invoke(app, ["check"])
    assert (root / ".kdirectory" / "check.sqlite").is_file()
    second = runner.invoke(app, ["check", "site"])  # the project's output folder, named
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output == result.output
    elsewhere = tmp_path / "copy"
    shutil.copytree(root / "site", elsewhere)
    (root / ".kdirectory" / "check.sqlite").unlink()
    assert runner.invoke(app, ["check", str(elsewhere)]).exit_code == 0
    assert not (root / ".kdirectory" / "check.sqlite").exists()  # not the project's site

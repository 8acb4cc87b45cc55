"""The report kept with the record cache: a project that did not change gives the kept
report without loading a record; any change to what the report was made from gives a full
validation, and a damaged kept report is set aside with a notice."""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from kdirectory import load_directory, validate
from kdirectory.exceptions import ConfigError
from kdirectory.project import GEOCODES_FILE, SETTINGS_FILE, validate_project
from kdirectory.record import cache
from kdirectory.record import validate as validate_module
from kdirectory.record.cache import CACHE_FILE
from kdirectory.record.config import CONFIG_NAME
from kdirectory.report import Report
from tests.helpers import GOOD_RECORD, ProjectFactory
from tests.record.images import JPEG, SVG
from tests.record.test_brand_config import BRAND_CONFIG
from tests.record.test_record_cache import OTHER, seeded_project


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The projects whose records were loaded (rather than their kept report given)."""
    loaded: list[Path] = []
    load_files = validate_module.load_files

    def counted(found: Any, store: Any) -> Any:
        loaded.append(found.root)
        return load_files(found, store)

    monkeypatch.setattr(validate_module, "load_files", counted)
    yield loaded


def uncached(root: Path) -> Report:
    return validate(load_directory(root, cache=False))


def kept_project(make_project: ProjectFactory, loads: list[Path]) -> tuple[Path, Report]:
    """A project of many kinds of problem, validated once (its report kept)."""
    root = seeded_project(make_project)
    first = validate_project(root)
    assert loads == [root] and first.notices == []
    assert first.report.to_json() == uncached(root).to_json()
    loads.clear()
    return root, first.report


def test_an_unchanged_project_gives_the_kept_report(
    make_project: ProjectFactory, loads: list[Path]
) -> None:
    root, first = kept_project(make_project, loads)
    second = validate_project(root)
    assert loads == [] and second.notices == []
    assert second.report == first  # every problem, in order, and the counts
    assert second.report.to_json() == uncached(root).to_json()
    assert len(first.problems) >= 60


def test_the_names_must_agree() -> None:
    assert SETTINGS_FILE == CONFIG_NAME
    assert GEOCODES_FILE == "data/geocodes.json"


def _edit_record(root: Path) -> None:
    with (root / "data/clinics/good.yaml").open("a") as file:
        file.write("# a comment\n")  # a byte more, and the same report


def _add_record(root: Path) -> None:
    (root / "data/clinics/other.yaml").write_text(OTHER)


def _remove_record(root: Path) -> None:
    (root / "data/clinics/vista.yaml").unlink()


def _rename_record(root: Path) -> None:
    """Renamed in its place among the others: only the name tells."""
    (root / "data/clinics/good.yaml").rename(root / "data/clinics/good-2.yaml")


def _settings(root: Path) -> None:
    (root / SETTINGS_FILE).write_text('[site]\nname = "Another name"\n')


def _geocodes(root: Path) -> None:
    (root / GEOCODES_FILE).write_text("{not json")


def _photo(root: Path) -> None:
    (root / "photos").mkdir()
    (root / "photos/missing.jpg").write_bytes(JPEG)


CHANGES: dict[str, Callable[[Path], None]] = {
    "a byte of a record": _edit_record,
    "a record added": _add_record,
    "a record removed": _remove_record,
    "a record renamed": _rename_record,
    "the settings": _settings,
    "the saved geocodes": _geocodes,
    "a photo": _photo,
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_gives_a_full_validation(
    make_project: ProjectFactory, loads: list[Path], change: str
) -> None:
    root, _ = kept_project(make_project, loads)
    CHANGES[change](root)
    changed = validate_project(root)
    assert loads == [root]
    assert changed.report.to_json() == uncached(root).to_json()
    loads.clear()
    again = validate_project(root)  # the new report is kept in turn
    assert loads == [] and again.report == changed.report


def test_the_change_shows_in_the_report(make_project: ProjectFactory, loads: list[Path]) -> None:
    """The changes above that change the report do: what the kept report said is gone."""
    root, first = kept_project(make_project, loads)
    _photo(root)
    _geocodes(root)
    report = validate_project(root).report
    assert "photos/missing.jpg" in first.to_json() and "photos/missing.jpg" not in report.to_json()
    assert any(problem.file == GEOCODES_FILE for problem in report.problems)


def test_another_day_gives_a_full_validation(
    make_project: ProjectFactory, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A testimonial dated tomorrow is in the future today, and not tomorrow."""
    root, _ = kept_project(make_project, loads)
    monkeypatch.setattr("kdirectory.project.date", _Tomorrow)
    validate_project(root)
    assert loads == [root]


class _Tomorrow(date):
    @classmethod
    def today(cls) -> _Tomorrow:
        day = date.today() + timedelta(days=1)
        return cls(day.year, day.month, day.day)


def test_other_code_gives_a_full_validation(
    make_project: ProjectFactory, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = kept_project(make_project, loads)
    monkeypatch.setattr(cache, "package_digest", lambda: b"another kdirectory")
    validate_project(root)
    assert loads == [root]


def test_a_project_moved_gives_a_full_validation(
    make_project: ProjectFactory, loads: list[Path]
) -> None:
    root, first = kept_project(make_project, loads)
    moved = root.with_name("moved")
    shutil.move(root, moved)
    assert validate_project(moved).report == first
    assert loads == [moved]


def test_a_logo_removed_is_an_error_again(make_project: ProjectFactory, loads: list[Path]) -> None:
    root = make_project({"a.yaml": GOOD_RECORD}, BRAND_CONFIG)
    (root / "assets").mkdir()
    (root / "assets/logo.svg").write_bytes(SVG)
    validate_project(root)
    validate_project(root)
    assert loads == [root]
    (root / "assets/logo.svg").unlink()
    with pytest.raises(ConfigError, match="logo"):
        validate_project(root)


def test_no_cache_neither_reads_nor_keeps_a_report(
    make_project: ProjectFactory, loads: list[Path]
) -> None:
    root, first = kept_project(make_project, loads)
    shutil.rmtree(root / ".kdirectory")
    assert validate_project(root, cache=False).report == first
    assert not (root / ".kdirectory").exists()
    validate_project(root)
    assert validate_project(root, cache=False).report == first
    assert loads == [root, root, root]


def test_a_report_made_while_the_project_changed_is_not_kept(
    make_project: ProjectFactory, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settings, the geocodes and the day are read again after validating: a report
    is kept only under what it was made from."""
    root = make_project({"a.yaml": GOOD_RECORD})
    validate_records = validate_module.validate_records

    def change_the_settings(directory: Any) -> Report:
        (root / SETTINGS_FILE).write_text('[site]\nname = "Changed meanwhile"\n')
        return validate_records(directory)

    monkeypatch.setattr(validate_module, "validate_records", change_the_settings)
    validate_project(root)
    assert kept_results(root) == []


def kept_results(root: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(root / CACHE_FILE) as db:
        rows = db.execute("SELECT key, checksum, payload FROM results").fetchall()
    db.close()
    return rows


# --- a kept report that cannot be used ----------------------------------------------------


def _bad_checksum(db: sqlite3.Connection) -> None:
    db.execute("UPDATE results SET checksum = checksum + 1")


def _not_a_report(db: sqlite3.Connection) -> None:
    db.execute("UPDATE results SET payload = ?, checksum = ?", (b"[1]", zlib.crc32(b"[1]")))


def _wrong_kinds(db: sqlite3.Connection) -> None:
    db.execute("UPDATE results SET payload = 'text'")


def _unknown_rule(db: sqlite3.Connection) -> None:
    (payload,) = db.execute("SELECT payload FROM results").fetchone()
    payload = payload.replace(b'"file.binary"', b'"no.such.rule"')
    db.execute("UPDATE results SET payload = ?, checksum = ?", (payload, zlib.crc32(payload)))


DAMAGE: dict[str, tuple[Callable[[sqlite3.Connection], None], str]] = {
    "checksum": (_bad_checksum, "fails its checksum"),
    "content": (_not_a_report, "is not a report"),
    "kinds": (_wrong_kinds, "wrong kinds"),
    "rule": (_unknown_rule, "unknown rule"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_report_is_set_aside_with_a_notice(
    make_project: ProjectFactory, loads: list[Path], damage: str
) -> None:
    root, first = kept_project(make_project, loads)
    spoil, why = DAMAGE[damage]
    with sqlite3.connect(root / CACHE_FILE) as db:
        spoil(db)
    db.close()
    found = validate_project(root)
    assert loads == [root] and found.report == first
    [notice] = found.notices
    assert "records.sqlite is damaged" in notice and why in notice and "set aside" in notice
    assert (root / ".kdirectory/records.sqlite.corrupt").is_file()
    loads.clear()
    again = validate_project(root)  # a new cache, with the report kept
    assert loads == [] and again.notices == [] and again.report == first


def test_a_cache_that_cannot_be_written_says_so_once(
    make_project: ProjectFactory, loads: list[Path]
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD})
    (root / ".kdirectory").write_text("a file where the folder goes")
    found = validate_project(root)
    assert len(found.notices) == 1 and "cannot use the record cache" in found.notices[0]
    validate_project(root)
    assert loads == [root, root]
    assert found.report == uncached(root)


def test_a_record_that_cannot_be_read_is_never_kept(
    make_project: ProjectFactory, loads: list[Path]
) -> None:
    """What is wrong with a link that leads nowhere is not in any bytes of the project's
    records: a project holding one is validated in full every time."""
    root = make_project({"a.yaml": GOOD_RECORD})
    (root / "data/clinics/b.yaml").symlink_to(root / "nowhere.yaml")
    first = validate_project(root).report
    assert validate_project(root).report == first
    assert loads == [root, root]
    assert kept_results(root) == []
    assert first == uncached(root)

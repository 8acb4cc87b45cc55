"""What kdirectory stored, found damaged: a geocoding cache that is garbage, torn, another
program's or holds bad rows is set aside and a new one started; a `.kdirectory` that is a
file and a cache that is a folder are clear errors; data/geocodes.json that cannot be read
(deeply nested, broken, off the map) is one problem, reported alike by geocode, validate and
build. Real SQLite files, the real CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.geocoding import Geocode, GeocodeQuery
from kdirectory.geocoding.cache import CACHE_FILE, MISSING, GeocodeCache
from kdirectory.geocoding.errors import GeocodeFileError
from kdirectory.geocoding.store import (
    GEOCODES_FILE,
    UNREADABLE_RULE,
    GeocodeStore,
    StoredGeocode,
    load_geocodes,
)
from kdirectory.testing import FakeNominatim
from tests.geocoding.nominatim import cache_rows, saved, two_clinics
from tests.helpers import ProjectFactory

runner = CliRunner()


def make_database(path: Path, *statements: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


OUR_TABLE = (
    "CREATE TABLE geocodes (provider TEXT NOT NULL, query TEXT NOT NULL, answer TEXT, "
    "created TEXT NOT NULL, PRIMARY KEY (provider, query))"
)


QUERY = GeocodeQuery("100 E Grand Ave", "Escondido", "CA", "92025").key()


def row(answer: str) -> str:
    quoted = answer.replace("'", "''")
    return f"INSERT INTO geocodes VALUES ('nominatim', '{QUERY}', '{quoted}', '2026-01-01')"


def _garbage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(range(256)) * 64)


def _torn(path: Path) -> None:
    """A real cache whose pages were overwritten in the middle (a torn write, a bad disk)."""
    with GeocodeCache(path) as cache:
        for i in range(400):
            cache.put("nominatim", f"q{i}" * 20, Geocode(1.0, 2.0, "street", "x"), "2026")
    data = bytearray(path.read_bytes())
    data[4096 + 100 : 4096 * 3] = b"\xff" * (4096 * 2 - 100)
    path.write_bytes(bytes(data))


DAMAGED_CACHES: dict[str, tuple[Callable[[Path], None], str]] = {
    "garbage bytes": (_garbage, "it is not a geocoding cache (file is not a database)"),
    "torn pages": (_torn, "it "),
    "foreign table layout": (
        lambda path: make_database(path, "CREATE TABLE geocodes (a TEXT, b TEXT)"),
        "its geocodes table has other columns (a, b)",
    ),
    "another program's tables": (
        lambda path: make_database(path, "CREATE TABLE users (name TEXT)"),
        "it holds things kdirectory did not make (table users)",
    ),
    "our table plus a foreign one": (
        lambda path: make_database(path, OUR_TABLE, "CREATE TABLE notes (text TEXT)"),
        "it holds things kdirectory did not make (table notes)",
    ),
    "broken JSON in a row": (
        lambda path: make_database(path, OUR_TABLE, row('{"lat": 33.1, "lon":')),
        "its JSON is broken",
    ),
    "deeply nested JSON in a row": (
        lambda path: make_database(path, OUR_TABLE, row("[" * 100_000)),
        "its JSON is nested too deeply",
    ),
    "a latitude of 999 in a row": (
        lambda path: make_database(
            path,
            OUR_TABLE,
            row('{"lat": 999, "lon": -117.1, "precision": "street", "provider": "nominatim"}'),
        ),
        "latitude 999 is outside -90..90",
    ),
    "a precision nobody knows": (
        lambda path: make_database(
            path,
            OUR_TABLE,
            row('{"lat": 33.1, "lon": -117.1, "precision": "galaxy", "provider": "nominatim"}'),
        ),
        "precision 'galaxy' is not one of",
    ),
    "bytes where text belongs": (
        lambda path: make_database(
            path,
            OUR_TABLE,
            "INSERT INTO geocodes VALUES ('nominatim', X'00FF', NULL, '2026-01-01')",
        ),
        "provider, query and date must be text",
    ),
}


# --- a cache with bad rows or another schema is set aside and rebuilt -----------------------------


@pytest.mark.parametrize("damage", sorted(DAMAGED_CACHES))
def test_damaged_or_foreign_cache_is_set_aside_and_a_new_one_started(
    tmp_path: Path, damage: str
) -> None:
    make, reason = DAMAGED_CACHES[damage]
    path = tmp_path / CACHE_FILE
    make(path)
    original = path.read_bytes()
    with GeocodeCache(path) as cache:
        assert cache.recovered_from == path.with_name("cache.sqlite.corrupt")
        assert cache.damage is not None and reason in cache.damage
        assert len(cache) == 0
        cache.put("nominatim", QUERY, Geocode(33.1, -117.1, "street", "nominatim"), "2026-01-02")
    assert (tmp_path / ".kdirectory" / "cache.sqlite.corrupt").read_bytes() == original
    with GeocodeCache(path) as reopened:  # the new cache is sound and kept
        assert reopened.recovered_from is None
        assert reopened.get("nominatim", QUERY) == Geocode(33.1, -117.1, "street", "nominatim")


def test_a_sound_cache_is_kept_and_an_empty_file_is_a_new_cache(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    path.parent.mkdir()
    path.write_bytes(b"")  # e.g. created by `touch`
    with GeocodeCache(path) as cache:
        assert cache.recovered_from is None
        cache.put("nominatim", QUERY, None, "2026-01-01")
    with GeocodeCache(path) as cache:
        assert cache.recovered_from is None
        assert cache.get("nominatim", QUERY) is None  # a cached "no match"
    assert not list(tmp_path.glob(".kdirectory/*.corrupt*"))


def test_a_second_damaged_cache_does_not_replace_the_first_set_aside(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    _garbage(path)
    GeocodeCache(path).close()
    path.write_bytes(b"second damaged cache" * 100)
    with GeocodeCache(path) as cache:
        assert cache.recovered_from == path.with_name("cache.sqlite.corrupt.2")
    assert path.with_name("cache.sqlite.corrupt").read_bytes() == bytes(range(256)) * 64
    assert path.with_name("cache.sqlite.corrupt.2").read_bytes() == b"second damaged cache" * 100


def test_a_row_broken_while_the_cache_is_open_is_asked_again(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    with GeocodeCache(path) as cache:
        cache.put("nominatim", QUERY, Geocode(33.1, -117.1, "street", "nominatim"), "2026")
        with sqlite3.connect(path) as other:  # another program writes a broken row
            other.execute("UPDATE geocodes SET answer = '{not json'")
        assert cache.get("nominatim", QUERY) is MISSING
        cache.put("nominatim", QUERY, Geocode(33.2, -117.2, "street", "nominatim"), "2026")
        assert cache.get("nominatim", QUERY) == Geocode(33.2, -117.2, "street", "nominatim")


def test_cache_never_stores_coordinates_off_the_map(tmp_path: Path) -> None:
    with GeocodeCache(tmp_path / CACHE_FILE) as cache:
        with pytest.raises(ValueError, match="latitude nan is not a finite number"):
            cache.put("nominatim", QUERY, Geocode(float("nan"), 0.0, "street", "x"), "2026")
        assert cache.get("nominatim", QUERY) is MISSING


def test_geocode_run_with_a_broken_cache_row_warns_and_rebuilds(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = two_clinics(make_project, server)
    make_database(root / CACHE_FILE, OUR_TABLE, row('{"lat": 33.1, "lon":'))
    result = runner.invoke(app, ["geocode", str(root)])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    assert (
        "notice: the geocoding cache .kdirectory/cache.sqlite was damaged (row 1 (nominatim, "
        in result.stderr
    )
    assert "its JSON is broken" in result.stderr
    assert "it was moved to cache.sqlite.corrupt and a new one started" in result.stderr
    assert server.request_count == 2  # the broken answer was asked again
    assert len(cache_rows(root)) == 2
    assert (root / ".kdirectory" / "cache.sqlite.corrupt").is_file()


# --- .kdirectory is a file ------------------------------------------------------------------------


def test_kdirectory_folder_that_is_a_file_is_a_clear_error(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = two_clinics(make_project, server)
    (root / ".kdirectory").write_text("my notes\n")
    result = runner.invoke(app, ["geocode", str(root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert f"error: {root / '.kdirectory'}: is a file, but kdirectory " in result.stderr
    assert "keeps its geocoding cache in a folder of that name" in result.stderr
    assert "rename or remove the file, then run again" in result.stderr
    assert (root / ".kdirectory").read_text() == "my notes\n"  # untouched
    assert server.request_count == 0


def test_cache_file_that_is_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    path.mkdir(parents=True)
    (path / "keep.txt").write_text("x")
    with pytest.raises(GeocodeFileError, match=r"cache\.sqlite: is a folder, but it should be"):
        GeocodeCache(path)
    assert (path / "keep.txt").read_text() == "x"


# --- data/geocodes.json that cannot be read: one loader, one way to report it ---------------------


BAD_RESULTS: dict[str, tuple[bytes | None, int | None, str]] = {
    "100k nested [": (b"[" * 100_000, None, "its JSON is nested too deeply"),
    "100k nested objects": (b'{"a":' * 100_000, None, "its JSON is nested too deeply"),
    "nested inside results": (
        b'{"version": 1, "results": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        None,
        "its JSON is nested too deeply",
    ),
    "broken JSON": (b'{"version": 1,\n  "results": {\n    "a": {"lat": 1,,\n', 3, "broken JSON"),
    "not UTF-8": (b'{"version": 1,\n"results": {"\xff": 1}}', 2, "it is not UTF-8 text"),
    "no results object": (b"[]", 1, 'expected an object with a "results" object'),
    "latitude 999": (
        b'{"version": 1, "results": {\n  "a": {"lat": 999, "lon": 1, "precision": "street",'
        b' "provider": "p", "query": "q", "date": "d"}}}',
        2,
        "entry 'a': latitude 999 is outside -90..90",
    ),
    "NaN longitude": (
        b'{"version": 1, "results": {\n\n  "a": {"lat": 9, "lon": NaN, "precision": "street",'
        b' "provider": "p", "query": "q", "date": "d"}}}',
        3,
        "entry 'a': longitude nan is not a finite number",
    ),
    "a folder": (None, None, "it is a folder, not a file"),
}


def _write_results(root: Path, content: bytes | None) -> Path:
    path = root / GEOCODES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("bad", sorted(BAD_RESULTS))
def test_load_geocodes_reports_an_unreadable_file_as_one_problem(tmp_path: Path, bad: str) -> None:
    content, line, detail = BAD_RESULTS[bad]
    path = _write_results(tmp_path, content)
    loaded = load_geocodes(tmp_path)
    (problem,) = loaded.problems
    assert (problem.file, problem.line, problem.severity, problem.rule) == (
        "data/geocodes.json",
        line,
        "error",
        UNREADABLE_RULE,
    )
    assert problem.message.startswith("cannot read the saved geocoding results: ")
    assert detail in problem.message
    assert problem.fix is not None and "run `kdirectory geocode`" in problem.fix
    assert loaded.store.entries == {}
    # The geocode command's strict reading raises the very same text.
    with pytest.raises(GeocodeFileError) as raised:
        GeocodeStore.load(path, recover=False, display=GEOCODES_FILE)
    assert str(raised.value) == problem.format()
    # ...and its recovering reading sets the file aside and starts again.
    store = GeocodeStore.load(path, recover=True, display=GEOCODES_FILE)
    assert store.entries == {} and store.problem == problem
    assert store.recovered_from == path.with_name("geocodes.json.corrupt")
    assert store.recovered_from.exists() and not path.exists()


def test_load_geocodes_of_a_missing_or_sound_file(tmp_path: Path) -> None:
    assert load_geocodes(tmp_path).problems == []
    path = tmp_path / GEOCODES_FILE
    path.parent.mkdir(parents=True)
    store = GeocodeStore(path)
    store.put("a", store_entry())
    store.save()
    loaded = load_geocodes(tmp_path)
    assert loaded.problems == []
    assert loaded.store.entries == {"a": store_entry()}


def store_entry() -> StoredGeocode:
    return StoredGeocode(33.1, -117.1, "street", "nominatim", "q", "2026-01-01")


def test_nested_results_file_is_a_clear_error_for_geocode_and_build(
    make_project: ProjectFactory, tmp_path: Path, server: FakeNominatim
) -> None:
    root = two_clinics(make_project, server)
    _write_results(root, b"[" * 100_000)
    dry = runner.invoke(app, ["geocode", str(root), "--dry-run"])
    assert dry.exit_code == 1
    assert "internal error" not in dry.output and "RecursionError" not in dry.output
    assert "geocodes.json: cannot read the saved geocoding results: its JSON is nested " in (
        dry.stderr
    )
    build = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "out")])
    assert build.exit_code == 1
    assert "internal error" not in build.output and "RecursionError" not in build.output
    assert "geocodes.json: cannot read the saved geocoding results: its JSON is nested " in (
        build.output
    )
    assert not (tmp_path / "out").exists()
    # geocode itself sets the file aside and rebuilds it.
    result = runner.invoke(app, ["geocode", str(root)])
    assert result.exit_code == 0, result.output
    assert "moved to geocodes.json.corrupt and will be rebuilt" in result.stderr
    assert list(saved(root)) == ["clinic-100", "clinic-200"]


def test_validate_reports_an_unreadable_results_file_as_build_does(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = two_clinics(make_project, server)
    _write_results(root, b'{"version": 1,\n  "results": {\n    "a": {"lat": 1,,\n')
    (problem,) = load_geocodes(root).problems
    validate = runner.invoke(app, ["validate", str(root)])
    assert validate.exit_code == 1
    assert problem.format() in validate.output

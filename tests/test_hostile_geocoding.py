"""Geocoding against hostile inputs: a damaged or foreign cache, a `.kdirectory` that is a
file, providers answering coordinates off the map or echoing the API key, deeply nested
JSON in data/geocodes.json, and API keys over plain http. Real SQLite files, real HTTP to
kdirectory.testing.FakeNominatim on 127.0.0.1, the real CLI."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.geocoding import Geocode, GeocodeQuery, GeocoderSetupError, geocode_directory
from kdirectory.geocoding.cache import CACHE_FILE, MISSING, GeocodeCache
from kdirectory.geocoding.errors import GeocodeFileError
from kdirectory.geocoding.providers import make_geocoder
from kdirectory.geocoding.redact import REDACTED, redact
from kdirectory.geocoding.store import (
    GEOCODES_FILE,
    UNREADABLE_RULE,
    GeocodeStore,
    StoredGeocode,
    load_geocodes,
)
from kdirectory.geocoding.types import coordinates_problem
from kdirectory.record.validate import load_directory
from kdirectory.testing import FakeNominatim, Place
from tests.geocoding.nominatim import STREETS, nominatim_project, place, saved
from tests.helpers import ProjectFactory

runner = CliRunner()

SECRET = "sk-live-4f9a1c77e0"  # an API key that must never be shown
KEY_VARIABLE = "KDIRECTORY_OPENMAPQUEST_API_KEY"
# OpenMapQuest: a geopy provider that speaks Nominatim's API under /nominatim/v1/search and
# sends an API key (as key=...) with every request.
KEYED_PROVIDER = "openmapquest"


@pytest.fixture
def server() -> Iterator[FakeNominatim]:
    catch_all = Place(33.13, -117.09, "Somewhere in Escondido, CA 92025")
    with FakeNominatim([*(place(street) for street in STREETS[:2]), catch_all]) as fake:
        yield fake


def two_clinics(
    make_project: ProjectFactory, server: FakeNominatim, provider: str = "nominatim"
) -> Path:
    """Two clinics; the provider points at the fake server over http (this machine)."""
    return nominatim_project(make_project, server, 2, provider=provider, timeout="30")


def cache_rows(root: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(root / CACHE_FILE) as db:
        return db.execute("SELECT provider, query FROM geocodes ORDER BY query").fetchall()


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


# -- 2: a cache with bad rows or another schema is set aside and rebuilt --------------------


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


# -- 3: .kdirectory is a file ---------------------------------------------------------------


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


# -- 4: a provider answering coordinates that are not a place -------------------------------


def nominatim_answer(lat: object, lon: object) -> list[dict[str, object]]:
    return [{"lat": lat, "lon": lon, "display_name": "Hostile answer", "class": "building"}]


HOSTILE_ANSWERS: dict[str, tuple[object, str]] = {
    "latitude 999": (nominatim_answer("999", "-117.1"), "Latitude must be in the [-90; 90] range"),
    "latitude -91": (nominatim_answer("-91", "-117.1"), "Latitude must be in the [-90; 90] range"),
    "longitude 999": (nominatim_answer("33.1", "999"), "longitude '999' is outside -180..180"),
    "longitude NaN": (nominatim_answer("33.1", "NaN"), "must be finite"),
    "latitude inf": (nominatim_answer("inf", "-117.1"), "must be finite"),
    "longitude -Infinity": (nominatim_answer("33.1", "-Infinity"), "must be finite"),
    "latitude as a JSON NaN": (nominatim_answer(float("nan"), -117.1), "must be finite"),
    "latitude not a number": (nominatim_answer("north", "-117.1"), "could not convert"),
    "longitude an object": (nominatim_answer("33.1", {"deg": 1}), "float() argument"),
    "latitude 1e400": (nominatim_answer("1e400", "-117.1"), "must be finite"),
    "no coordinates": ([{"display_name": "Nowhere"}], "the answer has no lat and lon"),
    "a list of numbers": ([1, 2], "'int' object has no attribute 'get'"),
    "text, not places": ("hello", "'str' object has no attribute 'get'"),
}


@pytest.mark.parametrize("hostile", sorted(HOSTILE_ANSWERS))
def test_provider_answer_off_the_map_fails_that_record_and_the_batch_goes_on(
    make_project: ProjectFactory, server: FakeNominatim, hostile: str
) -> None:
    payload, reason = HOSTILE_ANSWERS[hostile]
    root = two_clinics(make_project, server)
    server.answer_next(1, payload=payload)  # the first clinic's answer
    result = geocode_directory(load_directory(root))
    assert [(o.slug, o.status) for o in result.outcomes] == [
        ("clinic-100", "failed"),
        ("clinic-200", "geocoded"),
    ]
    message = result.outcomes[0].message
    assert message.startswith("nominatim: answered ")
    assert "not a place" in message
    assert reason in message
    assert server.request_count == 2  # an answer off the map is not retried
    assert list(saved(root)) == ["clinic-200"]  # never written...
    assert cache_rows(root) == [
        ("nominatim", GeocodeQuery(STREETS[1], "Escondido", "CA", "92025").key())
    ]  # ...nor cached, so the next run asks again
    again = geocode_directory(load_directory(root))
    assert again.counts == {"geocoded": 1, "saved": 1}
    assert server.request_count == 3


def test_cli_reports_the_reason_and_exits_1(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = two_clinics(make_project, server)
    server.answer_next(1, payload=nominatim_answer("999", "NaN"))
    result = runner.invoke(app, ["geocode", str(root)])
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "data/clinics/clinic-100.yaml: nominatim: answered something that is not a place (" in (
        result.stderr
    )
    assert list(saved(root)) == ["clinic-200"]


class _OffTheMap:
    """A geocoder of someone else's making that answers coordinates off the map."""

    name = "homemade"
    needs_network = False

    def __init__(self, answers: list[Geocode]) -> None:
        self.answers = answers

    def geocode(self, query: GeocodeQuery) -> Geocode | None:
        return self.answers.pop(0)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Geocode(999.0, 1.0, "street", "homemade"), "latitude 999.0 is outside -90..90"),
        (Geocode(1.0, float("inf"), "street", "homemade"), "longitude inf is not a finite"),
        (Geocode("33.1", 1.0, "street", "homemade"), "coordinates that are not numbers"),  # type: ignore[arg-type]
        (Geocode(1.0, 1.0, "galaxy", "homemade"), "precision 'galaxy', not one of"),
        (Geocode(1.0, 1.0, "city", "homemade", None), "label that is not text"),  # type: ignore[arg-type]
    ],
)
def test_any_geocoders_answer_off_the_map_is_never_saved(
    make_project: ProjectFactory, server: FakeNominatim, answer: Geocode, reason: str
) -> None:
    root = two_clinics(make_project, server)
    good = Geocode(33.12, -117.08, "street", "homemade")
    result = geocode_directory(load_directory(root), _OffTheMap([answer, good]))
    assert [o.status for o in result.outcomes] == ["failed", "geocoded"]
    assert reason in result.outcomes[0].message
    assert list(saved(root)) == ["clinic-200"]


@pytest.mark.parametrize(
    ("lat", "lon", "problem"),
    [
        (33.1, -117.1, None),
        ("33.1", "-117.1", None),
        (90, -180, None),
        (True, 1.0, "latitude True is not a number"),
        (None, 1.0, "latitude None is not a number"),
        (1.0, 10**400, "longitude 1000"),
        (1.0, float("-inf"), "longitude -inf is not a finite number"),
        (-90.5, 0, "latitude -90.5 is outside -90..90"),
    ],
)
def test_coordinates_problem(lat: object, lon: object, problem: str | None) -> None:
    found = coordinates_problem(lat, lon)
    assert found == problem if problem is None else (found or "").startswith(problem)


# -- 5: data/geocodes.json that cannot be read: one loader, one way to report it ------------


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


# -- 6: API keys never appear in messages or logs -----------------------------------------


def test_redact_hides_keys_tokens_and_given_secrets() -> None:
    url = "https://geo.example/search?q=1+Main&key=abc123&api_key=def&access_token=ghi&x=1"
    assert redact(url) == (
        "https://geo.example/search?q=1+Main&key=[redacted]&api_key=[redacted]"
        "&access_token=[redacted]&x=1"
    )
    assert redact("token=t0k3n; apiKey=Z") == "token=[redacted]; apiKey=[redacted]"
    assert redact("monkey=banana") == "monkey=banana"
    text = f"invalid key '{SECRET}' (sent as {SECRET.replace('-', '%2D')})"
    assert SECRET not in redact(text, [SECRET])
    assert redact("a/b c+d", ["a/b c+d"]) == REDACTED
    assert redact("a%2Fb+c%2Bd and a/b%20c%2Bd", ["a/b c+d"]) == f"{REDACTED} and {REDACTED}"


def keyed_project(
    make_project: ProjectFactory, server: FakeNominatim, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv(KEY_VARIABLE, SECRET)
    return two_clinics(make_project, server, KEYED_PROVIDER)


def test_provider_error_text_echoing_the_key_is_redacted(
    make_project: ProjectFactory, server: FakeNominatim, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = keyed_project(make_project, server, monkeypatch)
    server.answer_next(1, payload={"error": f"The key {SECRET} is not valid (key={SECRET})"})
    result = geocode_directory(load_directory(root))
    assert server.requests[0].path == "/nominatim/v1/search"
    assert server.requests[0].params["key"] == SECRET  # it was sent, over loopback only
    assert [o.status for o in result.outcomes] == ["failed", "geocoded"]
    message = result.outcomes[0].message
    assert message == (
        f"{KEYED_PROVIDER}: QueryError (The key {REDACTED} is not valid (key={REDACTED}))"
    )


def test_cli_output_and_geopy_logs_never_show_the_key(
    make_project: ProjectFactory,
    server: FakeNominatim,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = keyed_project(make_project, server, monkeypatch)
    caplog.set_level(logging.DEBUG, logger="geopy")
    server.answer_next(1, payload={"error": f"key {SECRET} revoked"}, status=403)
    server.answer_next(1, payload={"error": f"over quota for {SECRET}"})
    result = runner.invoke(app, ["geocode", str(root)], env={KEY_VARIABLE: SECRET})
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert f"{KEYED_PROVIDER}: InsufficientPrivileges" in result.stderr
    assert f"over quota for {REDACTED}" in result.stderr
    logged = [record.getMessage() for record in caplog.records if record.name == "geopy"]
    assert any(
        line.startswith("OpenMapQuest.geocode: http://") and line.endswith("&key=[redacted]")
        for line in logged
    ), logged
    assert any(f"key {REDACTED} revoked" in line for line in logged), logged  # the 403's body
    assert not any(SECRET in line for line in logged)
    assert SECRET not in caplog.text


# -- 7: an API key is never sent over plain http -------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "HTTP", " http "])
def test_plain_http_with_an_api_key_is_refused(scheme: str) -> None:
    with pytest.raises(GeocoderSetupError) as refused:
        make_geocoder(
            KEYED_PROVIDER,
            user_agent="kdirectory-tests/1.0",
            options={"scheme": scheme, "domain": "geocoder.example.org"},
            environ={KEY_VARIABLE: SECRET},
        )
    message = str(refused.value)
    assert message.startswith(f"option scheme={scheme}: the {KEYED_PROVIDER} provider sends ")
    assert "plain http would show it to anyone on the way" in message
    assert "set scheme=https" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("options", "environ"),
    [
        ({"domain": "geocoder.example.org"}, {KEY_VARIABLE: SECRET}),  # https by default
        ({"scheme": "https", "domain": "geocoder.example.org"}, {KEY_VARIABLE: SECRET}),
        ({"scheme": "http", "domain": "127.0.0.1:8080"}, {KEY_VARIABLE: SECRET}),  # this machine
        ({"scheme": "http", "domain": "localhost"}, {KEY_VARIABLE: SECRET}),
        ({"scheme": "http", "domain": "[::1]:8080"}, {KEY_VARIABLE: SECRET}),
    ],
)
def test_https_or_this_machine_is_accepted(
    options: dict[str, str], environ: dict[str, str]
) -> None:
    geocoder = make_geocoder(
        KEYED_PROVIDER, user_agent="kdirectory-tests/1.0", options=options, environ=environ
    )
    assert geocoder.name == KEYED_PROVIDER


def test_plain_http_without_a_key_is_allowed() -> None:
    geocoder = make_geocoder(
        "nominatim",
        user_agent="kdirectory-tests/1.0",
        options={"scheme": "http", "domain": "nominatim.example.org"},
        environ={KEY_VARIABLE: SECRET},  # nominatim takes no key: nothing would be sent
    )
    assert geocoder.name == "nominatim"


def test_cli_refuses_scheme_http_with_a_key_as_a_usage_error(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = two_clinics(make_project, server, KEYED_PROVIDER)
    result = runner.invoke(
        app,
        ["geocode", str(root), "--option", "scheme=http", "--option", "domain=geo.example.org"],
        env={KEY_VARIABLE: SECRET},
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: option scheme=http: the openmapquest provider ")
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    assert server.request_count == 0
    assert not (root / GEOCODES_FILE).exists()

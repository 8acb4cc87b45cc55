"""Geocoding without a network: the offline gazetteer, the results file, the cache,
distances and the nearest-clinic index, provider set-up errors and the CLI."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.geocoding import (
    GeocodeQuery,
    GeocoderSetupError,
    OfflineGeocoder,
    Point,
    distance_miles,
    geocode_directory,
    make_geocoder,
    nearest_clinics,
    timezone_for_zip,
)
from kdirectory.geocoding.cache import GeocodeCache
from kdirectory.geocoding.distance import PointIndex
from kdirectory.geocoding.errors import GeocodeFileError
from kdirectory.geocoding.store import GeocodeStore
from kdirectory.geocoding.types import Geocode
from kdirectory.record.gazetteer import zip_info
from kdirectory.record.validate import load_directory
from tests.helpers import FACILITIES_CSV, GOOD_RECORD, ProjectFactory

runner = CliRunner()


def query(
    zip5: str | None = None, city: str | None = None, region: str | None = None
) -> GeocodeQuery:
    return GeocodeQuery(street=None, city=city, region=region, postal_code=zip5)


def test_offline_answers_a_zip_with_postal_code_precision() -> None:
    found = OfflineGeocoder().geocode(query("92025", "Escondido", "CA"))
    assert found is not None
    assert (found.precision, found.provider) == ("postal_code", "offline")
    assert distance_miles(found.point, Point(33.12, -117.08)) < 5


def test_offline_falls_back_to_the_city_centre() -> None:
    found = OfflineGeocoder().geocode(query(None, "Buena Park", "CA"))
    assert found is not None
    assert found.precision == "city"
    assert distance_miles(found.point, Point(33.8675, -117.9981)) < 5


def test_offline_ignores_a_zip_from_another_state_and_unknown_places() -> None:
    geocoder = OfflineGeocoder()
    assert geocoder.geocode(query("10001", None, "CA")) is None
    assert geocoder.geocode(query(None, "Nowhere Special", "CA")) is None
    assert geocoder.geocode(GeocodeQuery(None, "Toronto", "ON", None, country="CA")) is None


def test_query_key_ignores_case_spacing_and_punctuation() -> None:
    a = GeocodeQuery("1200 N. Main St.", "Escondido", "CA", "92025")
    b = GeocodeQuery("1200 n main  st", "ESCONDIDO", "ca", "92025")
    assert a.key() == b.key()
    assert a.one_line() == "1200 N. Main St., Escondido, CA 92025, US"


def test_timezone_from_zip() -> None:
    assert timezone_for_zip("92025") == "America/Los_Angeles"
    assert timezone_for_zip("10001") == "America/New_York"
    assert timezone_for_zip("00000") is None


def test_distance_is_geodesic_miles() -> None:
    escondido, los_angeles = Point(33.1192, -117.0864), Point(34.0522, -118.2437)
    assert distance_miles(escondido, los_angeles) == pytest.approx(92.4, abs=1.0)
    assert distance_miles(escondido, escondido) == 0


def test_nearest_clinics_matches_brute_force() -> None:
    rng = random.Random(7)
    points = [(f"c{i}", Point(rng.uniform(32, 42), rng.uniform(-124, -114))) for i in range(400)]
    index = PointIndex(points)
    for _ in range(25):
        here = Point(rng.uniform(32, 42), rng.uniform(-124, -114))
        expected = sorted(
            ((distance_miles(here, p), key) for key, p in points if distance_miles(here, p) <= 60)
        )[:5]
        got = nearest_clinics(here, 5, 60, index)
        assert [(round(n.miles, 6), n.key) for n in got] == [(round(m, 6), k) for m, k in expected]


@pytest.mark.parametrize("seed", range(4))
def test_nearest_matches_brute_force_with_crowds_ties_and_far_searches(seed: int) -> None:
    # Crowds of clinics on one city centroid (offline city-precision geocodes), Alaska's
    # stretched longitude cells and searches wider than the whole index.
    rng = random.Random(seed)
    centres = [Point(rng.uniform(25, 65), rng.uniform(-160, -70)) for _ in range(6)]
    points = []
    for i in range(300):
        centre = rng.choice(centres)
        spread = rng.choice([0.0, 0.0, 0.05, 2.0])
        where = Point(
            centre.lat + rng.uniform(-spread, spread), centre.lon + rng.uniform(-spread, spread)
        )
        points.append((f"c{i:03d}", where))
    index = PointIndex(points)
    for _ in range(20):
        here = rng.choice([rng.choice(centres), points[rng.randrange(300)][1]])
        n, within = rng.choice([1, 3, 8]), rng.choice([5.0, 60.0, 2500.0])
        exclude = rng.choice([None, points[rng.randrange(300)][0]])
        expected = sorted(
            (distance_miles(here, p), key)
            for key, p in points
            if key != exclude and distance_miles(here, p) <= within
        )[:n]
        got = index.nearest(here, n, within, exclude=exclude)
        assert [(round(g.miles, 6), g.key) for g in got] == [(round(m, 6), k) for m, k in expected]


def test_nearest_clinics_respects_the_radius_and_exclusion() -> None:
    a, b = Point(33.12, -117.08), Point(33.87, -118.0)
    assert nearest_clinics(a, 3, 10, [("a", a), ("b", b)])[0].key == "a"
    assert [n.key for n in nearest_clinics(a, 3, 200, [("a", a), ("b", b)])] == ["a", "b"]
    assert PointIndex([("a", a), ("b", b)]).nearest(a, 3, 200, exclude="a")[0].key == "b"
    assert nearest_clinics(a, 0, 200, [("a", a)]) == []


def test_offline_finds_every_real_zip_that_its_table_has() -> None:
    geocoder = OfflineGeocoder()
    with FACILITIES_CSV.open(encoding="utf-8-sig", newline="") as handle:
        zips = {(row.get("zip") or "").strip()[:5] for row in csv.DictReader(handle)}
    zips = {z.zfill(5) for z in zips if z.isdigit()}
    assert zips, "no ZIP column found"
    known = {z for z in zips if zip_info(z) is not None}
    found = {z for z in known if geocoder.geocode(query(z)) is not None}
    assert found == known
    # The rest are ZIPs USPS has retired or never issued (typos in the source data).
    assert len(known) / len(zips) > 0.95


def test_geocode_directory_offline_writes_results(make_project: ProjectFactory) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD})
    result = geocode_directory(load_directory(root), today=date(2026, 1, 2))
    assert result.ok
    assert result.counts["geocoded"] == 1
    saved = json.loads((root / "data" / "geocodes.json").read_text())
    entry = saved["results"]["harbor-ketamine-clinic"]
    assert entry["provider"] == "offline"
    assert entry["precision"] == "postal_code"
    assert entry["date"] == "2026-01-02"
    again = geocode_directory(load_directory(root))
    assert again.counts["saved"] == 1


def test_manual_geo_always_wins(make_project: ProjectFactory) -> None:
    record = GOOD_RECORD + "geo: {lat: 33.1234567, lon: -117.0812345}\n"
    root = make_project({"harbor.yaml": record})
    result = geocode_directory(load_directory(root))
    assert result.counts["manual"] == 1
    assert not (root / "data" / "geocodes.json").exists()


def test_changed_address_is_geocoded_again(make_project: ProjectFactory) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD})
    geocode_directory(load_directory(root))
    moved = GOOD_RECORD.replace('"92025"', '"92026"')
    (root / "data" / "clinics" / "harbor.yaml").write_text(moved)
    result = geocode_directory(load_directory(root))
    assert result.counts["geocoded"] == 1


def test_dry_run_writes_nothing(make_project: ProjectFactory) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD})
    result = geocode_directory(load_directory(root), dry_run=True)
    assert result.counts["would_geocode"] == 1
    assert not (root / "data" / "geocodes.json").exists()


def test_corrupt_results_file_is_set_aside_and_rebuilt(make_project: ProjectFactory) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD})
    results = root / "data" / "geocodes.json"
    results.write_text('{"version": 1, "results": {"harbor-ketamine-clinic": {"lat": "x"')
    with pytest.raises(
        GeocodeFileError, match=r"geocodes.json:1: cannot read the saved geocoding results"
    ):
        GeocodeStore.load(results, recover=False)
    result = geocode_directory(load_directory(root))
    assert result.ok
    assert "moved to geocodes.json.corrupt" in result.notices[0]
    assert "data/geocodes.json:1: cannot read the saved geocoding results" in result.notices[0]
    assert (root / "data" / "geocodes.json.corrupt").read_text().startswith('{"version"')
    assert json.loads(results.read_text())["results"]


def test_store_rejects_entries_with_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "geocodes.json"
    path.write_text(json.dumps({"version": 1, "results": {"a": {"lat": 91, "lon": 0}}}))
    with pytest.raises(GeocodeFileError, match=r"entry 'a': latitude 91 is outside -90\.\.90"):
        GeocodeStore.load(path, recover=False)


def test_corrupt_cache_is_set_aside_and_recreated(tmp_path: Path) -> None:
    path = tmp_path / ".kdirectory" / "cache.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 100)
    cache = GeocodeCache(path)
    assert cache.recovered_from == path.with_name("cache.sqlite.corrupt")
    cache.put("nominatim", "q", Geocode(1.0, 2.0, "street", "nominatim"), "2026-01-01")
    cache.put("nominatim", "nothing", None, "2026-01-01")
    cache.close()
    with GeocodeCache(path) as reopened:
        assert reopened.get("nominatim", "q") == Geocode(1.0, 2.0, "street", "nominatim")
        assert reopened.get("nominatim", "nothing") is None
        assert len(reopened) == 2
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("nominatim", {}, "needs a user agent"),
        ("no-such-service", {}, "unknown geocoding provider 'no-such-service'"),
        ("nominatim", {"api_key": "secret"}, "never read from options"),
        ("nominatim", {"colour": "blue"}, "option 'colour' is not understood"),
        ("nominatim", {"timeout": "soon"}, "timeout='soon': expected a number"),
        ("offline", {"domain": "x"}, "the offline provider takes no options"),
        ("googlev3", {}, "set KDIRECTORY_GOOGLEV3_API_KEY in the environment"),
    ],
)
def test_provider_setup_errors(name: str, options: dict[str, str], message: str) -> None:
    user_agent = None if message == "needs a user agent" else "kdirectory-tests/1"
    with pytest.raises(GeocoderSetupError, match=message):
        make_geocoder(name, user_agent=user_agent, options=options, environ={})


def test_api_key_comes_from_the_environment() -> None:
    geocoder = make_geocoder(
        "googlev3", user_agent="t/1", environ={"KDIRECTORY_GOOGLEV3_API_KEY": "k"}
    )
    assert geocoder.name == "googlev3"
    assert geocoder.needs_network


def test_cli_geocode_offline_demo_copy(make_project: ProjectFactory) -> None:
    root = make_project(demo=True)
    result = runner.invoke(app, ["geocode", str(root)])
    assert result.exit_code == 0, result.output
    assert "geocoded now" in result.stdout
    saved = json.loads((root / "data" / "geocodes.json").read_text())["results"]
    assert set(saved) == {"bff-medical-wellness-clinic", "ketamine-clinics-of-los-angeles"}
    assert {entry["precision"] for entry in saved.values()} == {"city"}


def test_cli_geocode_bad_option_is_a_usage_error(make_project: ProjectFactory) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD})
    result = runner.invoke(app, ["geocode", str(root), "--option", "domain"])
    assert result.exit_code == 2
    assert "expected KEY=VALUE" in result.output


def test_cli_geocode_setup_error_is_one_line(make_project: ProjectFactory) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD})
    result = runner.invoke(app, ["geocode", str(root), "--provider", "nominatim"])
    assert result.exit_code == 2  # a setting to fix: a usage error
    assert "needs a user agent" in result.output
    assert "Traceback" not in result.output

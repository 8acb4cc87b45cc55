"""Providers that answer off the map or would leak a secret: coordinates that are not a place
fail that record and are never saved or cached, whoever made the geocoder; an API key is
redacted from messages and geopy's logs and never sent over plain http. Real HTTP to
kdirectory.testing.FakeNominatim on 127.0.0.1, the real CLI."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.geocoding import Geocode, GeocodeQuery, GeocoderSetupError, geocode_directory
from kdirectory.geocoding.providers import make_geocoder
from kdirectory.geocoding.redact import REDACTED, redact
from kdirectory.geocoding.store import GEOCODES_FILE
from kdirectory.geocoding.types import coordinates_problem
from kdirectory.record.validate import load_directory
from kdirectory.testing import FakeNominatim
from tests.geocoding.nominatim import STREETS, cache_rows, saved, two_clinics
from tests.helpers import ProjectFactory

runner = CliRunner()
SECRET = "sk-live-4f9a1c77e0"  # an API key that must never be shown
KEY_VARIABLE = "KDIRECTORY_OPENMAPQUEST_API_KEY"


# OpenMapQuest: a geopy provider that speaks Nominatim's API under /nominatim/v1/search and
# sends an API key (as key=...) with every request.
KEYED_PROVIDER = "openmapquest"


# --- a provider answering coordinates that are not a place ----------------------------------------


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


# --- API keys never appear in messages or logs ----------------------------------------------------


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


# --- an API key is never sent over plain http -----------------------------------------------------


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

"""kdirectory.testing.FakeNominatim against geopy's real Nominatim client: no mocks.

Nothing here depends on how fast the machine is: answers that must arrive get timeouts of
many seconds, answers that must time out are stalled for an hour (stop() ends the stall),
and no test asserts that something took less than some time."""

from __future__ import annotations

import functools
import json
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import pytest
from geopy import exc as geopy_errors
from geopy.adapters import RequestsAdapter, URLLibAdapter
from geopy.geocoders import Nominatim

from kdirectory.testing import FakeNominatim, Place, RecordedRequest

USER_AGENT = "kdirectory-tests/1.0 (tests@example.com)"
STALL = 3600.0  # a delay no client here waits out
TIMEOUT = 30  # seconds, for requests that must be answered

HARBOR = Place(
    33.1292,
    -117.0864,
    "1200 N Main St, Escondido, CA 92025, United States",
    street="1200 N Main St",
    city="Escondido",
    state="CA",
    postalcode="92025",
)
PARK = Place(
    32.7157,
    -117.1611,
    "Park Clinic, 500 Park Blvd, San Diego, CA 92101, United States",
    q="Park Clinic, San Diego",
    place_class="amenity",
    place_type="clinic",
    addresstype="amenity",
)
HARBOR_QUERY = {
    "street": "1200 N Main St",
    "city": "Escondido",
    "state": "CA",
    "postalcode": "92025",
}

# The scheme is http, so TLS is never used: a bare context spares loading the CA store per geocoder.
PLAIN_HTTP = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

# Each fault surfaces as one geopy exception only when urllib3 does not retry on its own.
STRICT_ADAPTERS = {
    "urllib": URLLibAdapter,
    "requests-no-retries": functools.partial(RequestsAdapter, max_retries=0),
}


@pytest.fixture
def server() -> Iterator[FakeNominatim]:
    with FakeNominatim([HARBOR, PARK]) as fake:
        yield fake


def _nominatim(server: FakeNominatim, adapter_factory: Any = None) -> Any:
    return Nominatim(
        user_agent=USER_AGENT,
        domain=server.domain,
        scheme="http",
        timeout=TIMEOUT,
        ssl_context=PLAIN_HTTP,
        adapter_factory=adapter_factory,
    )


@pytest.fixture
def geolocator(server: FakeNominatim) -> Any:
    """geopy's default set-up (RequestsAdapter, urllib3 retries included), as kdirectory uses."""
    return _nominatim(server)


@pytest.fixture(params=sorted(STRICT_ADAPTERS))
def strict_geolocator(request: pytest.FixtureRequest, server: FakeNominatim) -> Any:
    return _nominatim(server, STRICT_ADAPTERS[request.param])


def _get(url: str) -> tuple[int, str, str]:
    """Status, Content-Type and body of a plain GET (HTTP errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read().decode()


# -- answers -------------------------------------------------------------------------------


def test_structured_query_finds_place(geolocator: Any) -> None:
    location = geolocator.geocode(
        {
            "street": "1200 n. main st.",
            "city": "  ESCONDIDO ",
            "state": "ca",
            "postalcode": "92025",
        },
        addressdetails=True,
    )
    assert location is not None
    assert (location.latitude, location.longitude) == (33.1292, -117.0864)
    assert location.address == HARBOR.display_name
    raw = location.raw
    assert (raw["class"], raw["type"], raw["addresstype"]) == ("building", "yes", "building")
    assert isinstance(raw["place_id"], int)
    assert isinstance(raw["importance"], float)
    assert [float(edge) for edge in raw["boundingbox"]] == pytest.approx(
        [33.1291, 33.1293, -117.0865, -117.0863]
    )
    assert raw["address"] == {
        "house_number": "1200",
        "road": "N Main St",
        "city": "Escondido",
        "state": "CA",
        "postcode": "92025",
        "country": "United States",
        "country_code": "us",
    }


def test_address_only_when_asked(geolocator: Any) -> None:
    location = geolocator.geocode(HARBOR_QUERY)
    assert location is not None
    assert "address" not in location.raw


def test_free_text_query_finds_place(geolocator: Any) -> None:
    location = geolocator.geocode("park  clinic san diego.")
    assert location is not None
    assert (location.latitude, location.longitude) == (32.7157, -117.1611)
    assert (location.raw["class"], location.raw["type"]) == ("amenity", "clinic")


def test_unknown_query_returns_none(geolocator: Any, server: FakeNominatim) -> None:
    assert geolocator.geocode("Nowhere, Nevada") is None
    assert geolocator.geocode({"street": "1 Other St", "city": "Escondido"}) is None
    assert geolocator.geocode({**HARBOR_QUERY, "postalcode": None}) is None  # all fields count
    assert geolocator.geocode("Nowhere", exactly_one=False) is None
    assert server.request_count == 4


def test_catch_all_matches_everything_and_limit_is_respected() -> None:
    places = [Place(40.0 + i, -100.0, f"Anywhere {i}") for i in range(3)]
    with FakeNominatim(places) as fake:
        geolocator = _nominatim(fake)
        assert geolocator.geocode("whatever").address == "Anywhere 0"
        found = geolocator.geocode({"city": "Somewhere"}, exactly_one=False, limit=2)
        assert [location.address for location in found] == ["Anywhere 0", "Anywhere 1"]
        assert len(geolocator.geocode("x", exactly_one=False)) == 3


def test_add_while_running(geolocator: Any, server: FakeNominatim) -> None:
    assert geolocator.geocode("Late Clinic") is None
    server.add(Place(1.5, 2.5, "Late Clinic", q="late clinic"))
    assert geolocator.geocode("Late Clinic").point[:2] == (1.5, 2.5)


# -- recording -----------------------------------------------------------------------------


def test_requests_are_counted_with_params_and_user_agent(
    geolocator: Any, server: FakeNominatim
) -> None:
    assert server.requests == []
    geolocator.geocode(HARBOR_QUERY)
    geolocator.geocode("Park Clinic, San Diego", exactly_one=False, country_codes="us")
    assert server.request_count == 2
    first, second = server.requests
    assert isinstance(first, RecordedRequest)
    assert first.path == "/search"
    assert first.user_agent == USER_AGENT
    assert first.params == {**HARBOR_QUERY, "format": "json", "limit": "1"}
    assert second.params == {
        "q": "Park Clinic, San Diego",
        "format": "json",
        "countrycodes": "us",
    }
    assert first.at <= second.at <= time.monotonic()


def test_requests_property_is_a_copy(geolocator: Any, server: FakeNominatim) -> None:
    geolocator.geocode("x")
    server.requests.clear()
    assert server.request_count == 1


def test_intervals_between_arrivals(geolocator: Any, server: FakeNominatim) -> None:
    assert server.intervals() == []
    for _ in range(3):
        geolocator.geocode(HARBOR_QUERY)
        time.sleep(0.03)
    intervals = server.intervals()
    assert len(intervals) == 2
    # Each request left after the answer to the one before and a 0.03 s sleep.
    assert all(gap >= 0.03 for gap in intervals)


def test_wait_for_requests_returns_when_the_request_arrived(
    geolocator: Any, server: FakeNominatim
) -> None:
    assert server.wait_for_requests(0, timeout=0)
    assert not server.wait_for_requests(1, timeout=0)
    server.delay_next(1, seconds=STALL)  # the client stays waiting; the arrival is what counts
    failures: list[Exception] = []

    def ask() -> None:
        try:
            geolocator.geocode(HARBOR_QUERY)
        except geopy_errors.GeopyError as error:
            failures.append(error)

    client = threading.Thread(target=ask)
    client.start()
    assert server.wait_for_requests(1, timeout=TIMEOUT * 10)
    assert server.request_count == 1
    assert not server.wait_for_requests(2, timeout=0)
    server.stop()  # cuts the stalled answer short: the client gets an error, not a hang
    client.join()
    assert len(failures) == 1


def test_reset_forgets_requests_and_faults(geolocator: Any, server: FakeNominatim) -> None:
    geolocator.geocode(HARBOR_QUERY)
    server.fail_next(3)
    server.reset()
    assert server.request_count == 0
    assert geolocator.geocode(HARBOR_QUERY) is not None  # failures gone, places kept
    assert server.request_count == 1


# -- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, geopy_errors.GeocoderServiceError),
        (503, geopy_errors.GeocoderTimedOut),  # geopy maps 503 to a timeout
        (400, geopy_errors.GeocoderQueryError),
        (403, geopy_errors.GeocoderInsufficientPrivileges),
    ],
)
def test_fail_next_fails_once_then_succeeds(
    geolocator: Any, server: FakeNominatim, status: int, error: type[Exception]
) -> None:
    server.fail_next(1, status)
    with pytest.raises(error):
        geolocator.geocode(HARBOR_QUERY)
    assert geolocator.geocode(HARBOR_QUERY) is not None
    assert server.request_count == 2  # the failed request is recorded too


def test_fail_next_error_body_is_json(server: FakeNominatim) -> None:
    server.fail_next(1, 502)
    status, content_type, body = _get(f"{server.url}/search?q=x&format=json")
    assert status == 502
    assert content_type.startswith("application/json")
    assert json.loads(body) == {"error": {"code": 502, "message": "Bad Gateway"}}


def test_rate_limit_next_raises_rate_limited_with_retry_after(
    strict_geolocator: Any, server: FakeNominatim
) -> None:
    server.rate_limit_next(1, retry_after=1)
    with pytest.raises(geopy_errors.GeocoderRateLimited) as info:
        strict_geolocator.geocode(HARBOR_QUERY)
    assert info.value.retry_after == 1
    assert strict_geolocator.geocode(HARBOR_QUERY) is not None
    assert server.request_count == 2


def test_delay_next_makes_client_time_out(strict_geolocator: Any, server: FakeNominatim) -> None:
    server.delay_next(1, seconds=STALL)
    with pytest.raises(geopy_errors.GeocoderTimedOut):
        strict_geolocator.geocode(HARBOR_QUERY, timeout=0.2)
    assert server.request_count == 1
    assert strict_geolocator.geocode(HARBOR_QUERY, timeout=TIMEOUT) is not None
    assert server.request_count == 2


def test_delay_next_without_client_timeout_just_answers_late(
    geolocator: Any, server: FakeNominatim
) -> None:
    server.delay_next(1, seconds=0.05)
    started = time.monotonic()
    assert geolocator.geocode(HARBOR_QUERY) is not None
    assert time.monotonic() - started >= 0.05


@pytest.mark.parametrize("fault", ["delay", "rate_limit"])
def test_default_requests_adapter_retries_one_fault_by_itself(
    geolocator: Any, server: FakeNominatim, fault: str
) -> None:
    """geopy's RequestsAdapter lets urllib3 retry read timeouts and 429s with Retry-After.

    So a single injected fault never reaches kdirectory's own retry loop: the server sees a
    second request and geopy returns the answer.
    """
    if fault == "delay":
        server.delay_next(1, seconds=STALL)
    else:
        server.rate_limit_next(1, retry_after=0)
    # Long enough for any answer that comes; the stalled one never does.
    assert geolocator.geocode(HARBOR_QUERY, timeout=5) is not None
    assert server.request_count == 2


def test_faults_are_consumed_in_order(strict_geolocator: Any, server: FakeNominatim) -> None:
    server.fail_next(1, 502)
    server.rate_limit_next(1, retry_after=3)
    server.fail_next(1, 400)
    with pytest.raises(geopy_errors.GeocoderServiceError) as failed:
        strict_geolocator.geocode(HARBOR_QUERY)
    assert type(failed.value) is geopy_errors.GeocoderServiceError
    with pytest.raises(geopy_errors.GeocoderRateLimited) as limited:
        strict_geolocator.geocode(HARBOR_QUERY)
    assert limited.value.retry_after == 3
    with pytest.raises(geopy_errors.GeocoderQueryError):
        strict_geolocator.geocode(HARBOR_QUERY)
    assert strict_geolocator.geocode(HARBOR_QUERY) is not None
    assert server.request_count == 4


def test_answer_next_sends_any_payload_then_the_places_again(
    strict_geolocator: Any, server: FakeNominatim
) -> None:
    hostile = [{"lat": "999", "lon": "nan", "display_name": "Nowhere"}]
    server.answer_next(1, payload=hostile)
    server.answer_next(1, payload=b"not json", status=200)
    server.answer_next(1, payload={"error": "Invalid key"}, status=200)
    status, _, body = _get(f"{server.url}/search?q=x&format=json")
    assert (status, json.loads(body)) == (200, hostile)
    with pytest.raises(geopy_errors.GeocoderParseError):
        strict_geolocator.geocode(HARBOR_QUERY)
    with pytest.raises(geopy_errors.GeocoderQueryError, match="Invalid key"):
        strict_geolocator.geocode(HARBOR_QUERY)
    assert strict_geolocator.geocode(HARBOR_QUERY) is not None
    assert server.request_count == 4


def test_search_under_a_prefix_is_answered(server: FakeNominatim) -> None:
    status, _, body = _get(f"{server.url}/nominatim/v1/search?q=park+clinic+san+diego&format=json")
    assert status == 200
    assert json.loads(body)[0]["display_name"] == PARK.display_name
    assert _get(f"{server.url}/nominatim/v1/searching?q=x")[0] == 404
    assert [request.path for request in server.requests] == ["/nominatim/v1/search"]


@pytest.mark.parametrize(
    "call",
    [
        lambda fake: fake.fail_next(1, 200),
        lambda fake: fake.fail_next(-1),
        lambda fake: fake.delay_next(1, -0.5),
        lambda fake: fake.rate_limit_next(1, -1),
        lambda fake: fake.answer_next(1, payload=[], status=99),
        lambda fake: fake.answer_next(-1, payload=[]),
        lambda fake: fake.answer_next(1, payload={1, 2}),
    ],
)
def test_bad_fault_arguments_are_rejected(server: FakeNominatim, call: Any) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        call(server)


# -- other endpoints and protocol details --------------------------------------------------


def test_status_is_ok_and_not_recorded(server: FakeNominatim) -> None:
    assert _get(f"{server.url}/status") == (200, "text/plain; charset=utf-8", "OK")
    status, _, body = _get(f"{server.url}/status?format=json")
    assert (status, json.loads(body)["message"]) == (200, "OK")
    assert _get(f"{server.url}/reverse?lat=1&lon=2")[0] == 404
    assert server.request_count == 0


def test_free_text_and_structured_together_is_a_bad_request(server: FakeNominatim) -> None:
    status, _, body = _get(f"{server.url}/search?q=x&city=Escondido&format=json")
    assert status == 400
    assert "cannot be used together with 'q'" in json.loads(body)["error"]["message"]


def test_jsonv2_uses_category(server: FakeNominatim) -> None:
    status, _, body = _get(f"{server.url}/search?q=park+clinic+san+diego&format=jsonv2")
    assert status == 200
    [result] = json.loads(body)
    assert result["category"] == "amenity"
    assert "class" not in result


def test_bad_limit_and_format_are_bad_requests(server: FakeNominatim) -> None:
    assert _get(f"{server.url}/search?q=x&format=json&limit=many")[0] == 400
    assert _get(f"{server.url}/search?q=x&format=xml")[0] == 400


# -- life cycle ----------------------------------------------------------------------------


def test_binds_loopback_on_a_free_port(server: FakeNominatim) -> None:
    host, port = server.domain.split(":")
    assert host == "127.0.0.1"
    assert int(port) == server.port > 0
    assert server.url == f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::1", "example.com"])
def test_only_loopback_hosts_are_accepted(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeNominatim(host=host)


def test_stop_is_prompt_and_frees_the_port(server: FakeNominatim) -> None:
    geolocator = _nominatim(server, URLLibAdapter)
    server.delay_next(1, seconds=STALL)
    with pytest.raises(geopy_errors.GeocoderTimedOut):
        geolocator.geocode(HARBOR_QUERY, timeout=0.1)
    port = server.port
    # stop() joins every handler thread, so it returns only once the handler sleeping on
    # the hour-long delay has been woken up. The join timeout only keeps a broken stop()
    # from hanging the suite; it is a tenth of the stall, not a speed requirement.
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(timeout=STALL / 10)
    assert not stopper.is_alive(), "stop() waited for the stalled answer"
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.domain
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT).close()
    with FakeNominatim([HARBOR], port=port) as again:
        assert again.port == port
        assert _nominatim(again).geocode(HARBOR_QUERY) is not None
    server.stop()  # stopping twice is harmless


def test_start_twice_is_an_error_and_restart_works() -> None:
    fake = FakeNominatim([HARBOR])
    assert "stopped" in repr(fake)
    assert fake.start() is fake
    try:
        with pytest.raises(RuntimeError, match="already running"):
            fake.start()
        assert fake.url in repr(fake)
    finally:
        fake.stop()
    with fake:
        assert _nominatim(fake).geocode(HARBOR_QUERY) is not None


def test_place_coordinates_are_checked() -> None:
    with pytest.raises(ValueError, match="latitude"):
        Place(91.0, 0.0, "Nowhere")
    with pytest.raises(ValueError, match="longitude"):
        Place(0.0, 181.0, "Nowhere")

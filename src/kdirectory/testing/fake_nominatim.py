"""A fake Nominatim server on 127.0.0.1 for tests: real HTTP, canned answers, injected faults.

:class:`FakeNominatim` speaks enough of Nominatim's ``/search`` JSON API for geopy's
real :class:`geopy.geocoders.Nominatim` to talk to it, records every request, and can be
told to fail, stall, rate-limit or answer nonsense to the next few requests. It uses only
the standard library (a :class:`~http.server.ThreadingHTTPServer` in a daemon thread)::

    from collections.abc import Iterator

    import pytest
    from geopy.exc import GeocoderServiceError
    from geopy.geocoders import Nominatim

    from kdirectory.testing import FakeNominatim, Place

    # Found by any request whose street and city match (the fields left None are not checked).
    HARBOR = Place(33.1292, -117.0864, "1200 N Main St, Escondido, CA", street="1200 N Main St",
                   city="Escondido")


    @pytest.fixture
    def nominatim() -> Iterator[FakeNominatim]:
        with FakeNominatim([HARBOR]) as server:
            yield server


    def test_geocode(nominatim: FakeNominatim) -> None:
        geolocator = Nominatim(
            user_agent="my-tests/1.0", domain=nominatim.domain, scheme="http", timeout=30
        )
        location = geolocator.geocode({"street": "1200 n. main st.", "city": "ESCONDIDO"})
        assert location is not None and location.latitude == 33.1292
        assert geolocator.geocode("1200 N Main St, Escondido") is None  # free text needs q=
        assert nominatim.request_count == 2
        assert nominatim.requests[0].user_agent == "my-tests/1.0"

        nominatim.fail_next(1, status=500)  # the next /search answers HTTP 500
        with pytest.raises(GeocoderServiceError):
            geolocator.geocode({"street": "1200 N Main St", "city": "Escondido"})

Note that geopy's default ``RequestsAdapter`` lets urllib3 retry on its own: read timeouts
are retried twice, and 413/429/503 answers that carry ``Retry-After`` are retried after
sleeping that long. To see each fault as a geopy exception, pass
``adapter_factory=geopy.adapters.URLLibAdapter`` (or a ``RequestsAdapter`` with
``max_retries=0``) to the geocoder under test.

Tests that must not flake on a busy machine avoid racing the clock:

* wait for an event, not for a while: :meth:`FakeNominatim.wait_for_requests` returns as
  soon as the server has seen the N-th request;
* to make a client time out, stall the answer far longer than the client's timeout
  (``delay_next(seconds=3600)``; :meth:`~FakeNominatim.stop` cuts the stall short), and
  give every other request a timeout of seconds, not tenths;
* check a client's rate limit with the times the client itself recorded: the gaps the
  server sees (:meth:`~FakeNominatim.intervals`) also hold network and scheduling jitter,
  so two requests sent one second apart can arrive a little closer together.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

__all__ = ["FakeNominatim", "Place", "RecordedRequest"]

#: The fields a :class:`Place` is matched on, by request parameter name.
MATCH_FIELDS = ("street", "city", "state", "postalcode", "q")
#: Nominatim's structured-search parameters (any of them excludes ``q``).
STRUCTURED_PARAMS = ("amenity", "street", "city", "county", "state", "postalcode", "country")
DEFAULT_LIMIT = 10  # Nominatim's default ``limit``, and its ceiling
MAX_LIMIT = 40

_LICENCE = "Data \u00a9 OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"
_HOUSE_NUMBER = re.compile(r"^(\d[\w/-]*)\s+(.+)$")
_JSON = "application/json; charset=utf-8"
_POLL_SECONDS = 0.01  # how often serve_forever() checks for stop(): stop() waits this long


def _normalise(text: str) -> str:
    """Case-, spacing- and ``.,#``-insensitive form of a query value."""
    return " ".join(re.sub(r"[.,#]", " ", text).casefold().split())


@dataclass(frozen=True)
class Place:
    """One answer the fake server knows, and the query fields that find it.

    A place matches a ``/search`` request when every field among ``street``, ``city``,
    ``state``, ``postalcode`` and ``q`` that is not ``None`` equals the request parameter of
    the same name, ignoring case, runs of whitespace and the punctuation ``.,#``. A place
    with none of them set matches every request (a catch-all).
    """

    lat: float
    lon: float
    display_name: str
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postalcode: str | None = None
    q: str | None = None
    place_class: str = "building"
    place_type: str = "yes"
    addresstype: str = "building"

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"latitude {self.lat} is outside -90..90")
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"longitude {self.lon} is outside -180..180")

    def matches(self, params: Mapping[str, str]) -> bool:
        """Whether this place answers a request with these query parameters."""
        for name in MATCH_FIELDS:
            wanted: str | None = getattr(self, name)
            if wanted is None:
                continue
            given = params.get(name)
            if given is None or _normalise(given) != _normalise(wanted):
                return False
        return True

    def address(self) -> dict[str, str]:
        """The ``address`` object Nominatim adds when asked for ``addressdetails=1``."""
        details: dict[str, str] = {}
        if self.street is not None:
            found = _HOUSE_NUMBER.match(self.street.strip())
            if found:
                details["house_number"], details["road"] = found.group(1), found.group(2)
            else:
                details["road"] = self.street.strip()
        if self.city is not None:
            details["city"] = self.city
        if self.state is not None:
            details["state"] = self.state
        if self.postalcode is not None:
            details["postcode"] = self.postalcode
        details["country"] = "United States"
        details["country_code"] = "us"
        return details


@dataclass(frozen=True)
class RecordedRequest:
    """One ``/search`` request as the server received it."""

    path: str
    params: dict[str, str]
    user_agent: str
    at: float  # time.monotonic() on arrival


_FaultKind = Literal["fail", "delay", "rate_limit", "answer"]


@dataclass(frozen=True)
class _Fault:
    kind: _FaultKind
    value: float
    payload: object = None


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    content_type: str = _JSON
    headers: tuple[tuple[str, str], ...] = field(default=())


def _json_response(status: int, payload: object) -> _Response:
    return _Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _error_response(status: int, message: str | None = None) -> _Response:
    if message is None:
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = "Error"
    return _json_response(status, {"error": {"code": status, "message": message}})


class FakeNominatim:
    """A Nominatim look-alike on 127.0.0.1 that answers ``/search`` from known places.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`), point geopy at
    :attr:`domain` with ``scheme="http"``, then inspect :attr:`requests`. All methods are
    safe to call while requests are being served.

    Searches are answered at ``/search`` and at any path ending in ``/search`` (services
    that serve Nominatim's API under a prefix, such as ``/nominatim/v1/search``).
    """

    def __init__(
        self, places: Iterable[Place] = (), *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if host == "localhost":
            host = "127.0.0.1"
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"host must be an IPv4 loopback address, not {host!r}") from None
        if address.version != 4 or not address.is_loopback:
            raise ValueError(f"host must be an IPv4 loopback address, not {host!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port {port} is outside 0..65535")
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._places: list[Place] = list(places)
        self._requests: list[RecordedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeNominatim:
        """Bind (a free port when ``port=0``) and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError("FakeNominatim is already running")
        self._stopping = threading.Event()
        server = _Server((self._host, self._port), self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"FakeNominatim-{server.server_address[1]}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and close the port; does nothing if stopped."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        self._stopping.set()  # wakes requests sleeping in delay_next()
        server.shutdown()
        server.close_connections()
        server.server_close()  # closes the listening socket and joins handler threads
        if thread is not None:
            thread.join()

    def __enter__(self) -> FakeNominatim:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<FakeNominatim {where} places={len(self._places)}>"

    # -- where it is --------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the running server listens on."""
        if self._server is None:
            raise RuntimeError("FakeNominatim is not running: call start() first")
        return int(self._server.server_address[1])

    @property
    def domain(self) -> str:
        """``"127.0.0.1:PORT"``, for geopy's ``Nominatim(domain=..., scheme="http")``."""
        return f"{self._host}:{self.port}"

    @property
    def url(self) -> str:
        """``"http://127.0.0.1:PORT"``."""
        return f"http://{self.domain}"

    # -- what it knows and saw ----------------------------------------------------------

    def add(self, place: Place) -> None:
        """Teach the server one more place (also while it runs)."""
        with self._lock:
            self._places.append(place)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the ``/search`` requests received so far, in order of arrival."""
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        """How many ``/search`` requests arrived, faulted ones included."""
        with self._lock:
            return len(self._requests)

    def wait_for_requests(self, count: int, timeout: float | None = None) -> bool:
        """Block until at least ``count`` searches have arrived; ``False`` if ``timeout``
        seconds passed first. The way to synchronise with a client in another thread or
        process without sleeping."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self._requests) >= count, timeout)

    def intervals(self) -> list[float]:
        """Seconds between consecutive ``/search`` arrivals (one fewer than requests).

        Arrival gaps include network and scheduling jitter: to check that a client spaces its
        requests, compare the times the client recorded when it sent them.
        """
        times = [request.at for request in self.requests]
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    # -- faults: a queue, one entry per /search request -----------------------------------

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` searches with HTTP ``status`` (400-599)."""
        if not 400 <= status <= 599:
            raise ValueError(f"status {status} is not an HTTP error (400-599)")
        self._queue("fail", count, status)

    def delay_next(self, count: int = 1, seconds: float = 1.0) -> None:
        """Sleep ``seconds`` before answering each of the next ``count`` searches.

        :meth:`stop` wakes a sleeping answer (the client gets no reply), so a stall of an
        hour costs nothing; a delay of 0 answers at once, which lets a later fault in the
        queue wait for the request it is meant for.
        """
        if seconds < 0:
            raise ValueError(f"delay {seconds} is negative")
        self._queue("delay", count, seconds)

    def rate_limit_next(self, count: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``count`` searches with HTTP 429 and ``Retry-After: retry_after``."""
        if retry_after < 0:
            raise ValueError(f"retry_after {retry_after} is negative")
        self._queue("rate_limit", count, retry_after)

    def answer_next(self, count: int = 1, *, payload: object, status: int = 200) -> None:
        """Answer the next ``count`` searches with ``payload`` instead of the known places.

        ``payload`` is sent as JSON (``NaN`` and ``Infinity`` as Python writes them), or
        as-is when it is ``bytes``: a hostile or broken provider, e.g.
        ``[{"lat": "999", "lon": "nan", "display_name": "x"}]`` or ``{"error": "..."}``.
        """
        if not 200 <= status <= 599:
            raise ValueError(f"status {status} is not an HTTP answer status (200-599)")
        if not isinstance(payload, bytes):
            try:
                json.dumps(payload)  # fail here, not in the server thread
            except (TypeError, ValueError) as error:
                raise ValueError(f"payload cannot be sent as JSON: {error}") from None
        self._queue("answer", count, status, payload)

    def reset(self) -> None:
        """Forget recorded requests and pending faults (the places stay)."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()

    def _queue(self, kind: _FaultKind, count: int, value: float, payload: object = None) -> None:
        if count < 0:
            raise ValueError(f"count {count} is negative")
        with self._lock:
            self._faults.extend(_Fault(kind, value, payload) for _ in range(count))

    # -- answering (called from handler threads) ----------------------------------------

    def _get(self, handler: _Handler) -> _Response | None:
        """The answer to one GET, or ``None`` when the server stopped meanwhile."""
        parts = urlsplit(handler.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path == "/status":
            if params.get("format") == "json":
                return _json_response(200, {"status": 0, "message": "OK"})
            return _Response(200, b"OK", "text/plain; charset=utf-8")
        if parts.path != "/search" and not parts.path.endswith("/search"):
            return _error_response(404)
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    parts.path, params, handler.headers.get("User-Agent", ""), time.monotonic()
                )
            )
            self._arrived.notify_all()
            fault = self._faults.popleft() if self._faults else None
        if fault is not None:
            if fault.kind == "fail":
                return _error_response(int(fault.value))
            if fault.kind == "rate_limit":
                response = _error_response(429)
                return _Response(429, response.body, headers=(("Retry-After", f"{fault.value:g}"),))
            if fault.kind == "answer":
                body = fault.payload
                if not isinstance(body, bytes):
                    body = json.dumps(body, ensure_ascii=False).encode("utf-8")
                return _Response(int(fault.value), body)
            deadline = time.monotonic() + fault.value
            while (left := deadline - time.monotonic()) > 0:
                if self._stopping.wait(left):
                    return None
        return self._search(params)

    def _search(self, params: Mapping[str, str]) -> _Response:
        output = params.get("format", "jsonv2")
        if output not in {"json", "jsonv2"}:
            return _error_response(
                400, f"FakeNominatim only answers format=json or jsonv2, not {output!r}"
            )
        if "q" in params and any(name in params for name in STRUCTURED_PARAMS):
            return _error_response(
                400,
                "Structured query parameters(amenity, street, city, county, state, postalcode, "
                "country) cannot be used together with 'q' parameter.",
            )
        try:
            limit = int(params.get("limit", DEFAULT_LIMIT))
        except ValueError:
            return _error_response(
                400, f"Parameter 'limit' must be an integer, not {params['limit']!r}"
            )
        limit = min(max(limit, 1), MAX_LIMIT)
        details = params.get("addressdetails", "0") == "1"
        with self._lock:
            known = list(enumerate(self._places))
        found = [
            _place_json(
                index,
                place,
                category_key="category" if output == "jsonv2" else "class",
                details=details,
            )
            for index, place in known
            if place.matches(params)
        ]
        return _json_response(200, found[:limit])


def _place_json(index: int, place: Place, *, category_key: str, details: bool) -> dict[str, Any]:
    """One search result, shaped like Nominatim's ``format=json`` (or ``jsonv2``)."""
    box = (place.lat - 0.0001, place.lat + 0.0001, place.lon - 0.0001, place.lon + 0.0001)
    result: dict[str, Any] = {
        "place_id": 100_000 + index,
        "licence": _LICENCE,
        "osm_type": "way",
        "osm_id": 200_000 + index,
        "lat": f"{place.lat:.7f}",
        "lon": f"{place.lon:.7f}",
        category_key: place.place_class,
        "type": place.place_type,
        "place_rank": 30,
        "importance": 0.5,
        "addresstype": place.addresstype,
        "name": place.display_name.split(",", 1)[0].strip(),
        "display_name": place.display_name,
    }
    if details:
        result["address"] = place.address()
    result["boundingbox"] = [f"{edge:.7f}" for edge in box]
    return result


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeNominatim/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers at stop()
    timeout = 30.0  # a client that connects and says nothing cannot hold a thread forever

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        response = server.fake._get(self)
        if response is not None:
            self._send(response)

    def _send(self, response: _Response) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(response.body)
        except ConnectionError:
            pass  # the client gave up (e.g. timed out during delay_next)

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing: tests' stderr stays clean."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True

    def __init__(self, address: tuple[str, int], fake: FakeNominatim) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut connections still open, so their handler threads end promptly."""
        with self._connections_lock:
            open_now = list(self._connections)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # clients hanging up are normal here
        super().handle_error(request, client_address)

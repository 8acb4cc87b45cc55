"""Providers by name: ``offline`` or any geopy geocoder (``nominatim`` first).

Network providers are wrapped so that requests start at least ``min_delay`` (one second)
plus a safety margin apart, timed by the client itself; temporary failures (timeouts, HTTP
429 and 5xx) are retried a bounded number of times with exponential backoff; answers whose
coordinates are not a place on Earth are refused; API keys come only from the environment,
never travel over plain http, and are redacted from every message.
"""

from __future__ import annotations

import inspect
import ipaddress
import os
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from geopy import exc as geopy_errors
from geopy.adapters import URLLibAdapter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders import options as geopy_options

from kdirectory.geocoding.errors import GeocodeError, GeocoderSetupError
from kdirectory.geocoding.offline import OfflineGeocoder
from kdirectory.geocoding.redact import keys_in_use, redact
from kdirectory.geocoding.types import Geocode, GeocodeQuery, Geocoder, coordinates_problem

MIN_DELAY_SECONDS = 1.0
# Added to ``min_delay`` by the client: network and scheduling jitter can bring two
# requests sent ``min_delay`` apart closer together by the time the server sees them.
SPACING_MARGIN_SECONDS = 0.1
DEFAULT_TIMEOUT = 10.0
DEFAULT_ATTEMPTS = 3
BACKOFF_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0

# Option names that would put a secret into kdirectory.toml or shell history.
_SECRET_WORDS = ("key", "secret", "token", "password", "credential", "auth")
# Options kdirectory handles itself rather than passing to the geopy class.
_OWN_OPTIONS = {"attempts", "min_delay"}

# Nominatim's ``addresstype``/``type``/``class`` -> our precision words.
_NOMINATIM_PRECISION = {
    "house": "rooftop", "building": "rooftop", "amenity": "rooftop", "shop": "rooftop",
    "office": "rooftop", "healthcare": "rooftop",
    "road": "street", "highway": "street", "street": "street",
    "postcode": "postal_code",
    "city": "city", "town": "city", "village": "city", "hamlet": "city", "suburb": "city",
    "neighbourhood": "city", "quarter": "city", "municipality": "city", "boundary": "city",
}  # fmt: skip

# What geopy raises when an answer cannot be read as a place: a non-numeric or non-finite
# coordinate, a latitude beyond 90, a body of the wrong shape.
_UNUSABLE_ANSWER = (ValueError, TypeError, KeyError, IndexError, AttributeError)

# Transient failures worth another try; everything else from geopy is final.
_RETRYABLE = (
    geopy_errors.GeocoderTimedOut,
    geopy_errors.GeocoderUnavailable,
    geopy_errors.GeocoderRateLimited,
)
_FINAL = (
    geopy_errors.GeocoderQueryError,
    geopy_errors.GeocoderAuthenticationFailure,
    geopy_errors.GeocoderInsufficientPrivileges,
    geopy_errors.GeocoderQuotaExceeded,
    geopy_errors.GeocoderParseError,
    geopy_errors.ConfigurationError,
)


def api_key_variables(name: str) -> tuple[str, ...]:
    """Environment variables searched for a provider's API key, in order."""
    return (
        f"KDIRECTORY_{name.upper()}_API_KEY",
        f"{name.upper()}_API_KEY",
        "KDIRECTORY_GEOCODER_API_KEY",
    )


def make_geocoder(
    name: str = "offline",
    *,
    user_agent: str | None = None,
    options: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Geocoder:
    """A geocoder by service name: ``offline``, ``nominatim``, ``photon``, ``googlev3``, …

    ``options`` are passed to the geopy class (``domain``, ``scheme``, ``timeout``, …);
    ``attempts`` and ``min_delay`` tune retries and spacing (never under one second).
    ``scheme=http`` is refused for a provider that sends an API key, unless ``domain`` is
    this machine (a loopback address or ``localhost``). Waits (spacing, backoff) last until
    ``clock`` has advanced far enough, so a replacement ``sleep`` must advance ``clock``.
    """
    options = dict(options or {})
    if name == "offline":
        if options:
            raise GeocoderSetupError(
                f"the offline provider takes no options (got {', '.join(sorted(options))})"
            )
        return OfflineGeocoder()
    for option in options:
        if any(word in option.casefold() for word in _SECRET_WORDS):
            variables = " or ".join(api_key_variables(name))
            raise GeocoderSetupError(
                f"option {option!r}: API keys and secrets are never read from options or "
                f"files; set {variables} in the environment"
            )
    try:
        geocoder_class = get_geocoder_for_service(name)
    except geopy_errors.GeocoderNotFound:
        raise GeocoderSetupError(
            f"unknown geocoding provider {name!r}; use 'offline', 'nominatim' or another "
            "geopy service name (see geopy's docs)"
        ) from None
    if not user_agent:
        raise GeocoderSetupError(
            f"the {name} provider needs a user agent: set [geocoder] user_agent = "
            '"your-site/1.0 (you@example.com)" in kdirectory.toml'
        )
    return GeopyGeocoder(
        name,
        geocoder_class,
        user_agent=user_agent,
        options=options,
        environ=environ or os.environ,
        sleep=sleep,
        clock=clock,
    )


def _number(option: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GeocoderSetupError(f"option {option}={text!r}: expected a number") from None
    if value <= 0:
        raise GeocoderSetupError(f"option {option}={text!r}: must be greater than zero")
    return value


def _is_this_machine(domain: str) -> bool:
    """Whether ``domain`` (``host`` or ``host:port``) names this machine."""
    try:
        host = urlsplit(f"//{domain}").hostname
    except ValueError:
        return False
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class GeopyGeocoder:
    """A geopy geocoder behind the :class:`Geocoder` protocol, rate-limited and retried.

    Requests start at least :attr:`spacing` seconds apart, measured with ``clock`` (the
    times are kept in :attr:`request_times`), so the limit holds whatever the server or
    the network do with them.
    """

    needs_network = True

    def __init__(
        self,
        name: str,
        geocoder_class: type[Any],
        *,
        user_agent: str,
        options: dict[str, str],
        environ: Mapping[str, str],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.attempts = int(_number("attempts", options.pop("attempts", str(DEFAULT_ATTEMPTS))))
        min_delay = max(
            MIN_DELAY_SECONDS,
            _number("min_delay", options.pop("min_delay", str(MIN_DELAY_SECONDS))),
        )
        #: Seconds from the start of one request to the start of the next, at least.
        self.spacing = min_delay + SPACING_MARGIN_SECONDS
        #: When each request started (``clock()``), retries included.
        self.request_times: list[float] = []
        self._sleep = sleep
        self._clock = clock
        self._keys: tuple[str, ...] = ()
        accepted = inspect.signature(geocoder_class).parameters
        kwargs: dict[str, Any] = {"user_agent": user_agent, "timeout": DEFAULT_TIMEOUT}
        for option, value in options.items():
            if option not in accepted:
                known = ", ".join(
                    sorted(
                        p
                        for p in accepted
                        if p not in {"self", "api_key", "ssl_context", "adapter_factory"}
                    )
                )
                raise GeocoderSetupError(
                    f"option {option!r} is not understood by the {name} provider; it takes: {known}"
                )
            kwargs[option] = _number(option, value) if option == "timeout" else value
        if "api_key" in accepted:
            key = next((environ[var] for var in api_key_variables(name) if environ.get(var)), None)
            if key is None:
                raise GeocoderSetupError(
                    f"the {name} provider needs an API key: set "
                    f"{api_key_variables(name)[0]} in the environment"
                )
            kwargs["api_key"] = key
            self._keys = (key,)
            scheme = str(kwargs.get("scheme") or geopy_options.default_scheme)
            if scheme.strip().casefold() != "https" and not _is_this_machine(
                str(kwargs.get("domain", ""))
            ):
                raise GeocoderSetupError(
                    f"option scheme={scheme}: the {name} provider sends your API key "
                    "with every request, and plain http would show it to anyone on the way; "
                    "leave scheme out (https is the default) or set scheme=https"
                )
        if "adapter_factory" in accepted:
            # The stdlib adapter makes exactly one request per call: requests/urllib3 would
            # retry on their own, past the rate limiter and our retry accounting.
            kwargs["adapter_factory"] = URLLibAdapter
        try:
            self._geocoder = geocoder_class(**kwargs)
        except (TypeError, ValueError, geopy_errors.ConfigurationError) as error:
            raise GeocoderSetupError(
                f"cannot set up the {name} provider: {redact(str(error), self._keys)}"
            ) from None

    def _wait_until(self, deadline: float) -> None:
        """Sleep until ``clock()`` reaches ``deadline`` (a short sleep is simply repeated)."""
        while (left := deadline - self._clock()) > 0:
            self._sleep(left)

    def _call(self, query: Any, **kwargs: Any) -> Any:
        """One request, started no sooner than :attr:`spacing` after the previous one."""
        if self.request_times:
            self._wait_until(self.request_times[-1] + self.spacing)
        self.request_times.append(self._clock())
        with keys_in_use(self._keys), warnings.catch_warnings():
            # geopy warns before refusing a latitude beyond 90; the refusal is what counts.
            warnings.simplefilter("ignore")
            return self._geocoder.geocode(query, **kwargs)

    def _request(self, query: GeocodeQuery) -> Any:
        if self.name == "nominatim":
            structured = {
                "street": query.street,
                "city": query.city,
                "state": query.region,
                "postalcode": query.postal_code,
                "country": query.country,
            }
            return self._call(
                {k: v for k, v in structured.items() if v}, exactly_one=True, addressdetails=True
            )
        return self._call(query.one_line(), exactly_one=True)

    def geocode(self, query: GeocodeQuery) -> Geocode | None:
        """Ask the provider, retrying temporary failures; :class:`GeocodeError` when it gives up."""
        last: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                location = self._request(query)
            except _RETRYABLE as error:  # first: a 429 is also a QuotaExceeded
                last = error
            except _FINAL as error:
                raise self._error(_describe(error)) from None
            except geopy_errors.GeocoderServiceError as error:  # any other 5xx
                last = error
            except _UNUSABLE_ANSWER as error:
                raise self._error(f"answered something that is not a place ({error})") from None
            else:
                return None if location is None else self._answer(location)
            if attempt < self.attempts:
                self._wait_until(self._clock() + _backoff(attempt, last))
        assert last is not None
        tries = f"{self.attempts} attempt{'' if self.attempts == 1 else 's'}"
        raise self._error(f"gave up after {tries}: {_describe(last)}") from None

    def _error(self, text: str) -> GeocodeError:
        """A failure naming the provider, with API keys and secret parameters redacted (the
        geopy error is not chained: its text and URL may hold the key)."""
        return GeocodeError(redact(f"{self.name}: {text}", self._keys))

    def _answer(self, location: Any) -> Geocode:
        """The :class:`Geocode` of a geopy location whose coordinates are a place on Earth."""
        raw = location.raw
        if isinstance(raw, dict) and ("lat" in raw or "lon" in raw):
            # What the provider sent, before geopy wraps a longitude beyond 180 around.
            problem = coordinates_problem(raw.get("lat"), raw.get("lon"))
        elif self.name == "nominatim":
            problem = "the answer has no lat and lon"
        else:
            problem = coordinates_problem(location.latitude, location.longitude)
        if problem is not None:
            raise self._error(f"answered coordinates that are not a place: {problem}")
        return Geocode(
            float(location.latitude),
            float(location.longitude),
            self._precision(raw),
            self.name,
            redact(str(location.address or ""), self._keys),
        )

    def _precision(self, raw: Any) -> str:
        if self.name != "nominatim" or not isinstance(raw, dict):
            return "approximate"
        for field in ("addresstype", "type", "class"):
            precision = _NOMINATIM_PRECISION.get(str(raw.get(field, "")))
            if precision is not None:
                return precision
        return "approximate"


def _backoff(attempt: int, error: Exception) -> float:
    """1, 2, 4, … seconds (capped), or longer when the server asked for it (Retry-After)."""
    wait = min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * float(2 ** (attempt - 1)))
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after > 0:
        wait = max(wait, min(BACKOFF_CAP_SECONDS, float(retry_after)))
    return wait


def _describe(error: Exception) -> str:
    kind = {
        geopy_errors.GeocoderTimedOut: "timed out",
        geopy_errors.GeocoderUnavailable: "service unavailable",
        geopy_errors.GeocoderRateLimited: "rate limited (HTTP 429)",
    }.get(type(error), type(error).__name__.removeprefix("Geocoder"))
    detail = " ".join(str(error).split())
    return f"{kind} ({detail})" if detail and detail not in kind else kind

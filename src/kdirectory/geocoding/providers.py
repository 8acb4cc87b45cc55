"""Providers by name: ``offline`` or any geopy geocoder (``nominatim`` first).

Network providers are wrapped so that every request goes through geopy's RateLimiter (at
most one a second), temporary failures (timeouts, HTTP 429 and 5xx) are retried a bounded
number of times with exponential backoff, and API keys come only from the environment.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from geopy import exc as geopy_errors
from geopy.adapters import URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service

from kdirectory.geocoding.errors import GeocodeError, GeocoderSetupError
from kdirectory.geocoding.offline import OfflineGeocoder
from kdirectory.geocoding.types import Geocode, GeocodeQuery, Geocoder

MIN_DELAY_SECONDS = 1.0
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
) -> Geocoder:
    """A geocoder by service name: ``offline``, ``nominatim``, ``photon``, ``googlev3``, …

    ``options`` are passed to the geopy class (``domain``, ``scheme``, ``timeout``, …);
    ``attempts`` and ``min_delay`` tune retries and spacing (never under one second).
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
    )


def _number(option: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GeocoderSetupError(f"option {option}={text!r}: expected a number") from None
    if value <= 0:
        raise GeocoderSetupError(f"option {option}={text!r}: must be greater than zero")
    return value


class GeopyGeocoder:
    """A geopy geocoder behind the :class:`Geocoder` protocol, rate-limited and retried."""

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
    ) -> None:
        self.name = name
        self.attempts = int(_number("attempts", options.pop("attempts", str(DEFAULT_ATTEMPTS))))
        min_delay = max(
            MIN_DELAY_SECONDS,
            _number("min_delay", options.pop("min_delay", str(MIN_DELAY_SECONDS))),
        )
        self._sleep = sleep
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
        if "adapter_factory" in accepted:
            # The stdlib adapter makes exactly one request per call: requests/urllib3 would
            # retry on their own, past the rate limiter and our retry accounting.
            kwargs["adapter_factory"] = URLLibAdapter
        try:
            self._geocoder = geocoder_class(**kwargs)
        except (TypeError, ValueError, geopy_errors.ConfigurationError) as error:
            raise GeocoderSetupError(f"cannot set up the {name} provider: {error}") from None
        self._call = RateLimiter(
            self._geocoder.geocode,
            min_delay_seconds=min_delay,
            max_retries=0,
            swallow_exceptions=False,
        )

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
                raise GeocodeError(f"{self.name}: {_describe(error)}") from error
            except geopy_errors.GeocoderServiceError as error:  # any other 5xx
                last = error
            else:
                if location is None:
                    return None
                return Geocode(
                    location.latitude,
                    location.longitude,
                    self._precision(location.raw),
                    self.name,
                    location.address or "",
                )
            if attempt < self.attempts:
                self._sleep(_backoff(attempt, last))
        assert last is not None
        raise GeocodeError(
            f"{self.name}: gave up after {self.attempts} attempts: {_describe(last)}"
        ) from last

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
    detail = str(error).strip()
    return f"{kind} ({detail})" if detail and detail not in kind else kind

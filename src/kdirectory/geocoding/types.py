"""The geocoder protocol and the values that cross it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# Precision words, from most to least exact. ``manual`` and ``rooftop``/``street`` are
# precise enough for a map pin and JSON-LD ``geo``; the rest only place a clinic in a town.
PRECISIONS = ("manual", "rooftop", "street", "postal_code", "city", "approximate")


def coordinates_problem(lat: object, lon: object) -> str | None:
    """Why ``lat``/``lon`` are not a place on Earth (``None`` when they are).

    Numbers only (numeric text such as a provider's ``"33.12"`` counts; ``True`` does not),
    finite, latitude within -90..90 and longitude within -180..180. Anything else is never
    saved, cached or shown.
    """
    for name, value, limit in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        number = _as_number(value)
        if number is None:
            return f"{name} {_show(value)} is not a number"
        if not math.isfinite(number):
            return f"{name} {_show(value)} is not a finite number"
        if not -limit <= number <= limit:
            return f"{name} {_show(value)} is outside -{limit:g}..{limit:g}"
    return None


def _as_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer too large for a float: certainly off the map
        return math.inf
    except ValueError:
        return None


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 coordinate in decimal degrees."""

    lat: float
    lon: float

    def __str__(self) -> str:
        return f"{self.lat:.5f},{self.lon:.5f}"


@dataclass(frozen=True, slots=True)
class GeocodeQuery:
    """What is asked of a geocoder: a US postal address, any part of which may be missing."""

    street: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str = "US"

    def key(self) -> str:
        """The normalised query: case, spacing and punctuation do not make a new cache entry."""
        parts = (self.street, self.city, self.region, self.postal_code, self.country)
        return "|".join(_normalise(part) for part in parts)

    def one_line(self) -> str:
        """``"123 Main St, Escondido, CA 92025, US"`` for providers that take free text."""
        tail = " ".join(part for part in (self.region, self.postal_code) if part)
        return ", ".join(part for part in (self.street, self.city, tail, self.country) if part)


def _normalise(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(re.sub(r"[.,#]", " ", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Geocode:
    """One answer: where, how exactly, and who said so."""

    lat: float
    lon: float
    precision: str
    provider: str
    label: str = ""

    @property
    def point(self) -> Point:
        return Point(self.lat, self.lon)


@runtime_checkable
class Geocoder(Protocol):
    """Anything that turns a query into a :class:`Geocode` (or ``None`` when nothing matched).

    ``name`` keys the cache; ``needs_network`` says whether results are worth caching and
    whether the batch shows a rate-limited progress bar. Temporary failures raise
    :class:`~kdirectory.geocoding.errors.GeocodeError` after the provider's own retries.
    """

    name: str
    needs_network: bool

    def geocode(self, query: GeocodeQuery) -> Geocode | None: ...

"""Geocoding: where clinics are.

Offline by default (an embedded US ZIP and city gazetteer), or any geopy geocoder by
service name; cached in SQLite, saved to ``data/geocodes.json`` as results arrive.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kdirectory.geocoding.batch import GeocodeResult, RecordOutcome, geocode_directory
    from kdirectory.geocoding.distance import distance_miles, nearest_clinics
    from kdirectory.geocoding.errors import GeocodeError, GeocoderSetupError
    from kdirectory.geocoding.offline import OfflineGeocoder
    from kdirectory.geocoding.providers import make_geocoder
    from kdirectory.geocoding.store import LoadedGeocodes, load_geocodes
    from kdirectory.geocoding.types import Geocode, GeocodeQuery, Geocoder, Point
    from kdirectory.record.gazetteer import timezone_for_zip, zip_info

_HOMES = {
    "Geocode": "kdirectory.geocoding.types",
    "GeocodeError": "kdirectory.geocoding.errors",
    "GeocodeQuery": "kdirectory.geocoding.types",
    "GeocodeResult": "kdirectory.geocoding.batch",
    "Geocoder": "kdirectory.geocoding.types",
    "GeocoderSetupError": "kdirectory.geocoding.errors",
    "LoadedGeocodes": "kdirectory.geocoding.store",
    "OfflineGeocoder": "kdirectory.geocoding.offline",
    "Point": "kdirectory.geocoding.types",
    "RecordOutcome": "kdirectory.geocoding.batch",
    "distance_miles": "kdirectory.geocoding.distance",
    "geocode_directory": "kdirectory.geocoding.batch",
    "load_geocodes": "kdirectory.geocoding.store",
    "make_geocoder": "kdirectory.geocoding.providers",
    "nearest_clinics": "kdirectory.geocoding.distance",
    "timezone_for_zip": "kdirectory.record.gazetteer",
    "zip_info": "kdirectory.record.gazetteer",
}
"""Where each name lives, imported when first used: reading ``data/geocodes.json``
(:mod:`kdirectory.geocoding.store`) does not load the network providers."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "Geocode",
    "GeocodeError",
    "GeocodeQuery",
    "GeocodeResult",
    "Geocoder",
    "GeocoderSetupError",
    "LoadedGeocodes",
    "OfflineGeocoder",
    "Point",
    "RecordOutcome",
    "distance_miles",
    "geocode_directory",
    "load_geocodes",
    "make_geocoder",
    "nearest_clinics",
    "timezone_for_zip",
    "zip_info",
]

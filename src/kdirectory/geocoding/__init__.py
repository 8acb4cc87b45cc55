"""Geocoding: where clinics are.

Offline by default (an embedded US ZIP and city gazetteer), or any geopy geocoder by
service name; cached in SQLite, saved to ``data/geocodes.json`` as results arrive.
"""

from __future__ import annotations

from kdirectory.geocoding.batch import GeocodeResult, RecordOutcome, geocode_directory
from kdirectory.geocoding.distance import distance_miles, nearest_clinics
from kdirectory.geocoding.errors import GeocodeError, GeocoderSetupError
from kdirectory.geocoding.offline import OfflineGeocoder
from kdirectory.geocoding.providers import make_geocoder
from kdirectory.geocoding.store import LoadedGeocodes, load_geocodes
from kdirectory.geocoding.types import Geocode, GeocodeQuery, Geocoder, Point
from kdirectory.record.gazetteer import timezone_for_zip, zip_info

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

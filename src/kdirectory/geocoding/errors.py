"""Errors raised while geocoding."""

from __future__ import annotations

from kdirectory.exceptions import ConfigError, KdirectoryError


class GeocodeError(KdirectoryError):
    """A provider failed for one query after its retries (timeouts, 429, 5xx, bad answers)."""


class GeocoderSetupError(ConfigError):
    """The provider cannot be created: unknown name, missing user agent or API key, bad option."""


class GeocodeFileError(KdirectoryError):
    """``data/geocodes.json`` or the cache cannot be read and was not recovered."""

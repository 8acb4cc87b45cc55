"""Errors raised while geocoding."""

from __future__ import annotations

from pathlib import Path

from kdirectory.exceptions import ConfigError, KdirectoryError


class GeocodeError(KdirectoryError):
    """A provider failed for one query after its retries (timeouts, 429, 5xx, bad answers)."""


class GeocoderSetupError(ConfigError):
    """The provider cannot be created: unknown name, missing user agent or API key, bad option."""


class GeocodeFileError(KdirectoryError):
    """``data/geocodes.json`` or the cache cannot be read and was not recovered, or the cache
    cannot be written. The message names the file, what is wrong and what to do."""


def free_name(path: Path) -> Path:
    """``path``, or ``path.2``, ``path.3``, … : the first that does not exist (where a broken
    file is set aside without replacing one set aside before)."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate

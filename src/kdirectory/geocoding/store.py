"""``data/geocodes.json``: committed geocoding results, one entry per clinic slug.

The file is rewritten atomically (temp file + rename), so a reader or an interrupted run
sees either the old file or the new one, never half of one. A file that cannot be read is
either reported (``recover=False``) or set aside as ``geocodes.json.corrupt`` and replaced
(``recover=True``), so a bad merge never stops geocoding and loses nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kdirectory.atomic import atomic_write_text
from kdirectory.geocoding.errors import GeocodeFileError
from kdirectory.geocoding.types import PRECISIONS

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class StoredGeocode:
    """A saved result: where, how exactly, who said so, when, and for which query."""

    lat: float
    lon: float
    precision: str
    provider: str
    query: str
    date: str


def _parse_entry(slug: str, raw: Any) -> StoredGeocode:
    if not isinstance(raw, dict):
        raise ValueError(f"entry {slug!r} is not an object")
    lat, lon = raw.get("lat"), raw.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        raise ValueError(f"entry {slug!r}: lat and lon must be numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not (
        math.isfinite(lat) and math.isfinite(lon)
    ):
        raise ValueError(f"entry {slug!r}: lat/lon out of range")
    precision = raw.get("precision")
    if precision not in PRECISIONS:
        raise ValueError(f"entry {slug!r}: precision must be one of {', '.join(PRECISIONS)}")
    fields = {name: raw.get(name) for name in ("provider", "query", "date")}
    for name, value in fields.items():
        if not isinstance(value, str):
            raise ValueError(f"entry {slug!r}: {name} must be a string")
    provider, query, when = (str(fields[name]) for name in ("provider", "query", "date"))
    return StoredGeocode(float(lat), float(lon), precision, provider, query, when)


class GeocodeStore:
    """The results file in memory; :meth:`save` writes it back atomically."""

    def __init__(self, path: Path, entries: dict[str, StoredGeocode] | None = None) -> None:
        self.path = path
        self.entries: dict[str, StoredGeocode] = dict(entries or {})
        self.recovered_from: Path | None = None
        self.dirty = False

    @classmethod
    def load(cls, path: Path, *, recover: bool) -> GeocodeStore:
        """Read ``path`` (a missing file is an empty store).

        Raises :class:`GeocodeFileError` for an unreadable file unless ``recover`` is set, in
        which case the file is renamed to ``<name>.corrupt`` and an empty store returned with
        :attr:`recovered_from` naming where the old file went.
        """
        if not path.exists():
            return cls(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict) or not isinstance(document.get("results"), dict):
                raise ValueError('expected an object with a "results" object')
            entries = {slug: _parse_entry(slug, raw) for slug, raw in document["results"].items()}
        except (OSError, UnicodeDecodeError, ValueError) as error:
            if not recover:
                raise GeocodeFileError(
                    f"{path}: cannot read geocoding results ({error}). "
                    "Fix the file, or delete it and run `kdirectory geocode` to recreate it."
                ) from error
            aside = _free_name(path.with_name(path.name + ".corrupt"))
            path.replace(aside)
            store = cls(path)
            store.recovered_from = aside
            return store
        return cls(path, entries)

    def get(self, slug: str) -> StoredGeocode | None:
        return self.entries.get(slug)

    def put(self, slug: str, entry: StoredGeocode) -> None:
        self.entries[slug] = entry
        self.dirty = True

    def save(self) -> None:
        """Write every entry, sorted by slug, so the file diffs cleanly in git."""
        results = {slug: asdict(self.entries[slug]) for slug in sorted(self.entries)}
        text = json.dumps(
            {"version": FORMAT_VERSION, "results": results}, indent=2, ensure_ascii=False
        )
        atomic_write_text(self.path, text + "\n")
        self.dirty = False


def _free_name(path: Path) -> Path:
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate

"""Geocode a whole directory: manual ``geo`` wins, saved results are reused, the rest are
asked of the provider (through the cache), and every answer is saved as it arrives."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from kdirectory.geocoding.cache import CACHE_FILE, MISSING, GeocodeCache
from kdirectory.geocoding.distance import distance_miles
from kdirectory.geocoding.errors import GeocodeError
from kdirectory.geocoding.providers import make_geocoder
from kdirectory.geocoding.redact import redact
from kdirectory.geocoding.store import GEOCODES_FILE, GeocodeStore, StoredGeocode
from kdirectory.geocoding.types import (
    PRECISIONS,
    Geocode,
    GeocodeQuery,
    Geocoder,
    Point,
    coordinates_problem,
)
from kdirectory.record.gazetteer import zip_info
from kdirectory.report import Problem

if TYPE_CHECKING:
    from kdirectory.record.directory import Directory, Entry
    from kdirectory.record.model import Clinic

__all__ = ["GEOCODES_FILE", "GeocodeResult", "RecordOutcome", "geocode_directory", "query_for"]

FAR_FROM_ZIP_KM = 25.0
_KM_PER_MILE = 1.609344
# Offline answers arrive thousands a second: save at most this often (and always at the end).
SAVE_INTERVAL_SECONDS = 1.0

# What happened to one record. "would_geocode" only in dry runs.
STATUSES = ("manual", "saved", "cached", "geocoded", "not_found", "failed", "would_geocode")


@dataclass(frozen=True)
class RecordOutcome:
    """One clinic's geocoding: what happened and the answer, if any."""

    slug: str
    file: str
    status: str
    geocode: Geocode | None = None
    message: str = ""


@dataclass
class GeocodeResult:
    """Everything one run did: per-record outcomes, warnings, requests made, files recovered."""

    provider: str
    outcomes: list[RecordOutcome] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    requests: int = 0
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> Counter[str]:
        return Counter(outcome.status for outcome in self.outcomes)

    @property
    def failed(self) -> list[RecordOutcome]:
        return [o for o in self.outcomes if o.status in {"failed", "not_found"}]

    @property
    def ok(self) -> bool:
        return not self.failed


def query_for(clinic: Clinic) -> GeocodeQuery:
    """A clinic's address as a query (without the suite: geocoders trip on it)."""
    address = clinic.address
    return GeocodeQuery(address.street, address.city, address.region, address.zip5, address.country)


def _reusable(stored: StoredGeocode | None, query: GeocodeQuery, provider: str) -> bool:
    if stored is None or stored.query != query.key():
        return False
    precise = PRECISIONS.index(stored.precision) <= PRECISIONS.index("street")
    return stored.provider == provider or precise


def _far_from_zip(clinic: Clinic, answer: Geocode, file: str, line: int | None) -> Problem | None:
    zip5 = clinic.address.zip5
    info = zip_info(zip5) if zip5 else None
    if info is None or answer.precision == "postal_code":
        return None
    centroid = Point(info.lat, info.lon)
    km = distance_miles(answer.point, centroid) * _KM_PER_MILE
    if km <= FAR_FROM_ZIP_KM:
        return None
    return Problem(
        "geocode.far_from_zip",
        file,
        line,
        "address",
        f"{answer.provider} placed this clinic at {answer.point}, {km:.0f} km from "
        f"the centre of ZIP {zip5} ({centroid})",
        "check the street and ZIP, or set `geo` by hand",
    )


def _unusable(answer: Geocode | None) -> str | None:
    """Why an answer must not be saved (coordinates off the map, an unknown precision)."""
    if answer is None:
        return None
    problem = coordinates_problem(answer.lat, answer.lon)
    if problem is None and not all(
        isinstance(value, int | float) for value in (answer.lat, answer.lon)
    ):
        problem = f"coordinates that are not numbers ({answer.lat!r}, {answer.lon!r})"
    if problem is None and answer.precision not in PRECISIONS:
        problem = f"precision {answer.precision!r}, not one of {', '.join(PRECISIONS)}"
    if problem is None and not (isinstance(answer.provider, str) and isinstance(answer.label, str)):
        problem = "a provider name or label that is not text"
    return problem


def geocode_directory(
    directory: Directory,
    geocoder: Geocoder | None = None,
    *,
    refresh: bool = False,
    dry_run: bool = False,
    use_cache: bool = True,
    today: date | None = None,
    progress: Callable[[RecordOutcome], None] | None = None,
) -> GeocodeResult:
    """Geocode every clinic of ``directory`` and save the results to ``data/geocodes.json``.

    ``geocoder`` defaults to the provider in ``kdirectory.toml``. With ``refresh``, saved and
    cached answers are ignored; with ``dry_run``, nothing is asked or written. One record's
    failure (a provider error, or an answer whose coordinates are not a place on Earth,
    which is never saved or cached) is recorded in the result and the batch goes on.
    Results are saved as they arrive (network providers: after every answer; offline: at
    least once a second), and on interruption (Ctrl-C) everything finished so far is saved
    before the error propagates.
    """
    settings = directory.config.geocoder
    if geocoder is None:
        geocoder = make_geocoder(
            settings.provider, user_agent=settings.user_agent, options=settings.options
        )
    today_text = (today or date.today()).isoformat()
    store = GeocodeStore.load(
        directory.root / GEOCODES_FILE, recover=not dry_run, display=GEOCODES_FILE
    )
    result = GeocodeResult(provider=geocoder.name, dry_run=dry_run)
    if store.recovered_from is not None:
        why = f" ({store.problem.format()})" if store.problem is not None else ""
        result.notices.append(
            f"{GEOCODES_FILE} could not be read{why}; it was moved to "
            f"{store.recovered_from.name} and will be rebuilt"
        )
    cache: GeocodeCache | None = None
    if geocoder.needs_network and use_cache and not dry_run:
        cache = GeocodeCache(directory.root / CACHE_FILE)
        if cache.recovered_from is not None:
            result.notices.append(
                f"the geocoding cache {CACHE_FILE.as_posix()} was damaged ({cache.damage}); "
                f"it was moved to {cache.recovered_from.name} and a new one started"
            )
    last_save = time.monotonic()
    try:
        for entry in sorted(directory.entries, key=lambda e: e.clinic.slug or ""):
            outcome = _geocode_one(
                entry,
                geocoder=geocoder,
                store=store,
                cache=cache,
                result=result,
                refresh=refresh,
                dry_run=dry_run,
                today=today_text,
            )
            result.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
            if store.dirty and (
                geocoder.needs_network or time.monotonic() - last_save >= SAVE_INTERVAL_SECONDS
            ):
                store.save()
                last_save = time.monotonic()
    finally:
        if store.dirty and not dry_run:
            store.save()
        if cache is not None:
            cache.close()
    return result


def _geocode_one(
    entry: Entry,
    *,
    geocoder: Geocoder,
    store: GeocodeStore,
    cache: GeocodeCache | None,
    result: GeocodeResult,
    refresh: bool,
    dry_run: bool,
    today: str,
) -> RecordOutcome:
    clinic = entry.clinic
    assert clinic.slug is not None
    file, slug = entry.file, clinic.slug
    if clinic.geo is not None:
        return RecordOutcome(
            slug, file, "manual", Geocode(clinic.geo.lat, clinic.geo.lon, "manual", "manual")
        )
    query = query_for(clinic)
    stored = store.get(slug)
    if not refresh and _reusable(stored, query, geocoder.name):
        assert stored is not None
        return RecordOutcome(
            slug, file, "saved", Geocode(stored.lat, stored.lon, stored.precision, stored.provider)
        )
    if dry_run:
        return RecordOutcome(slug, file, "would_geocode", message=query.one_line())
    status = "geocoded"
    answer: Geocode | None
    cached = cache.get(geocoder.name, query.key()) if cache is not None and not refresh else MISSING
    if cached is not MISSING:
        answer = cached if isinstance(cached, Geocode) else None
        status = "cached"
    else:
        try:
            if geocoder.needs_network:
                result.requests += 1
            answer = geocoder.geocode(query)
        except GeocodeError as error:
            return RecordOutcome(slug, file, "failed", message=redact(str(error)))
        unusable = _unusable(answer)
        if unusable is not None:
            return RecordOutcome(
                slug,
                file,
                "failed",
                message=f"{geocoder.name}: answered something that is not a place ({unusable})",
            )
        if cache is not None:
            cache.put(geocoder.name, query.key(), answer, today)
    if answer is None:
        return RecordOutcome(slug, file, "not_found", message=f"no match for {query.one_line()!r}")
    line = entry.source.line_for(("address",)) if entry.source is not None else None
    warning = _far_from_zip(clinic, answer, file, line)
    if warning is not None:
        result.warnings.append(warning)
    store.put(
        slug,
        StoredGeocode(
            answer.lat, answer.lon, answer.precision, answer.provider, query.key(), today
        ),
    )
    return RecordOutcome(slug, file, status, answer)

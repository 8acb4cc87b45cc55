"""Projects whose clinics are geocoded by kdirectory.testing.FakeNominatim over real HTTP."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from kdirectory.geocoding.cache import CACHE_FILE
from kdirectory.geocoding.store import GEOCODES_FILE
from kdirectory.testing import FakeNominatim, Place
from tests.helpers import ProjectFactory

STREETS = [
    "100 E Grand Ave",
    "200 W Valley Pkwy",
    "300 N Broadway",
    "400 S Escondido Blvd",
    "500 N Juniper St",
]
"""Real Escondido, CA streets; the clinic at ``100 E Grand Ave`` is ``clinic-100``."""


def record(street: str) -> str:
    """A clinic at ``street`` in Escondido, CA 92025, named and phoned after its number."""
    number = street.split(maxsplit=1)[0]
    return f"""\
name: Clinic {number}
phone: "(760) 555-01{number[0]}0"
address:
  street: {street}
  city: Escondido
  region: CA
  postal_code: "92025"
"""


def place(street: str, lat: float = 33.12, lon: float = -117.08) -> Place:
    """What the fake server answers for the clinic at ``street``."""
    return Place(lat, lon, f"{street}, Escondido, CA 92025", street=street, postalcode="92025")


def nominatim_project(
    make_project: ProjectFactory,
    server: FakeNominatim,
    count: int = 2,
    *,
    provider: str = "nominatim",
    **options: str,
) -> Path:
    """The clinics of the first ``count`` streets, geocoded by ``provider`` (a geopy provider
    that speaks Nominatim's API) pointed at the fake server over http (this machine), with
    the geocoder ``options`` given."""
    records = {f"clinic-{street.split()[0]}.yaml": record(street) for street in STREETS[:count]}
    extra = "".join(f', {key} = "{value}"' for key, value in options.items())
    config = (
        f'[geocoder]\nprovider = "{provider}"\nuser_agent = "kdirectory-tests/1.0"\n'
        f'options = {{domain = "{server.domain}", scheme = "http"{extra}}}\n'
    )
    return make_project(records, config)


def two_clinics(
    make_project: ProjectFactory, server: FakeNominatim, provider: str = "nominatim"
) -> Path:
    """The first two clinics, ``provider`` pointed at the fake server; an answer is awaited
    30 seconds (the hostile tests assert what happens, never how fast)."""
    return nominatim_project(make_project, server, 2, provider=provider, timeout="30")


def saved(root: Path) -> dict[str, dict[str, object]]:
    """The entries of the project's saved geocoding results, by clinic slug."""
    results: dict[str, dict[str, object]] = json.loads((root / GEOCODES_FILE).read_text())[
        "results"
    ]
    return results


def cache_rows(root: Path) -> list[tuple[str, str]]:
    """(provider, query) of every answer in the project's geocoding cache."""
    with sqlite3.connect(root / CACHE_FILE) as db:
        return db.execute("SELECT provider, query FROM geocodes ORDER BY query").fetchall()

"""Fixtures of the geocoding tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kdirectory.testing import FakeNominatim, Place
from tests.geocoding.nominatim import STREETS, place


@pytest.fixture
def server() -> Iterator[FakeNominatim]:
    """A fake Nominatim on 127.0.0.1 that knows every clinic of ``STREETS`` (a little apart),
    and answers any other query with a place in Escondido."""
    clinics = [place(street, 33.12 + i / 1000) for i, street in enumerate(STREETS)]
    catch_all = Place(33.13, -117.09, "Somewhere in Escondido, CA 92025")
    with FakeNominatim([*clinics, catch_all]) as fake:
        yield fake

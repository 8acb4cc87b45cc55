"""Helpers for testing a site project and kdirectory itself: a Nominatim-compatible server
on 127.0.0.1 (:class:`FakeNominatim`) and a generator of realistic fictional directories
(:mod:`kdirectory.testing.synthetic`)."""

from __future__ import annotations

from kdirectory.testing.fake_nominatim import FakeNominatim, Place, RecordedRequest

__all__ = ["FakeNominatim", "Place", "RecordedRequest"]

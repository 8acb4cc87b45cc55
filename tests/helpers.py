"""Constants and plain helpers the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The repository: its demo project (kdirectory.toml, data/clinics/) and its sources."""

FACILITIES_CSV = REPO / "tests" / "data" / "real" / "us_facilities_public.csv"
"""2,995 real US facilities as their publishers wrote them (public domain; see its README)."""

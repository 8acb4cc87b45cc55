"""Synthetic site projects: realistic, valid clinic records for tests and benchmarks.

Records are fictional but shaped like a real directory:

- every address uses a real, active, standard US ZIP code with its USPS city and state
  (from the ``zipcodes`` package), and clinics cluster in cities roughly as real clinics do:
  a city's weight grows with its number of ZIP codes, so Houston and New York get hundreds
  of clinics while most towns get one;
- names and street addresses are unique, and names in one city are never near-duplicates
  (the directory rules would warn about them);
- phone numbers use an area code of the clinic's ZIP with the fictional exchange
  ``555-01xx`` (fictional records never dial a real person), which
  ``phonenumbers`` accepts as valid; brands share a toll-free number across branches;
- conditions, therapies and specialties come from the packaged vocabularies and follow
  every record rule (esketamine is only offered with ``spravato_rems_certified: true``);
- hours vary: split shifts, closed days, Saturday mornings, holidays in ``special_hours``.

Generation is deterministic: it draws only from ``random.Random(seed)``, so the same
arguments give byte-identical files. It is fast enough for benchmarks (10,000 records in
a few seconds)::

    from kdirectory.testing.synthetic import generate_project
    paths = generate_project(tmp_path, 10_000, seed=1)

The generator itself is :mod:`kdirectory.testing.synthetic_generator`; it draws from
:mod:`~kdirectory.testing.synthetic_tables` (words and kinds of practice),
:mod:`~kdirectory.testing.synthetic_places` (cities and their ZIP codes) and
:mod:`~kdirectory.testing.synthetic_values` (phone numbers, hours, descriptions).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kdirectory.record import vocabulary
from kdirectory.record.slugs import slugify
from kdirectory.record.write import dump_record
from kdirectory.testing.synthetic_generator import Generator

__all__ = ["CONTIGUOUS_STATES", "generate_project", "generate_records", "project_config"]

CONTIGUOUS_STATES: tuple[str, ...] = (
    "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "IA", "ID", "IL", "IN", "KS",
    "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ",
    "NM", "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT",
    "WA", "WI", "WV", "WY",
)  # fmt: skip
"""The 48 contiguous states and the District of Columbia: the default for generation."""


CONFIG_TEMPLATE = """\
# A synthetic directory written by kdirectory.testing.synthetic (seed {seed}, {count} records).
# Every clinic in it is fictional; its phone numbers use the 555-01xx range.
[site]
name = "Synthetic Ketamine Therapy Directory"
base_url = "https://directory.example"
language = "en-US"

[review]
reviewed_by = "kdirectory synthetic data (not a clinician review)"
last_reviewed = 2026-11-01

[geocoder]
provider = "offline"
user_agent = "kdirectory-synthetic/0.1 (maintainers@kdirectory.example)"

[build]
out = "site"
"""


def _state_codes(states: Sequence[str] | None) -> tuple[str, ...]:
    """The sorted state codes ``states`` names (codes or names); :data:`CONTIGUOUS_STATES`
    for ``None``."""
    if states is None:
        return CONTIGUOUS_STATES
    if isinstance(states, str):
        states = [states]
    codes = []
    for text in states:
        code = vocabulary.state_code(text)
        if code is None:
            msg = f"{text!r} is not a US state"
            raise ValueError(msg)
        codes.append(code)
    if not codes:
        msg = "states is empty; pass None for the contiguous United States"
        raise ValueError(msg)
    return tuple(sorted(set(codes)))


def generate_records(
    count: int,
    *,
    seed: int = 0,
    states: Sequence[str] | None = None,
    brand_fields: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` valid, fictional clinic records as plain data (no files written).

    Args:
        count: how many records.
        seed: the seed of the only source of randomness; the same arguments give the same
            records, in the same order.
        states: state codes or names to place clinics in; default: the 48 contiguous
            states and DC (:data:`CONTIGUOUS_STATES`).
        brand_fields: also give about half of the clinics with a website a
            ``booking_url``, and most providers an ``npi`` with a valid check digit. The
            records are otherwise the same as without it.

    Raises:
        ValueError: ``count`` is negative, or ``states`` names no real state (raised when
            the iterator is created, not on first use).
    """
    if count < 0:
        msg = f"count must be 0 or more, not {count}"
        raise ValueError(msg)
    generator = Generator(count, seed, _state_codes(states), brand_fields=brand_fields)
    return generator.records()


def project_config(*, seed: int = 0, count: int = 0) -> str:
    """The ``kdirectory.toml`` of a synthetic project (offline geocoder, ``site`` output)."""
    return CONFIG_TEMPLATE.format(seed=seed, count=count)


_REPEATED_FIELDS = frozenset(
    {
        "timezone", "hours", "special_hours", "conditions", "therapies", "specialties",
        "spravato_rems_certified", "accepting_new_patients", "insurance", "payment",
        "price_range", "languages",
    }
)  # fmt: skip
"""Top-level fields whose values recur across records: their YAML is written once."""


class _RecordWriter:
    """:func:`dump_record`, faster for many records: a top-level field whose value recurs
    (hours, conditions, payment, ...) is emitted once and its text reused. A block mapping's
    text is its entries' texts in order, so the result is the same text."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, str], str] = {}

    def dump(self, record: dict[str, Any]) -> str:
        fresh = {k: v for k, v in record.items() if k not in _REPEATED_FIELDS}
        chunks = iter(_top_level_entries(dump_record(fresh)) if fresh else ())
        parts = []
        for key, value in record.items():
            if key not in _REPEATED_FIELDS:
                parts.append(next(chunks))
                continue
            cache_key = (key, repr(value))
            text = self._texts.get(cache_key)
            if text is None:
                text = self._texts[cache_key] = dump_record({key: value})
            parts.append(text)
        return "".join(parts)


def _top_level_entries(text: str) -> list[str]:
    """Split a block mapping's YAML into its entries: each starts on a line at column 0 that
    is not a sequence item (PyYAML indents everything else under a top-level key)."""
    entries: list[str] = []
    for line in text.splitlines(keepends=True):
        if entries and line[:1] in (" ", "-"):
            entries[-1] += line
        else:
            entries.append(line)
    return entries


def generate_project(
    root: Path,
    count: int,
    *,
    seed: int = 0,
    states: Sequence[str] | None = None,
    brand_fields: bool = False,
) -> list[Path]:
    """Write a synthetic site project into ``root`` and return its record files.

    Writes ``root/kdirectory.toml`` and ``count`` records ``root/data/clinics/<slug>.yaml``
    (see :func:`generate_records`); ``root`` and its folders are created as needed. Other
    files already in ``data/clinics/`` are left alone, so start from an empty folder.
    The same arguments give byte-identical files.

    Raises:
        ValueError: as :func:`generate_records`.
    """
    records = generate_records(count, seed=seed, states=states, brand_fields=brand_fields)
    folder = root / "data" / "clinics"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "kdirectory.toml").write_bytes(project_config(seed=seed, count=count).encode())
    writer = _RecordWriter()
    paths = []
    for record in records:
        slug = record.get("slug") or slugify(record["name"])
        path = folder / f"{slug}.yaml"
        path.write_bytes(writer.dump(record).encode("utf-8"))
        paths.append(path)
    return paths

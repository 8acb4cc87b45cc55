"""One value of a synthetic record, drawn at random: a phone number as people write it, a
suite, a week of opening hours, holiday hours, the words of a description, and an NPI.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, TypeVar

from kdirectory.record.npi import check_digit as npi_check_digit
from kdirectory.testing.synthetic_tables import HOLIDAYS

_T = TypeVar("_T")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def sample(rng: random.Random, population: Sequence[_T], k: int) -> list[_T]:
    """``k`` distinct items in random order (``random.sample`` without its slow type check)."""
    items = list(population)
    rng.shuffle(items)
    return items[:k]


def format_phone(rng: random.Random, digits: str) -> str:
    """Ten ``digits`` written as people write a phone number, rarely with an extension."""
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    roll = rng.random()
    if roll < 0.55:
        text = f"({area}) {exchange}-{line}"
    elif roll < 0.8:
        text = f"{area}-{exchange}-{line}"
    elif roll < 0.9:
        text = f"{area}.{exchange}.{line}"
    else:
        text = f"+1 {area} {exchange} {line}"
    if rng.random() < 0.02:
        text += f" ext. {rng.randint(2, 40)}"
    return text


def unit(rng: random.Random) -> str:
    """A suite or unit: ``Suite 210``, ``Ste 300``, ``#12``, ``Unit B``."""
    roll = rng.random()
    if roll < 0.6:
        return f"Suite {rng.randrange(1, 6)}{rng.randrange(0, 60):02d}"
    if roll < 0.75:
        return f"Ste {rng.randrange(100, 500, 10)}"
    if roll < 0.9:
        return f"#{rng.randrange(1, 40)}"
    return f"Unit {rng.choice('ABCDEFGH')}"


def _shift(rng: random.Random, text: str) -> str:
    """A time range, rarely with the en dash a word processor would write."""
    return text.replace("-", "\u2013") if rng.random() < 0.02 else text


def opening_hours(rng: random.Random) -> dict[str, Any] | None:
    """A week of opening hours: ``None`` (not stated) for some clinics."""
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.09:
        return dict.fromkeys((*_WEEKDAYS, "saturday", "sunday"), "00:00-24:00")
    opens = rng.choice(("07:00", "07:30", "08:00", "08:00", "08:30", "09:00", "09:00", "10:00"))
    closes = rng.choice(("16:00", "17:00", "17:00", "17:30", "18:00", "18:00", "19:00"))
    split = rng.random() < 0.2
    lunch = rng.choice((("12:00", "13:00"), ("12:30", "13:30"), ("13:00", "14:00")))
    closed_day = rng.choice(_WEEKDAYS) if rng.random() < 0.12 else None
    late_days = ("tuesday", "thursday") if rng.random() < 0.15 else ()
    hours: dict[str, Any] = {}
    for day in _WEEKDAYS:
        if day == closed_day:
            hours[day] = "closed"
            continue
        end = "20:30" if day in late_days else closes
        if split:
            hours[day] = [_shift(rng, f"{opens}-{lunch[0]}"), _shift(rng, f"{lunch[1]}-{end}")]
        elif rng.random() < 0.05:
            hours[day] = [_shift(rng, f"{opens}-{end}")]
        else:
            hours[day] = _shift(rng, f"{opens}-{end}")
    roll = rng.random()
    if roll < 0.45:
        hours["saturday"] = "closed"
    elif roll < 0.85:
        hours["saturday"] = rng.choice(("08:00-12:00", "09:00-13:00", "10:00-14:00"))
    roll = rng.random()
    if roll < 0.6:
        hours["sunday"] = "closed"
    elif roll < 0.68:
        hours["sunday"] = "11:00-15:00"
    return hours


def holiday_hours(rng: random.Random) -> list[dict[str, Any]]:
    """One to three ``special_hours`` entries: holidays closed or with short hours."""
    chosen = sorted(sample(rng, range(len(HOLIDAYS)), rng.randint(1, 3)))
    entries: list[dict[str, Any]] = []
    for index in chosen:
        day, note, hours = HOLIDAYS[index]
        entry: dict[str, Any] = {"date": day}
        if hours is None:
            entry["closed"] = True
        else:
            entry["hours"] = hours
        entry["note"] = note
        entries.append(entry)
    return entries


def lower_first(text: str) -> str:
    """``Depression`` -> ``depression``; ``IV ketamine`` and ``PTSD`` stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def article(word: str) -> str:
    """``a`` or ``an``, for ``word``."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def joined(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def npi(rng: random.Random) -> str:
    """A fictional National Provider Identifier: 10 digits starting with 1 or 2, ending in
    the check digit CMS computes (so it passes validation; it names no one)."""
    first_nine = rng.choice("12") + "".join(rng.choice("0123456789") for _ in range(8))
    return first_nine + str(npi_check_digit(first_nine))

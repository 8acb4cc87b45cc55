"""Opening hours: how people write them, and the types of the record's hours fields.

:func:`time_range` and :func:`day_hours` are the one reader of opening hours: the record
model (``kdirectory validate``), ``kdirectory new`` and ``kdirectory import`` all use them.
:data:`DaySchedule` is the type of one day's hours in the record, a list of
:class:`Interval` shifts that do not overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from kdirectory.record.fields import at_most, fail

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_SHIFTS = 6
"""Opening shifts in one day."""
MAX_SHIFT_TEXT = 50
"""Characters of one shift as written (``09:00 a.m. to 05:30 p.m.`` is 24)."""
MAX_DAY_TEXT = 200
"""Characters of one day's hours written as text (``9am-12pm, 1pm-5pm``)."""

# The record's own form of a shift: 24-hour HH:MM-HH:MM (what the JSON Schema describes).
RANGE_PATTERN = r"^\d{1,2}:\d{2}\s*[-\u2013]\s*\d{1,2}:\d{2}$"
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# What people write for one time: 9am, 9 a.m., 9:30 PM, 930pm, 09:00, 9:00, noon, midnight.
_CLOCK = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*([ap])\.?\s*m?\.?$|^(\d{1,2}):(\d{2})$", re.I)
# Two times joined by a hyphen, an en or em dash (word processors write U+2013) or "to".
_SHIFT = re.compile(r"^(.+?)\s*(?:-|\u2013|\u2014|to)\s*(.+)$", re.I)
_SHIFTS_SEPARATOR = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.I)
CLOSED_WORDS = frozenset({"closed", "close", "off", "none"})
ALL_DAY_WORDS = frozenset({"24 hours", "open 24 hours", "24/7", "24 hrs", "all day"})


@lru_cache(maxsize=4096)
def time_range(text: str) -> str | None:
    """One shift as the record writes it: ``9am-5pm``, ``9:00 AM – 5:30 PM``, ``9:00-17:00``
    and ``09:00 to 17:00`` -> ``"09:00-17:00"``; ``None`` when ``text`` is not two clock times.

    This is the one reader of opening hours: the record model (``kdirectory validate``),
    ``kdirectory new`` and ``kdirectory import`` all use it. A close at midnight is written
    24:00 (``8pm-12am`` -> ``"20:00-24:00"``). The times are not checked here: the model
    says what is wrong with ``"10:00-25:00"`` or ``"14:00-10:00"``. Text longer than
    :data:`MAX_SHIFT_TEXT` is not a shift (and is not searched: the pattern takes quadratic
    time on long runs of spaces).
    """
    if len(text) > MAX_SHIFT_TEXT:
        return None
    match = _SHIFT.match(text.strip())
    if not match:
        return None
    opens, closes = _clock(match.group(1)), _clock(match.group(2))
    if opens is None or closes is None:
        return None
    return f"{opens}-{'24:00' if closes == '00:00' else closes}"


def _clock(text: str) -> str | None:
    folded = text.strip().casefold()
    if folded == "noon":
        return "12:00"
    if folded == "midnight":
        return "00:00"
    match = _CLOCK.match(folded)
    if not match:
        return None
    if match.group(4) is not None:  # 24-hour 9:00 or 17:30
        return f"{int(match.group(4)):02d}:{match.group(5)}"
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    hour = hour % 12 + (12 if half == "p" else 0)
    return f"{hour:02d}:{minute:02d}"


def day_hours(text: str) -> str | list[str] | None:
    """One day's hours as the record writes them: ``"closed"``, one shift
    (``"09:00-17:00"``) or a list of shifts (``9am-12pm, 1pm-5pm`` ->
    ``["09:00-12:00", "13:00-17:00"]``); ``24 hours`` is ``"00:00-24:00"``. ``None`` when
    some part is not a time range (see :func:`time_range`), or the text is longer than
    :data:`MAX_DAY_TEXT`."""
    day = _day_hours(text)
    return list(day) if isinstance(day, tuple) else day


@lru_cache(maxsize=4096)
def _day_hours(text: str) -> str | tuple[str, ...] | None:
    """:func:`day_hours`, remembered (a record's days repeat one another), a list of shifts
    as a tuple that no caller can change."""
    if len(text) > MAX_DAY_TEXT:
        return None
    folded = " ".join(text.split()).casefold()
    if folded in CLOSED_WORDS:
        return "closed"
    if folded in ALL_DAY_WORDS:
        return "00:00-24:00"
    shifts: list[str] = []
    for part in _SHIFTS_SEPARATOR.split(text.strip()):
        shift = time_range(part)
        if shift is None:
            return None
        shifts.append(shift)
    return shifts[0] if len(shifts) == 1 else tuple(shifts)


@dataclass(frozen=True, order=True)
class Interval:
    """One opening shift, in minutes after midnight; ``closes`` may be 1440 (24:00)."""

    opens: int
    closes: int

    def __str__(self) -> str:
        return f"{_hhmm(self.opens)}-{_hhmm(self.closes)}"

    @property
    def opens_text(self) -> str:
        """``09:00``"""
        return _hhmm(self.opens)

    @property
    def closes_text(self) -> str:
        """``18:00`` (``24:00`` for midnight at the end of the day)"""
        return _hhmm(self.closes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_INTERVALS: dict[str, Interval] = {}
"""Shifts read before, as written: most records repeat a few."""
_MAX_INTERVALS = 4096


def _interval(value: object) -> Interval:
    if isinstance(value, Interval):
        return value
    if not isinstance(value, str):
        return _read_interval(value)  # says what is wrong with it
    known = _INTERVALS.get(value)
    if known is None:
        known = _read_interval(value)
        if len(_INTERVALS) < _MAX_INTERVALS:
            _INTERVALS[value] = known
    return known


def _read_interval(value: object) -> Interval:
    if not isinstance(value, str):
        fail(
            "hours.type",
            f"{value!r:.40} is not a time range",
            'write opening hours as "09:00-17:00" in quotes',
        )
    shift = time_range(value)
    match = _RANGE.match(shift) if shift is not None else None
    if not match:
        fail(
            "hours.format",
            f'"{value:.40}" is not a time range like 09:00-17:00',
            'write it like "09:00-17:00" or "9am-5pm", or "closed"',
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        fail(
            "hours.time",
            f'"{value}" has a time that does not exist',
            "hours run 00:00-23:59; use 24:00 only for midnight at closing",
        )
    opens, closes = h1 * 60 + m1, h2 * 60 + m2
    if closes <= opens:
        fail(
            "hours.reversed",
            f'"{value}" closes before it opens',
            "for hours past midnight, end this day at 24:00 and start the next at 00:00",
        )
    return Interval(opens, closes)


def _day_to_list(value: object) -> object:
    if isinstance(value, str):
        day = day_hours(value)
        if day is None:
            return [value]  # _interval says what is wrong with it
        if day == "closed":
            return []
        value = [day] if isinstance(day, str) else day
    if value is None:
        fail("hours.missing", "has no hours", 'write "closed" or a time range like "09:00-17:00"')
    if isinstance(value, list) and len(value) > MAX_SHIFTS:
        fail(
            "list.too_long",
            f"has {len(value):,} shifts; at most {MAX_SHIFTS} are allowed",
            "merge shifts that follow one another into one range",
        )
    return value


def _no_overlap(intervals: list[Interval]) -> list[Interval]:
    ordered = sorted(intervals)
    for before, after in pairwise(ordered):
        if after.opens < before.closes:
            fail(
                "hours.overlap",
                f"{before} and {after} overlap",
                "merge them into one range or fix the times",
            )
    return ordered


_SHIFT_SCHEMA = {"type": "string", "pattern": RANGE_PATTERN, "maxLength": MAX_SHIFT_TEXT}
OpeningInterval = Annotated[
    Interval,
    PlainValidator(_interval),  # longer than MAX_SHIFT_TEXT is "not a time range"
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_SHIFT_SCHEMA),
]
DaySchedule = Annotated[
    list[OpeningInterval],
    BeforeValidator(_day_to_list),
    at_most(MAX_DAY_TEXT),
    AfterValidator(_no_overlap),
    WithJsonSchema(
        {
            "anyOf": [
                {"const": "closed"},
                _SHIFT_SCHEMA,
                {"type": "array", "items": _SHIFT_SCHEMA, "maxItems": MAX_SHIFTS},
            ],
            "description": 'Opening hours: "closed", "09:00-17:00", or a list of shifts. '
            'Other spellings ("9am-5pm", "9:00 AM - 5:00 PM", "Closed") are accepted too '
            "and read as 24-hour HH:MM-HH:MM; editors check the 24-hour form only.",
        }
    ),
]

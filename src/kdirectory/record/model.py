"""The clinic record as pydantic models.

Each constrained value is an ``Annotated`` type with its own validator so that a problem is
reported at the exact field path (``hours.monday[1]``) with a message and a fix. Messages are
raised as ``PydanticCustomError`` with the fix in the error context; ``validate.py`` turns
them into :class:`~kdirectory.report.Problem` objects.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Annotated, Any, Literal, NoReturn, TypeGuard, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError

from kdirectory.record import vocabulary
from kdirectory.record.languages import LANGUAGE_NAMES
from kdirectory.record.phones import Phone, PhoneError, parse_phone
from kdirectory.record.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN

MAX_LIST_ITEMS = 40
"""No real clinic lists more conditions, therapies or languages than this."""
MAX_TEXT = 200
"""Characters of a name, a street, a city, an insurer, a note: no real one is longer."""
MAX_LONG_TEXT = 10_000
"""Characters of the description: a few paragraphs."""
MAX_SLUG_TEXT = 100
"""Characters of one condition, therapy, specialty, language or payment method (by slug,
name or alias; the longest name is about 30)."""
MAX_SHIFTS = 6
"""Opening shifts in one day."""
MAX_SHIFT_TEXT = 50
"""Characters of one shift as written (``09:00 a.m. to 05:30 p.m.`` is 24)."""
MAX_DAY_TEXT = 200
"""Characters of one day's hours written as text (``9am-12pm, 1pm-5pm``)."""
MAX_PHONE_TEXT = 50
"""Characters of a phone number as written (``+1 (760) 555-0123 extension 12345`` is 33)."""
MAX_URL = 2000
"""Characters of a web address (what browsers and search engines handle)."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PaymentMethod = Literal[
    "cash", "check", "credit-card", "debit-card", "hsa-fsa", "financing", "insurance"
]
PAYMENT_METHODS: tuple[str, ...] = get_args(PaymentMethod)


def fail(rule: str, message: str, fix: str | None = None) -> NoReturn:
    """Reject a value by the catalogue's rule ``rule`` (``phone.invalid``), with a message
    and a fix, reported at the field being validated."""
    raise PydanticCustomError(rule, "{message}", {"message": message, "fix": fix or ""})


# --- control characters --------------------------------------------------------------------

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What no text of a record may hold: the C0 controls except tab and newline, DEL and the C1
controls. They are invisible, break HTML, XML and JSON-LD, and an ESC drives terminals."""
# fmt: off
_CONTROL_NAMES: dict[str, str] = dict(zip(
    [chr(code) for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))],
    (
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT",
        "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
        "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
        "DEL",
        "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS", "PLD",
        "PLU", "RI", "SS2", "SS3", "DCS", "PU1", "PU2", "STS", "CCH", "MW", "SPA", "EPA",
        "SOS", "SGC", "SCI", "CSI", "ST", "OSC", "PM", "APC",
    ),
    strict=True,
))
# fmt: on
"""The standard abbreviation of every C0 and C1 control character and DEL."""


def control_character_name(char: str) -> str:
    """A control character as a message shows it: ``\\x1b, ESC``."""
    return f"\\x{ord(char):02x}, {_CONTROL_NAMES.get(char, 'control')}"


def control_character_problem(text: str) -> tuple[str, str] | None:
    """``(message, fix)`` when ``text`` holds a :data:`CONTROL_CHARACTER`, else ``None``.
    The message names the first one by escape and position (1 = the first character) and
    never holds the character itself."""
    match = CONTROL_CHARACTER.search(text)
    if match is None:
        return None
    count = len(CONTROL_CHARACTER.findall(text, match.start()))
    where = f"({control_character_name(match.group())}) at position {match.start() + 1}"
    if count == 1:
        return (
            f"contains a control character {where}",
            "remove it; it is invisible and breaks pages",
        )
    return (
        f"contains {count:,} control characters, the first {where}",
        "remove them; they are invisible and break pages",
    )


def _control_character_errors(value: object) -> list[InitErrorDetails]:
    """An error for every text in ``value`` (text, or a list of text, also nested) that
    holds a control character, located relative to ``value``. Sets of fields are left to
    the model that reads them, which checks its own fields, so every field is checked once
    and its location is exact."""
    errors: list[InitErrorDetails] = []
    stack: list[tuple[tuple[int, ...], object]] = [((), value)]
    seen: set[int] = set()
    while stack:
        loc, item = stack.pop()
        if isinstance(item, str):
            problem = control_character_problem(item)
            if problem is not None:
                message, fix = problem
                errors.append(
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "text.control_character", "{message}", {"message": message, "fix": fix}
                        ),
                        loc=loc,
                        input=item,
                    )
                )
        elif isinstance(item, list | tuple) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(reversed([((*loc, i), child) for i, child in enumerate(item)]))
    return errors


class Model(BaseModel):
    """Shared settings: unknown fields are errors, text is stripped, instances are frozen,
    and no text holds a control character (:data:`CONTROL_CHARACTER`).

    The control characters are looked for in every field of every model as written, before
    any other check and before whitespace is stripped, so every way a clinic is made (a YAML
    or JSON file, ``kdirectory import``, ``kdirectory new``) refuses them with the field's
    exact location (``special_hours[0].note``, ``insurance[2]``).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str):
            if CONTROL_CHARACTER.search(value) is None:
                return value
        elif not isinstance(value, list | tuple) or not any(
            not isinstance(item, str) or CONTROL_CHARACTER.search(item) for item in value
        ):
            return value  # not text, or a list of text without one
        errors = _control_character_errors(value)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return value


# --- text ----------------------------------------------------------------------------------


def _at_most(limit: int) -> BeforeValidator:
    """Refuse text longer than ``limit`` characters before any other check reads it (a 1 MB
    "condition" is not looked up, suggested or quoted), as ``StringConstraints(max_length=)``
    does for plain text: the same error, so one message explains both. Put it after a
    ``PlainValidator`` in the ``Annotated`` (before validators listed later run first)."""

    def check(value: object) -> object:
        if isinstance(value, str) and len(value.strip()) > limit:
            raise PydanticKnownError("string_too_long", {"max_length": limit})
        return value

    return BeforeValidator(check)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LONG_TEXT)
]


# --- lists ---------------------------------------------------------------------------------


def _bounded_list(value: object) -> object:
    if isinstance(value, str):
        fail(
            "list.type",
            f'must be a list, not the text "{value:.60}"',
            f"write it as a list: [{value:.40}]",
        )
    if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
        fail(
            "list.too_long",
            f"has {len(value):,} entries; at most {MAX_LIST_ITEMS} are allowed",
            "list only what this clinic really offers",
        )
    return value


def _no_repeats(value: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for item in value:
        if str(item) in seen:
            fail("list.duplicate", f'lists "{item}" twice', "remove the repeat")
        seen.add(str(item))
    return value


def _list_schema(items: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "array", "items": items, "maxItems": MAX_LIST_ITEMS, "uniqueItems": True}
    )


# --- vocabulary slugs ----------------------------------------------------------------------


VocabularyKind = Literal["condition", "therapy", "specialty"]


def _vocabulary(kind: VocabularyKind) -> dict[str, Any]:
    if kind == "condition":
        return dict(vocabulary.conditions())
    if kind == "therapy":
        return dict(vocabulary.therapies())
    return dict(vocabulary.specialties())


_FIELD_OF: dict[VocabularyKind, str] = {
    "condition": "conditions",
    "therapy": "therapies",
    "specialty": "specialties",
}


_UNKNOWN: dict[VocabularyKind, str] = {
    "condition": "conditions.unknown",
    "therapy": "therapies.unknown",
    "specialty": "specialties.unknown",
}
"""The catalogue's rule for a value missing from each vocabulary."""


def _vocabulary_check(kind: VocabularyKind) -> Callable[[object], str]:
    field = _FIELD_OF[kind]

    def check(value: object) -> str:
        if not isinstance(value, str):
            fail("model.type", f"must be text, not {value!r:.40}")
        slug = vocabulary.canonical(field, value)  # a slug, a name or an alias
        if slug is not None:
            return slug
        guess = vocabulary.suggest(value, _vocabulary(kind), vocabulary.aliases_of(field))
        fix = (
            f'did you mean "{guess}"?' if guess else f"see `kdirectory schema` for the {kind} list"
        )
        fail(_UNKNOWN[kind], f'unknown {kind} "{value}"', fix)

    return check


def _vocabulary_schema(kind: VocabularyKind) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(_vocabulary(kind)),
            "description": f"A {kind} slug. Its name or an alias is accepted too and read as "
            "the slug; editors offer and check the slugs only.",
        }
    )


ConditionSlug = Annotated[
    str,
    PlainValidator(_vocabulary_check("condition")),
    _at_most(MAX_SLUG_TEXT),
    _vocabulary_schema("condition"),
]
TherapySlug = Annotated[
    str,
    PlainValidator(_vocabulary_check("therapy")),
    _at_most(MAX_SLUG_TEXT),
    _vocabulary_schema("therapy"),
]
SpecialtySlug = Annotated[
    str,
    PlainValidator(_vocabulary_check("specialty")),
    _at_most(MAX_SLUG_TEXT),
    _vocabulary_schema("specialty"),
]


def _language(value: object) -> str:
    if not isinstance(value, str):
        fail("model.type", f"must be a language code such as en or es, not {value!r:.40}")
    code = vocabulary.canonical("languages", value)  # a code in any case, or an English name
    if code is not None:
        return code
    guess = vocabulary.suggest(value, LANGUAGE_NAMES, vocabulary.aliases_of("languages"))
    fix = f'did you mean "{guess}"?' if guess else "use an ISO 639-1 code such as en, es, zh, vi"
    fail("languages.unknown", f'unknown language "{value}"', fix)


LanguageCode = Annotated[
    str,
    PlainValidator(_language),
    _at_most(MAX_SLUG_TEXT),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(LANGUAGE_NAMES),
            "description": "An ISO 639-1 language code. The English name (Spanish) is accepted "
            "too and read as the code; editors offer and check the codes only.",
        }
    ),
]


def _payment(value: object) -> object:
    """A payment method named by its slug or an alias ("Credit Card"), as the slug; anything
    else is left for the literal check to list the choices."""
    if isinstance(value, str):
        return vocabulary.canonical("payment", value) or value
    return value


Payment = Annotated[
    PaymentMethod,
    BeforeValidator(_payment),
    _at_most(MAX_SLUG_TEXT),
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(PAYMENT_METHODS),
            "description": "A payment method slug. Other spellings (Credit Card, HSA/FSA) are "
            "accepted too and read as the slug; editors offer and check the slugs only.",
        }
    ),
]


# --- scalars -------------------------------------------------------------------------------


def _url(value: str) -> str:
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f'"{scheme}:"' if scheme else "no scheme"
        fail(
            "url.scheme",
            f'"{value:.80}" is not a web address ({shown})',
            "use a full address starting with https://",
        )
    if not parts.hostname or "." not in parts.hostname or re.search(r"\s", value):
        fail(
            "url.host",
            f'"{value:.80}" is not a complete web address',
            "write it like https://clinic.example/",
        )
    return value


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_URL),
    AfterValidator(_url),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uri",
            "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://",
            "maxLength": MAX_URL,
        }
    ),
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        fail(
            "email.invalid",
            f'"{value:.80}" is not an email address',
            "write it like info@clinic.example",
        )
    return value


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]


def _phone(value: object) -> Phone:
    if isinstance(value, Phone):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        fail("phone.type", f"must be a phone number written as text, not {value!r:.40}")
    try:
        return parse_phone(str(value))
    except PhoneError as exc:
        fail("phone.invalid", exc.message, exc.fix)


PhoneNumber = Annotated[
    Phone,
    PlainValidator(_phone),
    _at_most(MAX_PHONE_TEXT),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_PHONE_TEXT,
            "description": "A US phone number, any common format",
            "examples": ["(760) 555-0123", "760-555-0123 ext. 12"],
        }
    ),
]


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        fail(
            "date.invalid",
            f'"{value!s:.40}" is not a date',
            "write dates as YYYY-MM-DD, e.g. 2026-12-25",
        )
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        fail("date.invalid", f'"{value}" is not a real date ({exc})', "check the day and the month")


Date = Annotated[
    date,
    PlainValidator(_date),
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: str) -> str:
    if value not in _timezones():
        fail(
            "timezone.unknown",
            f'"{value:.60}" is not an IANA time zone',
            "write it like America/Los_Angeles, or leave it out to derive it from the ZIP",
        )
    return value


MAX_TIMEZONE = 64
"""Characters of a time zone name (the longest IANA name has 32)."""
TimeZone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_TIMEZONE),
    AfterValidator(_timezone),
]


# --- hours ---------------------------------------------------------------------------------

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
    return shifts[0] if len(shifts) == 1 else shifts


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


def _interval(value: object) -> Interval:
    if isinstance(value, Interval):
        return value
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
    _at_most(MAX_DAY_TEXT),
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


class WeeklyHours(Model):
    """Regular opening hours; a day left out is unknown, ``closed`` means closed."""

    monday: DaySchedule | None = None
    tuesday: DaySchedule | None = None
    wednesday: DaySchedule | None = None
    thursday: DaySchedule | None = None
    friday: DaySchedule | None = None
    saturday: DaySchedule | None = None
    sunday: DaySchedule | None = None

    def days(self) -> list[tuple[str, list[Interval] | None]]:
        """(weekday, shifts) for every day, Monday first; ``None`` when not stated."""
        return [(day, getattr(self, day)) for day in WEEKDAYS]


class SpecialHours(Model):
    """A holiday or a one-off change to the regular hours."""

    date: Date
    closed: bool = False
    hours: DaySchedule | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _closed_or_hours(self) -> SpecialHours:
        if self.closed and self.hours:
            fail(
                "special_hours.closed_or_hours",
                "says both closed: true and gives hours",
                "keep one of them",
            )
        if not self.closed and self.hours is None:
            fail(
                "special_hours.closed_or_hours",
                "gives neither closed: true nor hours",
                'add closed: true, or hours: "10:00-14:00"',
            )
        return self


# --- address and the rest ------------------------------------------------------------------


def _region(value: str) -> str:
    code = vocabulary.state_code(value)
    if code is None:
        names = {state.name: code for code, state in vocabulary.states().items()}
        guess = vocabulary.suggest(value, [*names, *names.values()])
        guess = names.get(guess, guess) if guess else None
        fix = f'did you mean "{guess}"?' if guess else "use the 2-letter code, e.g. CA"
        fail("address.state", f'"{value:.40}" is not a US state', fix)
    return code


def _postal_code(value: str) -> str:
    if re.fullmatch(r"\d{5}(-\d{4})?", value):
        return value
    if re.fullmatch(r"\d{9}", value):
        return f"{value[:5]}-{value[5:]}"
    if re.fullmatch(r"\d{4}", value):
        fail(
            "address.zip_format",
            f'"{value}" has 4 digits; ZIP codes have 5',
            f'a leading zero was probably lost: write "0{value}" in quotes',
        )
    fail(
        "address.zip_format",
        f'"{value:.40}" is not a ZIP code',
        'write 5 digits or ZIP+4, e.g. "92025"',
    )


class Address(Model):
    """A US postal address; with no ``street`` the clinic is a service-area business."""

    street: Text | None = None
    unit: Text | None = None
    city: Text
    region: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=50), AfterValidator(_region)
    ]
    postal_code: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=20),
            AfterValidator(_postal_code),
        ]
        | None
    ) = None
    country: Literal["US"] = "US"

    @property
    def zip5(self) -> str | None:
        """The 5-digit ZIP, without the +4."""
        return self.postal_code[:5] if self.postal_code else None


class Geo(Model):
    """Coordinates in WGS 84 degrees."""

    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class Provider(Model):
    """A clinician at the clinic, as the clinic names them."""

    name: Text
    credentials: Text | None = None
    role: Text | None = None


class Clinic(Model):
    """One clinic location."""

    name: Text
    slug: (
        Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_SLUG_LENGTH)] | None
    ) = None
    brand: Text | None = None
    url: Url | None = None
    phone: PhoneNumber | None = None
    tracking_phone: PhoneNumber | None = None
    email: Email | None = None
    address: Address
    geo: Geo | None = None
    timezone: TimeZone | None = None
    service_area: Annotated[
        list[Text],
        BeforeValidator(_bounded_list),
        AfterValidator(_no_repeats),
        _list_schema({"type": "string", "minLength": 1, "maxLength": MAX_TEXT}),
    ] = []
    hours: WeeklyHours | None = None
    special_hours: Annotated[list[SpecialHours], BeforeValidator(_bounded_list)] = []
    conditions: Annotated[
        list[ConditionSlug], BeforeValidator(_bounded_list), AfterValidator(_no_repeats)
    ] = []
    therapies: Annotated[
        list[TherapySlug], BeforeValidator(_bounded_list), AfterValidator(_no_repeats)
    ] = []
    specialties: Annotated[
        list[SpecialtySlug], BeforeValidator(_bounded_list), AfterValidator(_no_repeats)
    ] = []
    spravato_rems_certified: bool | None = None
    accepting_new_patients: bool | None = None
    insurance: Annotated[
        list[Text], BeforeValidator(_bounded_list), AfterValidator(_no_repeats)
    ] = []
    payment: Annotated[
        list[Payment],
        BeforeValidator(_bounded_list),
        AfterValidator(_no_repeats),
    ] = []
    price_range: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        None
    )
    languages: Annotated[
        list[LanguageCode], BeforeValidator(_bounded_list), AfterValidator(_no_repeats)
    ] = []
    providers: Annotated[list[Provider], BeforeValidator(_bounded_list)] = []
    same_as: Annotated[list[Url], BeforeValidator(_bounded_list), AfterValidator(_no_repeats)] = []
    description: LongText | None = None
    updated: Date | None = None

    @property
    def is_service_area(self) -> bool:
        """True when the clinic gives no street address (it serves a city or region)."""
        return self.address.street is None

    @property
    def call_phone(self) -> Phone | None:
        """The number the call button dials: the tracking number when there is one."""
        return self.tracking_phone or self.phone


# --- canonical form ------------------------------------------------------------------------


def canonical_record(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (a record as read from a file, typed or imported) with every entry of a list
    field that a vocabulary alias names written as its slug or code (``anxiety`` ->
    ``generalized-anxiety``, ``Spanish`` -> ``es``) and every day's hours in the 24-hour form
    (``9am-5pm`` -> ``09:00-17:00``), through the same :func:`vocabulary.canonical`,
    :func:`time_range` and :func:`day_hours` the model validates with. Values that name
    nothing known are left as written, for validation to explain, and so is text holding a
    control character (the reader of aliases skips punctuation, so ``"pt\\x00sd"`` would
    become ``ptsd``: the model refuses it instead). ``data`` is not changed.
    """
    out = dict(data)
    for name in vocabulary.ALIASED_FIELDS:
        items = out.get(name)
        if isinstance(items, list):
            out[name] = [
                (vocabulary.canonical(name, item) or item) if _plain_text(item) else item
                for item in items
            ]
    hours = out.get("hours")
    if isinstance(hours, dict):
        out["hours"] = {day: _canonical_day(value) for day, value in hours.items()}
    special = out.get("special_hours")
    if isinstance(special, list):
        out["special_hours"] = [
            {**entry, "hours": _canonical_day(entry["hours"])}
            if isinstance(entry, dict) and "hours" in entry
            else entry
            for entry in special
        ]
    return out


def _canonical_day(value: object) -> object:
    if _plain_text(value):
        return day_hours(value) or value
    if isinstance(value, list):
        return [(time_range(item) or item) if _plain_text(item) else item for item in value]
    return value


def _plain_text(value: object) -> TypeGuard[str]:
    """Text without a control character: what :func:`canonical_record` may rewrite."""
    return isinstance(value, str) and CONTROL_CHARACTER.search(value) is None

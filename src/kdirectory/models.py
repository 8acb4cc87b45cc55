"""The clinic record (DESIGN.md §2) as pydantic models.

Each constrained value is an ``Annotated`` type with its own validator so that a problem is
reported at the exact field path (``hours.monday[1]``) with a message and a hint. Messages are
raised as ``PydanticCustomError`` with the hint in the error context; ``validate.py`` turns
them into :class:`~kdirectory.report.Problem` objects.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Annotated, Any, Literal, NoReturn, get_args
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
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kdirectory import vocabulary
from kdirectory.languages import LANGUAGE_ALIASES, LANGUAGE_NAMES
from kdirectory.phones import Phone, PhoneError, parse_phone
from kdirectory.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN

MAX_LIST_ITEMS = 40
"""No real clinic lists more conditions, therapies or languages than this."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PaymentMethod = Literal[
    "cash", "check", "credit-card", "debit-card", "hsa-fsa", "financing", "insurance"
]
PAYMENT_METHODS: tuple[str, ...] = get_args(PaymentMethod)


def fail(code: str, message: str, hint: str | None = None) -> NoReturn:
    """Reject a value with a message and a hint, reported at the field being validated."""
    raise PydanticCustomError(code, "{message}", {"message": message, "hint": hint or ""})


class Model(BaseModel):
    """Shared settings: unknown fields are errors, text is stripped, instances are frozen."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


# --- lists ---------------------------------------------------------------------------------


def _bounded_list(value: object) -> object:
    if isinstance(value, str):
        fail(
            "list_type",
            f'must be a list, not the text "{value:.60}"',
            f"write it as a list: [{value:.40}]",
        )
    if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
        fail(
            "too_long",
            f"has {len(value):,} entries; at most {MAX_LIST_ITEMS} are allowed",
            "list only what this clinic really offers",
        )
    return value


def _no_repeats(value: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for item in value:
        if str(item) in seen:
            fail("duplicate", f'lists "{item}" twice', "remove the repeat")
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


def _vocabulary_check(kind: VocabularyKind) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str):
            fail("string_type", f"must be text, not {value!r:.40}")
        known = _vocabulary(kind)
        if value in known:
            return value
        aliases = {
            alias: slug for slug, entry in known.items() for alias in (entry.name, *entry.aliases)
        }
        guess = vocabulary.resolve(kind, value) or vocabulary.suggest(value, known, aliases)
        hint = (
            f'did you mean "{guess}"?' if guess else f"see `kdirectory schema` for the {kind} list"
        )
        fail(f"unknown_{kind}", f'unknown {kind} "{value}"', hint)

    return check


def _vocabulary_schema(kind: VocabularyKind) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "enum": sorted(_vocabulary(kind)), "description": f"A {kind} slug"}
    )


ConditionSlug = Annotated[
    str, PlainValidator(_vocabulary_check("condition")), _vocabulary_schema("condition")
]
TherapySlug = Annotated[
    str, PlainValidator(_vocabulary_check("therapy")), _vocabulary_schema("therapy")
]
SpecialtySlug = Annotated[
    str, PlainValidator(_vocabulary_check("specialty")), _vocabulary_schema("specialty")
]


def _language(value: object) -> str:
    if not isinstance(value, str):
        fail("string_type", f"must be a language code such as en or es, not {value!r:.40}")
    code = value.strip()
    if code in LANGUAGE_NAMES:
        return code
    guess = LANGUAGE_ALIASES.get(code.lower()) or (
        code.lower() if code.lower() in LANGUAGE_NAMES else None
    )
    hint = f'use the code "{guess}"' if guess else "use an ISO 639-1 code such as en, es, zh, vi"
    fail("unknown_language", f'unknown language "{value}"', hint)


LanguageCode = Annotated[
    str,
    PlainValidator(_language),
    WithJsonSchema({"type": "string", "enum": sorted(LANGUAGE_NAMES)}),
]


# --- scalars -------------------------------------------------------------------------------


def _url(value: str) -> str:
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f'"{scheme}:"' if scheme else "no scheme"
        fail(
            "url_scheme",
            f'"{value:.80}" is not a web address ({shown})',
            "use a full address starting with https://",
        )
    if not parts.hostname or "." not in parts.hostname or re.search(r"\s", value):
        fail(
            "url_host",
            f'"{value:.80}" is not a complete web address',
            "write it like https://clinic.example/",
        )
    return value


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}),
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        fail("email", f'"{value:.80}" is not an email address', "write it like info@clinic.example")
    return value


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]


def _phone(value: object) -> Phone:
    if isinstance(value, Phone):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        fail("phone_type", f"must be a phone number written as text, not {value!r:.40}")
    try:
        return parse_phone(str(value))
    except PhoneError as exc:
        fail("phone", exc.message, exc.hint)


PhoneNumber = Annotated[
    Phone,
    PlainValidator(_phone),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "A US phone number, any common format",
            "examples": ["(760) 555-0123", "760-555-0123 ext. 12"],
        }
    ),
]


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        fail("date", f'"{value!s:.40}" is not a date', "write dates as YYYY-MM-DD, e.g. 2026-12-25")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        fail("date", f'"{value}" is not a real date ({exc})', "check the day and the month")


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
            "timezone",
            f'"{value:.60}" is not an IANA time zone',
            "write it like America/Los_Angeles, or leave it out to derive it from the ZIP",
        )
    return value


TimeZone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_timezone)]


# --- hours ---------------------------------------------------------------------------------

# A hyphen or an en dash (U+2013, as word processors write it) separates the two times.
RANGE_PATTERN = r"^\d{1,2}:\d{2}\s*[-\u2013]\s*\d{1,2}:\d{2}$"
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})$")


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
            "hours_type",
            f"{value!r:.40} is not a time range",
            'write opening hours as "09:00-17:00" in quotes',
        )
    match = _RANGE.match(value.strip())
    if not match:
        fail(
            "hours_format",
            f'"{value:.40}" is not a time range like 09:00-17:00',
            'use 24-hour HH:MM-HH:MM, e.g. "09:00-17:00", or "closed"',
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        fail(
            "hours_time",
            f'"{value}" has a time that does not exist',
            "hours run 00:00-23:59; use 24:00 only for midnight at closing",
        )
    opens, closes = h1 * 60 + m1, h2 * 60 + m2
    if closes <= opens:
        fail(
            "hours_reversed",
            f'"{value}" closes before it opens',
            "for hours past midnight, end this day at 24:00 and start the next at 00:00",
        )
    return Interval(opens, closes)


def _day_to_list(value: object) -> object:
    if isinstance(value, str):
        return [] if value.strip().lower() == "closed" else [value]
    if value is None:
        fail("hours_missing", "has no hours", 'write "closed" or a time range like "09:00-17:00"')
    return value


def _no_overlap(intervals: list[Interval]) -> list[Interval]:
    ordered = sorted(intervals)
    for before, after in pairwise(ordered):
        if after.opens < before.closes:
            fail(
                "hours_overlap",
                f"{before} and {after} overlap",
                "merge them into one range or fix the times",
            )
    return ordered


OpeningInterval = Annotated[
    Interval,
    PlainValidator(_interval),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": RANGE_PATTERN}),
]
DaySchedule = Annotated[
    list[OpeningInterval],
    BeforeValidator(_day_to_list),
    AfterValidator(_no_overlap),
    WithJsonSchema(
        {
            "anyOf": [
                {"const": "closed"},
                {"type": "string", "pattern": RANGE_PATTERN},
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": RANGE_PATTERN},
                    "maxItems": 6,
                },
            ],
            "description": 'Opening hours: "closed", "09:00-17:00", or a list of shifts',
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
            fail("special_hours", "says both closed: true and gives hours", "keep one of them")
        if not self.closed and self.hours is None:
            fail(
                "special_hours",
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
        hint = f'did you mean "{guess}"?' if guess else "use the 2-letter code, e.g. CA"
        fail("region", f'"{value:.40}" is not a US state', hint)
    return code


def _postal_code(value: str) -> str:
    if re.fullmatch(r"\d{5}(-\d{4})?", value):
        return value
    if re.fullmatch(r"\d{9}", value):
        return f"{value[:5]}-{value[5:]}"
    if re.fullmatch(r"\d{4}", value):
        fail(
            "postal_code",
            f'"{value}" has 4 digits; ZIP codes have 5',
            f'a leading zero was probably lost: write "0{value}" in quotes',
        )
    fail("postal_code", f'"{value:.40}" is not a ZIP code', 'write 5 digits or ZIP+4, e.g. "92025"')


class Address(Model):
    """A US postal address; with no ``street`` the clinic is a service-area business."""

    street: Text | None = None
    unit: Text | None = None
    city: Text
    region: Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_region)]
    postal_code: (
        Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_postal_code)]
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
    """One clinic location (DESIGN.md §2)."""

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
        _list_schema({"type": "string"}),
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
        list[PaymentMethod],
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

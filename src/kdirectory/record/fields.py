"""The types of a record's fields, each with its own validator.

Each constrained value is an ``Annotated`` type with its own validator so that a problem is
reported at the exact field path (``address.postal_code``, ``languages[2]``) with a message
and a fix: text and its limits, lists, vocabulary entries (conditions, therapies,
specialties, languages, payment methods), web and email addresses, phone numbers, NPIs, a
testimonial's consent, dates, time zones, states and ZIP codes. Opening hours have their
own module, :mod:`kdirectory.record.hours`. Messages are raised as ``PydanticCustomError`` by
:func:`fail`, with the fix in the error context; ``validate.py`` turns them into
:class:`~kdirectory.report.Problem` objects. The models that use these types are in
:mod:`kdirectory.record.model`.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, NoReturn, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError, PydanticKnownError

from kdirectory.record import vocabulary
from kdirectory.record.languages import LANGUAGE_NAMES
from kdirectory.record.npi import check_digit as npi_check_digit
from kdirectory.record.npi import is_npi_form
from kdirectory.record.phones import Phone, PhoneError, parse_phone

MAX_LIST_ITEMS = 40
"""No real clinic lists more conditions, therapies or languages than this."""
MAX_TEXT = 200
"""Characters of a name, a street, a city, an insurer, a note: no real one is longer."""
MAX_LONG_TEXT = 10_000
"""Characters of the description: a few paragraphs."""
MAX_BIO = 2_000
"""Characters of a provider's bio: a paragraph or two."""
MAX_QUOTE = 1_000
"""Characters of a testimonial's quote: a few sentences."""
MAX_ATTRIBUTION = 80
"""Characters of who a testimonial is from: a first name and a town."""
MAX_ALT = 250
"""Characters of a photo's alternative text: one sentence that says what it shows."""
MAX_PATH = 500
"""Characters of a file's path in the project."""
MAX_SLUG_TEXT = 100
"""Characters of one condition, therapy, specialty, language or payment method (by slug,
name or alias; the longest name is about 30)."""
MAX_PHONE_TEXT = 50
"""Characters of a phone number as written (``+1 (760) 555-0123 extension 12345`` is 33)."""
MAX_URL = 2000
"""Characters of a web address (what browsers and search engines handle)."""
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


# --- text ----------------------------------------------------------------------------------


def at_most(limit: int) -> BeforeValidator:
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


Bio = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BIO)]
Quote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUOTE)]
Attribution = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ATTRIBUTION)
]
AltText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ALT)]
ProjectPath = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PATH)
]
"""A file's path from the project folder (``photos/lobby.jpg``); the file itself is
checked by :mod:`kdirectory.record.photos`."""


# --- lists ---------------------------------------------------------------------------------


def bounded_list(value: object) -> object:
    """Refuse text where a list belongs, and a list of more than :data:`MAX_LIST_ITEMS`."""
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


def no_repeats(value: list[Any]) -> list[Any]:
    """Refuse a list that names one entry twice."""
    seen: set[str] = set()
    for item in value:
        if str(item) in seen:
            fail("list.duplicate", f'lists "{item}" twice', "remove the repeat")
        seen.add(str(item))
    return value


def list_schema(items: dict[str, Any]) -> WithJsonSchema:
    """The JSON Schema of a list of ``items``, as :func:`bounded_list` and
    :func:`no_repeats` check it."""
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
    at_most(MAX_SLUG_TEXT),
    _vocabulary_schema("condition"),
]
TherapySlug = Annotated[
    str,
    PlainValidator(_vocabulary_check("therapy")),
    at_most(MAX_SLUG_TEXT),
    _vocabulary_schema("therapy"),
]
SpecialtySlug = Annotated[
    str,
    PlainValidator(_vocabulary_check("specialty")),
    at_most(MAX_SLUG_TEXT),
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
    at_most(MAX_SLUG_TEXT),
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
    at_most(MAX_SLUG_TEXT),
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

_NPI_REGISTRY = "the NPI Registry (npiregistry.cms.hhs.gov)"


def _npi(value: object) -> str:
    if not isinstance(value, str):
        fail(
            "npi.format",
            f"must be the 10-digit NPI written as text, not {value!r:.40}",
            'write it in quotes, e.g. npi: "1234567893"',
        )
    if not is_npi_form(value):
        digits = sum(ch.isdigit() for ch in value)
        fail(
            "npi.format",
            f'"{value:.40}" is not an NPI: an NPI is 10 digits and nothing else (found '
            f"{digits} digit{'' if digits == 1 else 's'})",
            f"copy the provider's number from {_NPI_REGISTRY}",
        )
    expected = npi_check_digit(value[:9])
    if int(value[9]) != expected:
        fail(
            "npi.check_digit",
            f'"{value}" is not a valid NPI: its last digit, the check digit, should be '
            f"{expected} for the nine digits before it, not {value[9]}",
            f"a digit was probably mistyped: compare the number with {_NPI_REGISTRY}",
        )
    return value


Npi = Annotated[
    str,
    PlainValidator(_npi),
    at_most(10),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{10}$",
            "maxLength": 10,
            "description": "A National Provider Identifier: 10 digits, the last a check digit",
            "examples": ["1234567893"],
        }
    ),
]


def _consent(value: object) -> bool:
    if value is True:
        return True
    if value is None:
        what = "is missing"
    elif value is False:
        what = "is false"
    else:
        what = f"is {value!r:.40}, not true"
    fail(
        "testimonials.consent",
        f"{what}: the clinic must hold the patient's written permission to publish the testimonial",
        "set consent: true only when it does",
    )


Consent = Annotated[
    bool | None,
    PlainValidator(_consent),
    WithJsonSchema(
        {
            "const": True,
            "description": "true: the clinic holds the patient's written permission to "
            "publish the testimonial",
        }
    ),
]
"""``true``, and nothing else: a testimonial is published only with the patient's written
permission. Give the field ``Field(default=None, validate_default=True)`` so that a
missing one is refused at its place."""


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
    at_most(MAX_PHONE_TEXT),
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


# --- address -------------------------------------------------------------------------------


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


Region = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=50), AfterValidator(_region)
]
"""A US state by its 2-letter code or its name, read as the code."""
PostalCode = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20), AfterValidator(_postal_code)
]
"""A 5-digit ZIP code or ZIP+4 (9 digits are read as ZIP+4)."""

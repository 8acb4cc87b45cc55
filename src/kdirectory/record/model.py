"""The clinic record as pydantic models: :class:`Clinic` and its parts (:class:`Address`,
:class:`Geo`, :class:`Provider`, :class:`Testimonial`, :class:`Photo`, :class:`WeeklyHours`,
:class:`SpecialHours`).

The types of their fields, each with its own validator, are in
:mod:`kdirectory.record.fields` and :mod:`kdirectory.record.hours`. :func:`canonical_record`
writes a record's vocabulary entries and opening hours in their canonical form before the
models read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeGuard

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from kdirectory.record import vocabulary
from kdirectory.record.fields import (
    CONTROL_CHARACTER,
    MAX_TEXT,
    AltText,
    Attribution,
    Bio,
    ConditionSlug,
    Consent,
    Date,
    Email,
    LanguageCode,
    LongText,
    Npi,
    Payment,
    PhoneNumber,
    PostalCode,
    ProjectPath,
    Quote,
    Region,
    SpecialtySlug,
    Text,
    TherapySlug,
    TimeZone,
    Url,
    bounded_list,
    control_character_problem,
    fail,
    list_schema,
    no_repeats,
)
from kdirectory.record.hours import WEEKDAYS, DaySchedule, Interval, day_hours, time_range
from kdirectory.record.phones import Phone
from kdirectory.record.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN


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
        elif not isinstance(value, list | tuple):
            return value  # not text
        else:
            try:
                joined = "".join(value)  # one search for a list of text
            except TypeError:
                joined = None  # not all text: look at each item
            if joined is not None and CONTROL_CHARACTER.search(joined) is None:
                return value  # a list of text without one
        errors = _control_character_errors(value)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return value


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


class Address(Model):
    """A US postal address; with no ``street`` the clinic is a service-area business."""

    street: Text | None = None
    unit: Text | None = None
    city: Text
    region: Region
    postal_code: PostalCode | None = None
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
    npi: Npi | None = None
    bio: Bio | None = None


def _consent_required(schema: dict[str, Any]) -> None:
    """``consent`` is required in the JSON Schema, and ``true`` its only value (the model
    gives it a default only to refuse a missing one at its own place)."""
    schema["required"] = sorted({*schema.get("required", ()), "consent"})
    schema["properties"]["consent"].pop("default", None)


class Testimonial(Model):
    """A patient's words about the clinic, published with their written permission."""

    model_config = ConfigDict(json_schema_extra=_consent_required)

    quote: Quote
    attribution: Attribution
    date: Date | None = None
    consent: Consent = Field(default=None, validate_default=True)


class Photo(Model):
    """A photo of the clinic: an image file in the project and the text that says what it
    shows (for people who cannot see it)."""

    file: ProjectPath
    alt: AltText
    caption: Text | None = None


class Clinic(Model):
    """One clinic location."""

    name: Text
    slug: (
        Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_SLUG_LENGTH)] | None
    ) = None
    brand: Text | None = None
    url: Url | None = None
    booking_url: Url | None = None
    phone: PhoneNumber | None = None
    tracking_phone: PhoneNumber | None = None
    email: Email | None = None
    address: Address
    geo: Geo | None = None
    timezone: TimeZone | None = None
    service_area: Annotated[
        list[Text],
        BeforeValidator(bounded_list),
        AfterValidator(no_repeats),
        list_schema({"type": "string", "minLength": 1, "maxLength": MAX_TEXT}),
    ] = []
    hours: WeeklyHours | None = None
    special_hours: Annotated[list[SpecialHours], BeforeValidator(bounded_list)] = []
    conditions: Annotated[
        list[ConditionSlug], BeforeValidator(bounded_list), AfterValidator(no_repeats)
    ] = []
    therapies: Annotated[
        list[TherapySlug], BeforeValidator(bounded_list), AfterValidator(no_repeats)
    ] = []
    specialties: Annotated[
        list[SpecialtySlug], BeforeValidator(bounded_list), AfterValidator(no_repeats)
    ] = []
    spravato_rems_certified: bool | None = None
    accepting_new_patients: bool | None = None
    insurance: Annotated[list[Text], BeforeValidator(bounded_list), AfterValidator(no_repeats)] = []
    payment: Annotated[
        list[Payment],
        BeforeValidator(bounded_list),
        AfterValidator(no_repeats),
    ] = []
    price_range: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        None
    )
    languages: Annotated[
        list[LanguageCode], BeforeValidator(bounded_list), AfterValidator(no_repeats)
    ] = []
    providers: Annotated[list[Provider], BeforeValidator(bounded_list)] = []
    testimonials: Annotated[list[Testimonial], BeforeValidator(bounded_list)] = []
    photos: Annotated[list[Photo], BeforeValidator(bounded_list)] = []
    same_as: Annotated[list[Url], BeforeValidator(bounded_list), AfterValidator(no_repeats)] = []
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

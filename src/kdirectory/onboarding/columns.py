"""Which spreadsheet column fills which record field.

Headers are compared in a normal form that ignores case, spaces and punctuation, so
"Zip Code", "ZIP_CODE" and "zip-code" are one header. ``--map "Column=field"`` overrides
what is recognised; ``--map "Column=ignore"`` drops a column. ``--set "field=value"`` gives
a field one value for every row that leaves it empty.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from kdirectory.exceptions import ColumnMappingError
from kdirectory.onboarding.safe_text import listed, quoted
from kdirectory.record import vocabulary
from kdirectory.record.hours import WEEKDAYS

ONE_LINE_ADDRESS = "address"
"""The pseudo-field of a column holding a whole address on one line; it is split on import."""

MAX_SUGGESTED_FROM = 5_000
"""Past this many headers, a --map naming none of them gets no "did you mean" (finding
the closest of 200,000 takes seconds)."""
IGNORE_WORDS = frozenset({"ignore", "skip", "none", "-"})

FIELDS: dict[str, str] = {
    "name": "clinic name",
    "slug": "URL slug",
    "brand": "brand that groups branches",
    "url": "clinic website",
    "booking_url": "online booking page",
    "phone": "main phone",
    "tracking_phone": "call-tracking phone",
    "email": "email",
    ONE_LINE_ADDRESS: "whole address on one line (split into the parts below)",
    "address.street": "street",
    "address.unit": "suite or unit",
    "address.city": "city",
    "address.region": "state",
    "address.postal_code": "ZIP code",
    "geo.lat": "latitude (the clinic's own position)",
    "geo.lon": "longitude (the clinic's own position)",
    "timezone": "IANA time zone",
    "description": "description",
    "price_range": "price range",
    "accepting_new_patients": "accepting new patients (yes/no)",
    "spravato_rems_certified": "Spravato REMS certified (yes/no)",
    "conditions": "conditions treated (list)",
    "therapies": "therapies offered (list)",
    "specialties": "medical specialties (list)",
    "insurance": "insurance accepted (list)",
    "payment": "payment methods (list)",
    "languages": "languages spoken (list)",
    "service_area": "other cities served (list)",
    "same_as": "profile links (list)",
    **{f"hours.{day}": f"{day.capitalize()} hours" for day in WEEKDAYS},
}
"""Every field a column can fill, with the words the mapping report uses for it."""

LIST_FIELDS = frozenset(
    {
        "conditions",
        "therapies",
        "specialties",
        "insurance",
        "payment",
        "languages",
        "service_area",
        "same_as",
    }
)
BOOLEAN_FIELDS = frozenset({"accepting_new_patients", "spravato_rems_certified"})
NOT_SETTABLE = frozenset(
    {
        "name",
        "slug",
        ONE_LINE_ADDRESS,
        "address.street",
        "address.unit",
        "address.postal_code",
        "geo.lat",
        "geo.lon",
        "phone",
        "tracking_phone",
    }
)
"""Fields that tell one clinic from another: ``--set`` cannot give them to every row."""


class SetOptionError(ColumnMappingError):
    """A ``--set FIELD=VALUE`` that is not of that form, names no field, names a field that
    differs per clinic, or gives a value the field rejects. A usage error like a wrong
    ``--map``: the command exits 2."""


_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "practice name", "practice", "location name", "clinic name", "clinic",
        "business name", "business", "facility name", "facility", "office name",
        "company name", "company", "dba", "doing business as", "listing name", "account name",
        "store name",
    ),
    "slug": ("slug",),
    "brand": (
        "brand", "brand name", "parent organization", "parent organisation", "organization",
        "organisation", "chain", "parent company", "practice group",
    ),
    "url": (
        "website", "web site", "url", "website url", "web address", "website address",
        "homepage", "home page", "web", "landing page url",
    ),
    "booking_url": (
        "booking url", "booking link", "booking page", "online booking", "book online",
        "booking", "appointment url", "appointment link", "scheduling url", "scheduling link",
    ),
    "phone": (
        "phone", "phone number", "main phone", "main phone number", "telephone",
        "telephone number", "tel", "phone 1", "primary phone", "office phone",
        "business phone", "contact phone", "main number", "phone no", "phone #",
    ),
    "tracking_phone": (
        "tracking phone", "tracking number", "call tracking number", "call tracking phone",
    ),
    "email": ("email", "e-mail", "email address", "contact email", "main email"),
    ONE_LINE_ADDRESS: ("address", "full address", "complete address", "one line address"),
    "address.street": (
        "street", "street address", "address 1", "address line 1", "street 1",
        "street line 1", "line 1", "street address 1", "address street",
    ),
    "address.unit": (
        "address 2", "address line 2", "suite", "unit", "ste", "suite number", "suite unit",
        "suite/unit", "apt", "street 2", "street line 2", "line 2", "floor", "room",
    ),
    "address.city": ("city", "town", "city/town", "locality", "municipality"),
    "address.region": (
        "state", "st", "province", "region", "state code", "state/province",
        "state abbreviation", "state abbr",
    ),
    "address.postal_code": (
        "zip", "zip code", "zipcode", "postal", "postal code", "postcode", "zip/postal code",
        "zip 5", "zip+4",
    ),
    "timezone": ("time zone", "timezone", "tz"),
    "description": (
        "description", "about", "overview", "business description", "summary",
    ),
    "price_range": ("price range", "pricing", "price", "cost"),
    "accepting_new_patients": (
        "accepting new patients", "new patients", "accepting patients",
    ),
    "spravato_rems_certified": (
        "spravato rems certified", "rems certified", "spravato certified", "rems",
    ),
    "conditions": ("conditions", "conditions treated", "treats"),
    "therapies": ("therapies", "ketamine therapies"),
    "specialties": ("specialties", "specialty", "medical specialty", "medical specialties"),
    "insurance": (
        "insurance", "insurances", "insurance accepted", "insurance plans",
        "accepted insurance",
    ),
    "payment": ("payment", "payment methods", "payments accepted", "payment options"),
    "languages": ("languages", "languages spoken", "language"),
    "service_area": ("service area", "service areas", "areas served", "cities served"),
    "same_as": ("same as", "social profiles", "social links", "profiles"),
    **{
        f"hours.{day}": (day, day[:3], f"{day} hours", f"{day[:3]} hours", f"hours {day}")
        for day in WEEKDAYS
    },
}  # fmt: skip

_NOT_IMPORTED: dict[str, str] = {
    **dict.fromkeys(
        ("lat", "latitude", "lon", "lng", "long", "longitude", "coordinates", "geo"),
        "coordinates are often a ZIP centre, not the clinic; map them only if exact "
        "(--map 'COLUMN=geo.lat')",
    ),
    **dict.fromkeys(("county", "country"), "not a record field"),
}


def header_key(header: str) -> str:
    """The normal form of a header: lowercase letters and digits only, ``&`` read as "and".

    >>> header_key(" Zip-Code "), header_key("ADDRESS_LINE_1"), header_key("Phone #")
    ('zipcode', 'addressline1', 'phone')
    """
    return re.sub(r"[^a-z0-9]+", "", header.casefold().replace("&", "and"))


_BY_KEY: dict[str, str] = {
    header_key(alias): target for target, aliases in _ALIASES.items() for alias in aliases
}


@dataclass(frozen=True)
class ColumnChoice:
    """What became of one column: the field it fills (``None`` when ignored) and why."""

    index: int
    header: str
    field: str | None
    how: str
    """``recognised``, ``--map`` or ``ignored``."""
    note: str = ""


@dataclass
class ColumnMapping:
    """The mapping of a spreadsheet's columns to record fields."""

    columns: list[ColumnChoice]
    by_field: dict[str, int] = field(default_factory=dict)

    def column_of(self, field_name: str) -> str | None:
        """The header of the column that fills ``field_name``, if any."""
        index = self.by_field.get(field_name)
        return self.columns[index].header if index is not None else None

    @property
    def ignored(self) -> list[ColumnChoice]:
        """Columns that fill no field."""
        return [c for c in self.columns if c.field is None]


def parse_map_options(options: Sequence[str]) -> list[tuple[str, str | None]]:
    """``["Clinic Title=name", "Fax=ignore"]`` -> ``[("Clinic Title", "name"), ("Fax", None)]``.

    Raises:
        ColumnMappingError: an option is not ``COLUMN=FIELD`` or names no known field.
    """
    parsed: list[tuple[str, str | None]] = []
    for option in options:
        column, sep, target = option.rpartition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column:
            raise ColumnMappingError(
                f'--map {quoted(option)}: expected "COLUMN=FIELD", e.g. --map "Practice Name=name"'
            )
        if target.casefold() in IGNORE_WORDS or not target:
            parsed.append((column, None))
            continue
        parsed.append((column, _field_named(target, option)))
    return parsed


def parse_set_options(options: Sequence[str]) -> dict[str, str]:
    """``["therapies=ketamine-therapy", "accepting_new_patients=yes"]`` -> ``{"therapies":
    "ketamine-therapy", "accepting_new_patients": "yes"}``: the field each ``--set`` names
    (as ``--map`` reads field names) and its value as typed. The values are checked by
    :func:`kdirectory.onboarding.records.check_set_values`.

    Raises:
        SetOptionError: an option is not ``FIELD=VALUE``, names no field or names a field
            that differs per clinic, or two options name one field.
    """
    fields: dict[str, str] = {}
    for option in options:
        target, sep, value = option.partition("=")
        target, value = target.strip(), value.strip()
        if not sep or not target or not value:
            raise SetOptionError(
                f'--set {quoted(option)}: expected "FIELD=VALUE", e.g. --set '
                '"therapies=ketamine-therapy"'
            )
        name = _field_named(target, option, "--set", SetOptionError)
        if name in NOT_SETTABLE:
            raise SetOptionError(
                f"--set {quoted(option)}: {name} differs from clinic to clinic, so it cannot "
                "be set for every row (give it in a column, and map the column with --map)"
            )
        if name in fields:
            raise SetOptionError(
                f"--set {quoted(option)}: {name} is set twice; keep one --set for it"
            )
        fields[name] = value
    return fields


def _field_named(
    target: str,
    option: str,
    flag: str = "--map",
    error: type[ColumnMappingError] = ColumnMappingError,
) -> str:
    if target in FIELDS:
        return target
    short = {name.rpartition(".")[2]: name for name in FIELDS if "." in name}
    if target in short:
        return short[target]
    by_alias = _BY_KEY.get(header_key(target))
    if by_alias is not None:
        return by_alias
    guess = vocabulary.suggest(target, list(FIELDS))
    hint = f'did you mean "{guess}"?' if guess else "see `kdirectory import --help`"
    choices = ", ".join(name for name in FIELDS if flag == "--map" or name not in NOT_SETTABLE)
    raise error(
        f"{flag} {quoted(option)}: {quoted(target)} is not a record field ({hint}); fields: "
        + choices
        + (", or ignore" if flag == "--map" else "")
    )


def map_columns(
    headers: Sequence[str], options: Sequence[str] = (), provided: Collection[str] = ()
) -> ColumnMapping:
    """Map ``headers`` to fields: ``--map`` options first, then the recognised headers.
    ``provided`` are fields ``--set`` gives every row: the city or the state need no column
    then.

    Raises:
        ColumnMappingError: a ``--map`` names a column the file does not have, or no column
            gives the clinic's name, or neither city and state nor a one-line address.
    """
    explicit: dict[int, str | None] = {}
    for column, target in parse_map_options(options):
        index = _find_column(headers, column)
        explicit[index] = target
    claimed = {target for target in explicit.values() if target is not None}
    if len(claimed) < sum(1 for target in explicit.values() if target is not None):
        raise ColumnMappingError("two --map options name the same field; keep one of them")
    choices: list[ColumnChoice] = []
    by_field: dict[str, int] = {}
    for index, header in enumerate(headers):
        if index in explicit:
            target = explicit[index]
            if target is None:
                choices.append(ColumnChoice(index, header, None, "--map", "ignored as asked"))
            else:
                choices.append(ColumnChoice(index, header, target, "--map"))
                by_field[target] = index
            continue
        choices.append(_recognise(index, header, claimed, by_field))
    mapping = ColumnMapping(columns=choices, by_field=by_field)
    _check_required(mapping, headers, provided)
    return mapping


def _recognise(
    index: int, header: str, claimed: set[str], by_field: dict[str, int]
) -> ColumnChoice:
    key = header_key(header)
    if not key:
        return ColumnChoice(index, header, None, "ignored", "no header")
    target = _BY_KEY.get(key)
    if target is None:
        note = _NOT_IMPORTED.get(key, "no matching field")
        return ColumnChoice(index, header, None, "ignored", note)
    if target in claimed:
        return ColumnChoice(index, header, None, "ignored", f"{target} is set by --map")
    if target in by_field:
        return ColumnChoice(
            index,
            header,
            None,
            "ignored",
            f"an earlier column also looks like {target}; map this one with --map to use it",
        )
    by_field[target] = index
    return ColumnChoice(index, header, target, "recognised")


def _find_column(headers: Sequence[str], column: str) -> int:
    for index, header in enumerate(headers):
        if header.strip() == column:
            return index
    matches = [i for i, header in enumerate(headers) if header_key(header) == header_key(column)]
    if len(matches) == 1:
        return matches[0]
    named = [h for h in headers if h.strip()]
    guess = vocabulary.suggest(column, named) if len(named) <= MAX_SUGGESTED_FROM else None
    hint = f" (did you mean {quoted(guess)}?)" if guess else ""
    raise ColumnMappingError(
        f"--map {quoted(column + '=…')}: the file has no column {quoted(column)}{hint}; its "
        f"{len(named):,} columns are: {listed(named)}"
    )


def _check_required(
    mapping: ColumnMapping, headers: Sequence[str], provided: Collection[str]
) -> None:
    named = [h for h in headers if h.strip()]
    columns = (
        f"the {len(named):,} columns are: {listed(named)}" if named else "no column has a header"
    )
    if "name" not in mapping.by_field:
        raise ColumnMappingError(
            f'no column gives the clinic\'s name; name it with --map "COLUMN=name" ({columns})'
        )
    given = mapping.by_field.keys() | set(provided)
    has_place = {"address.city", "address.region"} <= given
    if not has_place and ONE_LINE_ADDRESS not in mapping.by_field:
        missing = [f for f in ("address.city", "address.region") if f not in given]
        raise ColumnMappingError(
            f"no column gives {' or '.join(missing)}, and no column holds a one-line address; "
            f'map them with --map "COLUMN={missing[0]}" or --map "COLUMN=address", or, when '
            f'every row has the same one, give it with --set "{missing[0]}=VALUE" '
            f"({columns})"
        )

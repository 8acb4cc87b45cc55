"""Repair what spreadsheets do to clinic data, saying what was changed.

Each function takes one cell's value and returns the clean text plus :class:`Note` objects
for the repairs it made (shown as warnings and written into the record's header comment),
or raises :class:`DamagedCellError` when the cell cannot be repaired safely (a formula, a phone
number Excel rounded to scientific notation). Nothing here guesses: a 4-digit ZIP gets its
leading zero back only when the state says which ZIP it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from kdirectory.onboarding.safe_text import (
    control_characters,
    is_formula,
    quoted,
    unprotected,
)
from kdirectory.onboarding.tabular import Cell, Formula, cell_text
from kdirectory.onboarding.titlecase import is_all_caps, title_case
from kdirectory.record import vocabulary
from kdirectory.record.addresses import is_po_box
from kdirectory.record.gazetteer import zip_info
from kdirectory.record.hours import day_hours

TITLE_CASED_FIELDS = frozenset(
    {"name", "brand", "address.street", "address.unit", "address.city", "service_area"}
)
MULTILINE_FIELDS = frozenset({"description"})
_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "✓", "✔"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})
PLACEHOLDERS = frozenset(
    {"n/a", "na", "none", "null", "nil", "-", "--", "—", "tbd", "tba", "unknown", "?", "#n/a"}
)
"""What spreadsheets put in a cell that has no value; read as empty."""
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85]")
_ANY_SPACE = re.compile(r"\s+")
_TIDY_CHAR = r"\s\\\x00-\x1f\x7f-\x9f"  # (negated) no white space, backslash or control
_TIDY_TEXT = re.compile(rf"[^{_TIDY_CHAR}'=+\-@#](?:[^{_TIDY_CHAR}]| (?=[^{_TIDY_CHAR}]))*")
"""Text :func:`cell_value` keeps as it is: single spaces between words, no other white
space, control character or backslash, and a first character that starts no formula,
protection quote or Excel error."""
_SCIENTIFIC = re.compile(r"^\d(?:\.(\d+))?[eE]\+?(\d+)$")
_NUMBER_WITH_ZERO_FRACTION = re.compile(r"^(\d+)\.0+$")
_SHORT_ZIP = re.compile(r"^(\d{3,4})(?:-(\d{4}))?$")
_SHORT_ZIP9 = re.compile(r"^(\d{7,8})$")
_COORDINATES = re.compile(r"\s*\(\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*\)\s*$")


@dataclass(frozen=True)
class Note:
    """One repair made to one cell."""

    kind: str
    field: str
    message: str


class DamagedCellError(ValueError):
    """A cell that cannot be repaired safely; the row is rejected with this reason."""

    def __init__(self, code: str, field: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message
        self.fix = fix


# What Excel shows in a cell whose formula failed (#N/A is read as a placeholder instead).
_EXCEL_ERRORS = frozenset(
    {"#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"}
)


def cell_value(cell: Cell, field: str) -> tuple[str, list[Note]]:
    """The text of one cell, with stray spaces removed and numbers written as text.

    The ``'`` that ``rejected.csv`` puts before a formula character is dropped first
    (:func:`~kdirectory.onboarding.safe_text.unprotected`), and the formula check runs on
    the text as read, so ``'=HYPERLINK(…)`` is a formula too. Line breaks (CR LF, CR, VT,
    FF, NEL) are read as LF, which a description keeps and other fields read as a space.

    Raises:
        DamagedCellError: the cell holds a formula or a control character.
    """
    if cell is None or cell == "":
        return "", []
    if isinstance(cell, str) and _TIDY_TEXT.fullmatch(cell) and cell.casefold() not in PLACEHOLDERS:
        return cell, []  # most cells: nothing below would change or say anything
    if isinstance(cell, Formula):
        raise _formula(cell.text, field)
    notes: list[Note] = []
    if isinstance(cell, bool):
        return ("yes" if cell else "no"), notes
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, int):
        text = str(cell)
        if field in ("phone", "tracking_phone"):
            notes.append(Note("damage.phone_number", field, f"{text} was stored as a number"))
        return text, notes
    if isinstance(cell, datetime | date | time):
        return cell_text(cell), notes
    raw = _LINE_BREAK.sub("\n", str(cell))
    _refuse_control_characters(raw, field)
    raw = unprotected(raw)  # '=... is how rejected.csv protects a cell
    text = raw.strip() if field in MULTILINE_FIELDS else _ANY_SPACE.sub(" ", raw).strip()
    if is_formula(text):
        raise _formula(text, field)
    if text != raw:
        notes.append(Note("damage.spaces", field, "stray spaces removed"))
    if text.upper() in _EXCEL_ERRORS:
        raise DamagedCellError(
            "damage.excel_error",
            field,
            f"holds Excel's error value {text.upper()}, not a value",
            "fix the formula that produced it in the spreadsheet, or type the value in",
        )
    if text.casefold() in PLACEHOLDERS:
        if field == "name":
            raise DamagedCellError(
                "damage.placeholder",
                field,
                f'"{text}" is a placeholder, not a clinic name',
                "fill in the clinic's name, or delete the row",
            )
        return "", [Note("normalised.placeholder", field, f'"{text}" read as empty')]
    if "\\/" in text:
        text = text.replace("\\/", "/")
        notes.append(Note("damage.escaped_slash", field, 'escaped slashes "\\/" read as "/"'))
    return text, notes


def _formula(text: str, field: str) -> DamagedCellError:
    return DamagedCellError(
        "damage.formula",
        field,
        f"holds the formula {quoted(text, 60)}, not a value",
        "formulas are never evaluated: copy the column and paste it back as values",
    )


def _refuse_control_characters(text: str, field: str) -> None:
    problem = control_characters(text)
    if problem is not None:
        raise DamagedCellError(
            "damage.control_character",
            field,
            problem,
            "delete it in the spreadsheet (it is invisible there; often pasted from a "
            "terminal or left by a broken export), then import again",
        )


def repair_phone(text: str, field: str) -> tuple[str, list[Note]]:
    """Undo Excel's number formats on a phone: ``3102700625.0`` and ``3.102700625E+09``.

    Raises:
        DamagedCellError: Excel's scientific notation dropped digits (``3.1E+09``).
    """
    match = _NUMBER_WITH_ZERO_FRACTION.match(text)
    if match:
        return match.group(1), [Note("damage.phone_number", field, f"{text} was a number")]
    match = _SCIENTIFIC.match(text)
    if match:
        fraction, exponent = match.group(1) or "", int(match.group(2))
        if len(fraction) < exponent:
            raise DamagedCellError(
                "damage.phone_scientific",
                field,
                f'"{text}" is a phone number Excel rounded to scientific notation; digits are lost',
                "format the phone column as Text in the spreadsheet, retype the number and "
                "export again",
            )
        try:
            digits = str(int(Decimal(text)))
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            return text, []
        return digits, [
            Note("damage.phone_number", field, f'"{text}" (scientific notation) read as {digits}')
        ]
    return text, []


def repair_zip(text: str, region: str | None) -> tuple[str, list[Note]]:
    """Put back the leading zeros a spreadsheet dropped (VT ``5353`` -> ``05353``), but only
    when the padded ZIP exists and lies in the row's state; otherwise leave it for the
    validator to reject."""
    match = _NUMBER_WITH_ZERO_FRACTION.match(text)
    if match:
        text = match.group(1)
    short = _SHORT_ZIP.match(text)
    nine = _SHORT_ZIP9.match(text)
    if not (short or nine) or not region:
        return text, []
    if short:
        padded = short.group(1).zfill(5) + (f"-{short.group(2)}" if short.group(2) else "")
    else:
        padded = text.zfill(9)
        padded = f"{padded[:5]}-{padded[5:]}"
    info = zip_info(padded[:5])
    if info is None or info.state != region:
        return text, []
    return padded, [
        Note(
            "damage.zip_leading_zero",
            "address.postal_code",
            f'"{text}" lost its leading zero; {info.state} ZIP read as {padded}',
        )
    ]


def drop_po_box(street: str) -> tuple[str, list[Note]]:
    """``P O Box 278, 4800 Hospital Parkway`` -> ``4800 Hospital Parkway``: a mailing box in
    front of the street address is dropped. A street that is only a PO box is left for the
    import to reject."""
    if not is_po_box(street) or "," not in street:
        return street, []
    rest = [part.strip() for part in street.split(",")[1:]]
    visit = [part for part in rest if part[:1].isdigit() and not is_po_box(part)]
    if len(visit) != 1:
        return street, []
    return visit[0], [
        Note("damage.po_box_dropped", "address.street", f'PO box dropped from "{street}"')
    ]


def title_cased(text: str, field: str) -> tuple[str, list[Note]]:
    """``text`` in title case when it is ALL CAPS (names, streets, cities)."""
    if field not in TITLE_CASED_FIELDS or not is_all_caps(text):
        return text, []
    changed = title_case(text)
    if changed == text:
        return text, []
    return changed, [Note("normalised.title_case", field, f'"{text}" written as "{changed}"')]


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+-]*:(?!\d)")
"""A URL's scheme (``mailto:``, ``javascript:``); a host with a port (``clinic.example:8080``)
is none."""


def with_scheme(url: str) -> str:
    """``example.com`` -> ``https://example.com``; a URL with a scheme (``mailto:…`` too,
    for validation to refuse) or without a dot as is."""
    return url if "://" in url or "." not in url or _SCHEME.match(url) else f"https://{url}"


def parse_bool(text: str) -> bool | str:
    """``yes``/``no`` and friends as a bool; anything else unchanged (the model rejects it)."""
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return text


def split_list(text: str) -> list[str]:
    """``"Aetna; Cigna"``, ``"Aetna, Cigna"`` or ``"Aetna | Cigna"`` -> ``["Aetna", "Cigna"]``.

    A semicolon or bar wins over commas, so "Blue Cross, Blue Shield; Aetna" keeps its comma.
    """
    separator = next((s for s in (";", "|", "\n") if s in text), ",")
    return [item.strip() for item in text.split(separator) if item.strip()]


def split_cities(text: str) -> list[str]:
    """Cities a clinic serves, as a service area lists them: ``"Vista, Oceanside"`` ->
    ``["Vista", "Oceanside"]``; a state code after a city stays with it, so ``"Vista, Yuma,
    AZ"`` -> ``["Vista", "Yuma, AZ"]``. Only 2-letter codes are joined: a state's name may
    also be a city's (Nevada, MO)."""
    cities: list[str] = []
    for item in split_list(text):
        if cities and len(item) == 2 and "," not in cities[-1] and vocabulary.state_code(item):
            cities[-1] = f"{cities[-1]}, {item.upper()}"
        else:
            cities.append(item)
    return cities


# --- opening hours -------------------------------------------------------------------------


def hours_value(text: str) -> str | list[str]:
    """``9am-5pm``, ``9:00 AM – 5:00 PM, 6pm-8pm``, ``Closed`` or ``24 hours`` in the record's
    form (``"09:00-17:00"``, a list of shifts, ``closed``), read by the model's own
    :func:`~kdirectory.record.hours.day_hours`; text it cannot read is returned unchanged so the
    validator explains the expected form."""
    day = day_hours(text)
    return text if day is None else day


# --- one-line addresses --------------------------------------------------------------------

_STREET_LABELS = (
    "AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix", "StreetNamePreModifier",
    "StreetNamePreDirectional", "StreetNamePreType", "StreetName", "StreetNamePostType",
    "StreetNamePostDirectional", "StreetNamePostModifier", "USPSBoxType", "USPSBoxID",
    "USPSBoxGroupType", "USPSBoxGroupID", "BuildingName", "LandmarkName", "CornerOf",
    "IntersectionSeparator", "SecondStreetName", "SecondStreetNamePostType",
)  # fmt: skip
_UNIT_LABELS = (
    "OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier",
)  # fmt: skip


def split_address(text: str, field: str = "address") -> dict[str, str]:
    """Split a one-line US address into street, unit, city, region and postal code.

    ``"1200 N Main St Ste 210, Escondido, CA 92025"`` ->
    ``{"street": "1200 N Main St", "unit": "Ste 210", "city": "Escondido", "region": "CA",
    "postal_code": "92025"}``. A trailing "(lat, lon)" is dropped.

    Raises:
        DamagedCellError: usaddress cannot tell the parts apart.
    """
    import usaddress  # noqa: PLC0415 - slow import, only for one-line addresses

    cleaned = _COORDINATES.sub("", text).strip()
    try:
        tagged, _kind = usaddress.tag(cleaned)
    except usaddress.RepeatedLabelError:
        raise DamagedCellError(
            "address.unsplittable",
            field,
            f'"{text:.80}" cannot be split into street, city, state and ZIP',
            "put street, city, state and ZIP in separate columns, or write it like "
            '"1200 N Main St Ste 210, Escondido, CA 92025"',
        ) from None
    # the unit's words in the order written ("2nd Floor", "Building C, Suite 3")
    unit = " ".join(
        token.strip(" ,") for token, label in usaddress.parse(cleaned) if label in _UNIT_LABELS
    )
    parts = {
        "street": " ".join(tagged[label] for label in _STREET_LABELS if label in tagged),
        "unit": unit,
        "city": tagged.get("PlaceName", ""),
        "region": tagged.get("StateName", ""),
        "postal_code": tagged.get("ZipCode", ""),
    }
    return {key: value.strip(" ,") for key, value in parts.items() if value.strip(" ,")}

"""US addresses in USPS Publication 28 normal form, for comparing two spellings of one place.

``1200 NORTH MAIN STREET, SUITE 210`` and ``1200 N. Main St. #210`` both become
``("1200 N MAIN ST", "210")``; usaddress-scourgify does the street, units are reduced to
their identifier because agencies write ``Suite``, ``Ste`` and ``#`` interchangeably.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kdirectory.record.model import Address

_PO_BOX = re.compile(r"^\s*(?:p\.?\s*o\.?\s*box|post\s+office\s+box|box)\s+\w+", re.IGNORECASE)
_UNIT_DESIGNATOR = re.compile(
    r"^(?:#|no\.?|suite|ste\.?|unit|apt\.?|apartment|room|rm\.?|bldg\.?|building|floor|fl\.?)\s*#?\s*",
    re.IGNORECASE,
)


def is_po_box(street: str) -> bool:
    """True for ``PO Box 123`` and its spellings: not a place a patient can visit."""
    return bool(_PO_BOX.match(street))


def unit_id(unit: str | None) -> str:
    """``Suite 210``, ``STE 210`` and ``#210`` -> ``210``."""
    if not unit:
        return ""
    return _UNIT_DESIGNATOR.sub("", unit.strip()).upper().replace(" ", "")


@lru_cache(maxsize=65_536)
def normal_street(street: str) -> tuple[str, str]:
    """(street line, unit found inside it) in Pub 28 form; falls back to a plain upper-case
    squeeze when the parser cannot read the street."""
    from scourgify import normalize_address_record  # noqa: PLC0415 - slow import, used rarely
    from scourgify.exceptions import AddressNormalizationError  # noqa: PLC0415

    try:
        record = normalize_address_record(
            {"address_line_1": street, "city": "X", "state": "CA", "postal_code": "00000"}
        )
    except (AddressNormalizationError, ValueError, TypeError, KeyError):
        return " ".join(re.sub(r"[.,]", " ", street).upper().split()), ""
    line1 = str(record.get("address_line_1") or "")
    line2 = record.get("address_line_2")
    return line1, unit_id(str(line2)) if line2 else ""


_REMEMBERED: dict[str, tuple[str, str]] = {}
"""Streets whose :func:`normal_street` an earlier run worked out (the record cache)."""


def remember_street(street: str, normal: tuple[str, str]) -> None:
    """Take ``normal`` as :func:`normal_street` of ``street``: kept by the record cache,
    which is keyed by the parser's version, from an earlier run."""
    _REMEMBERED[street] = normal


def address_key(address: Address) -> tuple[str, str, str, str] | None:
    """A key equal for two spellings of one street address (``None`` without a street)."""
    if not address.street:
        return None
    remembered = _REMEMBERED.get(address.street)
    street, unit_in_street = remembered or normal_street(address.street)
    unit = unit_id(address.unit) or unit_in_street
    return street, unit, address.city.casefold(), address.zip5 or ""


def format_address_key(key: tuple[str, str, str, str]) -> str:
    """``1200 N MAIN ST STE 210, ESCONDIDO 92025`` for messages."""
    street, unit, city, zip5 = key
    unit_text = f" STE {unit}" if unit else ""
    return f"{street}{unit_text}, {city.upper()} {zip5}".strip()

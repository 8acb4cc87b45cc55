"""US phone numbers: parse any common spelling, store E.164, show the national format."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

_REASONS = phonenumbers.ValidationResult


class PhoneError(ValueError):
    """A phone number that cannot be used; ``fix`` says how to fix it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True, order=True)
class Phone:
    """A valid US (NANP) phone number with an optional extension."""

    e164: str
    extension: str | None = None

    def __str__(self) -> str:
        return self.e164 if not self.extension else f"{self.e164};ext={self.extension}"

    @property
    def national(self) -> str:
        """How a US patient reads it: ``(310) 270-0625`` (``ext. 12`` appended)."""
        plain = _E164_NANP.fullmatch(self.e164)
        if plain is not None:  # how phonenumbers formats every valid NANP number
            text = "({}) {}-{}".format(*plain.groups())
        else:
            number = phonenumbers.parse(self.e164, "US")
            text = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        return f"{text} ext. {self.extension}" if self.extension else text

    @property
    def tel_uri(self) -> str:
        """RFC 3966 ``tel:`` URI for the call button."""
        return f"tel:{self}"

    @property
    def is_toll_free(self) -> bool:
        """True for 800, 833, 844, 855, 866, 877 and 888 numbers."""
        number = phonenumbers.parse(self.e164, "US")
        return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE


_E164_NANP = re.compile(r"\+1([2-9]\d\d)([2-9]\d\d)(\d{4})")
"""A NANP number in E.164: area code, exchange and line, each of which starts 2-9."""

_PLAIN_US = re.compile(r"(?:\(([2-9]\d\d)\) ?|([2-9]\d\d)[-. ]?)(\d{3})[-. ]?(\d{4})")
"""The common spellings of a 10-digit US number without country code or extension:
``(310) 270-0625``, ``310-270-0625``, ``310.270.0625``, ``3102700625``."""


def parse_phone(text: str) -> Phone:
    """Parse a US phone number written any common way.

    Accepts ``(310) 270-0625``, ``310.270.0625``, ``+1 310 270 0625``, ``3102700625``,
    vanity letters (``1-800-FLOWERS``) and extensions (``x12``, ``ext. 12``, ``;ext=12``).

    Raises:
        PhoneError: the text is not a valid US number; the message says why.
    """
    match = _PLAIN_US.fullmatch(text.strip())
    if match is not None:  # the usual spellings, without phonenumbers' general reader
        area, code, exchange, line = match.groups()
        national = f"{area or code}{exchange}{line}"
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(national))
        if _is_valid(number):
            return Phone(e164=f"+1{national}")
    return _parse_any(text)


def _parse_any(text: str) -> Phone:
    """:func:`parse_phone` for any spelling, and the reason a number cannot be used."""
    raw = text.strip()
    digits = sum(ch.isdigit() for ch in raw)
    if not raw:
        raise PhoneError("is empty", "write the clinic's 10-digit US number, e.g. (760) 555-0123")
    try:
        number = phonenumbers.parse(raw, "US")
    except NumberParseException:
        raise PhoneError(
            f'"{raw}" is not a phone number' + ("" if digits else " (it has no digits)"),
            "write a 10-digit US number, e.g. (760) 555-0123",
        ) from None
    if number.country_code != 1:
        region = phonenumbers.region_code_for_number(number) or "another country"
        raise PhoneError(
            f'"{raw}" is not a US number (country code +{number.country_code}, {region})',
            "clinics in the directory need a US number",
        )
    national = str(number.national_number)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == _REASONS.TOO_SHORT or len(national) < 10:
        if len(national) == 7:
            raise PhoneError(
                f'"{raw}" has no area code',
                "add the 3-digit area code in front, e.g. (760) 555-1234",
            )
        raise PhoneError(
            f'"{raw}" is not a valid US phone number (10 digits expected, found {len(national)})',
            "check for a missing digit",
        )
    if reason == _REASONS.TOO_LONG or len(national) > 10:
        raise PhoneError(
            f'"{raw}" is not a valid US phone number (10 digits expected, found {digits})',
            'put an extension after "ext.", e.g. (760) 555-0123 ext. 12',
        )
    if not _is_valid(number):
        raise PhoneError(
            f'"{raw}" is not a valid US phone number (area code {national[:3]} or exchange '
            f"{national[3:6]} is not in use)",
            "check the number against the clinic's own website",
        )
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Phone(e164=e164, extension=number.extension or None)


def _is_valid(number: phonenumbers.PhoneNumber) -> bool:
    """``phonenumbers.is_valid_number``, asking first whether the number is a valid US
    one. That answers for most numbers with half the work: ``is_valid_number`` finds the
    number's region by trying the regions of +1 in turn, the US first, with the very check
    it then makes again for the region found."""
    us_number = phonenumbers.is_valid_number_for_region(number, "US")
    return us_number or phonenumbers.is_valid_number(number)

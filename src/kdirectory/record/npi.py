"""National Provider Identifiers (NPI): 10 digits, the last a check digit.

CMS computes the check digit with the Luhn formula over the first nine digits prefixed
with ``80840`` (the card issuer prefix of US health identifiers); :func:`check_digit`
does the same, so ``1234567893`` is valid and ``1234567890`` is not. A valid check digit
says the number was not mistyped, not that it belongs to the provider named.
"""

from __future__ import annotations

import re

NPI_PREFIX = "80840"
"""What the first nine digits are prefixed with before the Luhn formula is applied."""
_NPI = re.compile(r"[0-9]{10}")


def check_digit(first_nine: str) -> int:
    """The check digit of an NPI whose first nine digits are ``first_nine``.

    Raises:
        ValueError: ``first_nine`` is not nine digits.
    """
    if not re.fullmatch(r"[0-9]{9}", first_nine):
        raise ValueError(f"{first_nine!r} is not nine digits")
    total = 0
    # Luhn: from the right of the number without its check digit, double every other digit
    # starting with the rightmost, and add the digits of the products.
    for position, char in enumerate(reversed(NPI_PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_npi_form(text: str) -> bool:
    """True when ``text`` is ten ASCII digits, whatever its check digit."""
    return _NPI.fullmatch(text) is not None


def is_valid_npi(text: str) -> bool:
    """True when ``text`` is ten digits ending in the right check digit."""
    return is_npi_form(text) and check_digit(text[:9]) == int(text[9])

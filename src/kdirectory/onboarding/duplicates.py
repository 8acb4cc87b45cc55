"""Find a clinic that is already in the directory, or already earlier in the same file.

The keys follow the directory rules (directory_rules.py) and listing services' duplicate rules:

- the same street address and unit in USPS Publication 28 form (``validate`` calls this an
  error, so it can never be imported twice);
- the same name at the same street (the suite spelled differently or left out);
- the same phone at the same street;
- for a service-area clinic (no street), the same name in the same city.

Only a 64-bit hash of each key is kept, with the row number or file it came from, so a
100,000-row import holds a few megabytes of keys and never the rows themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdirectory.record.addresses import address_key, format_address_key, normal_street
from kdirectory.record.directory_rules import name_match_key
from kdirectory.record.model import Clinic

if TYPE_CHECKING:
    from kdirectory.record.directory import Directory

Origin = int | str
"""A row number of the file being imported, or the path of an existing record file."""


@dataclass(frozen=True)
class Duplicate:
    """A clinic seen before: where, and which key matched."""

    origin: Origin
    reason: str
    kind: str
    """Which key matched: ``address``, ``name-street``, ``phone-street`` or ``name-city``."""


def _keys(clinic: Clinic) -> list[tuple[int, str]]:
    """(hash, kind) for every duplicate key of ``clinic``."""
    address = clinic.address
    key = address_key(address)
    if key is None:
        return [(hash(("name-city", name_match_key(clinic.name), address.city.casefold(),
                       address.region)), "name-city")]  # fmt: skip
    street, _unit_in_street = normal_street(address.street or "")
    street_place = (street, address.city.casefold(), address.zip5 or "")
    keys = [
        (hash(("address", *key)), "address"),
        (hash(("name-street", name_match_key(clinic.name), *street_place)), "name-street"),
    ]
    if clinic.phone is not None:
        keys.append((hash(("phone-street", clinic.phone.e164, *street_place)), "phone-street"))
    return keys


def _reason(clinic: Clinic, kind: str) -> str:
    """Why ``clinic`` matched on a key of this kind, for the message."""
    address = clinic.address
    if kind == "name-city":
        return f"the same name in {address.city}, {address.region} (no street address)"
    key = address_key(address)
    assert key is not None
    street = key[0]
    if kind == "address":
        return f"the same address ({format_address_key(key)})"
    if kind == "name-street":
        return f"the same name at the same street ({street}, {address.city})"
    phone = clinic.phone.national if clinic.phone else ""
    return f"the same phone ({phone}) at the same street ({street})"


@dataclass(frozen=True)
class DuplicateKeys:
    """The duplicate keys of one clinic (hash, kind) and why each would match: worked out
    once (the street's normal form is the slow part), where the clinic was checked, and
    small enough to send from a worker process."""

    keys: tuple[tuple[int, str], ...]
    reasons: dict[str, str]

    @classmethod
    def of(cls, clinic: Clinic) -> DuplicateKeys:
        """The keys of ``clinic``."""
        keys = tuple(_keys(clinic))
        return cls(keys, {kind: _reason(clinic, kind) for _digest, kind in keys})


class DuplicateIndex:
    """Every duplicate key seen so far, each with where it was first seen."""

    def __init__(self) -> None:
        self._seen: dict[int, Origin] = {}

    @classmethod
    def of_directory(cls, directory: Directory) -> DuplicateIndex:
        """Every clinic of ``directory``, each seen at its record file."""
        index = cls()
        for entry in directory.entries:
            index.add(DuplicateKeys.of(entry.clinic), entry.file)
        return index

    def __len__(self) -> int:
        return len(self._seen)

    def find(self, keys: DuplicateKeys) -> Duplicate | None:
        """The first earlier clinic that the clinic of ``keys`` duplicates, if any."""
        for digest, kind in keys.keys:
            origin = self._seen.get(digest)
            if origin is not None:
                return Duplicate(origin, keys.reasons[kind], kind)
        return None

    def add(self, keys: DuplicateKeys, origin: Origin) -> None:
        """Remember the clinic of ``keys`` as seen at ``origin`` (keys already taken keep
        their origin)."""
        for digest, _kind in keys.keys:
            self._seen.setdefault(digest, origin)

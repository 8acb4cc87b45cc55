"""Packaged vocabularies: conditions, therapies, medical specialties and US states.

The YAML files in ``kdirectory/record/vocab/`` are read once and exposed as read-only mappings
of frozen dataclasses. Free text from clinic records is matched against slugs, display
names and aliases ignoring case, spaces and punctuation ("Treatment-Resistant
Depression", "treatment resistant depression" and "TRD" are all one condition), and
`suggest` offers a "did you mean ...?" for anything that does not match.

:func:`canonical` is the one table of aliases for every list field with a vocabulary
(conditions, therapies, specialties, languages, payment methods): the record model (so
``kdirectory validate``), ``kdirectory new`` and ``kdirectory import`` all read an entry
through it, so "anxiety", "Spravato", "Spanish" or "Credit Card" mean the same everywhere.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TypeVar

import yaml

from kdirectory.record.languages import LANGUAGE_ALIASES, LANGUAGE_NAMES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "ALIASED_FIELDS",
    "PAYMENT_ALIASES",
    "Condition",
    "IcdCode",
    "Specialty",
    "State",
    "Therapy",
    "aliases_of",
    "canonical",
    "conditions",
    "resolve",
    "specialties",
    "state_code",
    "states",
    "suggest",
    "therapies",
]

# libyaml's C loader is ~10x faster; fall back to the pure-Python one where it is missing.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCHEMA_PREFIX = "https://schema.org/"
_T = TypeVar("_T")


@dataclass(frozen=True)
class IcdCode:
    """An ICD-10-CM code (or category) with its title from the tabular list."""

    code: str
    title: str


@dataclass(frozen=True)
class Condition:
    """A condition clinics treat, with the ICD-10-CM codes it is recorded under."""

    slug: str
    name: str
    aliases: tuple[str, ...]
    codes: tuple[IcdCode, ...]
    coding_note: str | None


@dataclass(frozen=True)
class Therapy:
    """A ketamine-based treatment, its route and its regulatory status."""

    slug: str
    name: str
    aliases: tuple[str, ...]
    requires_rems: bool
    route: str
    fda_status: str


@dataclass(frozen=True)
class Specialty:
    """A schema.org MedicalSpecialty value."""

    slug: str
    name: str
    schema_url: str


@dataclass(frozen=True)
class State:
    """A US state, DC or territory, keyed by its USPS code."""

    code: str
    name: str
    slug: str
    neighbors: tuple[str, ...]


def _key(text: str) -> str:
    """Comparison key: case-folded letters and digits only."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@functools.cache
def _entries(filename: str) -> tuple[dict[str, object], ...]:
    """Read one packaged vocabulary file: a YAML list of mappings."""
    package = __package__ or "kdirectory.record"
    text = resources.files(package).joinpath("vocab").joinpath(filename).read_text("utf-8")
    data = yaml.load(text, Loader=_LOADER)  # noqa: S506 -- _LOADER is a safe loader
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        msg = f"vocab/{filename}: expected a list of mappings"
        raise TypeError(msg)
    return tuple(data)


def _bad(entry: Mapping[str, object], field: str, expected: str) -> TypeError:
    name = entry.get("slug") or entry.get("code")
    return TypeError(f"vocabulary entry {name!r}: {field} must be {expected}")


def _text(entry: Mapping[str, object], field: str, *, optional: bool = False) -> str:
    value = entry.get(field)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _bad(entry, field, "text")
    return value.strip()


def _texts(entry: Mapping[str, object], field: str) -> tuple[str, ...]:
    values = entry.get(field) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _bad(entry, field, "a list of text")
    return tuple(str(v) for v in values)


def _sorted_view(items: Iterable[tuple[str, _T]]) -> Mapping[str, _T]:
    return MappingProxyType(dict(sorted(items)))


@functools.cache
def conditions() -> Mapping[str, Condition]:
    """All conditions, by slug (sorted)."""
    result = []
    for entry in _entries("conditions.yaml"):
        raw_codes = entry.get("icd10cm")
        if not isinstance(raw_codes, list) or not all(isinstance(c, dict) for c in raw_codes):
            raise _bad(entry, "icd10cm", "a list of {code, title}")
        codes = tuple(IcdCode(_text(c, "code"), _text(c, "title")) for c in raw_codes)
        note = _text(entry, "coding_note", optional=True) or None
        condition = Condition(
            _text(entry, "slug"), _text(entry, "name"), _texts(entry, "aliases"), codes, note
        )
        result.append((condition.slug, condition))
    return _sorted_view(result)


@functools.cache
def therapies() -> Mapping[str, Therapy]:
    """All therapies, by slug (sorted)."""
    result = []
    for entry in _entries("therapies.yaml"):
        rems = entry.get("requires_rems")
        if not isinstance(rems, bool):
            raise _bad(entry, "requires_rems", "true or false")
        therapy = Therapy(
            _text(entry, "slug"),
            _text(entry, "name"),
            _texts(entry, "aliases"),
            rems,
            _text(entry, "route"),
            _text(entry, "fda_status"),
        )
        result.append((therapy.slug, therapy))
    return _sorted_view(result)


@functools.cache
def specialties() -> Mapping[str, Specialty]:
    """All schema.org medical specialties, by slug (sorted)."""
    items = (
        Specialty(_text(e, "slug"), _text(e, "name"), _text(e, "schema"))
        for e in _entries("specialties.yaml")
    )
    return _sorted_view((s.slug, s) for s in items)


@functools.cache
def states() -> Mapping[str, State]:
    """US states, DC and territories, by two-letter code (sorted)."""
    items = (
        State(_text(e, "code"), _text(e, "name"), _text(e, "slug"), _texts(e, "neighbors"))
        for e in _entries("states.yaml")
    )
    return _sorted_view((s.code, s) for s in items)


PAYMENT_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "Cash": "cash",
        "Check": "check",
        "Checks": "check",
        "Cheque": "check",
        "Credit card": "credit-card",
        "Credit cards": "credit-card",
        "Debit card": "debit-card",
        "Debit cards": "debit-card",
        "HSA": "hsa-fsa",
        "FSA": "hsa-fsa",
        "HSA/FSA": "hsa-fsa",
        "Financing": "financing",
        "Insurance": "insurance",
    }
)
"""How people write the payment methods a record lists (``payment:``), by the slug they mean;
compared ignoring case, spaces and punctuation."""

ALIASED_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "conditions": "condition",
        "therapies": "therapy",
        "specialties": "specialty",
        "languages": "language",
        "payment": "payment",
    }
)
"""The record's list fields whose entries come from a vocabulary, and the vocabulary's kind."""

_FILES = {"condition": "conditions.yaml", "therapy": "therapies.yaml", "state": "states.yaml"}


@functools.cache
def _index(kind: str) -> Mapping[str, str]:
    """Comparison key of every slug, name and alias of one vocabulary -> its slug (or code)."""
    index: dict[str, str] = {}
    for entry in _entries(_FILES.get(kind, "specialties.yaml")):
        target = _text(entry, "code" if kind == "state" else "slug")
        names = [target, _text(entry, "slug"), _text(entry, "name"), *_texts(entry, "aliases")]
        if kind == "specialty":
            url = _text(entry, "schema")
            names += [url, url.removeprefix(_SCHEMA_PREFIX)]
        for text in names:
            key = _key(text)
            if index.setdefault(key, target) != target:
                msg = f"vocabulary term {text!r} names both {index[key]!r} and {target!r}"
                raise ValueError(msg)
    return MappingProxyType(index)


@functools.cache
def _language_index() -> Mapping[str, str]:
    index = {_key(code): code for code in LANGUAGE_NAMES}
    for text, code in LANGUAGE_ALIASES.items():
        index.setdefault(_key(text), code)
    return MappingProxyType(index)


@functools.cache
def _payment_index() -> Mapping[str, str]:
    index = {_key(slug): slug for slug in PAYMENT_ALIASES.values()}
    for text, slug in PAYMENT_ALIASES.items():
        index.setdefault(_key(text), slug)
    return MappingProxyType(index)


@functools.lru_cache(maxsize=8192)
def canonical(field: str, text: str) -> str | None:
    """What a record stores for ``text`` written as an entry of the list field ``field``:
    the slug of a condition, therapy or specialty named by its slug, name or an alias, the
    code of a language named by its code or English name, the slug of a payment method;
    ``None`` when ``text`` names nothing in that vocabulary. Case, spaces and punctuation
    are ignored.

    >>> canonical("conditions", "Anxiety"), canonical("therapies", "Spravato")
    ('generalized-anxiety', 'esketamine-nasal-spray')
    >>> canonical("languages", "Spanish"), canonical("payment", "credit cards")
    ('es', 'credit-card')

    Raises:
        ValueError: ``field`` is not one of :data:`ALIASED_FIELDS`.
    """
    return aliases_of(field).get(_key(text))


def aliases_of(field: str) -> Mapping[str, str]:
    """The comparison key (letters and digits, case-folded) of every value, name and alias
    of the vocabulary behind the list field ``field`` -> the value it stands for; also the
    ``aliases`` to give :func:`suggest` for a "did you mean".

    Raises:
        ValueError: ``field`` is not one of :data:`ALIASED_FIELDS`.
    """
    kind = ALIASED_FIELDS.get(field)
    if kind == "language":
        return _language_index()
    if kind == "payment":
        return _payment_index()
    if kind in ("condition", "therapy", "specialty"):
        return _index(kind)
    msg = f"{field!r} is not a list field with a vocabulary ({', '.join(ALIASED_FIELDS)})"
    raise ValueError(msg)


def state_code(text: str) -> str | None:
    """The USPS code for a state code, name or slug in any case; None if unknown.

    >>> state_code(" california "), state_code("ca"), state_code("Narnia")
    ('CA', 'CA', None)
    """
    return _index("state").get(_key(text))


def resolve(kind: Literal["condition", "therapy", "specialty"], text: str) -> str | None:
    """The slug that `text` names (a slug, display name or alias), or None.

    Matching ignores case, spaces and punctuation: "P.T.S.D." resolves to "ptsd".
    """
    if kind not in ("condition", "therapy", "specialty"):
        msg = f"unknown vocabulary kind {kind!r}"
        raise ValueError(msg)
    return _index(kind).get(_key(text))


def suggest(
    text: str, choices: Iterable[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The closest choice to a misspelt `text`, for "did you mean ...?"; None if none is close.

    Args:
        text: what the user wrote.
        choices: the valid values (slugs); the answer is always one of them.
        aliases: other spellings, mapping alias text to the choice it stands for.
    """
    candidates: dict[str, str] = {}
    for choice in choices:
        candidates.setdefault(_key(choice), choice)
    for alias, target in (aliases or {}).items():
        candidates.setdefault(_key(alias), target)
    key = _key(text)
    if not key or not candidates:
        return None
    if key in candidates:
        return candidates[key]
    matches = difflib.get_close_matches(key, sorted(candidates), n=1, cutoff=0.6)
    return candidates[matches[0]] if matches else None

"""Rules across records: slugs, duplicate locations, shared phones and
near-duplicate names, in the spirit of listing services' duplicate rules (name + location,
address + phone)."""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from geopy.distance import geodesic

from kdirectory.record.addresses import address_key, format_address_key
from kdirectory.record.model import Clinic
from kdirectory.record.slugs import slugify
from kdirectory.report import Problem

if TYPE_CHECKING:
    from kdirectory.record.directory import Directory

SAME_PLACE_METERS = 100.0
SIMILAR_NAME_RATIO = 0.9
MAX_CITY_PAIRS = 20_000
"""Past this many clinics-pairs in one city, only the exact-key name check runs."""

_NAME_NOISE = re.compile(
    r"\b(the|of|and|llc|inc|pc|pllc|md|clinic|clinics|center|centers|centre)\b"
)


def assign_slugs(directory: Directory) -> list[Problem]:
    """Give every clinic its slug: its own, else from its name, else name + city on a
    collision. Explicit slugs that collide are errors on both files."""
    clinics = sorted(directory.clinics, key=lambda c: directory.source_of(c).display_path)
    taken: dict[str, Clinic] = {}
    problems: list[Problem] = []
    explicit = [c for c in clinics if c.slug]
    derived_names = defaultdict(list)
    for clinic in clinics:
        if not clinic.slug:
            derived_names[slugify(clinic.name)].append(clinic)
    resolved: dict[int, str] = {}
    for clinic in explicit:
        assert clinic.slug is not None
        if clinic.slug in taken:
            problems += _collision(directory, clinic, taken[clinic.slug], clinic.slug)
            continue
        taken[clinic.slug] = clinic
        resolved[id(clinic)] = clinic.slug
    for base, group in derived_names.items():
        for clinic in group:
            slug: str = base
            if len(group) > 1 or slug in taken:
                slug = slugify(f"{clinic.name} {clinic.address.city}")
            if slug in taken:
                problems += _collision(directory, clinic, taken[slug], slug)
                continue
            taken[slug] = clinic
            resolved[id(clinic)] = slug
    new_clinics, new_sources = [], {}
    for clinic in clinics:
        final = resolved.get(id(clinic))
        if final is None:
            continue
        updated = clinic if clinic.slug == final else clinic.model_copy(update={"slug": final})
        new_clinics.append(updated)
        new_sources[id(updated)] = directory.source_of(clinic)
    directory.clinics = new_clinics
    directory.sources = new_sources
    return problems


def _collision(directory: Directory, clinic: Clinic, other: Clinic, slug: str) -> list[Problem]:
    source, other_source = directory.source_of(clinic), directory.source_of(other)
    return [
        source.problem(
            ("slug",) if clinic.slug else ("name",),
            f'slug "{slug}" is already used by {other_source.display_path}',
            "give each clinic its own slug: add `slug:` with a different value",
            code="directory.slug_collision",
        )
    ]


def check_directory(directory: Directory) -> list[Problem]:
    """Duplicate locations, shared phones and near-duplicate names across all clinics."""
    return [
        *_same_address(directory),
        *_shared_phone(directory),
        *_similar_names(directory),
    ]


def _same_address(directory: Directory) -> list[Problem]:
    by_key: dict[tuple[str, str, str, str], list[Clinic]] = defaultdict(list)
    for clinic in directory.clinics:
        key = address_key(clinic.address)
        if key is not None:
            by_key[key].append(clinic)
    problems = []
    for key, group in by_key.items():
        first = directory.source_of(group[0]).display_path
        for clinic in group[1:]:
            problems.append(
                directory.source_of(clinic).problem(
                    ("address",),
                    f"is the same address as {first} ({format_address_key(key)})",
                    "one file per location: merge the two records, or correct the suite",
                    code="directory.same_address",
                )
            )
    return problems


def _shared_phone(directory: Directory) -> list[Problem]:
    by_phone: dict[str, list[Clinic]] = defaultdict(list)
    for clinic in directory.clinics:
        if clinic.phone is not None:
            by_phone[str(clinic.phone)].append(clinic)
    problems = []
    for group in by_phone.values():
        first = group[0]
        for clinic in group[1:]:
            same_brand = clinic.brand is not None and clinic.brand == first.brand
            if same_brand or address_key(clinic.address) == address_key(first.address):
                continue
            problems.append(
                directory.source_of(clinic).problem(
                    ("phone",),
                    f"{clinic.phone.national if clinic.phone else ''} is also the phone of "
                    f"{directory.source_of(first).display_path} at another address",
                    "if both are branches of one practice, give both the same `brand:`",
                    code="directory.shared_phone",
                    severity="warning",
                )
            )
    return problems


def name_key(name: str) -> str:
    """A name reduced to its distinctive words, for near-duplicate detection: ASCII letters
    and digits, without noise words ("the", "clinic", "llc"). Empty when nothing is left
    ("***", "The Clinic", a name in another script): see :func:`name_match_key`."""
    words = _NAME_NOISE.sub(" ", re.sub(r"[^a-z0-9 ]+", " ", name.casefold())).split()
    return " ".join(word.rstrip("s") for word in words)


EXACT_NAME_PREFIX = "\x00"
"""Starts a :func:`name_match_key` that is the whole name, matched only when equal."""


def name_match_key(name: str) -> str:
    """The key two clinic names are compared by: :func:`name_key`, or, when that leaves
    nothing, the whole name (case and spacing aside) behind :data:`EXACT_NAME_PREFIX`, so
    that "***" matches only "***" and never "!!!", and "The Clinic" never "Clinic Center"."""
    return name_key(name) or EXACT_NAME_PREFIX + " ".join(name.casefold().split())


def _similar_names(directory: Directory) -> list[Problem]:
    by_city: dict[tuple[str, str], list[Clinic]] = defaultdict(list)
    for clinic in directory.clinics:
        by_city[(clinic.address.region, clinic.address.city.casefold())].append(clinic)
    problems = []
    for group in by_city.values():
        keys = [name_match_key(c.name) for c in group]
        exhaustive = len(group) * (len(group) - 1) // 2 <= MAX_CITY_PAIRS
        first_with_key: dict[str, int] = {}
        for i, clinic in enumerate(group):
            match = first_with_key.get(keys[i])
            if match is None and exhaustive:
                match = next((j for j in range(i) if _similar(keys[i], keys[j])), None)
            first_with_key.setdefault(keys[i], i)
            if match is None:
                continue
            other = group[match]
            if address_key(clinic.address) == address_key(other.address) and clinic.address.street:
                continue  # already an error: same address
            problems.append(_similar_problem(directory, clinic, other))
    return problems


def _similar(a: str, b: str) -> bool:
    """Near-duplicate keys; a whole-name key (no letters or digits left) is only ever equal."""
    if not a or not b or a.startswith(EXACT_NAME_PREFIX) or b.startswith(EXACT_NAME_PREFIX):
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= SIMILAR_NAME_RATIO and matcher.ratio() >= SIMILAR_NAME_RATIO


def _similar_problem(directory: Directory, clinic: Clinic, other: Clinic) -> Problem:
    where = ""
    if clinic.geo and other.geo:
        meters = geodesic((clinic.geo.lat, clinic.geo.lon), (other.geo.lat, other.geo.lon)).m
        where = f", {meters:,.0f} m away" if meters >= 1 else ", at the same coordinates"
        if meters <= SAME_PLACE_METERS:
            return directory.source_of(clinic).problem(
                ("name",),
                f'"{clinic.name}" looks like "{other.name}" in '
                f"{directory.source_of(other).display_path}{where}",
                "the same clinic twice? merge the records; branches need distinct names",
                code="directory.duplicate_name_geo",
                severity="warning",
            )
    return directory.source_of(clinic).problem(
        ("name",),
        f'"{clinic.name}" is nearly the same name as "{other.name}" in '
        f"{directory.source_of(other).display_path} (same city{where})",
        "the same clinic twice? merge the records, or make the names distinct",
        code="directory.similar_name",
        severity="warning",
    )

"""Rules across records: slugs, duplicate locations, shared phones and
near-duplicate names, in the spirit of listing services' duplicate rules (name + location,
address + phone)."""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from kdirectory.record.addresses import address_key, format_address_key
from kdirectory.record.directory import Directory, Entry
from kdirectory.record.slugs import slugify
from kdirectory.report import Problem

if TYPE_CHECKING:
    from kdirectory.record.model import Clinic
    from kdirectory.record.source import SourceRecord

SAME_PLACE_METERS = 100.0
SIMILAR_NAME_RATIO = 0.9
MAX_CITY_PAIRS = 20_000
"""Past this many clinics-pairs in one city, only the exact-key name check runs."""

_NAME_NOISE = re.compile(
    r"\b(the|of|and|llc|inc|pc|pllc|md|clinic|clinics|center|centers|centre)\b"
)


def assign_slugs(directory: Directory) -> list[Problem]:
    """Give every clinic its slug: its own, else from its name, else name + city on a
    collision. Explicit slugs that collide are errors on both files; a clinic whose slug
    collides is left out of the directory."""
    entries = sorted(directory.entries, key=lambda e: e.file)
    taken: dict[str, Entry] = {}
    problems: list[Problem] = []
    derived_names: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if not entry.clinic.slug:
            derived_names[slugify(entry.clinic.name)].append(entry)
    resolved: list[tuple[Entry, str]] = []
    for entry in entries:
        slug = entry.clinic.slug
        if not slug:
            continue
        if slug in taken:
            problems += _collision(directory, entry, taken[slug], slug)
            continue
        taken[slug] = entry
        resolved.append((entry, slug))
    for base, group in derived_names.items():
        for entry in group:
            slug = base
            if len(group) > 1 or slug in taken:
                slug = slugify(f"{entry.clinic.name} {entry.clinic.address.city}")
            if slug in taken:
                problems += _collision(directory, entry, taken[slug], slug)
                continue
            taken[slug] = entry
            resolved.append((entry, slug))
    order = {id(entry): i for i, entry in enumerate(entries)}
    resolved.sort(key=lambda pair: order[id(pair[0])])
    directory.entries = [
        entry
        if entry.clinic.slug == slug
        else Entry(entry.clinic.model_copy(update={"slug": slug}), entry.source)
        for entry, slug in resolved
    ]
    return problems


def _collision(directory: Directory, entry: Entry, other: Entry, slug: str) -> list[Problem]:
    return [
        entry.where(directory.root).problem(
            ("slug",) if entry.clinic.slug else ("name",),
            f'slug "{slug}" is already used by {other.file}',
            "give each clinic its own slug: add `slug:` with a different value",
            rule="directory.slug_collision",
        )
    ]


def check_directory(directory: Directory) -> list[Problem]:
    """Duplicate locations, shared phones and near-duplicate names across all clinics."""
    return [
        *_same_address(directory),
        *_shared_phone(directory),
        *_similar_names(directory),
    ]


def compared_addresses(entries: list[Entry]) -> list[Entry]:
    """The entries whose street addresses the rule about one address twice compares, in
    order: two addresses can share a key only in one city and ZIP code, so the street,
    whose normal form takes a parser, is read only where a city and ZIP hold several."""
    by_place: dict[tuple[str, str], int] = defaultdict(int)
    places: list[tuple[Entry, tuple[str, str]]] = []
    for entry in entries:
        address = entry.clinic.address
        if address.street:
            place = (address.city.casefold(), address.zip5 or "")
            by_place[place] += 1
            places.append((entry, place))
    return [entry for entry, place in places if by_place[place] > 1]


def _same_address(directory: Directory) -> list[Problem]:
    by_key: dict[tuple[str, str, str, str], list[Entry]] = defaultdict(list)
    for entry in compared_addresses(directory.entries):
        key = address_key(entry.clinic.address)
        if key is not None:
            by_key[key].append(entry)
    problems = []
    for key, group in by_key.items():
        first = group[0].file
        for entry in group[1:]:
            problems.append(
                entry.where(directory.root).problem(
                    ("address",),
                    f"is the same address as {first} ({format_address_key(key)})",
                    "one file per location: merge the two records, or correct the suite",
                    rule="directory.same_address",
                )
            )
    return problems


def _shared_phone(directory: Directory) -> list[Problem]:
    by_phone: dict[str, list[Entry]] = defaultdict(list)
    for entry in directory.entries:
        if entry.clinic.phone is not None:
            by_phone[str(entry.clinic.phone)].append(entry)
    problems = []
    for group in by_phone.values():
        first = group[0].clinic
        for entry in group[1:]:
            clinic = entry.clinic
            same_brand = clinic.brand is not None and clinic.brand == first.brand
            if same_brand or address_key(clinic.address) == address_key(first.address):
                continue
            problems.append(
                entry.where(directory.root).problem(
                    ("phone",),
                    f"{clinic.phone.national if clinic.phone else ''} is also the phone of "
                    f"{group[0].file} at another address",
                    "if both are branches of one practice, give both the same `brand:`",
                    rule="directory.shared_phone",
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
    by_city: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in directory.entries:
        address = entry.clinic.address
        by_city[(address.region, address.city.casefold())].append(entry)
    problems = []
    for group in by_city.values():
        keys = [name_match_key(e.clinic.name) for e in group]
        exhaustive = len(group) * (len(group) - 1) // 2 <= MAX_CITY_PAIRS
        first_with_key: dict[str, int] = {}
        similar = _SimilarKeys(keys)
        for i, entry in enumerate(group):
            match = first_with_key.get(keys[i])
            if match is None and exhaustive:
                match = similar.first_before(i)
            first_with_key.setdefault(keys[i], i)
            if match is None:
                continue
            clinic, other = entry.clinic, group[match].clinic
            if address_key(clinic.address) == address_key(other.address) and clinic.address.street:
                continue  # already an error: same address
            problems.append(_similar_problem(entry.where(directory.root), clinic, group[match]))
    return problems


def _similar(a: str, b: str) -> bool:
    """Near-duplicate keys; a whole-name key (no letters or digits left) is only ever equal."""
    if not a or not b or a.startswith(EXACT_NAME_PREFIX) or b.startswith(EXACT_NAME_PREFIX):
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= SIMILAR_NAME_RATIO and matcher.ratio() >= SIMILAR_NAME_RATIO


class _SimilarKeys:
    """:func:`_similar` over the name keys of one city, pair by pair, deciding as it does
    with less work. Two keys are not compared when a bound of the ratio is below
    :data:`SIMILAR_NAME_RATIO` already: their lengths (the ratio is at most
    ``2 * shorter / both``), or the characters of one that the other lacks (each is a
    character matched with nothing). A key's matcher (its character counts and index) is
    made once and serves every key compared with it."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.lengths = [len(key) for key in keys]
        self.masks = [_character_mask(key) for key in keys]
        self.matchers: dict[int, SequenceMatcher[str]] = {}

    def first_before(self, i: int) -> int | None:
        """The first key before the ``i``-th that :func:`_similar` matches with it."""
        a = self.keys[i]
        if not a or a.startswith(EXACT_NAME_PREFIX):
            return None
        length, mask, lengths, masks = self.lengths[i], self.masks[i], self.lengths, self.masks
        for j in range(i):
            both = length + lengths[j]
            if 2.0 * min(length, lengths[j]) / both < SIMILAR_NAME_RATIO:
                continue  # SequenceMatcher.real_quick_ratio(), which bounds the others
            matched = min(
                length - (mask & ~masks[j]).bit_count(), lengths[j] - (masks[j] & ~mask).bit_count()
            )
            if 2.0 * matched / both < SIMILAR_NAME_RATIO:
                continue  # a bound of quick_ratio(): characters of one missing in the other
            b = self.keys[j]
            if not b or b.startswith(EXACT_NAME_PREFIX):
                continue
            matcher = self.matchers.get(j)
            if matcher is None:
                matcher = self.matchers[j] = SequenceMatcher(None, b=b)
            matcher.set_seq1(a)
            if matcher.quick_ratio() >= SIMILAR_NAME_RATIO and matcher.ratio() >= (
                SIMILAR_NAME_RATIO
            ):
                return j
        return None


def _character_mask(text: str) -> int:
    """One bit for each character of ``text`` (characters sharing their low 7 bits share a
    bit, which only makes the bound of :class:`_SimilarKeys` looser)."""
    mask = 0
    for char in text:
        mask |= 1 << (ord(char) & 127)
    return mask


def _similar_problem(source: SourceRecord, clinic: Clinic, entry: Entry) -> Problem:
    other = entry.clinic
    where = ""
    if clinic.geo and other.geo:
        from geopy.distance import geodesic  # noqa: PLC0415 - geopy is slow to import

        meters = geodesic((clinic.geo.lat, clinic.geo.lon), (other.geo.lat, other.geo.lon)).m
        where = f", {meters:,.0f} m away" if meters >= 1 else ", at the same coordinates"
        if meters <= SAME_PLACE_METERS:
            return source.problem(
                ("name",),
                f'"{clinic.name}" looks like "{other.name}" in {entry.file}{where}',
                "the same clinic twice? merge the records; branches need distinct names",
                rule="directory.duplicate_name_geo",
            )
    return source.problem(
        ("name",),
        f'"{clinic.name}" is nearly the same name as "{other.name}" in '
        f"{entry.file} (same city{where})",
        "the same clinic twice? merge the records, or make the names distinct",
        rule="directory.similar_name",
    )

"""The generator of synthetic records: cities drawn for every record up front, then one
record at a time, with unique names, slugs, streets and phone numbers, and names in one
city that the directory rules would not call near-duplicates.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kdirectory.record import vocabulary
from kdirectory.record.directory_rules import MAX_CITY_PAIRS, SIMILAR_NAME_RATIO, name_key
from kdirectory.record.slugs import MAX_SLUG_LENGTH, slugify
from kdirectory.testing.synthetic_places import City, Zip, cities_in
from kdirectory.testing.synthetic_tables import (
    BRAND_KINDS,
    CLOSING_SENTENCES,
    CORES,
    DIRECTIONS,
    EMAIL_LOCALS,
    EXTRA_LANGUAGES,
    FIRST_NAMES,
    INSURERS,
    KINDS,
    PREFIXES,
    PROFILE_CUM_WEIGHTS,
    PROFILES,
    ROLES,
    SPANISH_STATES,
    STREET_NAMES,
    STREET_SUFFIXES,
    SURNAME_KINDS,
    SURNAMES,
    TOLL_FREE,
    Profile,
)
from kdirectory.testing.synthetic_values import (
    article,
    format_phone,
    holiday_hours,
    joined,
    lower_first,
    npi,
    opening_hours,
    sample,
    unit,
)

CITY_SIZE_EXPONENT = 1.5
"""A city's weight is (its standard ZIP codes) ** this: big cities get many clinics."""
_UPDATED_FROM = date(2026, 1, 5)
"""The earliest ``updated`` date of a record."""


class _PhoneBook:
    """Hands out unique fictional numbers ``NPA-555-01xx``, preferring the given area codes."""

    def __init__(self, rng: random.Random, fallback: Sequence[str]) -> None:
        self._rng = rng
        self._fallback = fallback
        self._free: dict[str, list[int]] = {}

    def take(self, *preferred: Sequence[str]) -> str | None:
        """A new ten-digit number, or ``None`` once every area code is used up."""
        for code in itertools.chain(*preferred, self._fallback):
            free = self._free.get(code)
            if free is None:
                free = self._free[code] = list(range(100))
            if free:
                return f"{code}55501{free.pop(self._rng.randrange(len(free))):02d}"
        return None


_KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "
"""Every character :func:`~kdirectory.record.directory_rules.name_key` leaves in a key."""


def _char_counts(key: str) -> tuple[int, ...]:
    return tuple(map(key.count, _KEY_ALPHABET))


@dataclass
class _CityState:
    """What has been generated in one city so far: name keys (with their character counts,
    for the near-duplicate test) and the brands with a branch here."""

    exhaustive: bool
    keys: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    exact: set[str] = field(default_factory=set)
    brands: set[str] = field(default_factory=set)


class Generator:
    """One run of generation: the cities drawn for every record up front (so that service
    areas can name them and big cities get the right name checks), then records one by one,
    keeping names, slugs, streets and phone numbers unique."""

    def __init__(
        self, count: int, seed: int, states: tuple[str, ...], *, brand_fields: bool = False
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not security
        # The fields of brand sites are drawn from a random source of their own, so that
        # asking for them adds fields and changes nothing else.
        self.brand_rng = (
            random.Random(f"{seed}:brand-fields")  # noqa: S311 - test data, not security
            if brand_fields
            else None
        )
        self.count = count
        cities = cities_in(states)
        if not cities:
            msg = f"no standard ZIP codes in {', '.join(states)}"
            raise ValueError(msg)
        weights = itertools.accumulate(len(c.zips) ** CITY_SIZE_EXPONENT for c in cities)
        self.assigned = self.rng.choices(cities, cum_weights=list(weights), k=count)
        sizes = Counter(self.assigned)
        self.city_state = {
            city: _CityState(exhaustive=n * (n - 1) // 2 <= MAX_CITY_PAIRS)
            for city, n in sizes.items()
        }
        self.used_by_state: dict[str, list[City]] = {}
        for city in sorted(sizes, key=lambda c: (c.state, c.name)):
            self.used_by_state.setdefault(city.state, []).append(city)
        self._nearby: dict[City, list[City]] = {}
        self.state_area_codes = self._state_area_codes(cities)
        national = sorted({code for codes in self.state_area_codes.values() for code in codes})
        self.phones = _PhoneBook(self.rng, national)
        self.toll_free = _PhoneBook(self.rng, ())
        self.taken_slugs: set[str] = set()
        self.taken_streets: set[tuple[str, int, str, str, str]] = set()
        self.conditions = vocabulary.conditions()
        self.therapies = vocabulary.therapies()
        self.specialties = vocabulary.specialties()
        self.brands = self._brands()

    @staticmethod
    def _state_area_codes(cities: Sequence[City]) -> dict[str, list[str]]:
        found: dict[str, set[str]] = {}
        for city in cities:
            for info in city.zips:
                found.setdefault(city.state, set()).update(info.area_codes)
        return {state: sorted(codes) for state, codes in found.items()}

    def _brands(self) -> list[tuple[str, str | None]]:
        """(brand name, shared toll-free number) for a few regional and national chains."""
        brands: list[tuple[str, str | None]] = []
        names: set[str] = set()
        while len(brands) < max(1, round(self.count / 300)):
            name = f"{self.rng.choice(PREFIXES)} {self.rng.choice(BRAND_KINDS)}"
            if name in names:
                if len(names) >= len(PREFIXES) * len(BRAND_KINDS):
                    break
                continue
            names.add(name)
            brands.append((name, self.toll_free.take(TOLL_FREE)))
        return brands

    # --- one record ---

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, in the order the cities were drawn."""
        for city in self.assigned:
            yield self.record(city)

    def record(self, city: City) -> dict[str, Any]:
        """One clinic in ``city``; fields in the order records document them."""
        rng = self.rng
        info = rng.choice(city.zips)
        profile = rng.choices(PROFILES, cum_weights=PROFILE_CUM_WEIGHTS)[0]
        brand, brand_phone = self._brand_for(city)
        record: dict[str, Any] = {"name": self._name(city, brand)}
        if rng.random() < 0.3:
            record["slug"] = slugify(record["name"])
        if brand is not None:
            record["brand"] = brand
        self._contact(record, city, info, brand, brand_phone)
        self._location(record, city, info, street=brand is not None or rng.random() >= 0.06)
        hours = opening_hours(rng)
        if hours is not None:
            record["hours"] = hours
            if rng.random() < 0.25:
                record["special_hours"] = holiday_hours(rng)
        self._treatment(record, profile)
        self._practice(record, city, profile)
        if self.brand_rng is not None:
            record = self._brand_fields(record, self.brand_rng)
        return record

    @staticmethod
    def _brand_fields(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """``record`` with a ``booking_url`` (after ``url``) for about half of the clinics
        with a website, and an NPI for most providers."""
        for person in record.get("providers", []):
            if rng.random() < 0.8:
                person["npi"] = npi(rng)
        url = record.get("url")
        if url is None or rng.random() >= 0.5:
            return record
        out: dict[str, Any] = {}
        for key, value in record.items():
            out[key] = value
            if key == "url":
                out["booking_url"] = f"{url.rstrip('/')}/book"
        return out

    def _contact(
        self,
        record: dict[str, Any],
        city: City,
        info: Zip,
        brand: str | None,
        brand_phone: str | None,
    ) -> None:
        """``url``, ``phone``, ``tracking_phone`` and ``email``."""
        rng = self.rng
        slug = slugify(record["name"])
        if rng.random() < 0.65:
            if brand is not None:
                record["url"] = f"https://{slugify(brand)}.example/locations/{slugify(city.name)}/"
            else:
                record["url"] = f"https://{slug}.example/"
        phone = brand_phone if brand_phone and rng.random() < 0.7 else None
        if phone is None:
            phone = self.phones.take(info.area_codes, self.state_area_codes[city.state])
        if phone is not None and rng.random() < 0.97:
            record["phone"] = format_phone(rng, phone)
            if rng.random() < 0.05:
                tracking = self.phones.take(info.area_codes)
                if tracking is not None:
                    record["tracking_phone"] = format_phone(rng, tracking)
        if rng.random() < 0.5:
            record["email"] = f"{rng.choice(EMAIL_LOCALS)}@{slug}.example"

    def _location(self, record: dict[str, Any], city: City, info: Zip, *, street: bool) -> None:
        """``address``, ``geo``, ``timezone`` and ``service_area``; without a street the
        clinic is a service-area clinic, which always names the cities it serves."""
        rng = self.rng
        record["address"] = self._address(city, info, street=street)
        if street and rng.random() < 0.35:
            record["geo"] = {
                "lat": round(info.lat + rng.uniform(-0.012, 0.012), 5),
                "lon": round(info.lon + rng.uniform(-0.012, 0.012), 5),
            }
        if info.timezone and rng.random() < 0.15:
            record["timezone"] = info.timezone
        if not street or rng.random() < 0.25:
            area = self._service_area(city)
            if area:
                record["service_area"] = area

    def _treatment(self, record: dict[str, Any], profile: Profile) -> None:
        """``conditions``, ``therapies``, ``specialties`` and the Spravato REMS flag."""
        therapies = self._pick(profile.therapies) or [next(iter(profile.therapies))]
        record["conditions"] = [
            c for c in self._pick(profile.conditions) or ["depression"] if c in self.conditions
        ]
        record["therapies"] = [t for t in therapies if t in self.therapies]
        specialties = [s for s in self._pick(profile.specialties) if s in self.specialties]
        if specialties:
            record["specialties"] = specialties
        if any(self.therapies[t].requires_rems for t in record["therapies"]):
            record["spravato_rems_certified"] = True
        elif self.rng.random() < 0.2:
            record["spravato_rems_certified"] = False

    def _practice(self, record: dict[str, Any], city: City, profile: Profile) -> None:
        """Patients, payment, price, languages, providers, profiles, description, date."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.9:
            record["accepting_new_patients"] = roll < 0.8
        insurance = self._insurance(record.get("spravato_rems_certified") is True)
        if insurance is not None:
            record["insurance"] = insurance
        record["payment"] = self._payment(bool(insurance))
        if rng.random() < 0.65:
            low = rng.randrange(*profile.price_steps)
            high = low + rng.randrange(100, 401, 50)
            record["price_range"] = f"${low}\u2013${high} {profile.price_unit}"
        languages = self._languages(city.state)
        if languages:
            record["languages"] = languages
        if rng.random() < 0.6:
            record["providers"] = self._providers(profile.name)
        if rng.random() < 0.15:
            record["same_as"] = [f"https://social.example/{slugify(record['name'])}"]
        if rng.random() < 0.7:
            record["description"] = self._description(record, city, profile.kind)
        if rng.random() < 0.5:
            record["updated"] = _UPDATED_FROM + timedelta(days=rng.randrange(0, 320))

    def _pick(self, chances: dict[str, float]) -> list[str]:
        return [slug for slug, chance in chances.items() if self.rng.random() < chance]

    def _brand_for(self, city: City) -> tuple[str | None, str | None]:
        if self.rng.random() >= 0.08 or not self.brands:
            return None, None
        brand, phone = self.rng.choice(self.brands)
        taken = self.city_state[city].brands
        if brand in taken:
            return None, None
        taken.add(brand)
        return brand, phone

    # --- names ---

    def _name(self, city: City, brand: str | None) -> str:
        state = self.city_state[city]
        for attempt in range(1000):
            if brand is not None and attempt == 0:
                name = f"{brand} {city.name}"
            else:
                name = self._candidate(city)
            if attempt >= 20:
                name = self._numbered(name)
            slug = slugify(name)
            if slug in self.taken_slugs or len(slug) >= MAX_SLUG_LENGTH or len(name) > 120:
                continue
            key = name_key(name)
            if not key or key in state.exact or (state.exhaustive and self._similar(key, state)):
                continue
            self.taken_slugs.add(slug)
            state.exact.add(key)
            if state.exhaustive:
                state.keys.append((len(key), _char_counts(key)))
            return name
        msg = f"could not find a distinct clinic name in {city.name}, {city.state}"
        raise RuntimeError(msg)

    @staticmethod
    def _similar(key: str, state: _CityState) -> bool:
        """The directory rule's near-duplicate test, conservatively.

        The rule needs both ``SequenceMatcher.quick_ratio`` and ``ratio`` to reach the
        threshold; this rejects a name on ``quick_ratio`` alone (which bounds ``ratio`` from
        above and does not depend on the order of the two names), computed the same way:
        twice the characters the keys share, counted as multisets, over their total length.
        """
        size, counts = len(key), _char_counts(key)
        for other_size, other_counts in state.keys:
            total = size + other_size
            if 2.0 * min(size, other_size) / total < SIMILAR_NAME_RATIO:
                continue
            if 2.0 * sum(map(min, counts, other_counts)) / total >= SIMILAR_NAME_RATIO:
                return True
        return False

    def _candidate(self, city: City) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return f"{rng.choice(PREFIXES)} {rng.choice(CORES)} {rng.choice(KINDS)}"
        if roll < 0.65:
            return f"{rng.choice(PREFIXES)} {rng.choice(KINDS)}"
        if roll < 0.75:
            return f"{city.name} {rng.choice(KINDS)}"
        if roll < 0.8:
            return f"{rng.choice(DIRECTIONS)[1]} {city.name} {rng.choice(KINDS)}"
        if roll < 0.92:
            return f"{rng.choice(SURNAMES)} {rng.choice(SURNAME_KINDS)}"
        return f"{rng.choice(PREFIXES)} {rng.choice(CORES)} {rng.choice(KINDS)} of {city.name}"

    def _numbered(self, name: str) -> str:
        number = 2
        while slugify(f"{name} {number}") in self.taken_slugs:
            number += 1
        return f"{name} {number}"

    # --- address and area ---

    def _address(self, city: City, info: Zip, *, street: bool) -> dict[str, Any]:
        rng = self.rng
        address: dict[str, Any] = {}
        if street:
            address["street"] = self._street(info)
            if rng.random() < 0.55:
                address["unit"] = unit(rng)
        address["city"] = city.name
        if rng.random() < 0.1:
            address["region"] = vocabulary.states()[city.state].name
        else:
            address["region"] = city.state
        if street or rng.random() < 0.5:
            plus4 = rng.random() < 0.1
            address["postal_code"] = (
                f"{info.code}-{rng.randrange(1, 10000):04d}" if plus4 else (info.code)
            )
        if rng.random() < 0.5:
            address["country"] = "US"
        return address

    def _street(self, info: Zip) -> str:
        rng = self.rng
        while True:
            number = (
                rng.randrange(100, 10000) if rng.random() < 0.85 else rng.randrange(10000, 25000)
            )
            direction = rng.choice(DIRECTIONS) if rng.random() < 0.2 else None
            street = rng.choice(STREET_NAMES)
            suffix = rng.choice(STREET_SUFFIXES)
            key = (info.code, number, direction[0] if direction else "", street, suffix[0])
            if key in self.taken_streets:
                continue
            self.taken_streets.add(key)
            spelled = rng.random() < 0.15
            parts = [str(number)]
            if direction:
                parts.append(direction[1] if spelled else direction[0])
            parts += [street, suffix[1] if spelled else suffix[0]]
            return " ".join(parts)

    def _nearby_cities(self, city: City) -> list[City]:
        """Up to six other cities of the state that have clinics, nearest first."""
        nearby = self._nearby.get(city)
        if nearby is None:
            lat, lon, scale = city.lat, city.lon, math.cos(math.radians(city.lat))
            others = self.used_by_state[city.state]
            distances = [
                ((c.lat - lat) ** 2 + ((c.lon - lon) * scale) ** 2, i) for i, c in enumerate(others)
            ]
            nearest = heapq.nsmallest(7, distances)
            nearby = self._nearby[city] = [others[i] for _, i in nearest if others[i] is not city][
                :6
            ]
        return nearby

    def _service_area(self, city: City) -> list[str]:
        nearby = self._nearby_cities(city)
        if not nearby:
            return []
        chosen = nearby[: self.rng.randint(1, min(4, len(nearby)))]
        with_state = self.rng.random() < 0.1
        return [f"{c.name}, {c.state}" if with_state else c.name for c in chosen]

    # --- the rest ---

    def _insurance(self, rems: bool) -> list[str] | None:
        rng = self.rng
        if rng.random() < (0.85 if rems else 0.3):
            return sorted(sample(rng, INSURERS, rng.randint(1, 5)))
        return [] if rng.random() < 0.5 else None

    def _payment(self, insured: bool) -> list[str]:
        rng = self.rng
        methods = ["cash", "credit-card"]
        methods += [
            m for m in ("debit-card", "hsa-fsa", "financing", "check") if rng.random() < 0.4
        ]
        if insured:
            methods.append("insurance")
        return methods

    def _languages(self, state: str) -> list[str]:
        rng = self.rng
        if rng.random() < 0.3:
            return []
        languages = ["en"]
        if rng.random() < (0.5 if state in SPANISH_STATES else 0.2):
            languages.append("es")
        if rng.random() < 0.1:
            languages.append(rng.choice(EXTRA_LANGUAGES))
        return languages

    def _providers(self, profile: str) -> list[dict[str, str]]:
        rng = self.rng
        lead = "Anesthesiologist" if profile in ("infusion", "pain") else "Psychiatrist"
        people: list[dict[str, str]] = []
        names: set[str] = set()
        for index in range(rng.randint(1, 3)):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            if name in names:
                continue
            names.add(name)
            role, credentials = (
                (lead, ("MD", "DO")) if index == 0 else ROLES[rng.randrange(len(ROLES))]
            )
            person = {"name": name, "credentials": rng.choice(credentials)}
            person["role"] = "Medical Director" if index == 0 and rng.random() < 0.7 else role
            people.append(person)
        return people

    def _description(self, record: dict[str, Any], city: City, kind: str) -> str:
        rng = self.rng
        state = vocabulary.states()[city.state].name
        therapies = joined([lower_first(self.therapies[t].name) for t in record["therapies"]])
        conditions = joined(
            [lower_first(self.conditions[c].name) for c in record["conditions"][:4]]
        )
        closing = sample(rng, CLOSING_SENTENCES, rng.randint(1, 2))
        return " ".join(
            [
                f"{record['name']} is {article(kind)} {kind} in {city.name}, {state}.",
                f"It offers {therapies} for adults with {conditions}.",
                *closing,
            ]
        )

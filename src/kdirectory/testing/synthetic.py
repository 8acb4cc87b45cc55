"""Synthetic site projects: realistic, valid clinic records for tests and benchmarks.

Records are fictional but shaped like a real directory:

- every address uses a real, active, standard US ZIP code with its USPS city and state
  (from the ``zipcodes`` package), and clinics cluster in cities roughly as real clinics do:
  a city's weight grows with its number of ZIP codes, so Houston and New York get hundreds
  of clinics while most towns get one;
- names and street addresses are unique, and names in one city are never near-duplicates
  (the directory rules would warn about them);
- phone numbers use an area code of the clinic's ZIP with the fictional exchange
  ``555-01xx`` (fictional records never dial a real person), which
  ``phonenumbers`` accepts as valid; brands share a toll-free number across branches;
- conditions, therapies and specialties come from the packaged vocabularies and follow
  every record rule (esketamine is only offered with ``spravato_rems_certified: true``);
- hours vary: split shifts, closed days, Saturday mornings, holidays in ``special_hours``.

Generation is deterministic: it draws only from ``random.Random(seed)``, so the same
arguments give byte-identical files. It is fast enough for benchmarks (10,000 records in
a few seconds)::

    from kdirectory.testing.synthetic import generate_project
    paths = generate_project(tmp_path, 10_000, seed=1)
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
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import zipcodes

from kdirectory.record import vocabulary
from kdirectory.record.directory_rules import MAX_CITY_PAIRS, SIMILAR_NAME_RATIO, name_key
from kdirectory.record.slugs import MAX_SLUG_LENGTH, slugify
from kdirectory.record.write import dump_record

__all__ = ["CONTIGUOUS_STATES", "generate_project", "generate_records", "project_config"]

CONTIGUOUS_STATES: tuple[str, ...] = (
    "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "IA", "ID", "IL", "IN", "KS",
    "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ",
    "NM", "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT",
    "WA", "WI", "WV", "WY",
)  # fmt: skip
"""The 48 contiguous states and the District of Columbia: the default for generation."""

_T = TypeVar("_T")

CITY_SIZE_EXPONENT = 1.5
"""A city's weight is (its standard ZIP codes) ** this: big cities get many clinics."""

CONFIG_TEMPLATE = """\
# A synthetic directory written by kdirectory.testing.synthetic (seed {seed}, {count} records).
# Every clinic in it is fictional; its phone numbers use the 555-01xx range.
[site]
name = "Synthetic Ketamine Therapy Directory"
base_url = "https://directory.example"
language = "en-US"

[review]
reviewed_by = "kdirectory synthetic data (not a clinician review)"
last_reviewed = 2026-11-01

[geocoder]
provider = "offline"
user_agent = "kdirectory-synthetic/0.1 (maintainers@kdirectory.example)"

[build]
out = "site"
"""

# --- word lists ------------------------------------------------------------------------------

_PREFIXES = (
    "Amber", "Anchor", "Aspen", "Aurora", "Awaken", "Balance", "Bayview", "Beacon", "Birch",
    "Bluebird", "Bright", "Calm", "Canyon", "Cedar", "Clarity", "Clear", "Cobalt", "Compass",
    "Copper", "Cornerstone", "Crescent", "Cypress", "Daybreak", "Elevate", "Equinox",
    "Evergreen", "Fairview", "Golden", "Granite", "Harbor", "Haven", "Headwaters", "Heron",
    "Hillcrest", "Horizon", "Indigo", "Insight", "Juniper", "Kestrel", "Keystone", "Kindred",
    "Lakeside", "Lighthouse", "Lotus", "Lumen", "Magnolia", "Maple", "Meridian", "Mesa",
    "Morning", "Northstar", "Oasis", "Orchid", "Parkside", "Pinnacle", "Polaris", "Prairie",
    "Redwood", "Renewal", "Resilience", "Ridgeline", "Riverbend", "Sage", "Sequoia", "Serenity",
    "Silver", "Solstice", "Stillwater", "Summit", "Sunrise", "Tandem", "Tidewater", "Tranquil",
    "True North", "Vista", "Wellspring", "Willow",
)  # fmt: skip
_CORES = (
    "Bridge", "Field", "Grove", "Leaf", "Light", "Mind", "Mood", "Path", "Peak", "Point",
    "River", "Spring", "Stone", "Wave",
)  # fmt: skip
_KINDS = (
    "Behavioral Health", "Health", "Infusion Center", "Infusions", "Integrative Psychiatry",
    "Ketamine & Wellness", "Ketamine Center", "Ketamine Clinic", "Ketamine Institute",
    "Ketamine Therapy", "Mental Health", "Mind Wellness", "Psychiatry", "Wellness",
)  # fmt: skip
_SURNAME_KINDS = (
    "Psychiatric Associates", "Psychiatry & Ketamine", "Pain & Ketamine", "Integrative Medicine",
)  # fmt: skip
_BRAND_KINDS = ("Ketamine Centers", "Infusion Partners", "Mind Institute", "Ketamine Health")
_FIRST_NAMES = (
    "Aisha", "Alex", "Ana", "Andrew", "Priya", "Benjamin", "Carlos", "Catherine", "Daniel",
    "David", "Elena", "Emily", "Farah", "Grace", "Hannah", "Hector", "Isabel", "James", "Jasmine",
    "Jennifer", "John", "Jordan", "Julia", "Kevin", "Laura", "Linh", "Marcus", "Maria", "Michael",
    "Min-jun", "Nadia", "Nathan", "Olivia", "Omar", "Rachel", "Rebecca", "Robert", "Samuel",
    "Sarah", "Sofia", "Thomas", "Wei", "William", "Yusuf", "Zoe",
)  # fmt: skip
_SURNAMES = (
    "Abbott", "Alvarez", "Anderson", "Bennett", "Brooks", "Castillo", "Chen", "Coleman", "Cruz",
    "Diaz", "Ellis", "Fischer", "Foster", "Garcia", "Gupta", "Hall", "Hayes", "Hernandez",
    "Hoffman", "Jensen", "Kaplan", "Kim", "Kowalski", "Lee", "Lopez", "Mehta", "Mendoza",
    "Mitchell", "Morgan", "Nakamura", "Nguyen", "Novak", "Okafor", "Ortiz", "Park", "Patel",
    "Perry", "Price", "Ramirez", "Reyes", "Rivera", "Rossi", "Russell", "Sanders", "Shah",
    "Singh", "Sullivan", "Tanaka", "Torres", "Tran", "Turner", "Vargas", "Walsh", "Webb",
    "Weiss", "Whitaker", "Wong", "Yamamoto", "Young", "Zimmerman",
)  # fmt: skip
_STREET_NAMES = (
    "Adams", "Airport", "Bay", "Birch", "Brook", "Canyon", "Cedar", "Central", "Cherry",
    "Chestnut", "Church", "College", "Commerce", "Corporate", "Country Club", "Dogwood", "Elm",
    "Executive", "Fairview", "Forest", "Franklin", "Gateway", "Grand", "Green", "Hamilton",
    "Harbor", "Heritage", "Highland", "Hill", "Hillcrest", "Jackson", "Jefferson", "Lake",
    "Lakeview", "Laurel", "Liberty", "Lincoln", "Madison", "Magnolia", "Main", "Maple", "Market",
    "Meadow", "Medical", "Mesa", "Mill", "Monroe", "Oak", "Orchard", "Park", "Pine", "Pioneer",
    "Professional", "Prospect", "Ridge", "River", "Riverside", "Spring", "Stone", "Summit",
    "Sunset", "Sycamore", "Union", "University", "Valley", "Vista", "Walnut", "Washington",
    "Willow", "Wilson", "Woodland",
    "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "11th", "12th",
    "14th", "16th", "18th", "21st", "23rd", "25th", "32nd", "40th",
)  # fmt: skip
_STREET_SUFFIXES = (
    ("St", "Street"), ("Ave", "Avenue"), ("Blvd", "Boulevard"), ("Rd", "Road"), ("Dr", "Drive"),
    ("Ln", "Lane"), ("Way", "Way"), ("Pkwy", "Parkway"), ("Ct", "Court"), ("Pl", "Place"),
    ("Cir", "Circle"),
)  # fmt: skip
_DIRECTIONS = (("N", "North"), ("S", "South"), ("E", "East"), ("W", "West"))
_TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")
_INSURERS = (
    "Aetna", "Anthem", "Blue Cross Blue Shield", "Cigna", "Humana", "Medicare", "Optum",
    "TRICARE", "UnitedHealthcare",
)  # fmt: skip
_EXTRA_LANGUAGES = ("ar", "fa", "fr", "ht", "hy", "ko", "pt", "ru", "tl", "vi", "zh")
_SPANISH_STATES = frozenset({"AZ", "CA", "CO", "FL", "NM", "NV", "TX"})
_EMAIL_LOCALS = ("info", "hello", "contact", "frontdesk", "appointments")
_ROLES = (
    ("Psychiatrist", ("MD", "DO")),
    ("Anesthesiologist", ("MD", "DO")),
    ("Psychiatric Nurse Practitioner", ("PMHNP-BC", "APRN")),
    ("Nurse Anesthetist", ("CRNA",)),
    ("Therapist", ("LCSW", "LMFT", "PhD", "PsyD")),
    ("Physician Assistant", ("PA-C",)),
)  # fmt: skip
_HOLIDAYS: tuple[tuple[date, str, str | None], ...] = (
    (date(2026, 11, 26), "Thanksgiving Day", None),
    (date(2026, 11, 27), "Day after Thanksgiving", "09:00-13:00"),
    (date(2026, 12, 24), "Christmas Eve", "09:00-12:00"),
    (date(2026, 12, 25), "Christmas Day", None),
    (date(2026, 12, 31), "New Year's Eve", "09:00-14:00"),
    (date(2027, 1, 1), "New Year's Day", None),
    (date(2027, 1, 18), "Martin Luther King Jr. Day", None),
    (date(2027, 5, 31), "Memorial Day", None),
    (date(2027, 7, 5), "Independence Day (observed)", None),
)  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
_UPDATED_FROM = date(2026, 1, 5)


@dataclass(frozen=True)
class _Profile:
    """A kind of practice: how likely it offers each therapy, treats each condition and
    names each specialty, how its description calls it, and what its price is per."""

    name: str
    weight: float
    therapies: dict[str, float]
    conditions: dict[str, float]
    specialties: dict[str, float]
    kind: str
    price_unit: str
    price_steps: tuple[int, int, int]


_MOOD = {
    "depression": 0.9,
    "treatment-resistant-depression": 0.7,
    "generalized-anxiety": 0.55,
    "ptsd": 0.55,
    "ocd": 0.3,
    "bipolar-depression": 0.3,
    "suicidal-ideation": 0.2,
    "postpartum-depression": 0.2,
    "social-anxiety": 0.15,
    "alcohol-use-disorder": 0.12,
    "substance-use-disorder": 0.08,
}
_PAIN = {"chronic-pain": 0.9, "crps": 0.55, "fibromyalgia": 0.55, "migraine": 0.45}
_PROFILES: tuple[_Profile, ...] = (
    _Profile(
        "infusion",
        0.45,
        {
            "iv-ketamine-infusion": 1.0,
            "im-ketamine": 0.2,
            "ketamine-assisted-psychotherapy": 0.25,
            "esketamine-nasal-spray": 0.15,
        },
        {**_MOOD, **{k: v / 3 for k, v in _PAIN.items()}},
        {"anesthesia": 0.6, "psychiatric": 0.45, "emergency": 0.05},
        "ketamine infusion clinic",
        "per infusion",
        (300, 576, 25),
    ),
    _Profile(
        "psychiatry",
        0.33,
        {
            "esketamine-nasal-spray": 0.6,
            "ketamine-assisted-psychotherapy": 0.5,
            "oral-ketamine": 0.35,
            "im-ketamine": 0.15,
        },
        _MOOD,
        {"psychiatric": 1.0},
        "psychiatric practice offering ketamine-based treatment",
        "per session",
        (125, 301, 25),
    ),
    _Profile(
        "pain",
        0.1,
        {"iv-ketamine-infusion": 1.0, "im-ketamine": 0.2},
        {**_PAIN, "depression": 0.5, "treatment-resistant-depression": 0.3},
        {"anesthesia": 0.9, "neurologic": 0.3, "musculoskeletal": 0.2},
        "pain management practice",
        "per infusion",
        (300, 576, 25),
    ),
    _Profile(
        "integrative",
        0.12,
        {
            "ketamine-assisted-psychotherapy": 0.9,
            "oral-ketamine": 0.5,
            "iv-ketamine-infusion": 0.4,
            "im-ketamine": 0.2,
        },
        _MOOD,
        {"psychiatric": 0.7, "primary-care": 0.4},
        "integrative mental health practice",
        "per session",
        (125, 301, 25),
    ),
)
_PROFILE_CUM_WEIGHTS = tuple(itertools.accumulate(profile.weight for profile in _PROFILES))
_CLOSING_SENTENCES = (
    (
        "Every course of treatment starts with a medical and psychiatric evaluation, and "
        "patients are monitored throughout each session."
    ),
    (
        "Treatment plans are coordinated with each patient's psychiatrist, therapist or "
        "primary care doctor."
    ),
    (
        "Side effects such as raised blood pressure, nausea and dissociation are explained "
        "before the first session and watched for during it."
    ),
    (
        "Patients need someone to drive them after each session, since ketamine affects "
        "coordination for several hours."
    ),
    "Referrals are welcome but not required; the first step is a consultation call.",
    "Sessions take place in private rooms with a clinician nearby.",
)


# --- the gazetteer, reduced to what generation needs -------------------------------------------


@dataclass(frozen=True, slots=True)
class _Zip:
    code: str
    lat: float
    lon: float
    timezone: str | None
    area_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class _City:
    state: str
    name: str
    zips: tuple[_Zip, ...]
    lat: float
    lon: float


@cache
def _standard_zips() -> tuple[tuple[str, str, _Zip], ...]:
    """(state, city, ZIP) for every active standard ZIP with a centroid, in ZIP order."""
    rows: list[dict[str, Any]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
    found = []
    for row in rows:
        if row.get("zip_code_type") != "STANDARD" or not row.get("active"):
            continue
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
        codes = tuple(sorted(c for c in row.get("area_codes") or () if len(c) == 3))
        info = _Zip(row["zip_code"], lat, lon, row.get("timezone") or None, codes)
        found.append((str(row["state"]), str(row["city"]), info))
    found.sort(key=lambda item: item[2].code)
    return tuple(found)


@cache
def _cities(states: tuple[str, ...]) -> tuple[_City, ...]:
    """Every city in ``states`` with its standard ZIPs, ordered by state and folded name."""
    wanted = frozenset(states)
    members: dict[tuple[str, str], list[_Zip]] = {}
    names: dict[tuple[str, str], str] = {}
    for state, city, info in _standard_zips():
        if state not in wanted:
            continue
        key = (state, city.casefold())
        members.setdefault(key, []).append(info)
        names.setdefault(key, city)
    cities = []
    for key in sorted(members):
        zips = tuple(members[key])
        lat = sum(z.lat for z in zips) / len(zips)
        lon = sum(z.lon for z in zips) / len(zips)
        cities.append(_City(key[0], names[key], zips, lat, lon))
    return tuple(cities)


def _state_codes(states: Sequence[str] | None) -> tuple[str, ...]:
    if states is None:
        return CONTIGUOUS_STATES
    if isinstance(states, str):
        states = [states]
    codes = []
    for text in states:
        code = vocabulary.state_code(text)
        if code is None:
            msg = f"{text!r} is not a US state"
            raise ValueError(msg)
        codes.append(code)
    if not codes:
        msg = "states is empty; pass None for the contiguous United States"
        raise ValueError(msg)
    return tuple(sorted(set(codes)))


# --- generation --------------------------------------------------------------------------------


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


class _Generator:
    """One run of generation: the cities drawn for every record up front (so that service
    areas can name them and big cities get the right name checks), then records one by one,
    keeping names, slugs, streets and phone numbers unique."""

    def __init__(self, count: int, seed: int, states: tuple[str, ...]) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not security
        self.count = count
        cities = _cities(states)
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
        self.used_by_state: dict[str, list[_City]] = {}
        for city in sorted(sizes, key=lambda c: (c.state, c.name)):
            self.used_by_state.setdefault(city.state, []).append(city)
        self._nearby: dict[_City, list[_City]] = {}
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
    def _state_area_codes(cities: Sequence[_City]) -> dict[str, list[str]]:
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
            name = f"{self.rng.choice(_PREFIXES)} {self.rng.choice(_BRAND_KINDS)}"
            if name in names:
                if len(names) >= len(_PREFIXES) * len(_BRAND_KINDS):
                    break
                continue
            names.add(name)
            brands.append((name, self.toll_free.take(_TOLL_FREE)))
        return brands

    # --- one record ---

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, in the order the cities were drawn."""
        for city in self.assigned:
            yield self.record(city)

    def record(self, city: _City) -> dict[str, Any]:
        """One clinic in ``city``; fields in the order records document them."""
        rng = self.rng
        info = rng.choice(city.zips)
        profile = rng.choices(_PROFILES, cum_weights=_PROFILE_CUM_WEIGHTS)[0]
        brand, brand_phone = self._brand_for(city)
        record: dict[str, Any] = {"name": self._name(city, brand)}
        if rng.random() < 0.3:
            record["slug"] = slugify(record["name"])
        if brand is not None:
            record["brand"] = brand
        self._contact(record, city, info, brand, brand_phone)
        self._location(record, city, info, street=brand is not None or rng.random() >= 0.06)
        hours = _hours(rng)
        if hours is not None:
            record["hours"] = hours
            if rng.random() < 0.25:
                record["special_hours"] = _special_hours(rng)
        self._treatment(record, profile)
        self._practice(record, city, profile)
        return record

    def _contact(
        self,
        record: dict[str, Any],
        city: _City,
        info: _Zip,
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
            record["phone"] = _format_phone(rng, phone)
            if rng.random() < 0.05:
                tracking = self.phones.take(info.area_codes)
                if tracking is not None:
                    record["tracking_phone"] = _format_phone(rng, tracking)
        if rng.random() < 0.5:
            record["email"] = f"{rng.choice(_EMAIL_LOCALS)}@{slug}.example"

    def _location(self, record: dict[str, Any], city: _City, info: _Zip, *, street: bool) -> None:
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

    def _treatment(self, record: dict[str, Any], profile: _Profile) -> None:
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

    def _practice(self, record: dict[str, Any], city: _City, profile: _Profile) -> None:
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

    def _brand_for(self, city: _City) -> tuple[str | None, str | None]:
        if self.rng.random() >= 0.08 or not self.brands:
            return None, None
        brand, phone = self.rng.choice(self.brands)
        taken = self.city_state[city].brands
        if brand in taken:
            return None, None
        taken.add(brand)
        return brand, phone

    # --- names ---

    def _name(self, city: _City, brand: str | None) -> str:
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

    def _candidate(self, city: _City) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return f"{rng.choice(_PREFIXES)} {rng.choice(_CORES)} {rng.choice(_KINDS)}"
        if roll < 0.65:
            return f"{rng.choice(_PREFIXES)} {rng.choice(_KINDS)}"
        if roll < 0.75:
            return f"{city.name} {rng.choice(_KINDS)}"
        if roll < 0.8:
            return f"{rng.choice(_DIRECTIONS)[1]} {city.name} {rng.choice(_KINDS)}"
        if roll < 0.92:
            return f"{rng.choice(_SURNAMES)} {rng.choice(_SURNAME_KINDS)}"
        return f"{rng.choice(_PREFIXES)} {rng.choice(_CORES)} {rng.choice(_KINDS)} of {city.name}"

    def _numbered(self, name: str) -> str:
        number = 2
        while slugify(f"{name} {number}") in self.taken_slugs:
            number += 1
        return f"{name} {number}"

    # --- address and area ---

    def _address(self, city: _City, info: _Zip, *, street: bool) -> dict[str, Any]:
        rng = self.rng
        address: dict[str, Any] = {}
        if street:
            address["street"] = self._street(info)
            if rng.random() < 0.55:
                address["unit"] = _unit(rng)
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

    def _street(self, info: _Zip) -> str:
        rng = self.rng
        while True:
            number = (
                rng.randrange(100, 10000) if rng.random() < 0.85 else rng.randrange(10000, 25000)
            )
            direction = rng.choice(_DIRECTIONS) if rng.random() < 0.2 else None
            street = rng.choice(_STREET_NAMES)
            suffix = rng.choice(_STREET_SUFFIXES)
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

    def _nearby_cities(self, city: _City) -> list[_City]:
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

    def _service_area(self, city: _City) -> list[str]:
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
            return sorted(_sample(rng, _INSURERS, rng.randint(1, 5)))
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
        if rng.random() < (0.5 if state in _SPANISH_STATES else 0.2):
            languages.append("es")
        if rng.random() < 0.1:
            languages.append(rng.choice(_EXTRA_LANGUAGES))
        return languages

    def _providers(self, profile: str) -> list[dict[str, str]]:
        rng = self.rng
        lead = "Anesthesiologist" if profile in ("infusion", "pain") else "Psychiatrist"
        people: list[dict[str, str]] = []
        names: set[str] = set()
        for index in range(rng.randint(1, 3)):
            name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
            if name in names:
                continue
            names.add(name)
            role, credentials = (
                (lead, ("MD", "DO")) if index == 0 else _ROLES[rng.randrange(len(_ROLES))]
            )
            person = {"name": name, "credentials": rng.choice(credentials)}
            person["role"] = "Medical Director" if index == 0 and rng.random() < 0.7 else role
            people.append(person)
        return people

    def _description(self, record: dict[str, Any], city: _City, kind: str) -> str:
        rng = self.rng
        state = vocabulary.states()[city.state].name
        therapies = _join([_lower_first(self.therapies[t].name) for t in record["therapies"]])
        conditions = _join(
            [_lower_first(self.conditions[c].name) for c in record["conditions"][:4]]
        )
        closing = _sample(rng, _CLOSING_SENTENCES, rng.randint(1, 2))
        return " ".join(
            [
                f"{record['name']} is {_article(kind)} {kind} in {city.name}, {state}.",
                f"It offers {therapies} for adults with {conditions}.",
                *closing,
            ]
        )


def _sample(rng: random.Random, population: Sequence[_T], k: int) -> list[_T]:
    """``k`` distinct items in random order (``random.sample`` without its slow type check)."""
    items = list(population)
    rng.shuffle(items)
    return items[:k]


def _format_phone(rng: random.Random, digits: str) -> str:
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    roll = rng.random()
    if roll < 0.55:
        text = f"({area}) {exchange}-{line}"
    elif roll < 0.8:
        text = f"{area}-{exchange}-{line}"
    elif roll < 0.9:
        text = f"{area}.{exchange}.{line}"
    else:
        text = f"+1 {area} {exchange} {line}"
    if rng.random() < 0.02:
        text += f" ext. {rng.randint(2, 40)}"
    return text


def _unit(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return f"Suite {rng.randrange(1, 6)}{rng.randrange(0, 60):02d}"
    if roll < 0.75:
        return f"Ste {rng.randrange(100, 500, 10)}"
    if roll < 0.9:
        return f"#{rng.randrange(1, 40)}"
    return f"Unit {rng.choice('ABCDEFGH')}"


def _shift(rng: random.Random, text: str) -> str:
    """A time range, rarely with the en dash a word processor would write."""
    return text.replace("-", "\u2013") if rng.random() < 0.02 else text


def _hours(rng: random.Random) -> dict[str, Any] | None:
    """A week of opening hours: ``None`` (not stated) for some clinics."""
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.09:
        return dict.fromkeys((*_WEEKDAYS, "saturday", "sunday"), "00:00-24:00")
    opens = rng.choice(("07:00", "07:30", "08:00", "08:00", "08:30", "09:00", "09:00", "10:00"))
    closes = rng.choice(("16:00", "17:00", "17:00", "17:30", "18:00", "18:00", "19:00"))
    split = rng.random() < 0.2
    lunch = rng.choice((("12:00", "13:00"), ("12:30", "13:30"), ("13:00", "14:00")))
    closed_day = rng.choice(_WEEKDAYS) if rng.random() < 0.12 else None
    late_days = ("tuesday", "thursday") if rng.random() < 0.15 else ()
    hours: dict[str, Any] = {}
    for day in _WEEKDAYS:
        if day == closed_day:
            hours[day] = "closed"
            continue
        end = "20:30" if day in late_days else closes
        if split:
            hours[day] = [_shift(rng, f"{opens}-{lunch[0]}"), _shift(rng, f"{lunch[1]}-{end}")]
        elif rng.random() < 0.05:
            hours[day] = [_shift(rng, f"{opens}-{end}")]
        else:
            hours[day] = _shift(rng, f"{opens}-{end}")
    roll = rng.random()
    if roll < 0.45:
        hours["saturday"] = "closed"
    elif roll < 0.85:
        hours["saturday"] = rng.choice(("08:00-12:00", "09:00-13:00", "10:00-14:00"))
    roll = rng.random()
    if roll < 0.6:
        hours["sunday"] = "closed"
    elif roll < 0.68:
        hours["sunday"] = "11:00-15:00"
    return hours


def _special_hours(rng: random.Random) -> list[dict[str, Any]]:
    chosen = sorted(_sample(rng, range(len(_HOLIDAYS)), rng.randint(1, 3)))
    entries: list[dict[str, Any]] = []
    for index in chosen:
        day, note, hours = _HOLIDAYS[index]
        entry: dict[str, Any] = {"date": day}
        if hours is None:
            entry["closed"] = True
        else:
            entry["hours"] = hours
        entry["note"] = note
        entries.append(entry)
    return entries


def _lower_first(text: str) -> str:
    """``Depression`` -> ``depression``; ``IV ketamine`` and ``PTSD`` stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# --- public API --------------------------------------------------------------------------------


def generate_records(
    count: int, *, seed: int = 0, states: Sequence[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` valid, fictional clinic records as plain data (no files written).

    Args:
        count: how many records.
        seed: the seed of the only source of randomness; the same arguments give the same
            records, in the same order.
        states: state codes or names to place clinics in; default: the 48 contiguous
            states and DC (:data:`CONTIGUOUS_STATES`).

    Raises:
        ValueError: ``count`` is negative, or ``states`` names no real state (raised when
            the iterator is created, not on first use).
    """
    if count < 0:
        msg = f"count must be 0 or more, not {count}"
        raise ValueError(msg)
    generator = _Generator(count, seed, _state_codes(states))
    return generator.records()


def project_config(*, seed: int = 0, count: int = 0) -> str:
    """The ``kdirectory.toml`` of a synthetic project (offline geocoder, ``site`` output)."""
    return CONFIG_TEMPLATE.format(seed=seed, count=count)


_REPEATED_FIELDS = frozenset(
    {
        "timezone", "hours", "special_hours", "conditions", "therapies", "specialties",
        "spravato_rems_certified", "accepting_new_patients", "insurance", "payment",
        "price_range", "languages",
    }
)  # fmt: skip
"""Top-level fields whose values recur across records: their YAML is written once."""


class _RecordWriter:
    """:func:`dump_record`, faster for many records: a top-level field whose value recurs
    (hours, conditions, payment, ...) is emitted once and its text reused. A block mapping's
    text is its entries' texts in order, so the result is the same text."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, str], str] = {}

    def dump(self, record: dict[str, Any]) -> str:
        fresh = {k: v for k, v in record.items() if k not in _REPEATED_FIELDS}
        chunks = iter(_top_level_entries(dump_record(fresh)) if fresh else ())
        parts = []
        for key, value in record.items():
            if key not in _REPEATED_FIELDS:
                parts.append(next(chunks))
                continue
            cache_key = (key, repr(value))
            text = self._texts.get(cache_key)
            if text is None:
                text = self._texts[cache_key] = dump_record({key: value})
            parts.append(text)
        return "".join(parts)


def _top_level_entries(text: str) -> list[str]:
    """Split a block mapping's YAML into its entries: each starts on a line at column 0 that
    is not a sequence item (PyYAML indents everything else under a top-level key)."""
    entries: list[str] = []
    for line in text.splitlines(keepends=True):
        if entries and line[:1] in (" ", "-"):
            entries[-1] += line
        else:
            entries.append(line)
    return entries


def generate_project(
    root: Path, count: int, *, seed: int = 0, states: Sequence[str] | None = None
) -> list[Path]:
    """Write a synthetic site project into ``root`` and return its record files.

    Writes ``root/kdirectory.toml`` and ``count`` records ``root/data/clinics/<slug>.yaml``
    (see :func:`generate_records`); ``root`` and its folders are created as needed. Other
    files already in ``data/clinics/`` are left alone, so start from an empty folder.
    The same arguments give byte-identical files.

    Raises:
        ValueError: as :func:`generate_records`.
    """
    records = generate_records(count, seed=seed, states=states)
    folder = root / "data" / "clinics"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "kdirectory.toml").write_bytes(project_config(seed=seed, count=count).encode())
    writer = _RecordWriter()
    paths = []
    for record in records:
        slug = record.get("slug") or slugify(record["name"])
        path = folder / f"{slug}.yaml"
        path.write_bytes(writer.dump(record).encode("utf-8"))
        paths.append(path)
    return paths

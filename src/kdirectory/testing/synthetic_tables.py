"""The tables synthetic records are drawn from: words for clinic, brand, people's and street
names, insurers, languages, roles, holidays, and the kinds of practice (how likely each
offers a therapy, treats a condition, names a specialty, and what it charges).

Everything here is fictional or generic; :mod:`kdirectory.testing.synthetic_generator`
draws from it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

PREFIXES = (
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
CORES = (
    "Bridge", "Field", "Grove", "Leaf", "Light", "Mind", "Mood", "Path", "Peak", "Point",
    "River", "Spring", "Stone", "Wave",
)  # fmt: skip
KINDS = (
    "Behavioral Health", "Health", "Infusion Center", "Infusions", "Integrative Psychiatry",
    "Ketamine & Wellness", "Ketamine Center", "Ketamine Clinic", "Ketamine Institute",
    "Ketamine Therapy", "Mental Health", "Mind Wellness", "Psychiatry", "Wellness",
)  # fmt: skip
SURNAME_KINDS = (
    "Psychiatric Associates", "Psychiatry & Ketamine", "Pain & Ketamine", "Integrative Medicine",
)  # fmt: skip
BRAND_KINDS = ("Ketamine Centers", "Infusion Partners", "Mind Institute", "Ketamine Health")
FIRST_NAMES = (
    "Aisha", "Alex", "Ana", "Andrew", "Priya", "Benjamin", "Carlos", "Catherine", "Daniel",
    "David", "Elena", "Emily", "Farah", "Grace", "Hannah", "Hector", "Isabel", "James", "Jasmine",
    "Jennifer", "John", "Jordan", "Julia", "Kevin", "Laura", "Linh", "Marcus", "Maria", "Michael",
    "Min-jun", "Nadia", "Nathan", "Olivia", "Omar", "Rachel", "Rebecca", "Robert", "Samuel",
    "Sarah", "Sofia", "Thomas", "Wei", "William", "Yusuf", "Zoe",
)  # fmt: skip
SURNAMES = (
    "Abbott", "Alvarez", "Anderson", "Bennett", "Brooks", "Castillo", "Chen", "Coleman", "Cruz",
    "Diaz", "Ellis", "Fischer", "Foster", "Garcia", "Gupta", "Hall", "Hayes", "Hernandez",
    "Hoffman", "Jensen", "Kaplan", "Kim", "Kowalski", "Lee", "Lopez", "Mehta", "Mendoza",
    "Mitchell", "Morgan", "Nakamura", "Nguyen", "Novak", "Okafor", "Ortiz", "Park", "Patel",
    "Perry", "Price", "Ramirez", "Reyes", "Rivera", "Rossi", "Russell", "Sanders", "Shah",
    "Singh", "Sullivan", "Tanaka", "Torres", "Tran", "Turner", "Vargas", "Walsh", "Webb",
    "Weiss", "Whitaker", "Wong", "Yamamoto", "Young", "Zimmerman",
)  # fmt: skip
STREET_NAMES = (
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
STREET_SUFFIXES = (
    ("St", "Street"), ("Ave", "Avenue"), ("Blvd", "Boulevard"), ("Rd", "Road"), ("Dr", "Drive"),
    ("Ln", "Lane"), ("Way", "Way"), ("Pkwy", "Parkway"), ("Ct", "Court"), ("Pl", "Place"),
    ("Cir", "Circle"),
)  # fmt: skip
DIRECTIONS = (("N", "North"), ("S", "South"), ("E", "East"), ("W", "West"))
TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")
INSURERS = (
    "Aetna", "Anthem", "Blue Cross Blue Shield", "Cigna", "Humana", "Medicare", "Optum",
    "TRICARE", "UnitedHealthcare",
)  # fmt: skip
EXTRA_LANGUAGES = ("ar", "fa", "fr", "ht", "hy", "ko", "pt", "ru", "tl", "vi", "zh")
SPANISH_STATES = frozenset({"AZ", "CA", "CO", "FL", "NM", "NV", "TX"})
EMAIL_LOCALS = ("info", "hello", "contact", "frontdesk", "appointments")
ROLES = (
    ("Psychiatrist", ("MD", "DO")),
    ("Anesthesiologist", ("MD", "DO")),
    ("Psychiatric Nurse Practitioner", ("PMHNP-BC", "APRN")),
    ("Nurse Anesthetist", ("CRNA",)),
    ("Therapist", ("LCSW", "LMFT", "PhD", "PsyD")),
    ("Physician Assistant", ("PA-C",)),
)  # fmt: skip
HOLIDAYS: tuple[tuple[date, str, str | None], ...] = (
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


@dataclass(frozen=True)
class Profile:
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
PROFILES: tuple[Profile, ...] = (
    Profile(
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
    Profile(
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
    Profile(
        "pain",
        0.1,
        {"iv-ketamine-infusion": 1.0, "im-ketamine": 0.2},
        {**_PAIN, "depression": 0.5, "treatment-resistant-depression": 0.3},
        {"anesthesia": 0.9, "neurologic": 0.3, "musculoskeletal": 0.2},
        "pain management practice",
        "per infusion",
        (300, 576, 25),
    ),
    Profile(
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
PROFILE_CUM_WEIGHTS = tuple(itertools.accumulate(profile.weight for profile in PROFILES))
CLOSING_SENTENCES = (
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

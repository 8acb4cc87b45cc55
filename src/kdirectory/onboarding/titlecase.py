"""Title case for names and streets that a spreadsheet shouts in ALL CAPS.

``KAISER FOUNDATION HOSPITAL - BALDWIN PARK`` -> ``Kaiser Foundation Hospital - Baldwin Park``,
``1101 26TH ST NW`` -> ``1101 26th St NW``, ``JANE DOE MD PLLC`` -> ``Jane Doe MD PLLC``,
``CENTER OF HOPE AND HEALING`` -> ``Center of Hope and Healing``, ``RONALD REAGAN U C L A MEDICAL
CENTER`` -> ``Ronald Reagan U C L A Medical Center``. Text with any lowercase
letter is left exactly as written: the clinic chose its own capitals (``iCare``, ``McAllen``).
"""

from __future__ import annotations

import re

from kdirectory.record import vocabulary

KEEP_UPPER = frozenset(
    {
        # credentials and business forms
        "MD", "DO", "NP", "PA", "PC", "LLC", "LLP", "PLLC", "PSC", "APC", "APMC", "RN", "DNP",
        "PMHNP", "FNP", "LCSW", "LMFT", "LPC", "DDS", "DMD", "DBA", "USA", "US", "II", "III",
        "CRNA", "APRN", "LMHC", "LPCC", "LCPC",
        "IV", "VI", "VII", "VIII", "IX", "XI", "XII",
        # directionals
        "N", "S", "E", "W", "NE", "NW", "SE", "SW",
        # institutions patients know by their letters
        "UC", "UCLA", "UCSF", "UCSD", "UCI", "USC", "VA", "YMCA", "YWCA", "ER", "ICU", "PTSD",
        "ADHD", "TMS", "CA", "NY", "SF", "PO", "UPMC", "UNM", "OHSU", "UAB", "UAMS", "UTMB",
        "UNC", "UVA", "NYU", "MUSC", "HCA", "CHI", "SSM", "LAC", "AMI", "OSF",
    }
)  # fmt: skip
"""Tokens written in capitals whatever their position."""

SMALL_WORDS = frozenset(
    {"of", "and", "the", "at", "for", "in", "on", "a", "an", "to", "by", "de", "del", "y"}
)
"""Lowercase unless first: "Center of Hope", "Clinica de la Raza"."""

ABBREVIATIONS = frozenset(
    {
        "ST", "DR", "RD", "BLVD", "HWY", "PKWY", "CT", "LN", "PL", "SQ", "MT", "FT", "JR", "SR",
        "CTR", "HTS", "HGTS", "STE", "BLDG", "FL", "RM", "TPKE", "XING", "PLZ", "HOSP",
        "SVCS", "SVC", "BHVRL", "CNTR", "CNTY", "MTN", "TRL", "CRK", "SPGS",
    }
)  # fmt: skip
"""Street and name abbreviations without vowels that are words, not acronyms."""

SPECIAL = {"PHD": "PhD", "PSYD": "PsyD", "MS": "MS", "MSW": "MSW", "DRS": "Drs", "MR": "Mr"}
_AFTER_DE = frozenset({"LA", "LAS", "LOS"})
"""Spanish articles after "de": "Clinica de la Raza"."""

_STATE_WORDS = frozenset({"IN", "OR", "ME", "OK", "HI", "OH", "AS", "AL", "DE", "ID", "MS", "GA"})
"""State codes that are also English words or names; never forced to capitals. Other codes
stay in capitals as the last word ("Behavioral Health of WY"), not elsewhere ("La Palma")."""

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[^A-Za-z0-9]+")
_UNIT_WORDS = frozenset({"SUITE", "STE", "UNIT", "BUILDING", "BLDG", "APT", "ROOM", "RM", "FLOOR"})
"""A single letter after these is a unit's name: "Suite A", "Building C"."""
_RUN_SEPARATOR = re.compile(r"^[\s.]+$")
"""What may stand between the letters of a spelt-out initialism: "U C L A", "U.S.C."."""
_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
_VOWELS = frozenset("AEIOUY")


def is_all_caps(text: str) -> bool:
    """True when ``text`` has at least two letters and none of them is lowercase."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and not any(ch.islower() for ch in letters)


def title_case(text: str) -> str:
    """Title-case ALL-CAPS ``text`` sensibly; return anything else unchanged."""
    if not is_all_caps(text):
        return text
    out: list[str] = []
    first_word = True
    previous = ""
    tokens = _TOKEN.findall(text)
    last = max((i for i, token in enumerate(tokens) if token[0].isalnum()), default=-1)
    initials = _initials(tokens)
    for index, token in enumerate(tokens):
        if not token[0].isalnum():
            out.append(token)
            if any(ch in token for ch in "-:(/,"):
                first_word = True  # "Hospital - Of The Valley" starts a new phrase
            continue
        if index in initials:
            out.append(token.upper())  # "U C L A", "W R Holman": letters, not the article "a"
        else:
            out.append(_word(token, first=first_word, previous=previous, last=index == last))
        first_word = False
        previous = token.upper()
    return "".join(out)


def _initials(tokens: list[str]) -> set[int]:
    """Indexes of single letters that stand in a run of two or more, separated only by spaces
    or dots: an initialism spelt with spaces ("U C L A", "U.S.C.") or a person's initials
    ("W R HOLMAN")."""
    runs: set[int] = set()
    run: list[int] = []
    for index, token in enumerate(tokens):
        if len(token) == 1 and token.isalpha():
            run.append(index)
            continue
        if token[0].isalnum() or not _RUN_SEPARATOR.match(token):
            if len(run) >= 2:
                runs.update(run)
            run = []
    if len(run) >= 2:
        runs.update(run)
    return runs


def _word(token: str, *, first: bool, previous: str, last: bool) -> str:
    upper = token.upper()
    ordinal = _ORDINAL.match(upper)
    if ordinal:
        return ordinal.group(1) + ordinal.group(2).lower()
    if upper in SPECIAL:
        return SPECIAL[upper]
    if upper in KEEP_UPPER:
        return upper
    if (len(upper) == 1 and previous in _UNIT_WORDS) or (
        not upper.isalpha() and not upper.isdigit() and "'" not in upper and "’" not in upper
    ):
        return upper  # "Suite A", "Ste 2B"
    if not first and (
        upper.lower() in SMALL_WORDS or (previous in ("DE", "DEL") and upper in _AFTER_DE)
    ):
        return upper.lower()
    if last and len(upper) == 2 and upper not in _STATE_WORDS and vocabulary.state_code(upper):
        return upper  # "Behavioral Health of WY"
    if (
        upper.isalpha()
        and len(upper) >= 2
        and not _VOWELS.intersection(upper)
        and upper not in ABBREVIATIONS
    ):
        return upper  # LCSW, BHC: letters without vowels are an acronym
    apostrophe = "'" if "'" in upper else "’" if "’" in upper else ""
    if apostrophe:
        head, _, tail = upper.partition(apostrophe)
        if len(head) == 1 and len(tail) > 1:  # O'CONNOR, D'ANGELO
            return f"{head}{apostrophe}{tail.capitalize()}"
        return f"{_name_word(head)}{apostrophe}{tail.lower()}"  # MARY'S, MCDONALD'S
    return _name_word(upper)


def _name_word(upper: str) -> str:
    if upper.startswith("MC") and len(upper) > 3 and upper.isalpha():
        return "Mc" + upper[2:].capitalize()
    return upper.capitalize()

"""JSON-LD rules: it parses, fits the schema.org vocabulary, has Google's LocalBusiness fields,
and says nothing about a clinic that the page does not show."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from kdirectory.check.findings import finding
from kdirectory.check.page import NODE_ATTRIBUTE, Block, PageFacts
from kdirectory.check.schemaorg import check_jsonld, type_lineage
from kdirectory.report import Problem

_SCHEMA = re.compile(r"^https?://schema\.org/")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})\s*([AP]M)|noon|midnight", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_EMERGENCY = frozenset({"988", "911"})
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def jsonld_findings(page: PageFacts) -> list[Problem]:
    """Every JSON-LD finding on ``page``."""
    found: list[Problem] = []
    for text, line in page.jsonld:
        try:
            doc = json.loads(text)
        except ValueError as exc:
            found.append(finding(page.name, "jsonld.parse", f"not valid JSON: {exc}", line=line))
            continue
        except RecursionError:
            doc = None
        if doc is None or _depth(doc) > MAX_DEPTH:
            message = f"nested more than {MAX_DEPTH} levels deep; the block was not checked"
            found.append(finding(page.name, "jsonld.parse", message, line=line))
            continue
        for issue in check_jsonld(doc):
            found.append(finding(page.name, issue.rule, issue.message, line=line, where=issue.path))
        for path, node in _nodes(doc, ""):
            types = node.get("@type")
            names = [
                t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
            ]
            lineage = frozenset().union(*(type_lineage(t) for t in names)) if names else frozenset()
            if "LocalBusiness" in lineage:
                if "practicesAt" not in node:
                    # a clinician at a clinic (schema.org makes IndividualPhysician a
                    # LocalBusiness) is no business listing of its own: the clinic's node,
                    # which practicesAt points to, carries the phone, website and hours
                    found += _google_fields(page, node, path, line)
                    found += _shown(page, node, path, line)
                elif _is_subject(page, node):
                    found += _nap(page, node, path, line)
    return found


MAX_DEPTH = 64
"""JSON-LD deeper than this is no page's structured data (ours is 5 deep); it is reported
and not walked, so a hostile page cannot exhaust the checker's stack."""


def _depth(value: object) -> int:
    """How deeply lists and objects nest in ``value`` (iteratively: no recursion)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        stack.extend((child, level + 1) for child in children)
    return deepest


def _nodes(value: object, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every node object in a JSON-LD document (with its path), depth first."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        if "@type" in value:
            yield path, value
        for key, item in value.items():
            if isinstance(item, dict | list):
                yield from _nodes(item, f"{path}.{key}" if path else key)


def _google_fields(
    page: PageFacts, node: dict[str, Any], path: str, line: int | None
) -> list[Problem]:
    found = []
    address = node.get("address")
    if not node.get("name"):
        found.append(
            finding(
                page.name,
                "jsonld.google-required",
                "a LocalBusiness needs a name",
                line=line,
                where=path,
            )
        )
    if not isinstance(address, dict) or not (
        address.get("addressLocality") or address.get("streetAddress")
    ):
        found.append(
            finding(
                page.name,
                "jsonld.google-required",
                "a LocalBusiness needs an address (at least its city)",
                line=line,
                where=path,
            )
        )
    missing = [key for key in ("telephone", "url", "openingHoursSpecification") if key not in node]
    if missing:
        found.append(
            finding(
                page.name,
                "jsonld.google-recommended",
                f"{node.get('name', 'the business')!r} has no {', '.join(missing)}",
                line=line,
                where=path,
            )
        )
    return found


def _is_subject(page: PageFacts, node: dict[str, Any]) -> bool:
    """The node is what the page is about: its main entity, or named by its h1."""
    name = node.get("name")
    return "mainEntityOfPage" in node or any(heading == name for heading, _ in page.h1)


def _shown(page: PageFacts, node: dict[str, Any], path: str, line: int | None) -> list[Problem]:
    """A location's name, address, phone and hours in JSON-LD against what the page shows of
    it: the block marked with its ``@id`` (a location among several), else the whole page
    when it is the page's subject."""
    node_id = node.get("@id")
    blocks = page.blocks.get(node_id, []) if isinstance(node_id, str) else []
    if blocks:
        return [problem for block in blocks for problem in _nap(page, node, path, line, block)]
    if _is_subject(page, node):
        return _nap(page, node, path, line)
    name = node.get("name")
    what = f"JSON-LD describes {name!r}" if isinstance(name, str) and name else "A LocalBusiness"
    if isinstance(node_id, str) and node_id:
        why = f'no element of the page is marked {NODE_ATTRIBUTE}="{node_id}"'
    else:
        why = f"it has no @id that the element showing it could name in {NODE_ATTRIBUTE}"
    message = (
        f"{what}, which is not the page's subject (no mainEntityOfPage, not its h1), but "
        f"{why}: what the page shows of it cannot be compared with its name, address, phone "
        "and hours"
    )
    return [finding(page.name, "jsonld.nap-block", message, line=line, where=path)]


def _nap(
    page: PageFacts,
    node: dict[str, Any],
    path: str,
    line: int | None,
    block: Block | None = None,
) -> list[Problem]:
    """Name, address, phone and hours in the JSON-LD equal what the page shows: the whole
    page for its subject, or ``block``, the element that shows this node."""
    name = node.get("name")
    found: list[Problem] = []
    if block is None:
        text, tel_links, hours, dates = page.text, page.tel_links, page.hours, page.dates
        scope, within = "the page", "on the page"
    else:
        text, tel_links, hours, dates = block.text, block.tel_links, block.hours, block.dates
        scope = f"the block of {name!r} (line {block.line})"
        within = f"in {scope}"
        line = block.line

    def report(rule: str, message: str) -> None:
        found.append(finding(page.name, rule, message, line=line, where=path))

    if block is None:
        if not any(heading == name for heading, _ in page.h1):
            shown = page.h1[0][0] if page.h1 else "no h1"
            report("jsonld.nap-name", f"JSON-LD name {name!r} is not the page's h1 ({shown!r})")
    elif not isinstance(name, str) or f" {_words(name)} " not in f" {_words(text)} ":
        report(
            "jsonld.nap-name",
            f"JSON-LD name {name!r} is not shown in the block marked as showing it "
            f"(line {block.line})",
        )
    phone = node.get("telephone")
    if phone is not None:
        numbers = {_digits(href) for href, _ in tel_links} - _EMERGENCY
        if _digits(str(phone)) not in numbers:
            report(
                "jsonld.nap-phone",
                f"JSON-LD telephone {phone} is not a phone link {within} "
                f"(it links {', '.join(sorted(numbers)) or 'no phone'})",
            )
    address = node.get("address")
    if isinstance(address, dict):
        parts = [p.strip() for p in str(address.get("streetAddress", "")).split(",") if p.strip()]
        locality = ", ".join(
            str(address[k]) for k in ("addressLocality", "addressRegion") if address.get(k)
        )
        parts += [locality] if locality else []
        parts += [str(address["postalCode"])] if address.get("postalCode") else []
        # The whole address, word for word and in one piece: each part somewhere on the page
        # is not enough (another clinic's card names another city; "210" is in "Suite 210").
        shown = f" {_words(text)} "
        if parts and f" {_words(' '.join(parts))} " not in shown:
            missing = [p for p in parts if f" {_words(p)} " not in shown]
            report(
                "jsonld.nap-address",
                f"the address in JSON-LD is not {within}: "
                + ("; ".join(missing) if missing else f"{', '.join(parts)} (not as one address)"),
            )
    found += [
        finding(page.name, "jsonld.nap-hours", message, line=line, where=path)
        for message in _hours_mismatches(hours, dates, node, scope, within)
    ]
    return found


def _hours_mismatches(
    hours: dict[str, str],
    dates: dict[str, str],
    node: dict[str, Any],
    scope: str,
    within: str,
) -> list[str]:
    """How the opening hours of ``node`` differ from the hours table and special-hours dates
    shown (``scope``: where, as a noun; ``within``: as a phrase)."""
    stated: dict[str, set[tuple[int, int]]] = {}
    for spec in _as_list(node.get("openingHoursSpecification")):
        if not isinstance(spec, dict):
            continue
        for day in _as_list(spec.get("dayOfWeek")):
            day_name = _SCHEMA.sub("", str(day))
            shift = (_minutes(spec.get("opens")), _minutes(spec.get("closes"), closing=True))
            stated.setdefault(day_name, set()).add(shift)
    problems: list[str] = []
    for day in _DAYS:
        shown = hours.get(day)
        shifts = stated.get(day, set())
        if shown is None:
            if shifts:
                problems.append(
                    f"JSON-LD gives hours for {day} but the hours table {within} does not"
                )
            continue
        on_page = _shown_shifts(shown)
        if on_page != shifts:
            problems.append(
                f"{day}: {scope} shows {shown!r} but JSON-LD says "
                + (", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in sorted(shifts)) or "closed")
            )
    special: dict[str, set[tuple[int, int]]] = {}
    for spec in _as_list(node.get("specialOpeningHoursSpecification")):
        when = spec.get("validFrom") if isinstance(spec, dict) else None
        if when:
            shifts = special.setdefault(str(when), set())
            if not spec.get("opens") == spec.get("closes") == "00:00":  # 00:00-00:00: closed
                closes = _minutes(spec.get("closes"), closing=True)
                shifts.add((_minutes(spec.get("opens")), closes))
    for when, shifts in special.items():
        if when not in dates:
            problems.append(f"special hours for {when} are in JSON-LD but not {within}")
            continue
        # The row reads "<date>: [note: ]Closed" or "<date>: [note: ]9:00 AM - noon".
        shown = dates[when].removeprefix(":").strip().rsplit(": ", 1)[-1]
        if _shown_shifts(shown) != shifts:
            problems.append(
                f"special hours for {when}: {scope} shows {shown!r} but JSON-LD says "
                + (", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in sorted(shifts)) or "closed")
            )
    return problems


def _shown_shifts(text: str) -> set[tuple[int, int]]:
    if text.lower().startswith("open 24 hours"):
        return {(0, 1440)}
    times = []
    for match in _CLOCK.finditer(text):
        word = match.group(0).lower()
        if word == "noon":
            times.append(720)
        elif word == "midnight":
            times.append(-1)  # start or end of the day, by position
        else:
            hours, minutes = int(match.group(1)) % 12, int(match.group(2))
            times.append((hours + (12 if match.group(3).upper() == "PM" else 0)) * 60 + minutes)
    pairs = zip(times[::2], times[1::2], strict=False)
    # JSON-LD has no 24:00: the build writes a midnight close as 23:59, so both mean 1440.
    return {(max(a, 0), 1440 if b in (-1, 1439) else b) for a, b in pairs}


def _minutes(value: object, *, closing: bool = False) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", str(value or ""))
    if not match:
        return -2
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return 1440 if closing and minutes in (0, 1439) else minutes


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=256)
def _words(text: str) -> str:
    """``text`` as lower-case words and single spaces, without punctuation (cached: a
    page's text is read for the name and again for the address of each node on it)."""
    return " ".join(_WORDS.findall(text.lower()))


def _digits(text: str) -> str:
    """The dialled digits of a ``tel:`` URI or an E.164 number, without the country code."""
    number = text.removeprefix("tel:").split(";")[0]
    digits = re.sub(r"\D", "", number)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits

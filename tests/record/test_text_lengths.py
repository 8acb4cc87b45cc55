"""Every text of a record has a length limit, the model's in step with the JSON Schema;
over-long text is one clear message, and hours text is bounded before its quadratic pattern
is tried."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest

from kdirectory.onboarding.records import check_data
from kdirectory.record.hours import MAX_DAY_TEXT, MAX_SHIFT_TEXT, day_hours, time_range
from kdirectory.record.json_schema import clinic_schema
from tests.helpers import GOOD_RECORD, ProjectFactory, problem_lines


def _string_leaves(node: dict[str, Any], path: str, defs: dict[str, Any]) -> Iterator[Any]:
    """(path, schema) of every text value the JSON Schema describes."""
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **node}
    for sub in node.get("anyOf", []):
        yield from _string_leaves(sub, path, defs)
    for key, sub in node.get("properties", {}).items():
        yield from _string_leaves(sub, f"{path}.{key}" if path else key, defs)
    if node.get("type") == "array":
        yield from _string_leaves(node["items"], f"{path}[0]", defs)
    if node.get("type") == "string":
        yield path, node


def _set(data: dict[str, Any], path: str, value: str) -> None:
    """Put ``value`` at ``path`` (``providers[0].name``) of a record."""
    parts: list[Any] = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p]
    here: Any = data
    for part, following in pairwise(parts):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            if len(here) <= part:
                here.append(empty)
            here = here[part]
        else:
            here = here.setdefault(part, empty)
    last = parts[-1]
    if isinstance(last, int) and len(here) <= last:
        here.append(value)
    else:
        here[last] = value


def test_every_text_of_the_schema_is_bounded() -> None:
    schema = clinic_schema()
    unbounded = [
        path
        for path, leaf in _string_leaves(schema, "", schema["$defs"])
        if not {"maxLength", "enum", "const"} & leaf.keys()
        and leaf.get("format") != "date"  # its pattern fixes the length
    ]
    assert unbounded == []


def _schema_limits() -> list[tuple[str, int]]:
    """(path, maxLength) of every text the schema bounds, but hours (tested on their own):
    the schema describes them in their 24-hour form, the model also reads them as written."""
    schema = clinic_schema()
    return sorted(
        (path, leaf["maxLength"])
        for path, leaf in _string_leaves(schema, "", schema["$defs"])
        if "maxLength" in leaf and not path.startswith(("hours.", "special_hours[0].hours"))
    )


def _record_for(path: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Harbor", "address": {"city": "Vista", "region": "CA"}}
    if path.startswith("special_hours"):
        data["special_hours"] = [{"date": "2026-12-25", "closed": True}]
    if path.startswith("providers"):
        data["providers"] = [{"name": "Dr. A"}]
    return data


@pytest.mark.parametrize(("path", "limit"), _schema_limits(), ids=[p for p, _ in _schema_limits()])
def test_the_model_enforces_the_schema_length_of_every_text(path: str, limit: int) -> None:
    data = _record_for(path)
    _set(data, path, "7" * (limit + 1))
    _, problems = check_data(data, "x")
    too_long = [p for p in problems if "characters long" in p.message]
    assert [(p.field, p.message) for p in too_long] == [
        (path, f"is {limit + 1:,} characters long; at most {limit}")
    ], problems
    assert too_long[0].fix
    _set(data, path, "7" * limit)  # at the limit, length is not the complaint
    _, problems = check_data(data, "x")
    assert not any("characters long" in p.message for p in problems), problems


def test_hours_are_bounded_as_the_schema_says() -> None:
    schema = clinic_schema()
    leaves = dict(_string_leaves(schema, "", schema["$defs"]))
    assert leaves["hours.monday"]["maxLength"] == MAX_SHIFT_TEXT  # one shift, 24-hour form
    assert leaves["hours.monday[0]"]["maxLength"] == MAX_SHIFT_TEXT
    data = _record_for("hours")
    data["hours"] = {"monday": ["9" * (MAX_SHIFT_TEXT + 1)], "tuesday": "9" * (MAX_DAY_TEXT + 1)}
    _, problems = check_data(data, "x")
    assert [p.format() for p in problems if p.field.startswith("hours")] == [
        f'x: hours.monday[0]: "{"9" * 40}" is not a time range like 09:00-17:00 (write it like '
        '"09:00-17:00" or "9am-5pm", or "closed")',
        f"x: hours.tuesday: is {MAX_DAY_TEXT + 1} characters long; at most {MAX_DAY_TEXT} "
        '(write hours like "09:00-17:00" or "9am-5pm")',
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "conditions",
            ["x" * 101],
            "conditions[0]: is 101 characters long; at most 100 (write "
            "one entry per list item, by its slug or name)",
        ),
        ("languages", ["x" * 101], "languages[0]: is 101 characters long; at most 100"),
        ("payment", ["x" * 101], "payment[0]: is 101 characters long; at most 100"),
        (
            "name",
            "x" * 1_000_000,
            "name: is 1,000,000 characters long; at most 200 (shorten "
            "it; is this the right field?)",
        ),
        ("phone", "7" * 51, "phone: is 51 characters long; at most 50 (write one phone number"),
    ],
)
def test_over_long_text_is_one_clear_message(field: str, value: object, expected: str) -> None:
    data: dict[str, Any] = {"name": "Harbor", "address": {"city": "Vista", "region": "CA"}}
    data[field] = value
    _, problems = check_data(data, "x")
    assert any(p.format().startswith(f"x: {expected}") for p in problems), [
        p.format()[:200] for p in problems
    ]


def test_long_hours_text_is_not_searched_at_length(make_project: ProjectFactory) -> None:
    spaces = "9" + " " * 20_000 + "5"  # quadratic for the hours pattern, were it searched
    assert time_range(spaces) is None
    assert day_hours(spaces) is None
    root = make_project({"x.yaml": GOOD_RECORD.replace('"10:00-14:00"', f'"{spaces}"')})
    assert problem_lines(root) == [
        f"data/clinics/x.yaml:12: hours.saturday: is 20,002 characters long; at most "
        f'{MAX_DAY_TEXT} (write hours like "09:00-17:00" or "9am-5pm")'
    ]


def test_more_shifts_than_a_day_holds(make_project: ProjectFactory) -> None:
    shifts = ", ".join(f'"{h:02d}:00-{h:02d}:30"' for h in range(8, 15))
    root = make_project({"x.yaml": GOOD_RECORD.replace('"10:00-14:00"', f"[{shifts}]")})
    assert problem_lines(root) == [
        "data/clinics/x.yaml:12: hours.saturday: has 7 shifts; at most 6 are allowed (merge "
        "shifts that follow one another into one range)"
    ]

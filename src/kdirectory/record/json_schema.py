"""The JSON Schema of a clinic record, generated from the pydantic models.

Published by ``kdirectory schema`` so editors (the VS Code YAML extension, JetBrains IDEs)
complete fields and underline mistakes as a record is typed; also the first validation layer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

SCHEMA_ID = "https://kdirectory.dev/schema/clinic.json"


@cache
def clinic_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one clinic record file."""
    from kdirectory.record.model import Clinic  # noqa: PLC0415 - models import the vocabularies

    schema = Clinic.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "kdirectory clinic record",
    }


def schema_text() -> str:
    """The schema as stable, pretty JSON text with a trailing newline."""
    return json.dumps(clinic_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- a quick yes to the schema ---------------------------------------------------------------

Check = Callable[[Any], bool]
"""``True`` only when the value surely passes the schema it was compiled from."""

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "title", "description", "default", "examples", "format"}
)
"""Keywords that never make a value fail: ``format`` is not asserted (the validator has no
format checker), the rest describe."""


def schema_accepts(data: object) -> bool:
    """``True`` when ``data`` surely passes :func:`clinic_schema`, as the JSON Schema
    validator would find it; ``False`` when it may not.

    Validating every record with the JSON Schema library costs more than reading it; this
    quick check, compiled once from the same schema, answers for the records that pass (the
    most), so the validator runs only to explain a record that may fail. It is strict: any
    value it is not sure of (an integer written as ``1.0``, a list of lists where items
    must be unique) is a "may not", never a wrong yes.
    """
    return _compiled()(data)


@cache
def _compiled() -> Check:
    schema = clinic_schema()
    try:
        return _SchemaCompiler(schema).compile(schema)
    except _UnknownKeywordError:  # pragma: no cover - a keyword the schema does not use yet
        return lambda _data: False


class _UnknownKeywordError(Exception):
    """The schema uses a keyword the compiler does not know: it cannot vouch for anything."""


_TYPE_CHECKS: dict[str, Check] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,  # 1.0 is an integer too: "may not"
    "number": lambda v: type(v) is int or type(v) is float,
    "boolean": lambda v: type(v) is bool,
    "array": lambda v: type(v) is list,
    "object": lambda v: type(v) is dict,
    "null": lambda v: v is None,
}


class _SchemaCompiler:
    """Compiles the subset of JSON Schema 2020-12 that :func:`clinic_schema` uses into one
    :data:`Check`, each keyword as the ``jsonschema`` package applies it."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: object) -> Check:
        if schema is True:
            return lambda _v: True
        if not isinstance(schema, dict):
            raise _UnknownKeywordError(repr(schema))
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("properties", "required"):
                continue
            if keyword == "type" and isinstance(value, str) and value in _TYPE_CHECKS:
                checks.append(_TYPE_CHECKS[value])
            elif keyword == "$ref" and isinstance(value, str):
                checks.append(self._ref(value))
            elif keyword == "anyOf" and isinstance(value, list):
                checks.append(_any_of([self.compile(sub) for sub in value]))
            elif keyword in ("enum", "const"):
                checks.append(_one_of(value if keyword == "enum" else [value]))
            elif keyword == "additionalProperties" and type(value) is bool:
                continue  # with properties, below
            elif keyword == "items" and isinstance(value, dict):
                checks.append(_items(self.compile(value)))
            elif keyword in ("maxItems", "maxLength", "minLength", "minimum", "maximum"):
                checks.append(_bound(keyword, value))
            elif keyword == "pattern" and isinstance(value, str):
                checks.append(_pattern(value))
            elif keyword == "uniqueItems" and value is True:
                checks.append(_unique_text)
            else:
                raise _UnknownKeywordError(keyword)
        if "properties" in schema or "required" in schema or "additionalProperties" in schema:
            checks.append(self._object(schema))
        return _all(checks)

    def _ref(self, ref: str) -> Check:
        prefix = "#/$defs/"
        if not ref.startswith(prefix) or ref[len(prefix) :] not in self.root.get("$defs", {}):
            raise _UnknownKeywordError(ref)
        if ref not in self.refs:
            self.refs[ref] = lambda _v: False  # a definition that refers to itself: "may not"
            self.refs[ref] = self.compile(self.root["$defs"][ref[len(prefix) :]])
        return self.refs[ref]

    def _object(self, schema: dict[str, Any]) -> Check:
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        closed = schema.get("additionalProperties", True) is False
        if schema.get("additionalProperties", True) not in (True, False):
            raise _UnknownKeywordError("additionalProperties")

        def check(value: object) -> bool:
            if type(value) is not dict:
                return True  # these keywords apply to objects only
            for name, item in value.items():
                sub = properties.get(name)
                if sub is None:
                    if closed:
                        return False
                elif not sub(item):
                    return False
            return all(name in value for name in required)

        return check


def _all(checks: list[Check]) -> Check:
    """Every one of ``checks``; made for two or three (the most a schema node has here)
    without a loop, which costs more than the checks."""
    if not checks:
        return lambda _v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    if len(checks) == 3:
        first, second, third = checks
        return lambda v: first(v) and second(v) and third(v)
    return lambda v: all(check(v) for check in checks)


def _any_of(checks: list[Check]) -> Check:
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) or second(v)
    return lambda v: any(check(v) for check in checks)


def _one_of(choices: object) -> Check:
    """``enum`` and ``const``: text among text choices, ``true`` or ``false`` among choices
    that are those very values (JSON Schema tells ``true`` from 1); anything else "may not"."""
    if not isinstance(choices, list):
        raise _UnknownKeywordError("enum")
    texts = frozenset(c for c in choices if type(c) is str)
    flags = tuple(c for c in choices if type(c) is bool)
    return lambda v: (v in texts) if type(v) is str else (type(v) is bool and v in flags)


def _items(check: Check) -> Check:
    def each(value: object) -> bool:
        if type(value) is not list:
            return True
        for item in value:  # noqa: SIM110 - a generator would cost more than the checks
            if not check(item):
                return False
        return True

    return each


def _bound(keyword: str, limit: object) -> Check:
    if type(limit) is not int:
        raise _UnknownKeywordError(keyword)
    if keyword == "maxItems":
        return lambda v: type(v) is not list or len(v) <= limit
    if keyword == "maxLength":
        return lambda v: type(v) is not str or len(v) <= limit
    if keyword == "minLength":
        return lambda v: type(v) is not str or len(v) >= limit
    if keyword == "minimum":
        return lambda v: type(v) is bool or not isinstance(v, int | float) or v >= limit
    return lambda v: type(v) is bool or not isinstance(v, int | float) or v <= limit


def _pattern(pattern: str) -> Check:
    search = re.compile(pattern).search  # as the validator: re.search, no flags
    return lambda v: type(v) is not str or search(v) is not None


def _unique_text(value: object) -> bool:
    """``uniqueItems``, vouched for a list of text only."""
    if type(value) is not list:
        return True
    return all(type(item) is str for item in value) and len(set(value)) == len(value)

"""Parse a record's text, YAML or JSON, into data with the line of every value.

Records are composed into nodes with libyaml's C parser (``CSafeLoader``) when present, so
10,000 files load in seconds, and the node marks give each value's line; the nodes become
values in :mod:`kdirectory.record.yaml_values`. A JSON record is read by :mod:`json` and
composed as YAML too, for the lines. Nesting is bounded before any reader nears Python's
recursion limit (:class:`SafePythonLoader`, and a scan of JSON before :mod:`json` reads
it), and syntax errors become messages with a line, a column and a fix.

Entries of vocabulary lists and opening hours are then put in their canonical form by
:func:`kdirectory.record.model.canonical_record` (``anxiety`` -> ``generalized-anxiety``,
``9am-5pm`` -> ``09:00-17:00``), the same reader ``kdirectory new`` and ``kdirectory
import`` use, so every layer of validation sees what the record means.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode

from kdirectory.record.fields import CONTROL_CHARACTER, control_character_name
from kdirectory.record.model import canonical_record
from kdirectory.record.source import Path_, SourceRecord, format_loc, line_and_column
from kdirectory.record.yaml_values import (
    MAX_DEPTH,
    MAX_NODES,
    CycleError,
    RawControls,
    TooBigError,
    TooDeepError,
    ValueBuilder,
)
from kdirectory.report import Problem

MAX_SURROGATES_LISTED = 10
"""Values holding half a character, reported one by one."""


class SafePythonLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, refusing nesting deeper than :data:`MAX_DEPTH` while
    it composes (it composes recursively, so 500 ``[`` would end in a RecursionError).

    Used when PyYAML has no libyaml, or a libyaml older than 0.2.5, which does not bound
    nesting itself (0.2.5 and later stop at 1,000 levels, far below the C stack's limit).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._field: tuple[Path_, int | None] = ((), None)  # the record's field being composed

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth == 2 and isinstance(index, ScalarNode):  # a field of the record
                self._field = ((index.value,), index.start_mark.line + 1)
            # A list or set of fields one level too deep is composed, for ValueBuilder to
            # report with its field; a level below it, composing stops here.
            if self._depth > MAX_DEPTH + 1:
                raise TooDeepError(*self._field)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _libyaml_bounds_nesting() -> bool:
    try:
        from yaml import _yaml  # noqa: PLC0415
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return False
    version: tuple[int, int, int] = _yaml.get_version()
    return version >= (0, 2, 5)


_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if _libyaml_bounds_nesting() else SafePythonLoader
)
"""libyaml's C loader (fast) when it bounds nesting, else :class:`SafePythonLoader`."""


def parse_yaml(text: str, record: SourceRecord) -> None:
    """Parse the YAML ``text`` of ``record`` into its data and lines, or its problems."""
    raw = RawControls.of(text)
    if raw is not None and raw.placeholder is None:  # pragma: no cover - a crafted file
        record.problems.extend(raw.unrestored(record, text))
        return
    parsed = raw.masked(text) if raw is not None else text
    try:
        node = yaml.compose(parsed, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        if raw is not None:  # the raw characters first: they may be what YAML stumbled on
            record.problems.extend(raw.unrestored(record, text))
            return
        mark = exc.problem_mark or exc.context_mark
        if "maximum nesting depth" in str(exc):  # libyaml stops at 1,000 levels
            line = mark.line + 1 if mark else None
            record.problems.append(_too_deep(record, *_field_above(parsed, line)))
            return
        problem = exc.problem or "cannot be parsed"
        if "expected a single document" in str(exc.context):
            problem = "holds more than one YAML document (a line with ---)"
            fix = "put each clinic in its own file"
        else:
            fix = _yaml_fix(problem)
        record.problems.append(
            Problem(
                file=record.display_path,
                line=mark.line + 1 if mark else None,
                field="",
                message=f"is not valid YAML: {problem}"
                + (f" (column {mark.column + 1})" if mark else ""),
                fix=fix,
                rule="yaml.syntax",
            )
        )
        return
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (U+FFFE)
        line, column = line_and_column(parsed, exc.position)
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        record.problems.append(
            Problem(
                file=record.display_path,
                line=line,
                field="",
                message=f"is not valid YAML: it holds the character U+{character:04X}, which "
                f"YAML does not allow (column {column})",
                fix="remove it",
                rule="yaml.syntax",
            )
        )
        return
    except TooDeepError as exc:  # from SafePythonLoader
        record.problems.append(_too_deep(record, exc.loc, exc.line))
        return
    _data_from_node(node, record, parsed, raw)


def _yaml_fix(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return 'a value holding ": " needs quotes, e.g. name: "Clinic: Downtown"'
    if "could not find expected ':'" in problem:
        return "every line of a record is `field: value`; check the indentation above"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "check the quotes and indentation on this line and the one above"


def parse_json(text: str, record: SourceRecord) -> None:
    """Parse the JSON ``text`` of ``record`` into its data and lines, or its problems."""
    scan = _JsonScan.of(text)
    if scan.too_deep_at is not None:  # before json, which would recurse that deep
        record.problems.append(_too_deep(record, (), line_and_column(text, scan.too_deep_at)[0]))
        return
    escaped = scan.escaped(text)
    try:
        data = json.loads(escaped)
    except json.JSONDecodeError as exc:
        record.problems.append(_json_syntax(record, text, scan.unescaped_position(exc.pos), exc))
        return
    try:  # JSON is YAML too: composing it again recovers the lines
        node = yaml.compose(_SURROGATE_PAIR.sub(_one_escape, escaped), Loader=_Loader)
    except (yaml.YAMLError, TooDeepError):  # pragma: no cover - JSON that YAML cannot read
        node = None
    if node is not None:
        _data_from_node(node, record, escaped, json_data=data)
    else:  # pragma: no cover
        record.lines[()] = 1
        _set_mapping(data, record)


_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE
)
"""A character beyond U+FFFF escaped the JSON way, as two UTF-16 halves (``\\ud83d\\ude00``),
after an even number of backslashes (so the ``\\u`` is an escape). YAML reads the halves
as two broken characters (PyYAML) or refuses them (libyaml)."""


def _one_escape(match: re.Match[str]) -> str:
    """The surrogate pair as YAML's escape of the one character: ``\\U0001f600``."""
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    return f"{match.group(1)}\\U{code:08x}"


def _as_json_reads(built: Any, parsed: Any) -> Any:
    """``built`` (a JSON record as composed by YAML, for the lines) with every text that
    ``json`` reads differently taken from ``parsed`` (``json.loads``): the values are JSON's.
    Numbers that the YAML reading kept as text (``phone``, ``postal_code``) stay text."""
    if isinstance(built, dict) and isinstance(parsed, dict):
        return {k: _as_json_reads(v, parsed[k]) if k in parsed else v for k, v in built.items()}
    if isinstance(built, list) and isinstance(parsed, list) and len(built) == len(parsed):
        return [_as_json_reads(b, p) for b, p in zip(built, parsed, strict=True)]
    if isinstance(built, str) and isinstance(parsed, str):
        return parsed
    return built


def _json_syntax(
    record: SourceRecord, text: str, position: int, exc: json.JSONDecodeError
) -> Problem:
    line, column = line_and_column(text, position)
    char = text[position : position + 1]
    message = f"is not valid JSON: {exc.msg} (column {column})"
    fix = "check for a missing comma or quote on this line or the one above"
    if char in ("\n", "\r"):
        message = f"is not valid JSON: a line break inside quotes (column {column})"
        fix = 'close the quote on this line; inside quotes, write a line break as "\\n"'
    elif char == "\t":
        message = f"is not valid JSON: a tab inside quotes (column {column})"
        fix = 'write a tab inside quotes as "\\t"'
    elif char and CONTROL_CHARACTER.match(char):
        message = (
            f"contains a control character ({control_character_name(char)}) at column {column}"
        )
        fix = "remove it; it is invisible and breaks pages"
    return Problem(
        file=record.display_path,
        line=line,
        field="",
        message=message,
        fix=fix,
        rule="json.syntax",
    )


_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


def _field_above(text: str, line: int | None) -> tuple[Path_, int | None]:
    """The record's field that ``line`` is in, and the line of its ``key:``, in a record
    written in block style; ``((), line)`` when that cannot be told from the text."""
    if line is None:
        return (), None
    lines = text.split("\n")[:line]
    for number in range(len(lines), 0, -1):
        match = _TOP_LEVEL_KEY.match(lines[number - 1])
        if match:
            return (match.group(1),), number
    return (), line


def _too_deep(record: SourceRecord, loc: Path_, line: int | None) -> Problem:
    return Problem(
        file=record.display_path,
        line=line if line is not None else record.line_for(loc),
        field=format_loc(loc),
        message=f"is nested too deeply (more than {MAX_DEPTH} levels)",
        fix="a clinic record has at most 4 levels of lists and fields; is this the right file?",
        rule="file.too_deep",
    )


_JSON_TOKEN = re.compile(r'["\\\[\]{}' + "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
"""What :class:`_JsonScan` looks at: quotes, backslashes, brackets, and the characters JSON
takes raw inside quotes that YAML does not (C1 and DEL, NEL, LS and PS, which YAML reads as
line breaks; C0 too, for the message)."""


@dataclass
class _JsonScan:
    """One linear pass over a JSON text: its deepest nesting, and the raw characters inside
    quotes that composing it as YAML (for the lines) would refuse or change."""

    too_deep_at: int | None
    """Where the first list or object deeper than :data:`MAX_DEPTH` opens."""
    raw: list[int]
    """Positions of those characters, each to be written as a ``\\u`` escape."""

    @classmethod
    def of(cls, text: str) -> _JsonScan:
        depth, in_string, escaped_at = 0, False, -1
        raw: list[int] = []
        for match in _JSON_TOKEN.finditer(text):
            char, position = match.group(), match.start()
            if position == escaped_at:
                continue
            if in_string:
                if char == "\\":
                    escaped_at = position + 1
                elif char == '"':
                    in_string = False
                elif char not in "[]{}":
                    raw.append(position)
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return cls(position, raw)
            elif char in "]}":
                depth -= 1
        return cls(None, raw)

    def escaped(self, text: str) -> str:
        """``text`` with each raw character written as its JSON escape: the same JSON
        values, and a YAML text that reads the same (lines are unchanged)."""
        if not self.raw:
            return text
        parts: list[str] = []
        start = 0
        for position in self.raw:
            parts += [text[start:position], f"\\u{ord(text[position]):04x}"]
            start = position + 1
        parts.append(text[start:])
        return "".join(parts)

    def unescaped_position(self, position: int) -> int:
        """The position in the original text of ``position`` in :meth:`escaped`'s text."""
        shift = 0
        for raw in self.raw:
            if raw + shift >= position:
                break
            shift += 5  # one character became six
        return position - shift


def _data_from_node(
    node: Node | None,
    record: SourceRecord,
    text: str = "",
    raw: RawControls | None = None,
    *,
    json_data: object = None,
) -> None:
    if node is None:
        record.problems.append(
            record.problem((), "holds no record (only comments)", rule="file.empty")
        )
        return
    builder = ValueBuilder(record, text, raw)
    try:
        data = builder.build(node, ())
    except TooBigError:
        record.problems.append(
            record.problem(
                (),
                f"has more than {MAX_NODES:,} values",
                "a clinic record is small; is this the right file?",
                rule="file.too_large",
            )
        )
        return
    except TooDeepError as exc:
        record.problems.append(_too_deep(record, exc.loc[:1], None))
        return
    except CycleError as exc:
        record.problems.append(
            record.problem(
                exc.loc,
                "holds itself: a YAML alias (*name) is used inside the value its anchor "
                "(&name) marks",
                "write the value out instead of the alias",
                rule="yaml.alias_cycle",
            )
        )
        return
    if raw is not None:
        record.problems.extend(raw.unrestored(record, text))
    if json_data is not None:
        data = _as_json_reads(data, json_data)
    _set_mapping(data, record, escapes="\\u" in text or "\\U" in text)


_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a character beyond U+FFFF: no text holds one, but an escape can write one (a
lone ``\\ud800`` in JSON; any surrogate escape to PyYAML's own reader)."""


def _surrogates(value: object, loc: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Where ``value`` (a record's data) holds a surrogate, and which."""
    if isinstance(value, str):
        match = _SURROGATE.search(value)
        if match is not None:
            yield loc, match.group()
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _surrogates(key, loc)
            yield from _surrogates(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _surrogates(item, (*loc, index))


def _set_mapping(data: object, record: SourceRecord, *, escapes: bool = True) -> None:
    """``data`` as the record's, when it is a set of fields of text; ``escapes``: the text
    holds ``\\u`` or ``\\U`` escapes (the only way to write half a character)."""
    if escapes:
        halves = list(_surrogates(data))[:MAX_SURROGATES_LISTED]
        if halves:
            json_file = record.path.suffix.lower() == ".json"
            for loc, half in halves:
                message = (
                    f"is not valid {'JSON' if json_file else 'YAML'}: the escape "
                    f"\\u{ord(half):04x} is half of a character (a UTF-16 surrogate), not a "
                    "character"
                )
                fix = (
                    "write the character itself; in JSON a character beyond U+FFFF is two "
                    "escapes, e.g. \\ud83d\\ude00"
                )
                if json_file:
                    record.problems.append(record.problem(loc, message, fix, rule="json.syntax"))
                else:
                    record.problems.append(record.problem(loc, message, fix, rule="yaml.syntax"))
            return
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"
        record.problems.append(
            record.problem(
                (),
                f"holds {kind}, not a clinic record",
                "a record is a set of `field: value` lines, starting with `name:`",
                rule="file.not_mapping",
            )
        )
        return
    record.data = canonical_record(data)

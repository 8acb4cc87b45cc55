"""Read clinic record files (YAML or JSON) while keeping the line of every value.

Records are composed into nodes with libyaml's C parser (``CSafeLoader``) when present, so
10,000 files load in seconds, and the node marks give each value's line. The node tree is
turned into plain Python values here rather than by PyYAML's constructor so that

- string fields keep the text as written (``postal_code: 02134`` stays ``"02134"``, not 1116),
- YAML 1.1 surprises are reported (``10:00`` read as the number 600, duplicate keys),
- dates stay text, so a date that does not exist is a validation message, not a crash.

Entries of vocabulary lists and opening hours are then put in their canonical form by
:func:`kdirectory.models.canonical_record` (``anxiety`` -> ``generalized-anxiety``,
``9am-5pm`` -> ``09:00-17:00``), the same reader ``kdirectory new`` and ``kdirectory
import`` use, so every layer of validation sees what the record means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kdirectory.models import canonical_record
from kdirectory.report import Problem

try:  # pragma: no branch - which loader exists depends on how PyYAML was built
    _Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
MAX_RECORD_BYTES = 1_000_000
"""A clinic record is a few kilobytes; anything over a megabyte is the wrong file."""
MAX_NODES = 100_000
"""Bounds the work one file can cause, including YAML alias expansion ("billion laughs")."""

Path_ = tuple[str | int, ...]

# Keys whose values are text whatever YAML would resolve them to: `phone: 3102700625`,
# `postal_code: 02134`, `country: NO` and `name: 2020` mean the characters as typed.
TEXT_KEYS = frozenset(
    {
        "name",
        "slug",
        "brand",
        "url",
        "phone",
        "tracking_phone",
        "email",
        "street",
        "unit",
        "city",
        "region",
        "postal_code",
        "country",
        "timezone",
        "price_range",
        "description",
        "note",
        "credentials",
        "role",
    }
)

_TAG = "tag:yaml.org,2002:"
_KNOWN_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_constructor = SafeConstructor()


@dataclass
class SourceRecord:
    """One record file as read: its data, the line of each value, and the problems seen."""

    path: Path
    display_path: str
    data: dict[str, Any] | None
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_for(self, loc: Path_) -> int | None:
        """The line of the value at ``loc``, or of its nearest parent that has one."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None

    def problem(
        self,
        loc: Path_,
        message: str,
        hint: str | None = None,
        *,
        code: str,
        severity: str = "error",
    ) -> Problem:
        """Make a :class:`Problem` for the value at ``loc`` of this file."""
        return Problem(
            file=self.display_path,
            line=self.line_for(loc),
            field=format_loc(loc),
            message=message,
            hint=hint,
            severity="warning" if severity == "warning" else "error",
            code=code,
        )


def format_loc(loc: Path_) -> str:
    """``("hours", "monday", 1)`` -> ``hours.monday[1]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def find_record_files(folder: Path) -> list[Path]:
    """Every record file in ``folder`` (not recursive), sorted by name; dotfiles are skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in RECORD_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


def read_record(path: Path, display_path: str | None = None) -> SourceRecord:
    """Read one record file. Never raises for bad content: problems are collected instead."""
    record = SourceRecord(path=path, display_path=display_path or str(path), data=None)
    try:
        size = path.stat().st_size
        if size > MAX_RECORD_BYTES:
            record.problems.append(
                record.problem(
                    (),
                    f"the file is {size / 1_000_000:.1f} MB; a clinic record is a few kilobytes",
                    "is this the right file? One clinic per file, at most 1 MB",
                    code="file.too_large",
                )
            )
            return record
        raw = path.read_bytes()
    except OSError as exc:
        record.problems.append(
            record.problem((), f"cannot be read: {exc.strerror}", code="file.unreadable")
        )
        return record
    text = _decode(raw, record)
    if text is None:
        return record
    if not text.strip():
        record.problems.append(
            record.problem(
                (),
                "the file is empty",
                "write one clinic record here or delete the file",
                code="file.empty",
            )
        )
        return record
    if path.suffix.lower() == ".json":
        _read_json(text, record)
    else:
        _read_yaml(text, record)
    return record


def _decode(raw: bytes, record: SourceRecord) -> str | None:
    if b"\x00" in raw[:8192]:
        record.problems.append(
            record.problem(
                (),
                "is a binary file, not a YAML or JSON text record",
                "save the record as plain text (UTF-8)",
                code="file.binary",
            )
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        record.problems.append(
            Problem(
                file=record.display_path,
                line=line,
                field="",
                message=f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                hint="save the file as UTF-8; spreadsheets often export Windows-1252",
                code="file.encoding",
            )
        )
        return None


def _read_yaml(text: str, record: SourceRecord) -> None:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "cannot be parsed"
        if "expected a single document" in str(exc.context):
            problem = "holds more than one YAML document (a line with ---)"
            hint = "put each clinic in its own file"
        else:
            hint = _yaml_hint(problem)
        record.problems.append(
            Problem(
                file=record.display_path,
                line=mark.line + 1 if mark else None,
                field="",
                message=f"is not valid YAML: {problem}"
                + (f" (column {mark.column + 1})" if mark else ""),
                hint=hint,
                code="yaml.syntax",
            )
        )
        return
    except yaml.YAMLError as exc:  # a reader error: control characters and the like
        record.problems.append(record.problem((), f"is not valid YAML: {exc}", code="yaml.syntax"))
        return
    _data_from_node(node, record, text)


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return 'a value holding ": " needs quotes, e.g. name: "Clinic: Downtown"'
    if "could not find expected ':'" in problem:
        return "every line of a record is `field: value`; check the indentation above"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "check the quotes and indentation on this line and the one above"


def _read_json(text: str, record: SourceRecord) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        record.problems.append(
            Problem(
                file=record.display_path,
                line=exc.lineno,
                field="",
                message=f"is not valid JSON: {exc.msg} (column {exc.colno})",
                hint="check for a missing comma or quote on this line or the one above",
                code="json.syntax",
            )
        )
        return
    try:  # JSON is YAML too: composing it again recovers the lines
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        node = None
    if node is not None:
        _data_from_node(node, record, text)
    else:
        record.lines[()] = 1
        _set_mapping(data, record)


def _data_from_node(node: Node | None, record: SourceRecord, text: str = "") -> None:
    if node is None:
        record.problems.append(
            record.problem((), "holds no record (only comments)", code="file.empty")
        )
        return
    builder = _Builder(record, text)
    try:
        data = builder.build(node, ())
    except _TooBigError:
        record.problems.append(
            record.problem(
                (),
                f"has more than {MAX_NODES:,} values",
                "a clinic record is small; is this the right file?",
                code="file.too_large",
            )
        )
        return
    _set_mapping(data, record)


def _set_mapping(data: object, record: SourceRecord) -> None:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"
        record.problems.append(
            record.problem(
                (),
                f"holds {kind}, not a clinic record",
                "a record is a set of `field: value` lines, starting with `name:`",
                code="file.not_mapping",
            )
        )
        return
    record.data = canonical_record(data)


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + "null" and node.value == ""


class _TooBigError(Exception):
    pass


class _Builder:
    """Turns a composed node tree into Python values, recording lines and YAML pitfalls."""

    def __init__(self, record: SourceRecord, text: str) -> None:
        self.record = record
        self.text_lines = text.splitlines()
        self.nodes = 0

    def build(self, node: Node, loc: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBigError
        self.record.lines[loc] = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node, loc)

    def _mapping(self, node: MappingNode, loc: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.record.problems.append(
                    self._at(line, loc, "a field name must be plain text", "yaml.key")
                )
                continue
            key = key_node.value
            if key == "<<":
                self.record.problems.append(
                    self._at(
                        line,
                        loc,
                        "YAML merge keys (<<) are not supported",
                        "write the fields out in full",
                        "yaml.merge",
                    )
                )
                continue
            if key in first_line:
                self.record.problems.append(
                    self._at(
                        line,
                        (*loc, key),
                        f"is given twice (first on line {first_line[key]})",
                        "keep one; YAML would silently use the last",
                        "yaml.duplicate_key",
                    )
                )
                continue
            first_line[key] = line
            self.record.lines[(*loc, key)] = line
            if _is_empty(value_node):
                self._check_comment_value(key, line, (*loc, key))
            out[key] = self.build(value_node, (*loc, key))
            self.record.lines[(*loc, key)] = line  # point at `key:`, not its first child
        return out

    def _check_comment_value(self, key: str, line: int, loc: Path_) -> None:
        """``unit: #210`` is a key with an empty value and a comment: say so."""
        source = self.text_lines[line - 1] if line <= len(self.text_lines) else ""
        _, sep, rest = source.partition(f"{key}:")
        rest = rest.strip()
        if sep and rest.startswith("#") and len(rest) > 1 and not rest[1:2].isspace():
            self.record.problems.append(
                self.record.problem(
                    loc,
                    f'"{rest}" is read by YAML as a comment, so {key} is empty',
                    f'put it in quotes: {key}: "{rest}"',
                    code="yaml.comment_value",
                )
            )

    def _scalar(self, node: ScalarNode, loc: Path_) -> Any:
        tag = node.tag
        if tag == _TAG + "null":
            return None
        if tag not in _KNOWN_TAGS:
            self.record.problems.append(
                self.record.problem(
                    loc,
                    f"uses the YAML tag {tag}, which records do not support",
                    "remove the !tag",
                    code="yaml.tag",
                )
            )
            return node.value
        key = next((part for part in reversed(loc) if isinstance(part, str)), "")
        if key in TEXT_KEYS and tag != _TAG + "str" and not node.style:
            return node.value
        if tag in (_TAG + "int", _TAG + "float") and ":" in node.value:
            number = (
                _constructor.construct_yaml_int(node)
                if tag == _TAG + "int"
                else _constructor.construct_yaml_float(node)
            )
            self.record.problems.append(
                self.record.problem(
                    loc,
                    f"{node.value} is read by YAML as the number {number} (base 60), not a time",
                    f'put times in quotes: "{node.value}"',
                    code="yaml.sexagesimal",
                )
            )
            return node.value
        try:
            if tag == _TAG + "int":
                return _constructor.construct_yaml_int(node)
            if tag == _TAG + "float":
                return _constructor.construct_yaml_float(node)
            if tag == _TAG + "bool":
                return _constructor.construct_yaml_bool(node)
        except (ConstructorError, ValueError):
            pass
        return node.value  # text, and dates: the model checks (and parses) them

    def _at(
        self, line: int, loc: Path_, message: str, hint: str | None, code: str = "yaml"
    ) -> Problem:
        return Problem(
            file=self.record.display_path,
            line=line,
            field=format_loc(loc),
            message=message,
            hint=hint,
            code=code,
        )

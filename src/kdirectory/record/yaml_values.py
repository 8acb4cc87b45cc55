"""Turn a composed YAML node tree into plain Python values, keeping the line of each value.

The values are made here rather than by PyYAML's constructor so that

- string fields keep the text as written (``postal_code: 02134`` stays ``"02134"``, not 1116),
- YAML 1.1 surprises are reported (``10:00`` read as the number 600, duplicate keys),
- dates stay text, so a date that does not exist is a validation message, not a crash,
- hostile files are refused with a message, never a traceback: more than
  :data:`MAX_NODES` values, nesting deeper than :data:`MAX_DEPTH`, anchors used inside
  themselves, and control characters written raw (they are put back into the values they
  belong to, so the model names the field that holds one, as it does for an escape such as
  ``"\\e"``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kdirectory.record.fields import control_character_name
from kdirectory.record.source import Path_, SourceRecord, format_loc, line_and_column
from kdirectory.report import Problem

MAX_NODES = 100_000
"""Bounds the work one file can cause, including YAML alias expansion ("billion laughs")."""
MAX_DEPTH = 20
"""Levels of lists and sets of fields in one record (the record itself is level 1). A valid
record has at most 4 (``special_hours`` > entry > ``hours`` > shifts); the bound keeps
every reader (PyYAML, json, the schema, the model) far from Python's recursion limit."""
MAX_RAW_CONTROLS_LISTED = 10
"""Raw control characters reported one by one outside values (comments, field names)."""

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
        "booking_url",
        "npi",
        "bio",
        "quote",
        "attribution",
        "file",
        "alt",
        "caption",
    }
)

_TAG = "tag:yaml.org,2002:"
_KNOWN_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_STR, _NULL, _INT, _FLOAT, _BOOL = (_TAG + name for name in ("str", "null", "int", "float", "bool"))
_constructor = SafeConstructor()


class TooBigError(Exception):
    """More than :data:`MAX_NODES` values in one record."""


class TooDeepError(Exception):
    """Nesting deeper than :data:`MAX_DEPTH`, at ``loc`` (when known) or on ``line``."""

    def __init__(self, loc: Path_ = (), line: int | None = None) -> None:
        super().__init__(loc, line)
        self.loc = loc
        self.line = line


class CycleError(Exception):
    """A YAML alias inside the very node its anchor marks: a value that holds itself."""

    def __init__(self, loc: Path_) -> None:
        super().__init__(loc)
        self.loc = loc


_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters written raw into a YAML text. YAML refuses all of them but NEL, which
YAML 1.1 reads as a line break in the middle of a value."""
_RAW_CONTROL_OR_LONE_CR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
"""The same, and a CR that ends no line in a text whose lines end with LF (or CR LF): YAML
would read it as a line break in the middle of a value too."""
_ANY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What either pattern looks for, and any CR: one quick pass finds nothing in most texts."""
_PLACEHOLDERS = (*range(0xE000, 0xF900), *range(0xF0000, 0xFFFFE))
"""Private-use characters: one that a text does not hold masks its raw control characters."""


@dataclass
class RawControls:
    """The raw control characters of a YAML text, masked for parsing by one placeholder
    character each (a character the text does not otherwise hold; lines and columns stay
    the same), then put back into the values and field names that hold them, so that the
    model reports them as it reports an escape, with the field. The ones in no value (a
    comment) are reported by line and column."""

    pattern: re.Pattern[str]
    positions: list[int]
    chars: list[str]
    placeholder: str | None
    restored: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, text: str) -> RawControls | None:
        if _ANY_CONTROL.search(text) is None:  # the common case, in one pass
            return None
        pattern = _RAW_CONTROL_OR_LONE_CR if "\n" in text else _RAW_CONTROL
        found = list(pattern.finditer(text))
        if not found:
            return None
        folded = text.casefold()
        placeholder = next(
            (
                chr(code)
                for code in _PLACEHOLDERS
                if chr(code) not in text and f"{code:04x}" not in folded  # nor as an escape
            ),
            None,
        )
        return cls(pattern, [m.start() for m in found], [m.group() for m in found], placeholder)

    def masked(self, text: str) -> str:
        assert self.placeholder is not None
        return self.pattern.sub(self.placeholder, text)

    def restore(self, value: str, start: int, end: int) -> str:
        """``value``, read from ``text[start:end]``, with its placeholders turned back into
        the raw characters found there, in order."""
        if self.placeholder is None or self.placeholder not in value:
            return value
        first = bisect.bisect_left(self.positions, start)
        last = bisect.bisect_left(self.positions, end)
        originals = iter(range(first, last))
        parts = value.split(self.placeholder)
        out = [parts[0]]
        for part in parts[1:]:
            index = next(originals, None)
            if index is None:  # pragma: no cover - more placeholders than were masked
                out.append("\ufffd")
            else:
                self.restored.add(self.positions[index])
                out.append(self.chars[index])
            out.append(part)
        return "".join(out)

    def unrestored(self, record: SourceRecord, text: str) -> list[Problem]:
        """A problem for each line with a raw control character outside every value."""
        problems: list[Problem] = []
        lines: set[int] = set()
        for position, char in zip(self.positions, self.chars, strict=True):
            if position in self.restored:
                continue
            line, column = line_and_column(text, position)
            if line in lines:
                continue
            lines.add(line)
            if len(lines) > MAX_RAW_CONTROLS_LISTED:
                break
            problems.append(
                Problem(
                    file=record.display_path,
                    line=line,
                    field="",
                    message="contains a control character "
                    f"({control_character_name(char)}) at column {column}",
                    fix="remove it; it is invisible and breaks pages",
                    rule="text.control_character",
                )
            )
        return problems


class ValueBuilder:
    """Turns a composed node tree into Python values, recording lines and YAML pitfalls."""

    def __init__(self, record: SourceRecord, text: str, raw: RawControls | None) -> None:
        self.record = record
        self.text = text
        self._text_lines: list[str] | None = None
        self.raw = raw
        self.nodes = 0
        self.open: set[int] = set()  # the lists and sets of fields being built

    @property
    def text_lines(self) -> list[str]:
        """The text's lines, split when first needed (``unit: #210``)."""
        if self._text_lines is None:
            self._text_lines = self.text.splitlines()
        return self._text_lines

    def build(self, node: Node, loc: Path_, key: str = "") -> Any:
        """The value of ``node``, at ``loc`` in the record; ``key`` is the last field name
        in ``loc`` (the list's, for an entry of a list)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise TooBigError
        lines = self.record.lines
        if loc not in lines:
            lines[loc] = node.start_mark.line + 1  # a field: `key:`'s line
        if isinstance(node, ScalarNode):
            return self._scalar(node, loc, key)
        if id(node) in self.open:
            raise CycleError(loc)
        if len(loc) >= MAX_DEPTH:
            raise TooDeepError(loc)
        self.open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, loc)
            assert isinstance(node, SequenceNode)
            return [self.build(child, (*loc, i), key) for i, child in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _text(self, node: ScalarNode) -> str:
        """The node's text, with raw control characters put back (see :class:`RawControls`)."""
        if self.raw is None:
            return str(node.value)
        return self.raw.restore(node.value, node.start_mark.index, node.end_mark.index)

    def _mapping(self, node: MappingNode, loc: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        lines = self.record.lines
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.record.problems.append(
                    self._at(
                        line,
                        loc,
                        "a field name must be plain text",
                        "write the field name as a plain word followed by a colon",
                        rule="yaml.key",
                    )
                )
                continue
            key = self._text(key_node)
            if key == "<<":
                self.record.problems.append(
                    self._at(
                        line,
                        loc,
                        "YAML merge keys (<<) are not supported",
                        "write the fields out in full",
                        rule="yaml.merge",
                    )
                )
                continue
            at = (*loc, key)
            if key in first_line:
                self.record.problems.append(
                    self._at(
                        line,
                        at,
                        f"is given twice (first on line {first_line[key]})",
                        "keep one; YAML would silently use the last",
                        rule="yaml.duplicate_key",
                    )
                )
                continue
            first_line[key] = line
            lines[at] = line
            if (
                value_node.tag == _NULL
                and value_node.value == ""
                and isinstance(value_node, ScalarNode)
            ):
                self._check_comment_value(key, line, at)
            out[key] = self.build(value_node, at, key)
        return out

    def _check_comment_value(self, key: str, line: int, loc: Path_) -> None:
        """``unit: #210`` is a key with an empty value and a comment: say so."""
        text_lines = self.text_lines
        source = text_lines[line - 1] if line <= len(text_lines) else ""
        _, sep, rest = source.partition(f"{key}:")
        rest = rest.strip()
        if sep and rest.startswith("#") and len(rest) > 1 and not rest[1:2].isspace():
            self.record.problems.append(
                self.record.problem(
                    loc,
                    f'"{rest}" is read by YAML as a comment, so {key} is empty',
                    f'put it in quotes: {key}: "{rest}"',
                    rule="yaml.comment_value",
                )
            )

    def _scalar(self, node: ScalarNode, loc: Path_, key: str) -> Any:
        tag = node.tag
        if tag == _STR:
            return self._text(node)
        if tag == _NULL:
            return None
        if tag not in _KNOWN_TAGS:
            self.record.problems.append(
                self.record.problem(
                    loc,
                    f"uses the YAML tag {tag}, which records do not support",
                    "remove the !tag",
                    rule="yaml.tag",
                )
            )
            return self._text(node)
        if key in TEXT_KEYS and not node.style:
            return self._text(node)
        if tag in (_INT, _FLOAT) and ":" in node.value:
            number = (
                _constructor.construct_yaml_int(node)
                if tag == _INT
                else _constructor.construct_yaml_float(node)
            )
            self.record.problems.append(
                self.record.problem(
                    loc,
                    f"{node.value} is read by YAML as the number {number} (base 60), not a time",
                    f'put times in quotes: "{node.value}"',
                    rule="yaml.sexagesimal",
                )
            )
            return node.value
        try:
            if tag == _INT:
                return _constructor.construct_yaml_int(node)
            if tag == _FLOAT:
                return _constructor.construct_yaml_float(node)
            if tag == _BOOL:
                return _constructor.construct_yaml_bool(node)
        except (ConstructorError, ValueError):
            pass
        return self._text(node)  # text, and dates: the model checks (and parses) them

    def _at(self, line: int, loc: Path_, message: str, fix: str, *, rule: str) -> Problem:
        return Problem(rule, self.record.display_path, line, format_loc(loc), message, fix)

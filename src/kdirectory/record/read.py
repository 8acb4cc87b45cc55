"""Read clinic record files (YAML or JSON) while keeping the line of every value.

Records are composed into nodes with libyaml's C parser (``CSafeLoader``) when present, so
10,000 files load in seconds, and the node marks give each value's line. The node tree is
turned into plain Python values here rather than by PyYAML's constructor so that

- string fields keep the text as written (``postal_code: 02134`` stays ``"02134"``, not 1116),
- YAML 1.1 surprises are reported (``10:00`` read as the number 600, duplicate keys),
- dates stay text, so a date that does not exist is a validation message, not a crash,
- hostile files are refused with a message, never a traceback: links that lead out of the
  project, nesting deeper than :data:`MAX_DEPTH`, anchors used inside themselves, and control
  characters written raw (they are put back into the values they belong to, so the model
  names the field that holds one, as it does for an escape such as ``"\\e"``).

Entries of vocabulary lists and opening hours are then put in their canonical form by
:func:`kdirectory.record.model.canonical_record` (``anxiety`` -> ``generalized-anxiety``,
``9am-5pm`` -> ``09:00-17:00``), the same reader ``kdirectory new`` and ``kdirectory
import`` use, so every layer of validation sees what the record means.
"""

from __future__ import annotations

import bisect
import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kdirectory.record.model import CONTROL_CHARACTER, canonical_record, control_character_name
from kdirectory.report import Problem

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
MAX_RECORD_BYTES = 1_000_000
"""A clinic record is a few kilobytes; anything over a megabyte is the wrong file."""
MAX_NODES = 100_000
"""Bounds the work one file can cause, including YAML alias expansion ("billion laughs")."""
MAX_DEPTH = 20
"""Levels of lists and sets of fields in one record (the record itself is level 1). A valid
record has at most 4 (``special_hours`` > entry > ``hours`` > shifts); the bound keeps
every reader (PyYAML, json, the schema, the model) far from Python's recursion limit."""
MAX_RAW_CONTROLS_LISTED = 10
"""Raw control characters reported one by one outside values (comments, field names)."""


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
            # A list or set of fields one level too deep is composed, for _Builder to
            # report with its field; a level below it, composing stops here.
            if self._depth > MAX_DEPTH + 1:
                raise _TooDeepError(*self._field)
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
        fix: str | None = None,
        *,
        rule: str,
    ) -> Problem:
        """A :class:`Problem` of ``rule`` for the value at ``loc`` of this file."""
        return Problem(rule, self.display_path, self.line_for(loc), format_loc(loc), message, fix)


def format_loc(loc: Path_) -> str:
    """``("hours", "monday", 1)`` -> ``hours.monday[1]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def find_record_files(folder: Path) -> list[Path]:
    """Every entry of ``folder`` named like a record (not recursive), sorted by name;
    dotfiles are skipped.

    Entries that are not readable record files (a folder named ``x.yaml``, a link that
    leads nowhere or loops, a named pipe) are listed too, so that :func:`read_record` says
    what is wrong with each instead of the clinic silently going missing.
    """
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in RECORD_SUFFIXES and not p.name.startswith(".")
    )


def read_record(
    path: Path, display_path: str | None = None, *, root: Path | None = None
) -> SourceRecord:
    """Read one record file. Never raises for bad content: problems are collected instead.

    ``root`` is the project the file must stay inside (see :class:`RecordReader`); by
    default the folder above ``data/clinics/`` when the file is in one, else the file's own
    folder.
    """
    return RecordReader(root or _default_root(path)).read(path, display_path)


def _default_root(path: Path) -> Path:
    folder = path.parent
    if folder.name == "clinics" and folder.parent.name == "data":
        return folder.parent.parent
    return folder


class RecordReader:
    """Reads the record files of one project, refusing every file outside it.

    A record that is a link (or sits in a linked folder) leading out of ``root`` is refused
    unread, since ``ln -s /etc/shadow x.yaml`` would otherwise print the file's lines as
    "unknown field" errors; a link that leads nowhere or loops, a folder named like a
    record and a named pipe each get a message too. The project and its folders are
    resolved once, not once per file.
    """

    def __init__(self, root: Path) -> None:
        self.project = root.resolve()
        self._folders: dict[Path, Path] = {}

    def read(self, path: Path, display_path: str | None = None) -> SourceRecord:
        """Read one record file (see :func:`read_record`)."""
        record = SourceRecord(path=path, display_path=display_path or str(path), data=None)
        target = self._target(path, record)
        if target is None:
            return record
        raw = _read_bytes(target, record, path.suffix)
        if raw is None:
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
                    rule="file.empty",
                )
            )
            return record
        if path.suffix.lower() == ".json":
            _read_json(text, record)
        else:
            _read_yaml(text, record)
        return record

    def _target(self, path: Path, record: SourceRecord) -> Path | None:
        """The file inside the project that ``path`` is or leads to; ``None``, with a
        problem, when it is a link that leads nowhere, loops or leads out of the project."""
        link = _link_text(path)
        if link is None:
            folder = self._folders.get(path.parent)
            if folder is None:
                folder = self._folders[path.parent] = path.parent.resolve()
            target = folder / path.name
        else:
            try:
                target = path.resolve(strict=True)
            except FileNotFoundError:
                record.problems.append(
                    record.problem(
                        (),
                        f"is a link to {link}, which does not exist",
                        "point the link at a record file, or delete it",
                        rule="file.dangling_link",
                    )
                )
                return None
            except (RuntimeError, OSError) as exc:  # a loop: RuntimeError before Python 3.13
                if isinstance(exc, OSError) and exc.errno != errno.ELOOP:
                    record.problems.append(_unreadable(record, exc))
                    return None
                record.problems.append(
                    record.problem(
                        (),
                        f"is a link to {link}, which leads back to itself (a link loop)",
                        "replace the link with the record file itself",
                        rule="file.link_loop",
                    )
                )
                return None
        if not target.is_relative_to(self.project):
            how = f"is a link to {link}" if link else "is reached through a linked folder"
            shown = "" if link == str(target) else f" (that is {target})"
            record.problems.append(
                record.problem(
                    (),
                    f"{how}{shown}, outside the project; it was not read",
                    "copy the record into data/clinics/ instead of linking to it",
                    rule="file.outside_project",
                )
            )
            return None
        return target


def _link_text(path: Path) -> str | None:
    """Where the link ``path`` points, as written in the link; ``None`` when not a link."""
    try:
        return str(path.readlink()) if path.is_symlink() else None
    except OSError:  # pragma: no cover - it stopped being a link in between
        return None


def _read_bytes(target: Path, record: SourceRecord, suffix: str) -> bytes | None:
    """The bytes of the regular file ``target``, at most :data:`MAX_RECORD_BYTES`; ``None``,
    with a problem, for a folder, a pipe or a device, or a file too large. Opened without
    following a link (``target`` is resolved) and without waiting (a named pipe)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        with open(os.open(target, flags), "rb") as handle:  # noqa: PTH123 - a descriptor
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                record.problems.append(_folder(record, suffix))
                return None
            if not stat.S_ISREG(info.st_mode):
                record.problems.append(
                    record.problem(
                        (),
                        "is not a regular file (a named pipe, socket or device)",
                        "replace it with a plain .yaml or .json file",
                        rule="file.not_regular",
                    )
                )
                return None
            if info.st_size > MAX_RECORD_BYTES:
                record.problems.append(_too_large(record, info.st_size))
                return None
            raw = handle.read(info.st_size + 1)
            if len(raw) > info.st_size:  # pragma: no cover - it grew while being read
                raw += handle.read(MAX_RECORD_BYTES + 1 - len(raw))
    except IsADirectoryError:  # pragma: no cover - where folders cannot be opened
        record.problems.append(_folder(record, suffix))
        return None
    except OSError as exc:
        record.problems.append(_unreadable(record, exc))
        return None
    if len(raw) > MAX_RECORD_BYTES:  # pragma: no cover - it grew while being read
        record.problems.append(_too_large(record, len(raw)))
        return None
    return raw


def _folder(record: SourceRecord, suffix: str) -> Problem:
    return record.problem(
        (),
        "is a folder, not a record file; records inside it are not read",
        f"rename the folder so its name does not end in {suffix}, and keep one clinic per "
        "file directly in data/clinics/",
        rule="file.folder",
    )


def _unreadable(record: SourceRecord, exc: OSError) -> Problem:
    return record.problem((), f"cannot be read: {exc.strerror}", rule="file.unreadable")


def _too_large(record: SourceRecord, size: int) -> Problem:
    return record.problem(
        (),
        f"the file is {size / 1_000_000:.1f} MB; a clinic record is a few kilobytes",
        "is this the right file? One clinic per file, at most 1 MB",
        rule="file.too_large",
    )


def _decode(raw: bytes, record: SourceRecord) -> str | None:
    if b"\x00" in raw[:8192]:
        record.problems.append(
            record.problem(
                (),
                "is a binary file, not a YAML or JSON text record",
                "save the record as plain text (UTF-8)",
                rule="file.binary",
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
                fix="save the file as UTF-8; spreadsheets often export Windows-1252",
                rule="file.encoding",
            )
        )
        return None


def _read_yaml(text: str, record: SourceRecord) -> None:
    raw = _RawControls.of(text)
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
        line, column = _line_and_column(parsed, exc.position)
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
    except _TooDeepError as exc:  # from SafePythonLoader
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


def _read_json(text: str, record: SourceRecord) -> None:
    scan = _JsonScan.of(text)
    if scan.too_deep_at is not None:  # before json, which would recurse that deep
        record.problems.append(_too_deep(record, (), _line_and_column(text, scan.too_deep_at)[0]))
        return
    escaped = scan.escaped(text)
    try:
        data = json.loads(escaped)
    except json.JSONDecodeError as exc:
        record.problems.append(_json_syntax(record, text, scan.unescaped_position(exc.pos), exc))
        return
    try:  # JSON is YAML too: composing it again recovers the lines
        node = yaml.compose(_SURROGATE_PAIR.sub(_one_escape, escaped), Loader=_Loader)
    except (yaml.YAMLError, _TooDeepError):  # pragma: no cover - JSON that YAML cannot read
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
    line, column = _line_and_column(text, position)
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


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``text[position]``."""
    line_start = text.rfind("\n", 0, position) + 1
    return text.count("\n", 0, position) + 1, position - line_start + 1


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
    raw: _RawControls | None = None,
    *,
    json_data: object = None,
) -> None:
    if node is None:
        record.problems.append(
            record.problem((), "holds no record (only comments)", rule="file.empty")
        )
        return
    builder = _Builder(record, text, raw)
    try:
        data = builder.build(node, ())
    except _TooBigError:
        record.problems.append(
            record.problem(
                (),
                f"has more than {MAX_NODES:,} values",
                "a clinic record is small; is this the right file?",
                rule="file.too_large",
            )
        )
        return
    except _TooDeepError as exc:
        record.problems.append(_too_deep(record, exc.loc[:1], None))
        return
    except _CycleError as exc:
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
    _set_mapping(data, record)


def _set_mapping(data: object, record: SourceRecord) -> None:
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


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + "null" and node.value == ""


class _TooBigError(Exception):
    pass


class _TooDeepError(Exception):
    """Nesting deeper than :data:`MAX_DEPTH`, at ``loc`` (when known) or on ``line``."""

    def __init__(self, loc: Path_ = (), line: int | None = None) -> None:
        super().__init__(loc, line)
        self.loc = loc
        self.line = line


class _CycleError(Exception):
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
class _RawControls:
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
    def of(cls, text: str) -> _RawControls | None:
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
            line, column = _line_and_column(text, position)
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


class _Builder:
    """Turns a composed node tree into Python values, recording lines and YAML pitfalls."""

    def __init__(self, record: SourceRecord, text: str, raw: _RawControls | None) -> None:
        self.record = record
        self.text_lines = text.splitlines()
        self.raw = raw
        self.nodes = 0
        self.open: set[int] = set()  # the lists and sets of fields being built

    def build(self, node: Node, loc: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBigError
        self.record.lines.setdefault(loc, node.start_mark.line + 1)  # a field: `key:`'s line
        if isinstance(node, ScalarNode):
            return self._scalar(node, loc)
        if id(node) in self.open:
            raise _CycleError(loc)
        if len(loc) >= MAX_DEPTH:
            raise _TooDeepError(loc)
        self.open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, loc)
            assert isinstance(node, SequenceNode)
            return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _text(self, node: ScalarNode) -> str:
        """The node's text, with raw control characters put back (see :class:`_RawControls`)."""
        if self.raw is None:
            return str(node.value)
        return self.raw.restore(node.value, node.start_mark.index, node.end_mark.index)

    def _mapping(self, node: MappingNode, loc: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
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
            if key in first_line:
                self.record.problems.append(
                    self._at(
                        line,
                        (*loc, key),
                        f"is given twice (first on line {first_line[key]})",
                        "keep one; YAML would silently use the last",
                        rule="yaml.duplicate_key",
                    )
                )
                continue
            first_line[key] = line
            self.record.lines[(*loc, key)] = line
            if _is_empty(value_node):
                self._check_comment_value(key, line, (*loc, key))
            out[key] = self.build(value_node, (*loc, key))
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
                    rule="yaml.comment_value",
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
                    rule="yaml.tag",
                )
            )
            return self._text(node)
        key = next((part for part in reversed(loc) if isinstance(part, str)), "")
        if key in TEXT_KEYS and tag != _TAG + "str" and not node.style:
            return self._text(node)
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
                    rule="yaml.sexagesimal",
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
        return self._text(node)  # text, and dates: the model checks (and parses) them

    def _at(self, line: int, loc: Path_, message: str, fix: str, *, rule: str) -> Problem:
        return Problem(rule, self.record.display_path, line, format_loc(loc), message, fix)

"""The record cache, ``.kdirectory/records.sqlite``: what reading and checking each record
file found, so that a file unchanged since the last run is neither parsed nor validated
again.

For each record file the cache keeps, under the file's path and the SHA-256 of its bytes,
what :func:`kdirectory.record.validate.load_directory` makes of the file on its own: its
problems (the file, its YAML or JSON, the JSON Schema and the model, with their lines), the
clinic as the model read it, and the problems of the record rules that the record alone
decides (:func:`kdirectory.record.rules.timeless_checks`). What depends on more is checked
on every run, for every record: the rules across records (slugs, one address or phone
twice, similar names), the photos (files in the project), testimonials dated in the future
(today's date), the brand's rules (``kdirectory.toml``) and ``data/geocodes.json``. It also
keeps the USPS Publication 28 form of the streets that the rule about one address twice
compares, which takes an address parser.

It keeps, too, the report of the last ``kdirectory validate`` of the whole project (one row
of the ``results`` table), under a key of everything the report was made from: the names
and bytes of the record files, the settings, ``data/geocodes.json``, today's date, the
project's folder and every file of kdirectory; with the state of the files the report
looked at (photos, the logo). A run over a project where all of that is as it was prints
the kept report, and reads nothing else (:func:`kdirectory.project.validate_project`).

Every record's row carries the :func:`fingerprint` of what made it: kdirectory's version, the
source of its record and catalogue code with the vocabularies and the gazetteer, the
Python and package versions installed (YAML, pydantic, phone numbers, ZIP codes, the
address parser, the JSON Schema validator, distances), and the time-zone database. A row of
another fingerprint is never used. The settings (``kdirectory.toml``) are not part of it:
no check the cache keeps reads them.

Why SQLite, and not one file rewritten whole: changing one record rewrites one row, not the
cache; a run that is interrupted, or two runs at once, leave a sound cache (transactions,
and WAL so that readers never wait for a writer); and it is how kdirectory keeps its
geocoding cache. The file is read once per run (about 2 KB a record); nothing is written
when nothing changed.

The cache never changes a result. A file that is not such a cache, or a row (a record's or
the kept report) whose checksum or content is wrong, is set aside (``records.sqlite.corrupt``)
with a notice and a new cache written; a cache made by another version of kdirectory is
renewed with a notice; a cache that cannot be read or written (a read-only project) is done
without, with a notice. In each case every record is checked as if there were no cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import sys
import zlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from kdirectory._sqlite import (
    BUSY_SECONDS,
    access_problem,
    clear,
    create_whole,
    normal_sql,
    open_for_writing,
    tables_of,
)
from kdirectory.record.source import SourceRecord
from kdirectory.report import Problem, Report

if TYPE_CHECKING:
    from pydantic import BaseModel

    from kdirectory.record.directory import Checks
    from kdirectory.record.hours import Interval
    from kdirectory.record.model import Clinic
    from kdirectory.record.phones import Phone
    from kdirectory.record.read import ProjectFiles, RecordReader

CACHE_FILE = Path(".kdirectory") / "records.sqlite"
"""The cache, relative to the project."""
_FORMAT = "kdirectory record cache 2"
"""What the ``meta`` table's ``format`` row holds; a new layout of the tables is a new one."""
_TABLES = {
    "meta": "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "records": "CREATE TABLE records (path TEXT PRIMARY KEY, digest BLOB NOT NULL, "
    "fingerprint TEXT NOT NULL, checksum INTEGER NOT NULL, payload BLOB NOT NULL)",
    "streets": "CREATE TABLE streets (street TEXT NOT NULL, fingerprint TEXT NOT NULL, "
    "line TEXT NOT NULL, unit TEXT NOT NULL, PRIMARY KEY (street, fingerprint))",
    "results": "CREATE TABLE results (key TEXT PRIMARY KEY, checksum INTEGER NOT NULL, "
    "payload BLOB NOT NULL)",
}
_TABLE_SQL = {name: normal_sql(sql) for name, sql in _TABLES.items()}
_FORMAT_ROW = ("INSERT INTO meta (key, value) VALUES ('format', ?)", (_FORMAT,))


# --- what made a row -----------------------------------------------------------------------


@cache
def fingerprint() -> str:
    """What every row of this run is made by: changes with kdirectory (its version and the
    source of the code, vocabularies and tables that read and check a record), Python, the
    installed packages and the time-zone database."""
    digest = hashlib.sha256(_FORMAT.encode())
    digest.update(sys.version.encode())
    package = Path(__file__).resolve().parent.parent
    files = [package / "report.py"]
    for folder in ("record", "catalogue"):
        files += sorted(p for p in (package / folder).rglob("*") if "__pycache__" not in p.parts)
    for file in files:
        if file.is_file():
            digest.update(file.relative_to(package).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    for name in _installed():
        digest.update(name.encode() + b"\0")
    digest.update(_libyaml().encode())  # which YAML loader reads (see record/parse.py)
    for folder in zoneinfo.TZPATH:
        with contextlib.suppress(OSError):
            digest.update(f"{folder}:{Path(folder).stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def _libyaml() -> str:
    """The version of libyaml that PyYAML reads with, or ``none``."""
    try:
        from yaml import _yaml  # noqa: PLC0415
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return "none"
    return str(_yaml.get_version_string())


def _installed() -> list[str]:
    """Every installed distribution with its version (``pydantic-2.14.4.dist-info``), from
    the folders Python imports from: a package installed, removed or upgraded changes it."""
    names: list[str] = []
    for entry in sys.path:
        if not entry:
            continue  # the working folder
        with contextlib.suppress(OSError):  # not a folder, or gone
            names += [
                name
                for name in os.listdir(entry)  # noqa: PTH208 - names only, and fast
                if name.endswith((".dist-info", ".egg-info"))
            ]
    return sorted(names)


# --- a clinic as JSON and back ---------------------------------------------------------------
#
# A model is kept as a JSON list: the fields it was given (a bit per field, in the model's
# order), then its fields' values in that order. Each field is kept by its type, worked out
# once from the model's annotations: text, numbers, true/false and lists of them as JSON;
# a phone number as [E.164, extension]; a date as YYYY-MM-DD; a day's opening shifts as the
# minutes they open and close, in turn; a model within as its own list. Reading a row back
# is then one JSON parse and a few steps a record, without validating anything again: the
# values are the model's own, as it validated them when the row was written.

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]
Shape = tuple[Encode, Decode] | None
"""How a value of one type is kept, and read back (``None`` kept as ``None``); ``None`` for
a value JSON keeps as it is."""


class _UnencodableError(Exception):
    """A value the cache does not know how to keep: the record is checked on every run."""


class _DamagedError(Exception):
    """What the cache holds is not what this code wrote; the message says why."""


def _shape(annotation: Any) -> Shape:
    """How to keep a value of the type ``annotation`` (a field's, as pydantic has it).

    Raises:
        _UnencodableError: a type the cache does not know (nothing is then cached).
    """
    from pydantic import BaseModel  # noqa: PLC0415 - the models, for a run that reads records

    from kdirectory.record.hours import Interval  # noqa: PLC0415
    from kdirectory.record.phones import Phone  # noqa: PLC0415

    origin = get_origin(annotation)
    if origin is Annotated:
        return _shape(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        options = [arg for arg in get_args(annotation) if arg is not NoneType]
        shapes = [_shape(option) for option in options]
        if all(shape is None for shape in shapes):
            return None
        if len(options) != 1:
            raise _UnencodableError(repr(annotation))
        return shapes[0]  # every shape keeps None as None
    if origin is list:
        (item,) = get_args(annotation)
        if _bare(item) is Interval:
            return _hours_shape(Interval)
        inner = _shape(item)
        return None if inner is None else _listed(inner)
    if origin is Literal:
        if all(type(arg) in (str, int, bool) for arg in get_args(annotation)):
            return None
        raise _UnencodableError(repr(annotation))
    if annotation in (str, int, float, bool, NoneType):
        return None
    if annotation is date:
        return _iso, _date
    if annotation is Phone:
        return _phone_shape(Phone)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_shape(annotation)
    raise _UnencodableError(repr(annotation))


def _bare(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _listed(shape: tuple[Encode, Decode]) -> tuple[Encode, Decode]:
    encode, decode = shape

    def write(value: object) -> list[Any] | None:
        if value is None:
            return None
        if type(value) is not list:
            raise _UnencodableError("a list is not a list")
        return [encode(item) for item in value]

    def read(value: object) -> list[Any] | None:
        if value is None:
            return None
        if type(value) is not list:
            raise _DamagedError("a list is not a list")
        return [decode(item) for item in value]

    return write, read


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: object) -> date | None:
    if value is None:
        return None
    if type(value) is not str:
        raise _DamagedError("a date is not text")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _DamagedError(f"{value!r:.20} is not a date") from None


def _phone_shape(phone_type: type[Phone]) -> tuple[Encode, Decode]:
    """A phone number (of ``phone_type``) kept as ``[E.164, extension]``."""

    def write(phone: Phone | None) -> list[str | None] | None:
        return None if phone is None else [phone.e164, phone.extension]

    def read(value: object) -> Phone | None:
        if value is None:
            return None
        if not (type(value) is list and len(value) == _PHONE_PARTS):
            raise _DamagedError("a phone number is not two values")
        e164, extension = value
        if type(e164) is not str or not (extension is None or type(extension) is str):
            raise _DamagedError("a phone number is not text")
        return phone_type(e164, extension)

    return write, read


_PHONE_PARTS = 2


def _hours_shape(interval: type[Interval]) -> tuple[Encode, Decode]:
    """A day's opening shifts (each an ``interval``) kept as the minutes they open and
    close, in turn."""
    known: dict[tuple[int, int], Interval] = {}  # shifts read back: immutable, few of them

    def write(shifts: object) -> list[int] | None:
        if shifts is None:
            return None
        if type(shifts) is not list or not all(type(shift) is interval for shift in shifts):
            raise _UnencodableError("a day's hours")
        return [minutes for shift in shifts for minutes in (shift.opens, shift.closes)]

    def read(minutes: object) -> list[Interval] | None:
        if minutes is None:
            return None
        if type(minutes) is not list or len(minutes) % 2:
            raise _DamagedError("a day's hours are not pairs of minutes")
        if len(minutes) == 2:
            shift = known.get((minutes[0], minutes[1]))
            if shift is not None:
                return [shift]
        shifts = []
        for index in range(0, len(minutes), 2):
            key = (minutes[index], minutes[index + 1])
            shift = known.get(key)
            if shift is None:
                if not (type(key[0]) is int and type(key[1]) is int):
                    raise _DamagedError("an opening shift is not two numbers")
                shift = known[key] = interval(*key)
            shifts.append(shift)
        return shifts

    return write, read


@cache
def _model_shape(cls: type[BaseModel]) -> tuple[Encode, Decode]:
    """How to keep an instance of the model ``cls`` (see above)."""
    names = tuple(cls.model_fields)
    shapes = [_shape(field.annotation) for field in cls.model_fields.values()]
    special = [(index, shape) for index, shape in enumerate(shapes) if shape is not None]
    bit = {name: 1 << index for index, name in enumerate(names)}
    every_field = frozenset(names)
    fields_sets: dict[int, frozenset[str]] = {}

    def write(instance: object) -> list[Any] | None:
        if instance is None:
            return None
        if type(instance) is not cls:
            raise _UnencodableError(type(instance).__name__)
        fields = instance.__dict__
        if fields.keys() != every_field or instance.__pydantic_extra__:
            raise _UnencodableError(f"a {cls.__name__} with other fields")
        values = [fields[name] for name in names]
        for index, (write_value, _) in special:
            values[index] = write_value(values[index])
        return [sum(bit[name] for name in instance.model_fields_set), *values]

    def fields_set_of(given: object) -> frozenset[str]:
        known = fields_sets.get(given) if type(given) is int else None
        if known is None:
            if type(given) is not int or not 0 <= given < 1 << len(names):
                raise _DamagedError(f"a {cls.__name__}'s fields given are not a number")
            known = fields_sets[given] = frozenset(name for name in names if given & bit[name])
        return known

    # Reading back is the most of a run that finds nothing changed: one function a model,
    # written out field by field (as dataclasses writes __init__), reads a row's list.
    readers = {f"read_{index}": shape[1] for index, shape in special}
    values = ", ".join(
        f"{name!r}: read_{index}(value[{index + 1}])"
        if f"read_{index}" in readers
        else f"{name!r}: value[{index + 1}]"
        for index, name in enumerate(names)
    )
    source = (
        "def read(value):\n"
        "    if value is None:\n"
        "        return None\n"
        f"    if type(value) is not list or len(value) != {len(names) + 1}:\n"
        "        raise Damaged(what)\n"
        "    instance = new(cls)\n"
        f"    setattr_(instance, '__dict__', {{{values}}})\n"
        "    setattr_(instance, '__pydantic_fields_set__', set(fields_set_of(value[0])))\n"
        "    setattr_(instance, '__pydantic_extra__', None)\n"
        "    setattr_(instance, '__pydantic_private__', None)\n"
        "    return instance\n"
    )
    namespace: dict[str, Any] = {
        **readers,
        "Damaged": _DamagedError,
        "what": f"a {cls.__name__} without its fields",
        "new": object.__new__,
        "cls": cls,
        "setattr_": object.__setattr__,
        "fields_set_of": fields_set_of,
    }
    exec(compile(source, f"<kdirectory record cache: {cls.__name__}>", "exec"), namespace)  # noqa: S102
    read: Decode = namespace["read"]

    return write, read


@cache
def clinic_shape() -> tuple[Encode, Decode] | None:
    """How a clinic is kept; ``None`` when the model has a field of a type the cache does
    not know (nothing is cached then, and tests say so). Worked out on first use: a run
    that finds its result kept never imports the models."""
    from kdirectory.record.model import Clinic  # noqa: PLC0415

    try:
        return _model_shape(Clinic)
    except _UnencodableError:  # pragma: no cover - a field of a type the cache cannot keep
        return None


# --- a row ---------------------------------------------------------------------------------

_PROBLEM_FIELDS = ("rule", "line", "field", "message", "fix")
_CHECK_PARTS = 2
_ROW_PARTS = 4


def _problem_row(problem: Problem) -> list[object]:
    return [problem.rule, problem.line, problem.field, problem.message, problem.fix]


def _problems(rows: object, file: str) -> list[Problem]:
    if type(rows) is not list:
        raise _DamagedError("problems are not a list")
    problems = []
    for row in rows:
        if not (type(row) is list and len(row) == len(_PROBLEM_FIELDS)):
            raise _DamagedError("a problem is not five values")
        rule, line, field, message, fix = row
        if not (
            type(rule) is str
            and (line is None or type(line) is int)
            and type(field) is str
            and type(message) is str
            and (fix is None or type(fix) is str)
        ):
            raise _DamagedError("a problem's values are of the wrong kinds")
        try:
            problems.append(Problem(rule, file, line, field, message, fix))
        except KeyError:
            raise _DamagedError(f"a problem of an unknown rule, {rule!r:.40}") from None
    return problems


@dataclass
class CachedRecord:
    """What reading and checking one record file found (see the module)."""

    source: SourceRecord
    """The record file; its ``data`` and ``lines`` are read from the file again if asked."""
    problems: list[Problem]
    """As :func:`kdirectory.record.validate.check_record` gives them."""
    clinic: Clinic | None
    """The clinic, when the record is valid."""
    checks: Checks | None
    """:func:`kdirectory.record.rules.timeless_checks` of the clinic, when valid."""


def encode(
    source: SourceRecord, problems: list[Problem], clinic: Clinic | None, checks: Checks | None
) -> bytes | None:
    """The row of a record read and checked now; ``None`` when it holds a value the cache
    cannot keep (the record is then checked on every run)."""
    known = len(source.problems)
    shape = clinic_shape()
    if shape is None or problems[:known] != source.problems:  # check_record: the file's first
        return None
    try:
        payload = [
            [_problem_row(p) for p in problems],
            known,
            None if clinic is None else shape[0](clinic),
            None if checks is None else [[_problem_row(p) for p in part] for part in checks],
        ]
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")  # a lone surrogate (an escape in YAML) cannot be
    except (_UnencodableError, ValueError, TypeError):
        return None


def decode(payload: bytes, source: SourceRecord) -> CachedRecord:
    """A row back into what it keeps, about the record file ``source``.

    Raises:
        _DamagedError: the row is not one :func:`encode` wrote.
    """
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as error:
        raise _DamagedError(f"a row cannot be read ({error})") from None
    shape = clinic_shape()
    if not (type(data) is list and len(data) == _ROW_PARTS) or shape is None:
        raise _DamagedError("a row is not a record's")
    rows, known, clinic, checks = data
    problems = _problems(rows, source.display_path)
    if type(known) is not int or not 0 <= known <= len(problems):
        raise _DamagedError("a row's count of problems is wrong")
    if checks is not None and not (type(checks) is list and len(checks) == _CHECK_PARTS):
        raise _DamagedError("a row's record rules are not two lists")
    source.problems = problems[:known]
    return CachedRecord(
        source=source,
        problems=problems,
        clinic=None if clinic is None else shape[1](clinic),
        checks=None
        if checks is None
        else (
            _problems(checks[0], source.display_path),
            _problems(checks[1], source.display_path),
        ),
    )


def read_row(
    payload: bytes, path: Path, display_path: str, reader: RecordReader
) -> CachedRecord | None:
    """What :func:`encode` wrote about the record file at ``path`` (named ``display_path``
    in problems); ``None`` when ``payload`` is no such row. The file's data and lines are
    read from it again only if asked (a problem across records placed on one of its lines)."""
    try:
        return decode(payload, _CachedSource(path, display_path, reader))
    except _DamagedError:
        return None


class _CachedSource(SourceRecord):
    """A record file whose reading came from the cache: its ``data`` and ``lines`` are read
    from the file again only when something asks for them (a rule across records placing a
    problem on one of its lines)."""

    def __init__(self, path: Path, display_path: str, reader: RecordReader) -> None:
        # The dataclass fields `data` and `lines` are left unset: __getattr__ fills them.
        self.path = path
        self.display_path = display_path
        self.problems = []
        self._reader = reader

    def __getattr__(self, name: str) -> Any:
        if name in ("data", "lines"):
            fresh = self._reader.read(self.path, self.display_path)
            self.data, self.lines = fresh.data, fresh.lines
            return getattr(self, name)
        raise AttributeError(name)


# --- a project's result ------------------------------------------------------------------
#
# The report of a whole project is kept too, under a key made of everything it was made
# from, so that a run over a project that did not change reads and hashes its files and
# prints the kept report, building no clinic and running no rule. What the report depends
# on besides its files' bytes is in the key (the settings, the saved geocodes, the day, the
# code) or kept with it: the state of each file it looked at in the project (photos, the
# logo), compared again before the report is used.

_RESULT_PARTS = 3


@cache
def package_digest() -> bytes:
    """The SHA-256 of every file of the kdirectory package, with its name: a report depends
    on more of the code than a record does (the geocodes, the brand's rules, the report
    itself). With :func:`fingerprint`, it names the code a result was made by. Imports
    nothing: a run that finds its result kept computes it."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for file in sorted(p for p in package.rglob("*") if "__pycache__" not in p.parts):
        if file.is_file():
            digest.update(file.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.digest()


def file_digest(path: Path) -> bytes:
    """What the file at ``path`` holds, for a key: the SHA-256 of its bytes, or why it could
    not be read (missing, a folder, no permission)."""
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError as error:
        return f"unreadable {error.errno}".encode()


def project_key(found: ProjectFiles, context: list[bytes]) -> str | None:
    """The key of the result of the project whose record files are ``found``: their names
    and bytes, the project's folder, the code (:func:`fingerprint` and every file of
    kdirectory) and ``context`` (today, :func:`file_digest` of the settings and the
    geocodes). ``None`` when a record file could not be read: what is wrong with it is not
    in its bytes."""
    digest = hashlib.sha256(_FORMAT.encode() + b"\0" + fingerprint().encode() + b"\0")
    digest.update(package_digest())
    digest.update(os.fsencode(found.root) + b"\0")
    for part in context:
        digest.update(len(part).to_bytes(8, "big") + part)
    for file in found.files:
        if file.digest is None:
            return None
        digest.update(file.source.display_path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(file.digest)
    return digest.hexdigest()


def file_state(path: Path) -> str:
    """The state of a file a report looked at (a photo, the logo): which file it is, its
    size and times; or why it is not there. Any change to the file changes it."""
    try:
        info = os.stat(path)  # noqa: PTH116 - the fields of the file reached through links
    except OSError as error:
        return f"unreadable {error.errno}"
    except ValueError:  # a NUL in the path
        return "invalid"
    return f"{info.st_dev} {info.st_ino} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns}"


def encode_result(report: Report, watched: dict[str, str]) -> bytes | None:
    """The kept form of ``report``, with the :func:`file_state` of each file it looked at
    (``watched``, by their paths in the project); ``None`` for a report it cannot hold."""
    fields = {
        item.name: getattr(report, item.name)
        for item in dataclasses.fields(report)
        if item.name != "problems"
    }
    problems = [[p.rule, p.file, p.line, p.field, p.message, p.fix] for p in report.problems]
    try:
        return json.dumps([fields, problems, watched], separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return None


def _result_of(key: object, checksum: object, payload: object) -> tuple[Report, dict[str, str]]:
    """A row of the ``results`` table back into its report and watched files.

    Raises:
        _DamagedError: the row is not one :meth:`RecordCache.save_result` wrote.
    """
    if not (type(key) is str and type(checksum) is int and type(payload) is bytes):
        raise _DamagedError("the kept result holds values of the wrong kinds")
    if zlib.crc32(payload) != checksum:
        raise _DamagedError("the kept result fails its checksum")
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as error:
        raise _DamagedError(f"the kept result cannot be read ({error})") from None
    if not (type(data) is list and len(data) == _RESULT_PARTS):
        raise _DamagedError("the kept result is not a report")
    fields, rows, watched = data
    if not (
        type(fields) is dict
        and type(rows) is list
        and type(watched) is dict
        and all(type(state) is str for state in watched.values())
    ):
        raise _DamagedError("the kept result is not a report")
    problems = []
    for row in rows:
        if not (type(row) is list and len(row) == len(_PROBLEM_FIELDS) + 1):
            raise _DamagedError("a problem of the kept result is not six values")
        rule, file, line, field, message, fix = row
        if not (
            type(rule) is str
            and type(file) is str
            and (line is None or type(line) is int)
            and type(field) is str
            and type(message) is str
            and (fix is None or type(fix) is str)
        ):
            raise _DamagedError("a problem of the kept result holds values of the wrong kinds")
        try:
            problems.append(Problem(rule, file, line, field, message, fix))
        except KeyError:
            raise _DamagedError(f"a problem of an unknown rule, {rule!r:.40}") from None
    try:
        report = Report(problems=problems, **fields)
    except TypeError:
        raise _DamagedError("the kept result is not a report") from None
    return report, watched


def kept_result(root: Path, key: str) -> Report | None:
    """The report kept under ``key`` in the cache of the project at ``root``, when every
    file it looked at is as it was; ``None`` otherwise, and for a cache that cannot be read
    or is damaged (a full run then reads it, and says so)."""
    path = root / CACHE_FILE
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except (sqlite3.Error, OSError):
        return None
    try:
        form = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if form is None or form[0] != _FORMAT:
            return None
        row = db.execute(
            "SELECT key, checksum, payload FROM results WHERE key = ?", (key,)
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    if row is None:
        return None
    try:
        report, watched = _result_of(*row)
    except _DamagedError:
        return None
    if any(file_state(root / name) != state for name, state in watched.items()):
        return None
    return report


# --- the file --------------------------------------------------------------------------------


@dataclass
class _Row:
    digest: bytes
    checksum: int
    payload: bytes


class RecordCache:
    """The record cache of the project at ``root``, read when made; :meth:`save` writes
    what this run added. Never raises for what is in the file or for a file that cannot
    be used: see :attr:`notices`."""

    def __init__(self, root: Path, reader: RecordReader) -> None:
        self.path = root / CACHE_FILE
        self.reader = reader
        self.notices: list[str] = []
        """What the command line says about the cache: set aside, renewed, done without."""
        self.hits = 0
        """Records read from the cache rather than parsed and checked."""
        self.misses = 0
        """Records parsed and checked (and added to the cache)."""
        self.fingerprint = fingerprint()
        self._rows: dict[str, _Row] = {}
        self._paths: set[str] = set()  # every record path the file holds, of any fingerprint
        self._stale = False  # rows of another fingerprint are in the file
        self._new: dict[str, _Row] = {}
        self._used: dict[str, _Row] = {}
        self._streets: dict[str, tuple[str, str]] = {}
        self._new_streets: dict[str, tuple[str, str]] = {}
        self._streets_asked: set[str] = set()
        self._damage: str | None = None  # why the file is to be set aside
        self._writable = True  # no write of this run has failed
        self._fresh = False  # the file is kdirectory's, of another layout: start anew
        self._usable = True
        self._read()

    # reading

    def _read(self) -> None:
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            self._without(f"{folder} is a file, not a folder")
            return
        if not self.path.exists():
            return
        if not self.path.is_file():
            self._without(f"{self.path} is not a file")
            return
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            self._without(f"{self.path} cannot be opened ({error})")
            return
        try:
            db.execute("BEGIN")  # one snapshot, whatever another run commits meanwhile
            self._read_tables(db)
        except _DamagedError as damage:
            self._damaged(str(damage))
        except sqlite3.Error as error:
            if access_problem(error):
                self._without(f"{self.path} cannot be read ({error})")
            else:
                self._damaged(f"it is not a record cache ({error})")
        finally:
            db.close()

    def _read_tables(self, db: sqlite3.Connection) -> None:
        tables = tables_of(db)
        if not tables:
            return  # an empty file: a new cache
        form = None
        if "meta" in tables:
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            form = None if row is None else row[0]
        if isinstance(form, str) and form != _FORMAT and form.startswith(_FORMAT[:-1]):
            self._renew()  # kdirectory's own, laid out by another version
            return
        if form != _FORMAT or tables != _TABLE_SQL:
            found = ", ".join(sorted(tables)[:5])
            raise _DamagedError(f"it is not a kdirectory record cache (it holds {found})")
        for path, digest, row_fingerprint, checksum, payload in db.execute(
            "SELECT path, digest, fingerprint, checksum, payload FROM records"
        ):
            if not (
                isinstance(path, str)
                and isinstance(digest, bytes)
                and isinstance(payload, bytes)
                and type(checksum) is int
            ):
                raise _DamagedError(f"the row of {path!r:.80} holds values of the wrong kinds")
            self._paths.add(path)
            if row_fingerprint == self.fingerprint:
                self._rows[path] = _Row(digest, checksum, payload)
            else:
                self._stale = True
        for street, row_fingerprint, line, unit in db.execute(
            "SELECT street, fingerprint, line, unit FROM streets"
        ):
            if row_fingerprint == self.fingerprint:
                self._streets[str(street)] = (str(line), str(unit))
            else:
                self._stale = True
        for key, checksum, payload in db.execute("SELECT key, checksum, payload FROM results"):
            _result_of(key, checksum, payload)  # a damaged one is said now, and replaced
        if self._stale:
            self.notices.append(
                f"{self.path} was made by another version of kdirectory; every record is "
                "checked again and the cache renewed"
            )

    def _without(self, why: str) -> None:
        self._usable = False
        self._rows.clear()
        self.notices.append(
            f"cannot use the record cache: {why}; every record was checked (nothing is missing "
            "from the results, it only takes longer)"
        )

    def _damaged(self, why: str) -> None:
        if self._damage is not None:
            return
        self._damage = why
        self._rows.clear()
        self._streets.clear()
        self.notices.append(
            f"{self.path} is damaged ({why}); it is set aside as {self.path.name}.corrupt, "
            "every record is checked again and a new cache written"
        )

    def _renew(self) -> None:
        self._fresh = True
        self.notices.append(
            f"{self.path} was made by another version of kdirectory; every record is "
            "checked again and the cache renewed"
        )

    # records

    def lookup(self, path: Path, display_path: str, digest: bytes) -> CachedRecord | None:
        """What reading and checking the file at ``path`` (shown as ``display_path``) found,
        when the cache has it for the bytes whose SHA-256 is ``digest``."""
        row = self._rows.get(display_path)
        if row is None or row.digest != digest:
            return None
        if zlib.crc32(row.payload) != row.checksum:
            self._damaged(f"the row of {display_path} fails its checksum")
            return None
        try:
            found = decode(row.payload, _CachedSource(path, display_path, self.reader))
        except _DamagedError as damage:
            self._damaged(f"the row of {display_path}: {damage}")
            return None
        self.hits += 1
        self._used[display_path] = row
        return found

    def add(
        self,
        display_path: str,
        digest: bytes,
        source: SourceRecord,
        problems: list[Problem],
        clinic: Clinic | None,
        checks: Checks | None,
    ) -> None:
        """Keep what reading and checking a record file found now."""
        self.misses += 1
        if not self._usable:
            return
        payload = encode(source, problems, clinic, checks)
        if payload is not None:
            self._new[display_path] = _Row(digest, zlib.crc32(payload), payload)

    def add_row(self, display_path: str, digest: bytes, payload: bytes) -> None:
        """Keep a row of :func:`encode` made for a record file in this run."""
        self.misses += 1
        if self._usable:
            self._new[display_path] = _Row(digest, zlib.crc32(payload), payload)

    # streets

    def street(self, street: str) -> tuple[str, str] | None:
        """The Publication 28 form of ``street`` kept by an earlier run, if any."""
        self._streets_asked.add(street)
        return self._streets.get(street)

    def add_street(self, street: str, normal: tuple[str, str]) -> None:
        """Keep the Publication 28 form of ``street``, worked out now."""
        if self._usable:
            self._new_streets[street] = normal

    # writing

    def save(self, present: set[str]) -> None:
        """Write the rows added in this run, and drop those of record files no longer in
        ``present`` (display paths) and of other fingerprints. Writes nothing when nothing
        changed."""
        if not self._usable:
            return
        gone = self._paths - present
        unused = set(self._streets) - self._streets_asked  # of records changed or gone
        anew = self._damage is not None or self._fresh
        if not (self._new or self._new_streets or gone or unused or self._stale or anew):
            return
        if anew and not self._clear():
            return
        self._in_transaction(lambda db: self._write(db, gone, unused))

    def save_result(self, key: str, payload: bytes) -> None:
        """Keep ``payload`` (:func:`encode_result`) as the project's result under ``key``
        (:func:`project_key`), in place of any other. Call it after :meth:`save`; nothing is
        written when this run could not write the cache (its notice said so)."""
        if not (self._usable and self._writable):
            return

        def write(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM results")
            db.execute(
                "INSERT INTO results (key, checksum, payload) VALUES (?, ?, ?)",
                (key, zlib.crc32(payload), payload),
            )

        self._in_transaction(write)

    def _in_transaction(self, write: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``write`` in one transaction of the file, made first if needed; a notice when
        it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            create_whole(self.path, [*((sql, ()) for sql in _TABLES.values()), _FORMAT_ROW])
            db = open_for_writing(self.path)
        except (sqlite3.Error, OSError) as error:
            self._not_saved(error)
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                write(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as error:
            self._not_saved(error)
        finally:
            db.close()

    def _write(self, db: sqlite3.Connection, gone: set[str], unused: set[str]) -> None:
        anew = self._damage is not None or self._fresh
        rows = {**self._used, **self._new} if anew else self._new
        db.executemany(
            "INSERT OR REPLACE INTO records (path, digest, fingerprint, checksum, payload) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (path, row.digest, self.fingerprint, row.checksum, row.payload)
                for path, row in rows.items()
            ],
        )
        db.executemany("DELETE FROM records WHERE path = ?", [(path,) for path in gone])
        streets = {**self._streets, **self._new_streets} if anew else self._new_streets
        db.executemany(
            "INSERT OR REPLACE INTO streets (street, fingerprint, line, unit) VALUES (?, ?, ?, ?)",
            [(street, self.fingerprint, *normal) for street, normal in streets.items()],
        )
        db.executemany("DELETE FROM streets WHERE street = ?", [(street,) for street in unused])
        if self._stale:
            db.execute("DELETE FROM records WHERE fingerprint != ?", (self.fingerprint,))
            db.execute("DELETE FROM streets WHERE fingerprint != ?", (self.fingerprint,))

    def _clear(self) -> bool:
        """Set a damaged file aside (``records.sqlite.corrupt``), or remove one of another
        layout, with SQLite's side files; ``False`` (with a notice) when that fails."""
        try:
            clear(self.path, damaged=self._damage is not None)
        except OSError as error:
            self._not_saved(error)
            return False
        return True

    def _not_saved(self, error: sqlite3.Error | OSError) -> None:
        self._writable = False
        self.notices.append(
            f"cannot write the record cache {self.path} ({error}); this run's results are "
            "complete, the next run checks the same records again"
        )

"""``data/geocodes.json``: committed geocoding results, one entry per clinic slug.

The file is rewritten atomically (temp file + rename), so a reader or an interrupted run
sees either the old file or the new one, never half of one. A file that cannot be read is
either reported (``recover=False``) or set aside as ``geocodes.json.corrupt`` and replaced
(``recover=True``), so a bad merge never stops geocoding and loses nothing.

:func:`load_geocodes` is how everything that only reads the file (validate, build) reads
it: one function, so they report one file's problems in the same words.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kdirectory._atomic import atomic_write_text
from kdirectory.geocoding.errors import GeocodeFileError, free_name
from kdirectory.geocoding.types import PRECISIONS, coordinates_problem
from kdirectory.report import Problem

FORMAT_VERSION = 1
GEOCODES_FILE = "data/geocodes.json"
UNREADABLE_RULE = "geocodes.unreadable"
_FIX = (
    "fix the file, or run `kdirectory geocode`: it moves a file it cannot read to "
    "geocodes.json.corrupt and saves the results again"
)


@dataclass(frozen=True, slots=True)
class StoredGeocode:
    """A saved result: where, how exactly, who said so, when, and for which query."""

    lat: float
    lon: float
    precision: str
    provider: str
    query: str
    date: str


def _parse_entry(slug: str, raw: Any) -> StoredGeocode:
    if not isinstance(raw, dict):
        raise ValueError(f"entry {slug!r} is not an object")
    lat, lon = raw.get("lat"), raw.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        raise ValueError(f"entry {slug!r}: lat and lon must be numbers")
    problem = coordinates_problem(lat, lon)
    if problem is not None:
        raise ValueError(f"entry {slug!r}: {problem}")
    precision = raw.get("precision")
    if precision not in PRECISIONS:
        raise ValueError(f"entry {slug!r}: precision must be one of {', '.join(PRECISIONS)}")
    fields = {name: raw.get(name) for name in ("provider", "query", "date")}
    for name, value in fields.items():
        if not isinstance(value, str):
            raise ValueError(f"entry {slug!r}: {name} must be a string")
    provider, query, when = (str(fields[name]) for name in ("provider", "query", "date"))
    return StoredGeocode(float(lat), float(lon), precision, provider, query, when)


class _UnreadableError(Exception):
    """The file cannot be used; :attr:`problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def _problem(display: str, line: int | None, detail: str) -> Problem:
    return Problem(
        UNREADABLE_RULE,
        display,
        line,
        "",
        f"cannot read the saved geocoding results: {detail}",
        _FIX,
    )


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _line_of_entry(text: str, slug: str) -> int | None:
    """The line of ``"slug":`` in the file, if it can be found."""
    for spelling in {json.dumps(slug), json.dumps(slug, ensure_ascii=False)}:
        found = re.search(re.escape(spelling) + r"\s*:", text)
        if found:
            return _line_of(text, found.start())
    return None


def _read(path: Path, display: str) -> dict[str, StoredGeocode]:
    """Every entry of the file; :class:`_UnreadableError` with the first problem otherwise."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise _UnreadableError(_problem(display, None, "it is a folder, not a file")) from None
    except OSError as error:
        raise _UnreadableError(_problem(display, None, error.strerror or str(error))) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _UnreadableError(_problem(display, line, "it is not UTF-8 text")) from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise _UnreadableError(
            _problem(display, None, "its JSON is nested too deeply to be geocoding results")
        ) from None
    except json.JSONDecodeError as error:
        raise _UnreadableError(
            _problem(display, error.lineno, f"broken JSON ({error.msg}, column {error.colno})")
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), dict):
        raise _UnreadableError(_problem(display, 1, 'expected an object with a "results" object'))
    entries: dict[str, StoredGeocode] = {}
    for slug, raw in document["results"].items():
        try:
            entries[slug] = _parse_entry(slug, raw)
        except ValueError as error:
            where = _line_of_entry(text, slug)
            raise _UnreadableError(_problem(display, where, str(error))) from None
    return entries


class GeocodeStore:
    """The results file in memory; :meth:`save` writes it back atomically."""

    def __init__(self, path: Path, entries: dict[str, StoredGeocode] | None = None) -> None:
        self.path = path
        self.entries: dict[str, StoredGeocode] = dict(entries or {})
        self.recovered_from: Path | None = None
        #: What was wrong with the file that was set aside (``None`` when none was).
        self.problem: Problem | None = None
        self.dirty = False

    @classmethod
    def load(cls, path: Path, *, recover: bool, display: str | None = None) -> GeocodeStore:
        """Read ``path`` (a missing file is an empty store); ``display`` names it in
        messages (default: ``path`` itself).

        Raises :class:`GeocodeFileError` for an unreadable file unless ``recover`` is set, in
        which case the file is renamed to ``<name>.corrupt`` and an empty store returned with
        :attr:`recovered_from` naming where the old file went and :attr:`problem` why.
        """
        if not path.exists():
            return cls(path)
        try:
            return cls(path, _read(path, display or str(path)))
        except _UnreadableError as unreadable:
            if not recover:
                raise GeocodeFileError(str(unreadable)) from None
            aside = free_name(path.with_name(path.name + ".corrupt"))
            try:
                path.replace(aside)
            except OSError as error:
                raise GeocodeFileError(
                    f"{unreadable}; and it cannot be moved aside to {aside.name} "
                    f"({error.strerror or error}): move or fix it by hand"
                ) from None
            store = cls(path)
            store.recovered_from = aside
            store.problem = unreadable.problem
            return store

    def get(self, slug: str) -> StoredGeocode | None:
        return self.entries.get(slug)

    def put(self, slug: str, entry: StoredGeocode) -> None:
        problem = coordinates_problem(entry.lat, entry.lon)
        if problem is not None or entry.precision not in PRECISIONS:
            raise ValueError(f"{slug}: not saved: {problem or f'precision {entry.precision!r}'}")
        self.entries[slug] = entry
        self.dirty = True

    def save(self) -> None:
        """Write every entry, sorted by slug, so the file diffs cleanly in git."""
        results = {slug: asdict(self.entries[slug]) for slug in sorted(self.entries)}
        text = json.dumps(
            {"version": FORMAT_VERSION, "results": results},
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        )
        try:
            atomic_write_text(self.path, text + "\n")
        except OSError as error:
            raise GeocodeFileError(
                f"{self.path}: cannot save the geocoding results ({error.strerror or error}); "
                "check that the folder can be written and the disk has room, then run again "
                "(answers already received are in the cache)"
            ) from None
        self.dirty = False


@dataclass(frozen=True)
class LoadedGeocodes:
    """``data/geocodes.json`` as read by :func:`load_geocodes`."""

    store: GeocodeStore
    """The saved results (empty when the file is missing or cannot be used)."""
    problems: list[Problem] = field(default_factory=list)
    """Why the file cannot be used: at most one error, naming the file and line."""


def load_geocodes(root: Path) -> LoadedGeocodes:
    """The saved geocoding results of the project at ``root``, for commands that only read
    them (``validate``, ``build``): a missing file is no results and no problem; a file that
    cannot be used (broken or deeply nested JSON, not UTF-8, a bad entry, a folder) is no
    results and one error :class:`~kdirectory.report.Problem` naming ``data/geocodes.json``,
    the line where there is one, what is wrong and how to fix it. Never raises for what is
    in the file."""
    path = root / GEOCODES_FILE
    if not path.exists():
        return LoadedGeocodes(GeocodeStore(path))
    try:
        return LoadedGeocodes(GeocodeStore(path, _read(path, GEOCODES_FILE)))
    except _UnreadableError as unreadable:
        return LoadedGeocodes(GeocodeStore(path), [unreadable.problem])

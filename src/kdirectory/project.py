"""A site project across stages: its records validated together with its saved geocodes.

The record stage knows nothing of geocoding; this is where a project's two kinds of data
file, ``data/clinics/`` and ``data/geocodes.json``, are checked as one.

:func:`validate_project` is ``kdirectory validate``: it keeps the report of the whole
project in the record cache (:mod:`kdirectory.record.cache`), and gives it again, without
loading a clinic, while nothing it was made from changed. Only what that needs is imported
here; loading and validating import the models when they run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kdirectory.record.cache import (
    RecordCache,
    encode_result,
    file_digest,
    file_state,
    kept_result,
    project_key,
)
from kdirectory.record.read import read_project

if TYPE_CHECKING:
    from kdirectory.record.directory import Directory
    from kdirectory.report import Report

SETTINGS_FILE = "kdirectory.toml"
GEOCODES_FILE = "data/geocodes.json"


def validate(directory: Directory) -> Report:
    """Every problem of the project: what loading found, the record and directory rules,
    and a ``data/geocodes.json`` that cannot be used.

    Clinics added in Python without a ``slug`` get one here, as loading gives one to every
    clinic read from a file.
    """
    from kdirectory.geocoding.store import load_geocodes  # noqa: PLC0415 - see the module
    from kdirectory.record.validate import validate_records  # noqa: PLC0415

    report = validate_records(directory)
    report.extend(load_geocodes(directory.root).problems)
    return report


@dataclass
class Validation:
    """What validating a project found: its report, and what the record cache had to say
    (set aside, renewed, not writable)."""

    report: Report
    notices: list[str] = field(default_factory=list)


def validate_project(path: Path | str = ".", *, cache: bool = True) -> Validation:
    """:func:`validate` of :func:`~kdirectory.record.validate.load_directory` of ``path``.

    With ``cache`` (the default), the report is kept in the project's record cache with
    what it was made from: the names and bytes of the record files, the settings, the
    saved geocodes, today's date, kdirectory's code, and the state of each file the report
    looked at (photos, the logo). When all of that is as it was, the kept report is the
    result, and no record is parsed nor checked; otherwise the project is loaded (with the
    record cache) and validated, and its report kept.

    Raises:
        ProjectNotFoundError: ``path`` has no ``data/clinics`` folder.
        ConfigError: ``kdirectory.toml`` is invalid.
    """
    found = read_project(Path(path))
    context = _context(found.root)
    key = project_key(found, context) if cache else None
    if key is not None:
        kept = kept_result(found.root, key)
        if kept is not None:
            return Validation(kept)
    from kdirectory.record.validate import load_files  # noqa: PLC0415 - see the module

    if not cache:
        directory = load_files(found, None)
        return Validation(validate(directory), directory.notices)
    store = RecordCache(found.root, found.reader)
    directory = load_files(found, store)
    watched = {name: file_state(found.root / name) for name in _looked_at(directory)}
    report = validate(directory)
    notices = list(directory.notices)
    payload = encode_result(report, watched)
    if key is not None and payload is not None and _context(found.root) == context:
        before = len(store.notices)
        store.save_result(key, payload)
        notices += store.notices[before:]
    return Validation(report, notices)


def _context(root: Path) -> list[bytes]:
    """What a project's report depends on besides its record files and the files it looked
    at: the day (testimonials dated in the future), the settings and the saved geocodes.
    Read again after validating: a report is kept only if none changed meanwhile."""
    return [
        date.today().isoformat().encode(),
        file_digest(root / SETTINGS_FILE),
        file_digest(root / GEOCODES_FILE),
    ]


def _looked_at(directory: Directory) -> list[str]:
    """The files of the project, other than records, settings and geocodes, that validating
    ``directory`` looks at: every clinic's photos and the brand's logo, as written."""
    names = [photo.file for entry in directory.entries for photo in entry.clinic.photos]
    brand = directory.config.brand
    if brand is not None and brand.logo is not None:
        names.append(brand.logo)
    return names

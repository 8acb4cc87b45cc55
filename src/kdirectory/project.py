"""A site project across stages: its records validated together with its saved geocodes.

The record stage knows nothing of geocoding; this is where a project's two kinds of data
file, ``data/clinics/`` and ``data/geocodes.json``, are checked as one.
"""

from __future__ import annotations

from kdirectory.geocoding.store import load_geocodes
from kdirectory.record.directory import Directory
from kdirectory.record.validate import validate_records
from kdirectory.report import Report


def validate(directory: Directory) -> Report:
    """Every problem of the project: what loading found, the record and directory rules,
    and a ``data/geocodes.json`` that cannot be used.

    Clinics added in Python without a ``slug`` get one here, as loading gives one to every
    clinic read from a file.
    """
    report = validate_records(directory)
    report.extend(load_geocodes(directory.root).problems)
    return report

"""Onboarding: start a site project, import a spreadsheet of clinics, add one clinic.

- :func:`init_project` writes a new project that validates and builds at once;
- :func:`import_file` turns a CSV or XLSX file into one record per good row, with a
  ``rejected.csv`` for the rest;
- :class:`~kdirectory.onboarding.new_clinic.Answers` checks the answers of ``kdirectory
  new`` one by one and makes them into one record file (the questions are the command
  line's).
"""

from __future__ import annotations

from kdirectory.onboarding.importer import ImportOptions, ImportResult, import_file
from kdirectory.onboarding.project_init import InitResult, init_project

__all__ = [
    "ImportOptions",
    "ImportResult",
    "InitResult",
    "import_file",
    "init_project",
]

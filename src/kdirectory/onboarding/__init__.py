"""Onboarding: start a site project, import a spreadsheet of clinics, add one clinic.

- :func:`init_project` writes a new project that validates and builds at once;
- :func:`import_file` turns a CSV or XLSX file into one record per good row, with a
  ``rejected.csv`` for the rest;
- :func:`new_clinic` asks for one clinic, checking every answer as it is typed.
"""

from __future__ import annotations

from kdirectory.onboarding.importer import ImportOptions, ImportResult, import_file
from kdirectory.onboarding.new_clinic import NewClinicResult, new_clinic
from kdirectory.onboarding.project_init import InitResult, init_project

__all__ = [
    "ImportOptions",
    "ImportResult",
    "InitResult",
    "NewClinicResult",
    "import_file",
    "init_project",
    "new_clinic",
]

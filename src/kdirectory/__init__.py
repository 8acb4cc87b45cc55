"""kdirectory: validate clinic records, geocode them, and build a static directory website.

The public API; everything else is internal::

    import kdirectory
    directory = kdirectory.load_directory("my-directory")
    report = kdirectory.validate(directory)
    print(report.summary())
"""

from __future__ import annotations

from kdirectory.config import SiteConfig, load_config
from kdirectory.exceptions import (
    ConfigError,
    KdirectoryError,
    ProjectNotFoundError,
    ValidationFailedError,
)
from kdirectory.models import Address, Clinic, Geo, Provider, SpecialHours, WeeklyHours
from kdirectory.phones import Phone, parse_phone
from kdirectory.report import Problem, Report
from kdirectory.schema import clinic_schema
from kdirectory.slugs import slugify
from kdirectory.validate import Directory, load_directory, validate

__all__ = [
    "Address",
    "Clinic",
    "ConfigError",
    "Directory",
    "Geo",
    "KdirectoryError",
    "Phone",
    "Problem",
    "ProjectNotFoundError",
    "Provider",
    "Report",
    "SiteConfig",
    "SpecialHours",
    "ValidationFailedError",
    "WeeklyHours",
    "clinic_schema",
    "load_config",
    "load_directory",
    "parse_phone",
    "slugify",
    "validate",
]

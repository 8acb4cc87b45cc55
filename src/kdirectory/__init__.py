"""kdirectory: validate clinic records, geocode them, and build a static directory website.

The public API; everything else is internal::

    import kdirectory
    directory = kdirectory.load_directory("my-directory")
    report = kdirectory.validate(directory)
    print(report.summary())
    kdirectory.geocode_directory(directory)       # offline by default
    result = kdirectory.build_site(directory, "public")
    print(result.summary())
    print(kdirectory.check_site("public").summary())
"""

from __future__ import annotations

from kdirectory.check import check_site
from kdirectory.exceptions import (
    ConfigError,
    KdirectoryError,
    ProjectNotFoundError,
    SiteNotFoundError,
    ValidationFailedError,
)
from kdirectory.geocoding import (
    GeocodeError,
    GeocodeResult,
    GeocoderSetupError,
    distance_miles,
    geocode_directory,
    make_geocoder,
    nearest_clinics,
)
from kdirectory.project import validate
from kdirectory.record.config import SiteConfig, load_config
from kdirectory.record.directory import Directory, Entry
from kdirectory.record.json_schema import clinic_schema
from kdirectory.record.model import Address, Clinic, Geo, Provider, SpecialHours, WeeklyHours
from kdirectory.record.phones import Phone, parse_phone
from kdirectory.record.slugs import slugify
from kdirectory.record.validate import load_directory
from kdirectory.record.write import write_record
from kdirectory.report import Problem, Report
from kdirectory.site.build import BuildError, BuildResult, build_site

__all__ = [
    "Address",
    "BuildError",
    "BuildResult",
    "Clinic",
    "ConfigError",
    "Directory",
    "Entry",
    "Geo",
    "GeocodeError",
    "GeocodeResult",
    "GeocoderSetupError",
    "KdirectoryError",
    "Phone",
    "Problem",
    "ProjectNotFoundError",
    "Provider",
    "Report",
    "SiteConfig",
    "SiteNotFoundError",
    "SpecialHours",
    "ValidationFailedError",
    "WeeklyHours",
    "build_site",
    "check_site",
    "clinic_schema",
    "distance_miles",
    "geocode_directory",
    "load_config",
    "load_directory",
    "make_geocoder",
    "nearest_clinics",
    "parse_phone",
    "slugify",
    "validate",
    "write_record",
]

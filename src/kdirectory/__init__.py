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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "Address": "kdirectory.record.model",
    "BuildError": "kdirectory.site.build",
    "BuildResult": "kdirectory.site.build",
    "Clinic": "kdirectory.record.model",
    "ConfigError": "kdirectory.exceptions",
    "Directory": "kdirectory.record.directory",
    "Entry": "kdirectory.record.directory",
    "Geo": "kdirectory.record.model",
    "GeocodeError": "kdirectory.geocoding",
    "GeocodeResult": "kdirectory.geocoding",
    "GeocoderSetupError": "kdirectory.geocoding",
    "KdirectoryError": "kdirectory.exceptions",
    "Phone": "kdirectory.record.phones",
    "Problem": "kdirectory.report",
    "ProjectNotFoundError": "kdirectory.exceptions",
    "Provider": "kdirectory.record.model",
    "Report": "kdirectory.report",
    "SiteConfig": "kdirectory.record.config",
    "SiteNotFoundError": "kdirectory.exceptions",
    "SpecialHours": "kdirectory.record.model",
    "ValidationFailedError": "kdirectory.exceptions",
    "WeeklyHours": "kdirectory.record.model",
    "build_site": "kdirectory.site.build",
    "check_site": "kdirectory.check",
    "clinic_schema": "kdirectory.record.json_schema",
    "distance_miles": "kdirectory.geocoding",
    "geocode_directory": "kdirectory.geocoding",
    "load_config": "kdirectory.record.config",
    "load_directory": "kdirectory.record.validate",
    "make_geocoder": "kdirectory.geocoding",
    "nearest_clinics": "kdirectory.geocoding",
    "parse_phone": "kdirectory.record.phones",
    "slugify": "kdirectory.record.slugs",
    "validate": "kdirectory.project",
    "write_record": "kdirectory.record.write",
}
"""Where each public name lives. A name is imported when first used, so that a command
loads only the stages it needs (validating records never imports the site builder)."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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

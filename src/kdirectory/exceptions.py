"""The one exception tree of kdirectory.

Every error a user can cause derives from :class:`KdirectoryError`; the CLI turns it into a
message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations


class KdirectoryError(Exception):
    """Base class for every error kdirectory raises on purpose."""


class ConfigError(KdirectoryError):
    """Raised when ``kdirectory.toml`` is missing a required setting, is not valid TOML, or
    holds a value of the wrong type."""


class ProjectNotFoundError(KdirectoryError):
    """Raised when a path given as a site project has no ``data/clinics/`` folder to read."""


class ValidationFailedError(KdirectoryError):
    """Raised by APIs that need a valid directory (such as ``build_site``) when validation
    found errors. Carries the :class:`~kdirectory.report.Report`."""

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class BuildError(KdirectoryError):
    """Raised when the site cannot be built as asked: two pages on one path, two clinics with
    one slug, an output folder that is not safe to replace."""

"""The one exception tree of kdirectory.

Every error a user can cause derives from :class:`KdirectoryError`; the CLI turns it into a
message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kdirectory.report import Report


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

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


class ImportFileError(KdirectoryError):
    """Raised by ``kdirectory import`` when the spreadsheet itself cannot be used: it does not
    exist, is empty, has a header but no rows, is binary or an old ``.xls``, or cannot be
    parsed as CSV. Problems of single rows never raise; they go to ``rejected.csv``."""


class ColumnMappingError(KdirectoryError):
    """Raised when the columns of a spreadsheet cannot be mapped to record fields: a
    ``--map`` that names no column or no field, or no column for a required field. A usage
    error: the command exits 2."""


class ProjectExistsError(KdirectoryError):
    """Raised by ``kdirectory init`` when the target folder exists and is not empty (or is
    a file): init never writes into someone's files. A usage error: the command exits 2."""


class BuildError(KdirectoryError):
    """Raised when the site cannot be built as asked: two pages on one path, two clinics with
    one slug, an output folder that is not safe to replace."""


class TemplateFailedError(BuildError):
    """Raised by ``build_site`` when a template cannot be compiled or rendered (a syntax
    error, an undefined name, a missing or circular parent); the message names the
    template file, its line and the cause."""


class SiteCheckFailedError(BuildError):
    """Raised by ``build_site`` when the new site, checked before it is published, has
    errors; the last site is left as it was. Carries the check's
    :class:`~kdirectory.report.Report`."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


class SiteNotFoundError(KdirectoryError):
    """Raised when ``kdirectory check`` is pointed at something that is not a built site."""

"""One build of the preview: the project read and built as ``kdirectory build`` builds it,
and what went wrong said in the lines that command prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kdirectory.exceptions import KdirectoryError, SiteCheckFailedError, ValidationFailedError
from kdirectory.report import printable

if TYPE_CHECKING:
    from kdirectory.record.config import SiteConfig
    from kdirectory.record.directory import Directory
    from kdirectory.site.build import BuildResult


@dataclass(frozen=True)
class Build:
    """One build the preview ran: what it built, or why it could not."""

    number: int
    """1 for the first build of a preview, then one more for each rebuild."""
    changed: tuple[str, ...]
    """The project's files (relative, ``/``-separated) whose change started it; none for the
    first build."""
    result: BuildResult | None
    """What the build did, when it published a site."""
    error: Exception | None
    """Why it failed: a :class:`~kdirectory.exceptions.KdirectoryError` for a mistake in the
    project (a record, a template, ``kdirectory.toml``), anything else for a bug."""
    lines: tuple[str, ...] = ()
    """The failure as ``kdirectory build`` prints it: each problem of the records (or each
    error of the check), then ``error: …``; empty when the build succeeded."""
    notes: tuple[str, ...] = field(default=())
    """Warnings about the preview itself (a folder it could not watch)."""

    @property
    def ok(self) -> bool:
        """The build published a site."""
        return self.error is None


def failure_lines(error: Exception) -> tuple[str, ...]:
    """``error`` in the lines ``kdirectory build`` prints for it, control characters shown
    as escapes."""
    lines: list[str] = []
    if isinstance(error, ValidationFailedError):
        lines.extend(problem.format() for problem in error.report.sorted_problems())
    elif isinstance(error, SiteCheckFailedError):
        lines.extend(found.format("check") for found in error.report.errors)
    if isinstance(error, KdirectoryError):
        lines.extend(f"error: {error}".splitlines())
    else:
        lines.append(f"internal error: {type(error).__name__}: {error}")
        lines.append(
            "This is a bug in kdirectory; run again with --verbose for the traceback and report it."
        )
    return tuple(printable(line) for line in lines)


def base_path(config: SiteConfig) -> str:
    """The path part of ``[site] base_url``, without its trailing slash (``""`` for a site at
    the root of its host): where the built pages' links start."""
    return urlsplit(config.site.base_url).path.rstrip("/")


def project_files(directory: Directory) -> frozenset[str]:
    """The files of the project the build reads besides its records, templates and
    settings: every clinic's photos and the brand's logo (relative, ``/``-separated)."""
    files = {photo.file for clinic in directory.clinics for photo in clinic.photos}
    brand = directory.config.brand
    if brand is not None and brand.logo is not None:
        files.add(brand.logo)
    normal = (PurePosixPath(name.replace("\\", "/")) for name in files)
    return frozenset(
        path.as_posix()
        for path in normal
        if not path.is_absolute() and ".." not in path.parts and path.parts
    )


def output_folder(root: Path, out: Path | None, config: SiteConfig) -> Path:
    """Where the build writes: ``out`` when given, else ``[build] out`` of the project, as
    ``kdirectory build`` chooses."""
    return out if out is not None else root / config.build.out

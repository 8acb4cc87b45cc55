"""The commands about the website: ``build`` and ``check``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kdirectory.cli.errors import EXIT_PROBLEMS, user_errors
from kdirectory.cli.options import ProjectPath, base_url_option
from kdirectory.cli.output import OutputFormat, echo, print_report

if TYPE_CHECKING:
    from kdirectory.report import Problem
    from kdirectory.site.build import BuildResult


def build_command(
    path: ProjectPath = Path(),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder.", show_default="[build] out, or site/"),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Absolute URL the site is served from (canonicals).",
            callback=base_url_option,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Also print the warnings of the check the build always runs."),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Wait for another build writing the same folder to finish."),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes rendering pages at once (1: all in this one).",
            show_default="the processors available",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read and check every record and render every page, without the caches in "
            ".kdirectory/ (neither read nor written). The site is the same.",
        ),
    ] = False,
) -> None:
    """Validate the records and build the static website.

    Renders every page into a staging folder, runs every rule of `kdirectory check` on it,
    and swaps it into place only when the check finds no error, so neither an interrupted
    build nor a failing page replaces the last good site. Two builds of the same input are
    byte-identical. Pages nearly the same as another once names are set aside
    ([build] uniqueness_threshold) get noindex and stay out of the sitemap; the summary
    lists them, and the records' warnings (the first 20). Pages are rendered by one process
    per processor (--jobs to choose); a page whose inputs did not change since the last
    build is not rendered again (.kdirectory/pages.sqlite), and a file whose bytes did not
    change is not rewritten.
    Exit 0 when built, 1 when the records or the new site have errors (nothing is
    published).

    Example:

        kdirectory build my-directory --out public --base-url https://clinics.example
    """
    with user_errors():
        from kdirectory.exceptions import (  # noqa: PLC0415
            SiteCheckFailedError,
            ValidationFailedError,
        )
        from kdirectory.record.validate import load_directory  # noqa: PLC0415
        from kdirectory.site.build import build_site  # noqa: PLC0415

        directory = load_directory(path, cache=not no_cache)
        for notice in directory.notices:
            echo(f"notice: {notice}", err=True)
        try:
            result = build_site(
                directory, out, base_url=base_url, wait=wait, jobs=jobs, cache=not no_cache
            )
        except ValidationFailedError as exc:
            for problem in exc.report.sorted_problems():
                echo(problem.format(), err=True)
            raise
        except SiteCheckFailedError as exc:
            for found in exc.report.errors:
                echo(found.format("check"), err=True)
            raise
        print_build(result, check=check)


def print_build(result: BuildResult, *, check: bool = False) -> None:
    """What a build that published says: the records' warnings, the pages left noindex, the
    files kept, the check's warnings (``check``) and the summary line."""
    for notice in result.notices:
        echo(f"notice: {notice}", err=True)
    print_warnings(result.warnings)
    for page_path, reason in result.noindex:
        echo(f"noindex: {page_path} ({reason})", err=True)
    if result.kept:
        more = f" and {len(result.kept) - 1:,} more" if len(result.kept) > 1 else ""
        echo(f"kept {result.kept[0]}{more} (not created by kdirectory)", err=True)
    if check and result.check is not None:
        print_report(result.check, OutputFormat.text, strict=False)
    echo(result.summary())


WARNINGS_SHOWN = 20


def print_warnings(warnings: list[Problem]) -> None:
    for problem in warnings[:WARNINGS_SHOWN]:
        echo(problem.format(), err=True)
    if len(warnings) > WARNINGS_SHOWN:
        echo(
            f"… and {len(warnings) - WARNINGS_SHOWN:,} more warnings "
            "(`kdirectory validate` lists them all)",
            err=True,
        )


SiteDir = Annotated[
    Path | None,
    typer.Argument(
        help="A built site folder.", show_default="[build] out of the project here, or ."
    ),
]


def check_command(
    site: SiteDir = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text for people, json for tools.")
    ] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The site's URL.",
            show_default="from the home page",
            callback=base_url_option,
        ),
    ] = None,
    near_duplicate: Annotated[
        float | None,
        typer.Option(
            "--near-duplicate",
            min=0.5,
            max=1.0,
            help="Report indexable pages at least this alike (0-1).",
            show_default="1 - the uniqueness threshold the site was built with (0.8)",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read every page, without the check cache in .kdirectory/check.sqlite "
            "(neither read nor written). The report is the same.",
        ),
    ] = False,
) -> None:
    """Check a built site for what would hurt rankings or patients.

    One h1; titles and descriptions of the right length and unique; lang, viewport and a
    self-canonical; no broken links or anchors; alt on images; JSON-LD that parses, fits
    schema.org and matches the visible name, address, phone and hours; sitemap and
    robots.txt; near-duplicate pages; overclaims in page text. Each finding names the page,
    the rule id, the severity and how to fix it. Exit 0 when there are no errors, 1 when
    there are (or warnings, with --strict), 2 when SITE is not a built site. Run in a
    project on its output folder, it keeps what each page was found to be in
    .kdirectory/check.sqlite, so a second run reads only the pages that changed.

    Example:

        kdirectory check site --format json > findings.json
    """
    with user_errors():
        from kdirectory.check import check_site  # noqa: PLC0415

        folder, cache = _site_folder(site)
        notices: list[str] = []
        report = check_site(
            folder,
            base_url=base_url,
            near_duplicate=near_duplicate,
            cache=None if no_cache else cache,
            notices=notices,
        )
        for notice in notices:
            echo(f"notice: {notice}", err=True)
        print_report(report, output_format, strict=strict)
    if not report.ok(strict=strict):
        raise typer.Exit(EXIT_PROBLEMS)


def _site_folder(site: Path | None) -> tuple[Path, Path | None]:
    """The folder to check, and the check cache to use: the project's, when the folder is
    the output folder of the project here."""
    from kdirectory.check.cache import CACHE_FILE  # noqa: PLC0415
    from kdirectory.exceptions import KdirectoryError  # noqa: PLC0415
    from kdirectory.record.config import CONFIG_NAME, load_config  # noqa: PLC0415

    here = Path()
    if not (here / CONFIG_NAME).is_file():
        return site or here, None
    if site is None:
        return here / load_config(here).build.out, here / CACHE_FILE
    try:
        out = here / load_config(here).build.out
    except KdirectoryError:  # a folder named outright is checked whatever the project says
        return site, None
    return site, here / CACHE_FILE if site.resolve() == out.resolve() else None

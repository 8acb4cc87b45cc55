"""The ``kdirectory`` command line: thin commands over the library.

Each command parses its options, calls one library function and turns a
:class:`~kdirectory.exceptions.KdirectoryError` into a message on stderr and exit 1 (2 for
usage errors such as a path that is not a site project). Heavy imports live inside the
commands to keep ``kdirectory --help`` fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kdirectory.exceptions import (
    ConfigError,
    KdirectoryError,
    ProjectNotFoundError,
    SiteNotFoundError,
)
from kdirectory.report import printable

if TYPE_CHECKING:
    from kdirectory.check import SiteReport
    from kdirectory.report import Problem

app = typer.Typer(
    name="kdirectory",
    help="Validate clinic records, geocode them and build a static directory website.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
_state = {"verbose": False}


class OutputFormat(StrEnum):
    """How a command prints its findings."""

    text = "text"
    json = "json"


ProjectPath = Annotated[
    Path,
    typer.Argument(
        help="The site project folder (holds kdirectory.toml and data/clinics/).",
        show_default="current folder",
    ),
]


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the traceback of unexpected errors.")
    ] = False,
) -> None:
    """Validate clinic records, geocode them and build a static directory website."""
    _state["verbose"] = verbose


def _echo(message: str = "", *, err: bool = False) -> None:
    """Print one line for people: every line the CLI prints goes through here."""
    typer.echo(printable(message, lines=True), err=err)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn errors into one clear line on stderr and an exit code, never a traceback."""
    try:
        yield
    except (ProjectNotFoundError, SiteNotFoundError, ConfigError) as exc:
        _echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except KdirectoryError as exc:
        _echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    except KeyboardInterrupt:
        _echo("interrupted", err=True)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if _state["verbose"]:
            raise
        _echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in kdirectory; run again with --verbose for the traceback and "
            "report it.",
            err=True,
        )
        raise typer.Exit(EXIT_PROBLEMS) from None


@app.command("validate")
def validate_command(
    path: ProjectPath = Path(),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text for people, json for tools.")
    ] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check every clinic record and report all problems at once.

    Each problem reads `file:line: field: message (fix)`. Exit 0 when clean, 1 when there
    are errors (or warnings, with --strict), 2 when PATH is not a site project.

    Example:

        kdirectory validate my-directory --strict
    """
    with _user_errors():
        from kdirectory.project import validate  # noqa: PLC0415
        from kdirectory.record.validate import load_directory  # noqa: PLC0415

        report = validate(load_directory(path))
        if output_format is OutputFormat.json:
            typer.echo(report.to_json())  # JSON escapes control characters itself
        else:
            for problem in report.sorted_problems():
                _echo(problem.format())
            _echo(("" if report.ok(strict=strict) else "FAILED: ") + report.summary())
    if not report.ok(strict=strict):
        raise typer.Exit(EXIT_PROBLEMS)


def _parse_options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _echo(
                f"error: --option {pair!r}: expected KEY=VALUE, e.g. domain=127.0.0.1:8080",
                err=True,
            )
            raise typer.Exit(EXIT_USAGE)
        options[key.strip()] = value.strip()
    return options


@app.command("geocode")
def geocode_command(
    path: ProjectPath = Path(),
    provider: Annotated[
        str | None,
        typer.Option("--provider", help="offline, nominatim or any geopy service name."),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="Provider option KEY=VALUE (domain, scheme, timeout, ...)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ignore saved and cached answers; ask again.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be geocoded; ask and write nothing.")
    ] = False,
) -> None:
    """Find coordinates for every clinic and save them to data/geocodes.json.

    Offline by default (no network). Results are saved as they arrive, so Ctrl-C loses
    nothing, and a cache in .kdirectory/ means a second run asks nothing again. A `geo`
    written in a record always wins. API keys come only from environment variables.
    Exit 0 when every clinic is placed, 1 when some failed or were not found.

    Example:

        kdirectory geocode --provider nominatim --option domain=nominatim.example.org
    """
    with _user_errors():
        from rich.console import Console  # noqa: PLC0415

        from kdirectory.geocoding.batch import geocode_directory  # noqa: PLC0415
        from kdirectory.geocoding.console import print_result, progress_bar  # noqa: PLC0415
        from kdirectory.geocoding.providers import make_geocoder  # noqa: PLC0415
        from kdirectory.record.validate import load_directory  # noqa: PLC0415

        directory = load_directory(path)
        settings = directory.config.geocoder
        name = provider or settings.provider
        options = {
            **(settings.options if name == settings.provider else {}),
            **_parse_options(option or []),
        }
        geocoder = make_geocoder(name, user_agent=settings.user_agent, options=options)
        console, errors = Console(), Console(stderr=True)
        skipped = directory.report.files - len(directory.clinics)
        if skipped > 0:
            errors.print(
                f"note: {skipped} record file(s) skipped: they do not validate "
                "(run kdirectory validate)"
            )
        with progress_bar(errors, len(directory.clinics)) as advance:
            result = geocode_directory(
                directory, geocoder, refresh=refresh, dry_run=dry_run, progress=advance
            )
        print_result(console, errors, result)
    if not result.ok:
        raise typer.Exit(EXIT_PROBLEMS)


def _base_url_option(value: str | None) -> str | None:
    """``--base-url`` parsed like ``[site] base_url``: a bad value is a usage error."""
    if value is None:
        return None
    from kdirectory.config import parse_base_url  # noqa: PLC0415

    try:
        return parse_base_url(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("build")
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
            callback=_base_url_option,
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
) -> None:
    """Validate the records and build the static website.

    Renders every page into a staging folder, runs every rule of `kdirectory check` on it,
    and swaps it into place only when the check finds no error, so neither an interrupted
    build nor a failing page replaces the last good site. Two builds of the same input are
    byte-identical. Pages nearly the same as another once names are set aside
    ([build] uniqueness_threshold) get noindex and stay out of the sitemap; the summary
    lists them, and the records' warnings (the first 20). Exit 0 when built, 1 when the
    records or the new site have errors (nothing is published).

    Example:

        kdirectory build my-directory --out public --base-url https://clinics.example
    """
    with _user_errors():
        from kdirectory.exceptions import (  # noqa: PLC0415
            SiteCheckFailedError,
            ValidationFailedError,
        )
        from kdirectory.record.validate import load_directory  # noqa: PLC0415
        from kdirectory.site.build import build_site  # noqa: PLC0415

        directory = load_directory(path)
        try:
            result = build_site(directory, out, base_url=base_url, wait=wait)
        except ValidationFailedError as exc:
            for problem in exc.report.sorted_problems():  # type: ignore[attr-defined]
                _echo(problem.format(), err=True)
            raise
        except SiteCheckFailedError as exc:
            for found in exc.report.errors:  # type: ignore[attr-defined]
                _echo(found.format(), err=True)
            raise
        _print_warnings(result.warnings)
        for page_path, reason in result.noindex:
            _echo(f"noindex: {page_path} ({reason})", err=True)
        if result.kept:
            more = f" and {len(result.kept) - 1:,} more" if len(result.kept) > 1 else ""
            _echo(f"kept {result.kept[0]}{more} (not created by kdirectory)", err=True)
        if check and result.check is not None:
            _print_check(result.check, OutputFormat.text, strict=False)
        _echo(result.summary())


WARNINGS_SHOWN = 20


def _print_warnings(warnings: list[Problem]) -> None:
    for problem in warnings[:WARNINGS_SHOWN]:
        _echo(problem.format(), err=True)
    if len(warnings) > WARNINGS_SHOWN:
        _echo(
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


@app.command("check")
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
            callback=_base_url_option,
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
) -> None:
    """Check a built site for what would hurt rankings or patients.

    One h1; titles and descriptions of the right length and unique; lang, viewport and a
    self-canonical; no broken links or anchors; alt on images; JSON-LD that parses, fits
    schema.org and matches the visible name, address, phone and hours; sitemap and
    robots.txt; near-duplicate pages; overclaims in page text. Each finding names the page,
    the rule id, the severity and how to fix it. Exit 0 when there are no errors, 1 when
    there are (or warnings, with --strict), 2 when SITE is not a built site.

    Example:

        kdirectory check site --format json > findings.json
    """
    with _user_errors():
        from kdirectory.check import check_site  # noqa: PLC0415

        report = check_site(_site_folder(site), base_url=base_url, near_duplicate=near_duplicate)
        _print_check(report, output_format, strict=strict)
    if not report.ok(strict=strict):
        raise typer.Exit(EXIT_PROBLEMS)


def _site_folder(site: Path | None) -> Path:
    if site is not None:
        return site
    from kdirectory.config import CONFIG_NAME, load_config  # noqa: PLC0415

    here = Path()
    return here / load_config(here).build.out if (here / CONFIG_NAME).is_file() else here


def _print_check(report: SiteReport, output_format: OutputFormat, *, strict: bool) -> None:
    if output_format is OutputFormat.json:
        sys.stdout.write(report.to_json())
        return
    for item in report.sorted_findings():
        _echo(item.format())
    _echo(("" if report.ok(strict=strict) else "FAILED: ") + report.summary())


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Errors in how a command was called (a wrong --map, a non-empty init folder): exit 2."""
    from kdirectory.exceptions import ColumnMappingError, ProjectExistsError  # noqa: PLC0415

    try:
        yield
    except (ColumnMappingError, ProjectExistsError) as exc:
        _echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The spreadsheet: .csv (any delimiter) or .xlsx.")],
    into: Annotated[
        Path, typer.Option("--into", help="The site project to add the clinics to.")
    ] = Path(),
    column_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help='Map a column to a field, e.g. "Clinic Title=name", or "Fax=ignore"; '
            "repeatable. Fields: name, brand, url, phone, tracking_phone, email, address "
            "(a one-line address), address.street, address.unit, address.city, "
            "address.region, address.postal_code, conditions, therapies, insurance, payment, "
            "languages, hours.monday … hours.sunday, description, geo.lat, geo.lon.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
    update: Annotated[
        bool,
        typer.Option("--update", help="Update records already in the project from matching rows."),
    ] = False,
    set_values: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="Give a field this value on every row that leaves it empty, when the source "
            'guarantees it, e.g. "therapies=ketamine-therapy" or "accepting_new_patients=yes"; '
            "checked like a cell of that field; repeatable.",
        ),
    ] = None,
) -> None:
    """Import a spreadsheet of clinics: one YAML record per good row.

    Common headers are recognised ("Practice Name", "Address 1", "Suite", "Zip Code",
    "Phone Number", "Website", ...) and the mapping is shown first. Spreadsheet damage is
    repaired with a warning (ZIPs that lost a leading zero, phones stored as numbers, stray
    spaces); every row is validated like `kdirectory validate` and compared with the
    records already in the project. Bad rows go to rejected.csv in the project folder with
    their row number and reason. A phone that is not a usable number is left out with a
    warning and the row imported. An existing record is only changed with --update (its
    fields are updated from the row; fields the sheet lacks are kept; comments are not).
    The summary counts rows with no therapy listed; --set gives them one.
    Exit 0 when every row was imported, 1 when some were rejected, 2 for a usage error.

    Example:

        kdirectory import clinics.xlsx --into my-directory --map "Clinic Title=name" --dry-run
    """
    with _user_errors(), _usage_errors():
        from rich.console import Console  # noqa: PLC0415

        from kdirectory.onboarding.console import (  # noqa: PLC0415
            print_mapping,
            print_result,
            row_counter,
        )
        from kdirectory.onboarding.importer import ImportOptions, import_file  # noqa: PLC0415

        console, errors = Console(), Console(stderr=True)
        options = ImportOptions(
            project=into,
            column_map=tuple(column_map or ()),
            dry_run=dry_run,
            update=update,
            set_values=tuple(set_values or ()),
        )
        with row_counter(errors) as advance:
            result = import_file(
                file,
                options,
                on_mapping=lambda mapping, table: print_mapping(console, mapping, table),
                progress=advance,
            )
        print_result(console, errors, result)
    if not result.ok:
        raise typer.Exit(EXIT_PROBLEMS)


@app.command("init")
def init_command(
    directory: Annotated[Path, typer.Argument(help="The folder to create (new or empty).")],
) -> None:
    """Start a new site project: settings, one example clinic, editor support.

    Writes kdirectory.toml (with comments), data/clinics/ with one fictional example
    clinic, .gitignore, clinic.schema.json and .vscode/settings.json (so VS Code checks
    records as you type). The new project validates and builds at once. A folder that
    already holds files is refused (exit 2) and left untouched.

    Example:

        kdirectory init my-directory && kdirectory build my-directory
    """
    with _user_errors(), _usage_errors():
        from kdirectory.onboarding.project_init import init_project  # noqa: PLC0415

        result = init_project(directory)
        for name in result.files:
            _echo(f"created {result.root / name}")
        _echo(
            f"\nNext: edit {result.root / 'kdirectory.toml'}, replace the example clinic "
            f"(kdirectory new {result.root}, or kdirectory import clinics.csv --into "
            f"{result.root}), then kdirectory validate {result.root} and kdirectory build "
            f"{result.root}."
        )


@app.command("new")
def new_command(path: ProjectPath = Path()) -> None:
    """Add one clinic by answering questions; each answer is checked as you type it.

    A wrong answer (a phone without area code, a ZIP in another state) is explained and
    asked again. The finished record is shown as YAML and written to
    data/clinics/<slug>.yaml only when you confirm. Press Ctrl-C to stop without writing.

    Example:

        kdirectory new my-directory
    """
    with _user_errors():
        from kdirectory.onboarding.new_clinic import new_clinic  # noqa: PLC0415

        new_clinic(path)


@app.command("schema")
def schema_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the schema to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of a clinic record, for editors and other tools.

    Point the VS Code YAML extension at it for completion and red squiggles while typing.

    Example:

        kdirectory schema --out clinic.schema.json
    """
    with _user_errors():
        from kdirectory._atomic import atomic_write_text  # noqa: PLC0415
        from kdirectory.record.json_schema import schema_text  # noqa: PLC0415

        text = schema_text()
        if out is None:
            sys.stdout.write(text)
        else:
            try:
                atomic_write_text(out, text)
            except OSError as exc:
                raise KdirectoryError(f"cannot write {out}: {exc.strerror}") from None
            _echo(f"wrote {out}", err=True)

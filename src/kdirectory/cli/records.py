"""The commands about records: ``validate``, ``import``, ``new`` and ``schema``."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from kdirectory.cli.errors import EXIT_PROBLEMS, usage_errors, user_errors
from kdirectory.cli.options import ProjectPath
from kdirectory.cli.output import OutputFormat, echo, print_report
from kdirectory.exceptions import KdirectoryError


def validate_command(
    path: ProjectPath = Path(),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text for people, json for tools.")
    ] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read and check every record, without the record cache in "
            ".kdirectory/records.sqlite (neither read nor written). The report is the same.",
        ),
    ] = False,
) -> None:
    """Check every clinic record and report all problems at once.

    Each problem reads `file:line: field: message (fix)`. Exit 0 when clean, 1 when there
    are errors (or warnings, with --strict), 2 when PATH is not a site project. What each
    record file was found to be, and the report, are kept in .kdirectory/records.sqlite,
    so a second run reads and checks only the files that changed, and gives the kept
    report at once when nothing did.

    Example:

        kdirectory validate my-directory --strict
    """
    with _collector_off(), user_errors():
        from kdirectory.project import validate_project  # noqa: PLC0415

        validation = validate_project(path, cache=not no_cache)
        for notice in validation.notices:
            echo(f"notice: {notice}", err=True)
        report = validation.report
        print_report(report, output_format, strict=strict)
        failed = not report.ok(strict=strict)
        del validation, report  # freed now, while the collector is off (see below)
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


@contextmanager
def _collector_off() -> Iterator[None]:
    """Python's cycle collector off while a command reads and checks every record: what it
    reads stays alive to the end, and each pass of the collector would walk it all again
    (a second or more at 10,000 records). Back on, as it was, when the command is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
            "repeatable. Fields: name, brand, url, booking_url, phone, tracking_phone, email, "
            "address "
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
    with user_errors(), usage_errors():
        from rich.console import Console  # noqa: PLC0415

        from kdirectory.cli.import_console import (  # noqa: PLC0415
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


def new_command(path: ProjectPath = Path()) -> None:
    """Add one clinic by answering questions; each answer is checked as you type it.

    A wrong answer (a phone without area code, a ZIP in another state) is explained and
    asked again. The finished record is shown as YAML and written to
    data/clinics/<slug>.yaml only when you confirm. Press Ctrl-C to stop without writing.

    Example:

        kdirectory new my-directory
    """
    with user_errors():
        from kdirectory.cli.new_console import new_clinic  # noqa: PLC0415

        new_clinic(path)


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
    with user_errors():
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
            echo(f"wrote {out}", err=True)

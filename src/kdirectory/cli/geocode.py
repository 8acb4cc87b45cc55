"""The ``geocode`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kdirectory.cli.errors import EXIT_PROBLEMS, EXIT_USAGE, user_errors
from kdirectory.cli.options import ProjectPath
from kdirectory.cli.output import echo


def _parse_options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            echo(
                f"error: --option {pair!r}: expected KEY=VALUE, e.g. domain=127.0.0.1:8080",
                err=True,
            )
            raise typer.Exit(EXIT_USAGE)
        options[key.strip()] = value.strip()
    return options


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
    with user_errors():
        from rich.console import Console  # noqa: PLC0415

        from kdirectory.cli.geocode_console import print_result, progress_bar  # noqa: PLC0415
        from kdirectory.geocoding.batch import geocode_directory  # noqa: PLC0415
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

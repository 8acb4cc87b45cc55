"""The ``init`` command: a new site project."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kdirectory.cli.errors import usage_errors, user_errors
from kdirectory.cli.output import echo


class SiteKindChoice(StrEnum):
    """What kind of site ``init`` starts."""

    directory = "directory"
    brand = "brand"


def init_command(
    directory: Annotated[Path, typer.Argument(help="The folder to create (new or empty).")],
    kind: Annotated[
        SiteKindChoice,
        typer.Option(
            "--kind",
            help="directory: a directory of many clinics; brand: one clinic group's own "
            "site, with a [brand] table in kdirectory.toml.",
        ),
    ] = SiteKindChoice.directory,
) -> None:
    """Start a new site project: settings, one example clinic, editor support.

    Writes kdirectory.toml (with comments), data/clinics/ with one fictional example
    clinic, .gitignore, clinic.schema.json and .vscode/settings.json (so VS Code checks
    records as you type). The new project validates and builds at once. A folder that
    already holds files is refused (exit 2) and left untouched. With --kind brand the
    settings are a brand site's, with the [brand] table explained, and the example clinic
    is one of the brand's locations.

    Example:

        kdirectory init my-directory && kdirectory build my-directory
        kdirectory init harbor-site --kind brand
    """
    with user_errors(), usage_errors():
        from kdirectory.onboarding.project_init import init_project  # noqa: PLC0415

        result = init_project(directory, kind.value)
        for name in result.files:
            echo(f"created {result.root / name}")
        echo(
            f"\nNext: edit {result.root / 'kdirectory.toml'}, replace the example clinic "
            f"(kdirectory new {result.root}, or kdirectory import clinics.csv --into "
            f"{result.root}), then kdirectory validate {result.root} and kdirectory build "
            f"{result.root}."
        )

"""Arguments and options that several commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ProjectPath = Annotated[
    Path,
    typer.Argument(
        help="The site project folder (holds kdirectory.toml and data/clinics/).",
        show_default="current folder",
    ),
]


def base_url_option(value: str | None) -> str | None:
    """``--base-url`` parsed like ``[site] base_url``: a bad value is a usage error."""
    if value is None:
        return None
    from kdirectory.record.config import parse_base_url  # noqa: PLC0415

    try:
        return parse_base_url(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None

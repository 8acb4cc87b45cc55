"""What the command line prints for people: every line goes through :func:`echo`, which
shows control characters as escapes; reports print one line a problem, or as JSON."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from kdirectory.report import printable

if TYPE_CHECKING:
    from kdirectory.report import Report


class OutputFormat(StrEnum):
    """How a command prints its findings."""

    text = "text"
    json = "json"


def echo(message: str = "", *, err: bool = False) -> None:
    """Print one line for people: every line the CLI prints goes through here."""
    typer.echo(printable(message, lines=True), err=err)


def print_report(report: Report, output_format: OutputFormat, *, strict: bool) -> None:
    """Every problem, one line each, and the summary; or the report as JSON."""
    if output_format is OutputFormat.json:
        sys.stdout.write(report.to_json())  # JSON escapes control characters itself
        return
    for line in report.lines():
        echo(line)
    echo(("" if report.ok(strict=strict) else "FAILED: ") + report.summary())

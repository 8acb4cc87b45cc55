"""The ``rules`` command: the catalogue of rules, to look up an id seen in a report."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from kdirectory.cli.errors import EXIT_USAGE, user_errors
from kdirectory.cli.output import echo


class RulesFormat(StrEnum):
    """How ``kdirectory rules`` prints the catalogue."""

    text = "text"
    markdown = "markdown"
    json = "json"


def rules_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="RULE",
            help="Rule ids (html.h1) or families (claims) to show.",
            show_default="every rule",
        ),
    ] = None,
    output_format: Annotated[
        RulesFormat,
        typer.Option("--format", help="text for people, markdown for docs, json for tools."),
    ] = RulesFormat.text,
) -> None:
    """List the rules behind every problem validate, geocode and check report.

    Each rule has a stable id (the one a report names), a severity (an error fails the
    command; a warning only with --strict), the commands that report it, what it checks
    and how to fix what it finds. Exit 0, or 2 when a RULE names no rule.

    Example:

        kdirectory rules jsonld.nap-phone
    """
    with user_errors():
        from kdirectory.catalogue.listing import (  # noqa: PLC0415
            UnknownRuleError,
            json_listing,
            markdown_table,
            select,
            text_listing,
        )

        try:
            rules = select(names or [])
        except UnknownRuleError as exc:
            echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        if output_format is RulesFormat.json:
            sys.stdout.write(json_listing(rules))
        elif output_format is RulesFormat.markdown:
            sys.stdout.write(markdown_table(rules))
        else:
            echo(text_listing(rules).rstrip("\n"))

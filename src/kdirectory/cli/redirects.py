"""The ``redirects`` command: the redirects a built site keeps, and pruning them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from kdirectory.cli.errors import EXIT_USAGE, user_errors
from kdirectory.cli.output import OutputFormat, echo


def redirects_command(
    site: Annotated[
        Path,
        typer.Argument(
            metavar="SITE_OR_PROJECT",
            help="A built site folder, or a site project (its [build] out is read).",
            show_default="current folder",
        ),
    ] = Path(),
    prune: Annotated[
        list[str] | None,
        typer.Option(
            "--prune",
            metavar="OLD_PATH",
            help="Forget the redirect from OLD_PATH (as listed); repeat for more.",
        ),
    ] = None,
    prune_all: Annotated[bool, typer.Option("--prune-all", help="Forget every redirect.")] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text for people, json for tools.")
    ] = OutputFormat.text,
) -> None:
    """List the redirects a built site keeps, or prune them.

    When a page's path changes between two builds into the same folder (a clinic renamed,
    a slug set), the build leaves a redirect at the old path: a line of _redirects and a
    small page there that sends readers on. Redirects are kept build after build, and
    follow their page if it moves again, until pruned here: pruning rewrites the site's
    manifest at once, and the next build stops writing them. Exit 0, 1 when a path to prune
    has no redirect (nothing is pruned), 2 when SITE_OR_PROJECT is not a built site.

    Example:

        kdirectory redirects site --prune /clinics/old-name/
    """
    if prune and prune_all:
        echo("error: give --prune OLD_PATH or --prune-all, not both", err=True)
        raise typer.Exit(EXIT_USAGE)
    with user_errors():
        from kdirectory.site.redirects import (  # noqa: PLC0415
            find_site,
            list_redirects,
            prune_redirects,
        )

        folder = find_site(site)
        if prune or prune_all:
            pruned = prune_redirects(folder, None if prune_all else prune)
            left = list_redirects(folder)
            if output_format is OutputFormat.json:
                _print_json(folder, left, pruned)
                return
            for source, target in pruned.items():
                echo(f"pruned {source} -> {target}")
            echo(
                f"{len(pruned):,} pruned, {len(left):,} kept in {folder}; the next build "
                "removes the pruned redirects' pages and lines"
            )
            return
        redirects = list_redirects(folder)
        if output_format is OutputFormat.json:
            _print_json(folder, redirects)
            return
        for source, target in redirects.items():
            echo(f"{source} -> {target}")
        count = f"{len(redirects):,}" if redirects else "no"
        echo(f"{count} redirect{'' if len(redirects) == 1 else 's'} in {folder}")


def _print_json(
    folder: Path, redirects: dict[str, str], pruned: dict[str, str] | None = None
) -> None:
    document: dict[str, object] = {
        "format": "kdirectory-redirects",
        "version": 1,
        "site": str(folder),
        "redirects": [{"from": s, "to": t} for s, t in redirects.items()],
    }
    if pruned is not None:
        document["pruned"] = [{"from": s, "to": t} for s, t in pruned.items()]
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")

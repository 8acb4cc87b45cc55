"""The ``serve`` command: build the site, serve it on this machine, rebuild on every change
(or, with ``--no-watch``, build once and serve the site as published)."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kdirectory.cli import errors
from kdirectory.cli.errors import EXIT_PROBLEMS, EXIT_USAGE, user_errors
from kdirectory.cli.options import ProjectPath
from kdirectory.cli.output import echo
from kdirectory.cli.site import print_build
from kdirectory.exceptions import (
    ConfigError,
    KdirectoryError,
    ProjectNotFoundError,
    SiteNotFoundError,
)

if TYPE_CHECKING:
    from kdirectory.preview import Build, Preview

CHANGES_SHOWN = 3


def serve_command(
    path: ProjectPath = Path(),
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; 127.0.0.1 is this machine only."),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port to listen on; 0 takes a free one."),
    ] = 8000,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder.", show_default="[build] out, or site/"),
    ] = None,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch/--no-watch",
            help="Rebuild on every change and reload open pages; --no-watch builds once and "
            "serves the site exactly as published.",
        ),
    ] = True,
) -> None:
    """Build the site, serve it at its address on this machine and rebuild it on every change.

    Builds as `kdirectory build` does (same output folder, lock and checked, atomic
    publishing), then serves the site at the path of `[site] base_url`
    (https://example.org/clinics/ is served at http://127.0.0.1:8000/clinics/) and prints
    the address. When a record, data/geocodes.json, kdirectory.toml, the project's
    templates/ or assets/, or a photo changes, it builds again and open pages reload. A
    build that fails changes nothing: its errors are printed as `kdirectory build` prints
    them and shown over every page, which stays the last site that built, until a build
    succeeds. Ctrl-C stops it (exit 130, as every interrupted command). Exit 2 when PATH is
    not a site project or the port is taken.

    With --no-watch it builds once and serves the files exactly as published: nothing is
    watched, no script is added to the pages and there is no event stream. A build that
    fails then prints its errors and exits as `kdirectory build` does (1, or 2 for a
    setting), serving nothing.

    Example:

        kdirectory serve my-directory --port 8080
    """
    with user_errors():
        from kdirectory.preview import Preview, PreviewServer, ServeError  # noqa: PLC0415

        preview: Preview | None = None

        def report(build: Build) -> None:
            _print_build(build, preview)

        preview = Preview(path, out, on_build=report, watch=watch)
        try:
            server = PreviewServer(preview, host, port)
        except ServeError as exc:
            echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        try:
            first = preview.start()
            if not watch and first.error is not None:
                raise typer.Exit(_exit_code(first.error))
            echo(f"Serving at {server.url} (Ctrl-C to stop)")
            server.serve_forever()
        finally:
            server.close()
            preview.stop()


def _print_build(build: Build, preview: Preview | None) -> None:
    """A build as ``kdirectory build`` reports it, after the files whose change started it."""
    if build.changed:
        shown = ", ".join(build.changed[:CHANGES_SHOWN])
        more = len(build.changed) - CHANGES_SHOWN
        echo(f"changed: {shown}" + (f" and {more:,} more" if more > 0 else ""))
    for note in build.notes:
        echo(f"warning: {note}", err=True)
    if build.result is not None:
        print_build(build.result)
        return
    unexpected = build.error is not None and not isinstance(build.error, KdirectoryError)
    if unexpected and errors.verbose() and build.error is not None:
        echo("".join(traceback.format_exception(build.error)).rstrip(), err=True)
    for line in build.lines:
        echo(line, err=True)
    if preview is not None and not preview.watching:
        return  # the command stops: nothing is served
    view = preview.view() if preview is not None else None
    if view is not None and view.site is not None:
        echo(
            "not published: the last site that built is still served, with these errors "
            "over its pages",
            err=True,
        )
    else:
        echo("nothing to serve yet: every page shows these errors until a build succeeds", err=True)


def _exit_code(error: Exception) -> int:
    """The exit code of ``kdirectory build`` for a build that failed with ``error``."""
    usage = (ProjectNotFoundError, SiteNotFoundError, ConfigError)
    return EXIT_USAGE if isinstance(error, usage) else EXIT_PROBLEMS

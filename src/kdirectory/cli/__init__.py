"""The ``kdirectory`` command line: thin commands over the library.

Each command parses its options, calls one library function and turns a
:class:`~kdirectory.exceptions.KdirectoryError` into a message on stderr and exit 1 (2 for
usage errors such as a path that is not a site project). Heavy imports live inside the
commands to keep ``kdirectory --help`` fast. One module per group of commands: records
(``validate``, ``import``, ``new``, ``schema``), ``geocode``, the site (``build``,
``check``, ``redirects``), the preview server (``serve``), the project (``init``) and the
catalogue (``rules``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from kdirectory.cli import geocode, project, records, redirects, rules, serve, site
from kdirectory.cli.errors import set_verbose

__all__ = ["app"]

app = typer.Typer(
    name="kdirectory",
    help="Validate clinic records, geocode them and build a static directory website.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the traceback of unexpected errors.")
    ] = False,
) -> None:
    """Validate clinic records, geocode them and build a static directory website."""
    set_verbose(verbose)


app.command("validate")(records.validate_command)
app.command("geocode")(geocode.geocode_command)
app.command("build")(site.build_command)
app.command("check")(site.check_command)
app.command("serve")(serve.serve_command)
app.command("import")(records.import_command)
app.command("init")(project.init_command)
app.command("new")(records.new_command)
app.command("schema")(records.schema_command)
app.command("rules")(rules.rules_command)
app.command("redirects")(redirects.redirects_command)

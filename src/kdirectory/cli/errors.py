"""How the command line fails: one clear line on stderr and an exit code, never a traceback
(unless ``--verbose`` asks for it)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from kdirectory.cli.output import echo
from kdirectory.exceptions import (
    ConfigError,
    KdirectoryError,
    ProjectNotFoundError,
    SiteNotFoundError,
)

EXIT_PROBLEMS = 1
"""Problems found (or the command could not do its work)."""
EXIT_USAGE = 2
"""The command was called wrongly: a path that is not a site project, a bad option."""
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for a command whose reader closed the pipe."""
_state = {"verbose": False}


def set_verbose(verbose: bool) -> None:
    """Show the traceback of unexpected errors (``kdirectory --verbose``)."""
    _state["verbose"] = verbose


def verbose() -> bool:
    """Whether ``kdirectory --verbose`` asked for tracebacks."""
    return _state["verbose"]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn errors into one clear line on stderr and an exit code, never a traceback."""
    try:
        yield
    except (ProjectNotFoundError, SiteNotFoundError, ConfigError) as exc:
        echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except KdirectoryError as exc:
        echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    except KeyboardInterrupt:
        echo("interrupted", err=True)
        raise typer.Exit(130) from None
    except BrokenPipeError:
        # The reader went away (`kdirectory rules | head -1`): stop quietly, as a command
        # killed by SIGPIPE would, and send what is still buffered nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if _state["verbose"]:
            raise
        echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in kdirectory; run again with --verbose for the traceback and "
            "report it.",
            err=True,
        )
        raise typer.Exit(EXIT_PROBLEMS) from None


@contextmanager
def usage_errors() -> Iterator[None]:
    """Errors in how a command was called (a wrong --map, a non-empty init folder): exit 2."""
    from kdirectory.exceptions import ColumnMappingError, ProjectExistsError  # noqa: PLC0415

    try:
        yield
    except (ColumnMappingError, ProjectExistsError) as exc:
        echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None

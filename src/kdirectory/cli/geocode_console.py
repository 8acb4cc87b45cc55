"""What ``kdirectory geocode`` shows: a progress bar while it works and a summary table after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Callable

    from kdirectory.geocoding.batch import GeocodeResult, RecordOutcome

_LABELS = {
    "manual": "set by hand (geo in the record)",
    "saved": "already in data/geocodes.json",
    "cached": "answered from the cache",
    "geocoded": "geocoded now",
    "not_found": "not found",
    "failed": "failed",
    "would_geocode": "would be geocoded (dry run)",
}


@contextmanager
def progress_bar(console: Console, total: int) -> Iterator[Callable[[RecordOutcome], None]]:
    """A rich progress bar over ``total`` records; yields the callback that advances it."""
    columns = (
        TextColumn("geocoding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("geocode", total=total, last="")

        def advance(outcome: RecordOutcome) -> None:
            progress.update(task, advance=1, last=outcome.slug)

        yield advance


def summary_table(result: GeocodeResult) -> Table:
    """One row per outcome with its count, in a fixed order."""
    table = Table(title=f"Geocoding with {result.provider}", title_justify="left")
    table.add_column("records", justify="right")
    table.add_column("outcome")
    counts = result.counts
    for status, label in _LABELS.items():
        if counts[status]:
            table.add_row(str(counts[status]), label)
    if result.requests:
        table.add_row(str(result.requests), "requests made to the provider", style="dim")
    return table


def print_result(console: Console, errors: Console, result: GeocodeResult) -> None:
    """Notices and failures on stderr, the summary table on stdout."""
    for notice in result.notices:
        errors.print(f"notice: {notice}", highlight=False, markup=False, soft_wrap=True)
    for outcome in result.failed:
        errors.print(
            f"{outcome.file}: {outcome.message}", highlight=False, markup=False, soft_wrap=True
        )
    for warning in result.warnings:
        errors.print(warning.format(), highlight=False, markup=False, soft_wrap=True)
    console.print(summary_table(result))

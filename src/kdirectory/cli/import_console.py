"""What ``kdirectory import`` shows: the column mapping first, a progress counter while rows
are read, then the warnings, a summary table and where the rejected rows went."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable
from rich.text import Text

from kdirectory.onboarding.columns import FIELDS, ColumnMapping
from kdirectory.onboarding.importer import ImportResult
from kdirectory.onboarding.records import PHONE_DROPPED
from kdirectory.onboarding.safe_text import shown
from kdirectory.onboarding.tabular import Table
from kdirectory.record import vocabulary

MAX_WARNINGS_SHOWN = 50
MAX_IGNORED_SHOWN = 30
"""Ignored columns listed one by one in the mapping; the rest are counted."""

_KIND_LABELS = {
    "damage.spaces": "stray spaces removed",
    "damage.phone_number": "phone stored as a number, written as a phone",
    "damage.zip_leading_zero": "ZIP's lost leading zero put back (state checked)",
    "damage.phone_scientific": "phone in scientific notation written as digits",
    "damage.escaped_slash": 'escaped "\\/" read as "/"',
    "damage.po_box_dropped": "PO box dropped before the street address",
    "normalised.title_case": "ALL-CAPS text title-cased",
    "normalised.address_split": "one-line address split into parts",
    "normalised.url_scheme": "website given https://",
    "normalised.placeholder": 'placeholders such as "N/A" read as empty',
    PHONE_DROPPED: "unusable phone left out, row imported without it",
}
GENERIC_THERAPY = "ketamine-therapy"
"""The vocabulary's entry for ketamine therapy whose form the source does not state."""


def _plain(console: Console, text: str) -> None:
    """Print ``text`` as it is: no Rich markup (a header "[/]" is text), no highlighting,
    and control characters written as escapes (line by line: the line breaks of a message
    are kept)."""
    lines = (shown(line, None) for line in text.split("\n"))
    console.print(Text("\n".join(lines)), highlight=False, soft_wrap=True)


def _cell(text: str) -> Text:
    """A table cell of user text: never read as markup, control characters escaped."""
    return Text(shown(text, None))


def print_mapping(console: Console, mapping: ColumnMapping, table: Table) -> None:
    """Which column fills which field, and which columns are ignored and why (the first
    :data:`MAX_IGNORED_SHOWN` of them; the rest are counted by reason)."""
    _plain(console, f"Reading {table.path} ({table.description}); header on row {table.header_row}")
    for note in table.notes:
        _plain(console, f"note: {note}")
    grid = RichTable(title="Columns", title_justify="left")
    grid.add_column("column")
    grid.add_column("field")
    grid.add_column("how")
    for choice in mapping.columns:
        if choice.field is not None:
            grid.add_row(
                _cell(choice.header),
                _cell(f"{choice.field} ({FIELDS[choice.field]})"),
                _cell(choice.how),
            )
    ignored = mapping.ignored
    for choice in ignored[:MAX_IGNORED_SHOWN]:
        header = choice.header or f"(column {choice.index + 1})"
        grid.add_row(_cell(header), "—", _cell(f"ignored: {choice.note}"))
    hidden = Counter(choice.note for choice in ignored[MAX_IGNORED_SHOWN:])
    for note, count in hidden.most_common():
        grid.add_row(_cell(f"… {count:,} more columns"), "—", _cell(f"ignored: {note}"))
    console.print(grid)


@contextmanager
def row_counter(console: Console) -> Iterator[Callable[[int], None]]:
    """A transient "row N" counter on ``console`` (shown only on a terminal), redrawn every
    hundred rows by the caller's thread: it starts no thread of its own, since the import
    forks its row workers only from a process that runs one thread."""
    columns = (
        SpinnerColumn(),
        TextColumn("importing row {task.fields[row]:,}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task("import", total=None, row=0)

        def advance(row: int) -> None:
            if row % 100 == 0:
                progress.update(task, row=row, refresh=True)

        yield advance


def summary_table(result: ImportResult) -> RichTable:
    """Rows imported, updated and rejected (by reason), and the repairs made."""
    verb = "would be " if result.dry_run else ""
    title = f"Import of {result.source.name}"
    if result.dry_run:
        title += " (dry run: nothing written)"
    table = RichTable(title=_cell(title), title_justify="left")
    table.add_column("rows", justify="right")
    table.add_column("outcome")
    table.add_column("example", overflow="fold")
    table.add_row(f"{result.rows:,}", "rows read", "")
    if result.blank_rows:
        table.add_row(f"{result.blank_rows:,}", "blank rows skipped", "")
    table.add_row(f"{result.created:,}", f"{verb}imported as new records", "")
    if result.updated:
        table.add_row(f"{result.updated:,}", f"existing records {verb}updated", "")
    if result.unchanged:
        table.add_row(f"{result.unchanged:,}", "existing records already up to date", "")
    for name, value in result.set_values.items():
        count = result.set_counts[name]
        table.add_row(
            f"{count:,}", _cell(f"given {name}={value} by --set (the row left it empty)"), ""
        )
    if result.without_therapies:
        table.add_row(
            f"{result.without_therapies:,}",
            f"{verb}imported with no therapy listed",
            _therapy_hint(),
        )
    style = "bold" if result.rejected else None
    table.add_row(f"{result.rejected:,}", f"{verb}rejected", "", style=style)
    for code, count in result.reasons.most_common():
        table.add_row(f"{count:,}", _cell(f"  {code}"), _cell(result.reason_examples.get(code, "")))
    for kind, count in result.warnings_by_kind.most_common():
        prefix = kind.split(".")[0]
        label = {"damage": "repaired", "normalised": "normalised"}.get(prefix, "warning")
        table.add_row(
            f"{count:,}", _cell(f"{label}: {_KIND_LABELS.get(kind, kind)}"), "", style="dim"
        )
    return table


def _therapy_hint() -> str:
    """How to say which therapy every row offers, when the source guarantees one."""
    known = vocabulary.therapies()
    example = GENERIC_THERAPY if GENERIC_THERAPY in known else next(iter(known))
    return (
        f"if the source guarantees one for every row, import with --set therapies={example} "
        "(any therapy slug; kdirectory schema lists them)"
    )


def print_result(console: Console, errors: Console, result: ImportResult) -> None:
    """Warnings on ``errors`` (stderr), the summary and what to do next on ``console``."""
    source = result.source.name
    for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
        _plain(errors, f"warning: {warning.format(source)}")
    hidden = result.warning_count - min(len(result.warnings), MAX_WARNINGS_SHOWN)
    if hidden > 0:
        _plain(
            errors,
            f"… and {hidden:,} more warnings (counted below; each imported record lists its "
            "own in its header comment)",
        )
    console.print(summary_table(result))
    folder = _shown(result.project / "data" / "clinics")
    if result.dry_run:
        _plain(console, f"Dry run: nothing was written to {folder}.")
        if result.rejected_path is not None:
            _plain(console, f"The rejected rows would be listed in {_shown(result.rejected_path)}.")
        return
    if result.created or result.updated:
        _plain(console, f"Records written to {folder}/ (one YAML file per clinic).")
    if result.rejected_path is not None:
        _plain(
            console,
            f"Rejected rows, each with its row number and reason: {_shown(result.rejected_path)}\n"
            f"Fix them there (or in the original) and run kdirectory import again on that file.",
        )
    elif result.stale_rejected is not None:
        _plain(
            console,
            f"note: {_shown(result.stale_rejected)} is from an earlier import; no row was "
            "rejected this time, so you can delete it.",
        )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

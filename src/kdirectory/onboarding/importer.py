"""``kdirectory import``: a spreadsheet of clinics into one YAML record per row.

Rows are streamed from the file and each is checked on its own, with its row number:
repaired where the damage is unambiguous (with a note), validated with the project's own
rules (on a brand site, the brand's rules too, with the records already there and the rows
imported before it), compared with the records already in the project and with earlier
rows, then written atomically to ``data/clinics/<slug>.yaml``. Bad rows are copied, with
their row number and the reason, into ``rejected.csv`` in the project folder. Only
duplicate keys and slugs (as hashes) are kept in memory, and on a brand site the locations
that serve other cities, so a file's size does not bound the import.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import dataclasses
import itertools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kdirectory._atomic import AtomicBatch
from kdirectory.exceptions import ImportFileError, KdirectoryError
from kdirectory.onboarding.columns import ColumnMapping, map_columns, parse_set_options
from kdirectory.onboarding.duplicates import Duplicate, DuplicateIndex, DuplicateKeys
from kdirectory.onboarding.normalise import DamagedCellError
from kdirectory.onboarding.record_yaml import entry_texts
from kdirectory.onboarding.records import (
    build_record,
    canonical_order,
    check_data,
    check_set_values,
    choose_slug,
    drop_field,
    drop_unusable_phones,
    get_field,
    merge_records,
    record_head,
    record_text,
    rejecting,
    schema_path_for,
    stored_form,
    with_slug,
)
from kdirectory.onboarding.row_workers import in_order
from kdirectory.onboarding.safe_text import quoted, shown, spreadsheet_cell
from kdirectory.onboarding.tabular import Cell, Table, cell_text, open_table
from kdirectory.record.directory import Directory
from kdirectory.record.model import Clinic
from kdirectory.record.parallel import jobs_for
from kdirectory.record.read import find_record_files, read_record
from kdirectory.record.source import SourceRecord
from kdirectory.record.validate import CLINICS_DIR, load_directory
from kdirectory.report import Problem

REJECTED_NAME = "rejected.csv"
MAX_NOTES_KEPT = 200
"""Warnings kept for the console; the counts by kind cover the rest."""
NO_THERAPY_RULE = "therapies.none"
"""The warning ``validate`` gives a record that lists no therapy. Most sources never say,
so the import counts those rows once in its summary (``without_therapies``, with the
``--set`` that states one) instead of repeating the warning on every row."""


@dataclass(frozen=True)
class ImportOptions:
    """How to import: into which project, with which ``--map`` overrides and ``--set``
    values (``FIELD=VALUE``, given to every row that leaves the field empty), and whether to
    write (``dry_run``) or update records that already exist (``update``)."""

    project: Path = Path()
    column_map: Sequence[str] = ()
    dry_run: bool = False
    update: bool = False
    set_values: Sequence[str] = ()


@dataclass(frozen=True)
class RowWarning:
    """A repair or a validation warning on a row that was imported."""

    row: int
    column: str
    message: str
    kind: str

    def format(self, source: str) -> str:
        """``clinics.csv row 12: Zip Code: "5353" lost its leading zero; ...``"""
        where = f"{source} row {self.row}"
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    source: Path
    project: Path
    description: str
    mapping: ColumnMapping
    dry_run: bool
    rows: int = 0
    blank_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    """Rejected rows by the code of their first reason."""
    reason_examples: dict[str, str] = field(default_factory=dict)
    warnings_by_kind: Counter[str] = field(default_factory=Counter)
    """Repairs and validation warnings on imported rows, by kind."""
    warnings: list[RowWarning] = field(default_factory=list)
    warning_count: int = 0
    without_therapies: int = 0
    """Rows imported (or matched with --update) whose record lists no therapy."""
    set_values: dict[str, str] = field(default_factory=dict)
    """The ``--set`` values, by field."""
    set_counts: Counter[str] = field(default_factory=Counter)
    """Rows imported with a ``--set`` value (the row left the field empty), by field."""
    rejected_path: Path | None = None
    stale_rejected: Path | None = None
    """An earlier ``rejected.csv`` left in place because this run rejected nothing."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row was imported (or was already there unchanged)."""
        return self.rejected == 0


@dataclass(frozen=True)
class _Reject:
    reasons: list[str]
    code: str


@dataclass(frozen=True)
class _Checked:
    """A row that passed every check of its own: what its record is made of, and what
    comparing it with the records and the rows before it needs."""

    number: int
    label: str
    entries: list[tuple[str, str]]
    """The record as written but for its slug (:func:`stored_form`): each field with its
    YAML text (:func:`entry_texts`)."""
    lists_therapies: bool
    defaulted: frozenset[str]
    data: dict[str, Any] | None
    """The row's record, to update an existing one from (``--update`` only)."""
    warnings: list[RowWarning]
    keys: DuplicateKeys
    slug: str | None
    """The slug the row gives, if any."""
    name: str
    city: str
    clinic: Clinic | None
    """The clinic, for a brand site's rules on the rows after it; not sent from a worker."""


class _Blank:
    """A row with nothing in it."""


_BLANK = _Blank()
_Outcome = _Blank | _Reject | _Checked
Row = tuple[int, list[Cell]]
CHUNK_ROWS = 500
"""Rows a worker checks at a time; a file with fewer is checked in this process."""


class _Importer:
    def __init__(
        self,
        directory: Directory,
        table: Table,
        mapping: ColumnMapping,
        options: ImportOptions,
        batch: AtomicBatch,
        defaults: dict[str, str],
    ) -> None:
        self.table = table
        self.defaults = defaults
        self.batch = batch
        self.mapping = mapping
        self.options = options
        self.project = options.project
        self.folder = options.project / CLINICS_DIR
        self.source_name = table.path.name
        self.index = DuplicateIndex.of_directory(directory)
        self.slugs: set[int] = set()
        self.updated_from: dict[str, int] = {}
        """Existing record files this run updated, with the row that did it."""
        self.schema_path = schema_path_for(self.project)
        self.result = ImportResult(
            source=table.path,
            project=self.project,
            description=table.description,
            mapping=mapping,
            dry_run=options.dry_run,
            notes=list(table.notes),
            set_values=dict(defaults),
        )
        self.slugs.update(hash(clinic.slug) for clinic in directory.clinics if clinic.slug)
        self.slugs.update(hash(path.stem) for path in find_record_files(self.folder))
        self.brand: Directory | None = None
        """On a brand site, the records a row joins for the brand's rules: those in the
        project and the rows imported so far that serve other cities (the only ones the
        rules across records read)."""
        if directory.config.site.kind == "brand":
            self.brand = Directory(root=directory.root, config=directory.config)
            self.brand.entries = [e for e in directory.entries if e.clinic.service_area]

    # -- the rows --------------------------------------------------------------------------

    def checked_rows(self, rows: Iterator[Row]) -> Iterator[tuple[int, list[Cell], _Outcome]]:
        """Each row with what :meth:`check` found, in order. On a site without a brand and
        with more than a few hundred rows, the rows are checked by forked worker processes
        (:mod:`~kdirectory.onboarding.row_workers`) while this one writes the records; a
        brand site's rules read the rows imported before, so its rows are checked here."""
        first = list(itertools.islice(rows, CHUNK_ROWS))
        jobs = jobs_for(len(first)) if self.brand is None else 1
        if jobs == 1:
            for number, cells in itertools.chain(first, rows):
                yield number, cells, self.check(number, cells)
            return
        chunks = itertools.chain(
            [first], iter(lambda: list(itertools.islice(rows, CHUNK_ROWS)), [])
        )
        for chunk, outcomes in in_order(self._check_in_worker, chunks, jobs):
            for (number, cells), outcome in zip(chunk, outcomes, strict=True):
                yield number, cells, outcome

    def _check_in_worker(self, chunk: list[Row]) -> list[_Outcome]:
        """:meth:`check` of each row of ``chunk``, in a worker: without the clinic (this
        process needs only what the row's record is made of)."""
        outcomes = [self.check(number, cells) for number, cells in chunk]
        return [
            dataclasses.replace(o, clinic=None) if isinstance(o, _Checked) else o for o in outcomes
        ]

    def place(
        self, number: int, cells: list[Cell], outcome: _Outcome, rejects: _RejectWriter | None
    ) -> None:
        """Count row ``number`` and, if it passed its own checks, compare it with the
        records and the rows before it and write its record; a rejected row goes to
        ``rejects``."""
        if outcome is _BLANK:
            self.result.blank_rows += 1
            return
        self.result.rows += 1
        reject = self._place(outcome) if isinstance(outcome, _Checked) else outcome
        if isinstance(reject, _Reject):
            self.result.rejected += 1
            reasons = [shown(reason, None) for reason in reject.reasons]
            self.result.reasons[reject.code] += 1
            self.result.reason_examples.setdefault(reject.code, reasons[0])
            if rejects is not None:
                rejects.write(number, "; ".join(reasons), cells)

    def check(self, number: int, cells: list[Cell]) -> _Outcome:
        """Row ``number`` on its own: blank, rejected for what it holds, or a record that
        passes every check of the project's (on a brand site, with the records imported
        before it)."""
        if not any(cell_text(cell).strip() for cell in cells):
            return _BLANK
        width = max(self.table.width, len(self.table.header))
        extra = [cell_text(c) for c in cells[width:] if cell_text(c).strip()]
        if extra:
            reason = (
                f"row has {len(cells)} cells but the header has {width} columns "
                f"(extra: {quoted(extra[0], 40)})"
            )
            if self.table.description.startswith("CSV"):
                reason += "; a value may hold an unquoted delimiter"
            else:
                reason += "; give that column a header, or clear it"
            return _Reject([reason], "damage.extra_cells")
        values = {
            name: cells[index] if index < len(cells) else None
            for name, index in self.mapping.by_field.items()
        }
        try:
            built = build_record(values, self.defaults)
        except DamagedCellError as damage:
            return _Reject([self._damage_text(damage)], damage.code)
        label = f"{self.source_name} row {number}"
        clinic, problems = check_data(built.data, label, self.brand)
        dropped = drop_unusable_phones(built, problems)
        if dropped:
            clinic, problems = check_data(built.data, label, self.brand)
        bad = rejecting(problems)
        if clinic is None or bad:
            bad = bad or problems
            reasons = [self._problem_text(p) for p in [*bad, *dropped]]
            return _Reject(reasons, bad[0].rule if bad else "invalid")
        warnings = [
            RowWarning(number, self._column(n.field), shown(n.message, None), n.kind)
            for n in built.notes
        ] + [
            RowWarning(number, self._column(p.field), shown(p.explanation, None), p.rule)
            for p in problems
            if p.severity == "warning" and p.rule != NO_THERAPY_RULE
        ]
        stored = stored_form(built.data, clinic)
        return _Checked(
            number=number,
            label=label,
            entries=entry_texts(canonical_order(stored)),
            lists_therapies=bool(stored.get("therapies")),
            defaulted=built.defaulted,
            data=built.data if self.options.update else None,
            warnings=warnings,
            keys=DuplicateKeys.of(clinic),
            slug=clinic.slug,
            name=clinic.name,
            city=clinic.address.city,
            clinic=clinic,
        )

    def _place(self, row: _Checked) -> _Reject | None:
        duplicate = self.index.find(row.keys)
        if duplicate is None and row.slug and hash(row.slug) in self.slugs:
            return _Reject(
                [
                    (
                        f'{self._column("slug")}: "{row.slug}" is already the slug of '
                        "another record (leave the cell empty to derive one from the name)"
                    )
                ],
                "directory.slug_collision",
            )
        if duplicate is not None and duplicate.origin in self.updated_from:
            number = self.updated_from[str(duplicate.origin)]
            reason = f"{duplicate.reason}, updating {duplicate.origin}"
            return self._duplicate_reject(Duplicate(number, reason, duplicate.kind))
        if duplicate is not None and not (
            self.options.update and isinstance(duplicate.origin, str)
        ):
            return self._duplicate_reject(duplicate)
        if duplicate is not None:
            assert isinstance(duplicate.origin, str)
            reject = self._update(row, duplicate.origin)
            if reject is None:
                self.updated_from[duplicate.origin] = row.number
                self.index.add(row.keys, row.number)
            return reject
        self._create(row)
        self.index.add(row.keys, row.number)
        if row.clinic is not None:
            self._joined(row.clinic, row.label)
        return None

    def _duplicate_reject(self, duplicate: Duplicate) -> _Reject:
        origin, reason = duplicate.origin, duplicate.reason
        if isinstance(origin, int):
            fix = "keep one of the two rows"
            if duplicate.kind == "address":  # often two programs of one site, not a typo
                fix += (
                    ", or, if they are separate programs at one site, list them as one "
                    "clinic (the directory has one listing per address and suite)"
                )
            return _Reject([f"duplicate of row {origin}: {reason}; {fix}"], "duplicate.in_file")
        return _Reject(
            [
                (
                    f"already in the directory as {origin}: {reason}; import with --update "
                    "to update that record from this row, or remove the row"
                )
            ],
            "duplicate.existing",
        )

    def _create(self, row: _Checked) -> None:
        slug = self._new_slug(row)
        comments = self._comments(row.number, row.warnings)
        comments += [
            f"{name}: from --set {name}={self.defaults[name]} (the row left it empty)."
            for name in sorted(row.defaulted)
        ]
        text = record_head(comments, self.schema_path) + with_slug(row.entries, slug)
        if not self.options.dry_run:
            self._write(self.folder / f"{slug}.yaml", text)
        self.result.created += 1
        self.result.set_counts.update(row.defaulted)
        if not row.lists_therapies:
            self.result.without_therapies += 1
        self._keep_warnings(row.warnings)

    def _count_therapies(self, record: dict[str, Any]) -> None:
        if not record.get("therapies"):
            self.result.without_therapies += 1

    def _update(self, row: _Checked, origin: str) -> _Reject | None:
        number = row.number
        path = self.project / origin
        existing = read_record(path, origin)
        if existing.data is None:  # pragma: no cover - indexed records were readable
            return _Reject([f"{origin} can no longer be read"], "duplicate.existing")
        assert row.data is not None  # kept with --update
        data = copy.deepcopy(row.data)
        defaulted = set(row.defaulted)
        for name in row.defaulted:  # --set fills what the record lacks, never replaces
            if get_field(existing.data, name) is not None:
                drop_field(data, name)
                defaulted.discard(name)
        merged = merge_records(existing.data, data)
        label = f"{origin} updated from row {number}"
        clinic, problems = check_data(merged, label, self.brand, replacing=origin)
        bad = rejecting(problems)
        if clinic is None or bad:
            bad = bad or problems
            return _Reject(
                [f"updating {origin}: {self._problem_text(p)}" for p in bad],
                bad[0].rule if bad else "invalid",
            )
        stored = stored_form(merged, clinic)
        self._count_therapies(stored)
        self._joined(clinic, origin)
        if stored == canonical_order(existing.data):
            self.result.unchanged += 1
            return None
        self.result.set_counts.update(defaulted)
        if path.suffix.lower() == ".json":
            text = json.dumps(stored, indent=2, ensure_ascii=False) + "\n"
        else:
            text = record_text(
                stored,
                comments=[f"Updated from {shown(self.source_name, None)}, row {number}."],
                schema_path=self.schema_path,
            )
        if not self.options.dry_run:
            self._write(path, text)
        self.result.updated += 1
        self._keep_warnings(row.warnings)
        return None

    def _joined(self, clinic: Clinic, file: str) -> None:
        """Keep ``clinic``, now one of the project's records as ``file``, for the brand's
        rules on the rows after it (in place of the record it updates)."""
        if self.brand is None:
            return
        self.brand.entries = [e for e in self.brand.entries if e.file != file]
        if clinic.service_area:
            self.brand.add(clinic, SourceRecord(path=Path(file), display_path=file, data=None))

    def _new_slug(self, row: _Checked) -> str:
        slug = row.slug or choose_slug(
            row.name, row.city, lambda candidate: hash(candidate) in self.slugs
        )
        self.slugs.add(hash(slug))
        return slug

    def _write(self, path: Path, text: str) -> None:
        with self._writing(path):
            self.batch.write_text(path, text)

    def commit(self) -> None:
        """Move the records written since the last batch into place."""
        with self._writing(self.folder):
            self.batch.commit()

    @contextlib.contextmanager
    def _writing(self, path: Path) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise KdirectoryError(
                f"cannot write {exc.filename or path}: {exc.strerror}; the records written so "
                "far are complete, run the same import again with --update once the folder "
                "is writable"
            ) from None

    def _comments(self, number: int, warnings: list[RowWarning]) -> list[str]:
        lines = [f"Imported from {shown(self.source_name, None)}, row {number}."]
        lines += [f"Import note: {w.column}: {w.message}" for w in warnings]
        return lines

    def _keep_warnings(self, warnings: list[RowWarning]) -> None:
        for warning in warnings:
            self.result.warnings_by_kind[warning.kind] += 1
            if warning.kind.startswith("normalised."):
                continue  # expected clean-up, counted but not worth a line each
            self.result.warning_count += 1
            if len(self.result.warnings) < MAX_NOTES_KEPT:
                self.result.warnings.append(warning)

    def _column(self, field_path: str) -> str:
        """The spreadsheet column behind a record field path (``address.postal_code``)."""
        candidates = [field_path]
        if field_path.startswith("address.") or field_path == "address":
            candidates.append("address")
        candidates.append(field_path.split("[", maxsplit=1)[0])
        for candidate in candidates:
            header = self.mapping.column_of(candidate)
            if header is not None:
                header = shown(header)
                return f"{header} ({field_path})" if candidate != field_path else header
        return field_path

    def _damage_text(self, damage: DamagedCellError) -> str:
        return f"{self._column(damage.field)}: {damage.message} ({damage.fix})"

    def _problem_text(self, problem: Problem) -> str:
        column = self._column(problem.field) if problem.field else ""
        message = problem.explanation
        if problem.rule == "model.missing":  # the model's fix speaks YAML ("add `city:`")
            message = "is empty; every clinic needs it (fill it in, or remove the row)"
        elif problem.rule == "brand.mismatch" and self.brand is not None:
            brand = self.brand.config.brand
            assert brand is not None  # a brand site's settings have [brand]
            message = (
                f"{problem.message} (give the row that brand, or every row that leaves it "
                f"empty with --set {quoted(f'brand={brand.name}')})"
            )
        return f"{column}: {message}" if column else message


class _RejectWriter:
    """``rejected.csv``, written to a temporary file beside it and moved into place at the
    end, so the file is either the complete list of this run or untouched.

    Every cell (the headers and the reasons too) that a spreadsheet program would run as a
    formula is written with a leading ``'`` (:func:`spreadsheet_cell`); the importer drops
    that quote again when the file is imported after fixing, so values round-trip."""

    @classmethod
    def create(cls, target: Path, header: list[str]) -> _RejectWriter:
        """Start writing ``target``.

        Raises:
            KdirectoryError: the project folder is not writable.
        """
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise KdirectoryError(f"cannot write in {target.parent}: {exc.strerror}") from None
        return cls(target, header, fd, Path(tmp))

    def __init__(self, target: Path, header: list[str], fd: int, tmp: Path) -> None:
        self.target = target
        self.tmp = tmp
        self.handle: TextIO = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        row_col, reason_col = "row", "reason"
        while row_col in header or reason_col in header:
            row_col, reason_col = f"import_{row_col}", f"import_{reason_col}"
        self.writer.writerow([row_col, reason_col, *map(spreadsheet_cell, header)])
        self.count = 0

    def write(self, number: int, reason: str, cells: list[Cell]) -> None:
        cells_text = (spreadsheet_cell(cell_text(c)) for c in cells)
        self.writer.writerow([str(number), spreadsheet_cell(reason), *cells_text])
        self.count += 1

    def finish(self) -> bool:
        """Move the file into place if it holds any row; True when it did."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        if self.count:
            self.tmp.replace(self.target)
            return True
        self.tmp.unlink()
        return False

    def abandon(self) -> None:
        self.handle.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def import_file(
    path: Path | str,
    options: ImportOptions | None = None,
    *,
    on_mapping: Callable[[ColumnMapping, Table], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import every row of the spreadsheet at ``path`` into ``options.project``.

    Args:
        path: a CSV (any delimiter; UTF-8, UTF-8 with BOM, UTF-16 or Windows-1252) or XLSX.
        options: the project, ``--map`` overrides, ``--set`` values, ``dry_run`` and
            ``update``.
        on_mapping: called once the columns are mapped, before any row is read.
        progress: called with the row number after each row.

    Raises:
        ProjectNotFoundError: the project has no ``data/clinics/`` folder.
        ImportFileError: the file cannot be read as a table, is empty or has no rows.
        ColumnMappingError: a ``--map`` is wrong, or no column gives the name or the place.
        SetOptionError: a ``--set`` names no field, or a value its field does not accept.
    """
    options = options or ImportOptions()
    source = Path(path)
    directory = load_directory(options.project)  # before reading the file: is it a project?
    defaults = parse_set_options(options.set_values)
    check_set_values(defaults, directory)
    rejects: _RejectWriter | None = None
    try:
        with open_table(source) as table, AtomicBatch() as batch:
            mapping = map_columns(table.header, options.column_map, provided=defaults)
            if on_mapping is not None:
                on_mapping(mapping, table)
            importer = _Importer(directory, table, mapping, options, batch, defaults)
            if not options.dry_run:
                rejects = _RejectWriter.create(options.project / REJECTED_NAME, table.header)
            try:
                for number, cells, outcome in importer.checked_rows(table.rows):
                    importer.place(number, cells, outcome, rejects)
                    if progress is not None:
                        progress(number)
            except KeyboardInterrupt:  # keep the rows done so far, each file whole
                importer.commit()
                raise
            importer.commit()
        # moved into place after the input is closed: the input may be rejected.csv itself
        wrote = rejects.finish() if rejects is not None else False
    except BaseException:
        if rejects is not None:
            rejects.abandon()
        raise
    result = importer.result
    if result.rows == 0:
        raise ImportFileError(
            f"{source} has a header row (row {table.header_row}) but no clinic rows below it"
        )
    rejected_path = options.project / REJECTED_NAME
    if wrote or (result.rejected and options.dry_run):
        result.rejected_path = rejected_path
    elif rejected_path.exists():
        result.stale_rejected = rejected_path
    return result

"""Read a spreadsheet (CSV in any common dialect and encoding, or XLSX) one row at a time.

Rows are streamed: a 100,000-row file is never held in memory. CSV text is checked for
UTF-8 in one streaming pass first (a BOM is honoured; UTF-16 "Unicode text" exports too)
and read as Windows-1252 when it is not UTF-8, which is what Excel writes on Windows. The
delimiter is sniffed from the first 64 KB. XLSX is read with openpyxl in read-only mode and
formula cells come back as :class:`Formula`, never evaluated.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO

from kdirectory.exceptions import ImportFileError
from kdirectory.onboarding.safe_text import quoted, shown, unprotected
from kdirectory.onboarding.workbook_guard import check_workbook

SNIFF_BYTES = 65_536
# A cell may hold a long description; Python's default limit (128 KiB) would stop the import.
MAX_CELL_CHARS = 16 * 1024 * 1024
DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_ZIP_MAGIC = b"PK\x03\x04"
_XML_ERRORS: tuple[type[Exception], ...] = (SyntaxError, ValueError, OSError)
"""What openpyxl raises on XML it cannot read: ElementTree's ParseError and lxml's
XMLSyntaxError are SyntaxErrors; defusedxml's refusals are ValueErrors."""
_ROW_ERRORS: tuple[type[Exception], ...] = (*_XML_ERRORS, KeyError, IndexError)
"""What openpyxl raises on a row it cannot read (a shared string that does not exist)."""
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Formula:
    """A cell that holds a spreadsheet formula (``=A1&B1``) rather than a value."""

    text: str


Cell = str | int | float | bool | datetime | date | time | Formula | None


@dataclass
class Table:
    """An open spreadsheet: its header row, its data rows (streamed) and how it was read."""

    path: Path
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[Cell]]]
    """(row number as the spreadsheet shows it, cells) for every row below the header."""
    description: str
    notes: list[str] = field(default_factory=list)
    width: int = 0
    """Columns of the header row, counting unlabelled ones at its right end."""


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open ``path`` as a table; CSV (or TSV/TXT) and XLSX are understood.

    Raises:
        ImportFileError: the file is missing, empty, binary, an old ``.xls``, or has no
            header row.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder; give the spreadsheet file") from None
    except FileNotFoundError:
        raise ImportFileError(f"{path} does not exist") from None
    except OSError as exc:
        raise ImportFileError(f"{path} cannot be read: {exc.strerror}") from None
    if not head:
        raise ImportFileError(
            f"{path} is empty (0 bytes); export the spreadsheet again with a header row"
        )
    if head.startswith(_OLE_MAGIC):
        raise ImportFileError(
            f"{path} is an old Excel .xls workbook; open it in Excel and save it as .xlsx "
            "or CSV UTF-8"
        )
    if head.startswith(_ZIP_MAGIC):
        with _xlsx_table(path) as table:
            yield table
        return
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ImportFileError(f"{path} is named .xlsx but is not an Excel workbook")
    with _csv_table(path) as table:
        yield table


# --- CSV -----------------------------------------------------------------------------------


WINDOWS_FALLBACK = "kdirectory-windows-1252"
"""Codec error handler: a byte sequence that is not UTF-8 is read as Windows-1252."""
_UNDEFINED_IN_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _windows_1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    # the five bytes cp1252 leaves undefined are read as Latin-1 (C1 controls)
    text = "".join(chr(b) if b in _UNDEFINED_IN_1252 else bytes([b]).decode("cp1252") for b in bad)
    return text, error.end


codecs.register_error(WINDOWS_FALLBACK, _windows_1252)


@dataclass(frozen=True)
class TextEncoding:
    """How to decode a CSV file: ``open(path, encoding=codec, errors=errors)``."""

    codec: str
    errors: str
    label: str
    """How to describe it ("UTF-8 with BOM", "Windows-1252 where not UTF-8 …")."""
    fallback: bool
    """Some bytes are not UTF-8 and are read as Windows-1252."""


def detect_encoding(path: Path) -> TextEncoding:
    """How to read a CSV file, reading it once in chunks.

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as such. A file with bytes
    that are not UTF-8 is read as UTF-8 wherever it is valid and as Windows-1252 (what
    Excel writes on Windows) elsewhere: a Windows-1252 file reads right, and so does a
    UTF-8 file in which someone pasted a few Windows-1252 characters.
    """
    with path.open("rb") as handle:
        first = handle.read(SNIFF_BYTES)
        if first.startswith(codecs.BOM_UTF8):
            codec, label = "utf-8-sig", "UTF-8 with BOM"
        elif first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return TextEncoding("utf-16", "strict", "UTF-16 (Excel Unicode text)", False)
        else:
            codec, label = "utf-8", "UTF-8"
        if b"\x00" in first:
            raise ImportFileError(
                f"{path} is a binary file, not a CSV text file; export the sheet as CSV UTF-8"
            )
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk, offset = first, 0
        while chunk:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return TextEncoding(
                    codec,
                    WINDOWS_FALLBACK,
                    f"Windows-1252 where it is not UTF-8 (first at offset {offset + exc.start:,}"
                    f", byte 0x{chunk[exc.start]:02x}); save as CSV UTF-8 to be sure accents "
                    "are read right",
                    True,
                )
            offset += len(chunk)
            chunk = handle.read(1 << 20)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return TextEncoding(
                codec, WINDOWS_FALLBACK, "Windows-1252 where it is not UTF-8 (at the end)", True
            )
    return TextEncoding(codec, "strict", label, False)


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: what csv.Sniffer finds among , ; tab and |, else the
    one the first line holds most of, else a comma."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = next(iter(sample.splitlines()), "")
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


@contextmanager
def _csv_table(path: Path) -> Iterator[Table]:
    encoding = detect_encoding(path)
    notes = [f"read as {encoding.label}"] if encoding.fallback else []
    handle: TextIO = path.open(encoding=encoding.codec, errors=encoding.errors, newline="")
    try:
        sample = handle.read(SNIFF_BYTES)
        handle.seek(0)
        delimiter = sniff_delimiter(sample)
        # Only the delimiter is taken from the sniffer: its guesses about quoting are wrong
        # whenever the sample happens to hold no doubled quotes, and Excel always quotes
        # the standard way.
        _check_quotes(path, encoding, delimiter)
        reader = csv.reader(handle, csv.excel, delimiter=delimiter)
        description = (
            f"CSV, {_DELIMITER_NAMES[delimiter]}-delimited, {encoding.label.split(' (')[0]}"
        )
        yield _table(path, _csv_rows(path, reader), description, notes)
    finally:
        handle.close()


def _check_quotes(path: Path, encoding: TextEncoding, delimiter: str) -> None:
    """Read the whole file once for its structure, before any row is imported: a quote
    that is never closed would make every row after it part of one cell (read silently
    otherwise), and a cell past ``MAX_CELL_CHARS`` cannot be read at all.

    Raises:
        ImportFileError: naming the line where the broken row starts.
    """
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)
    with path.open(encoding=encoding.codec, errors=encoding.errors, newline="") as handle:
        reader = csv.reader(handle, csv.excel, delimiter=delimiter, strict=True)
        start = 1
        while True:
            try:
                next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    raise ImportFileError(
                        f'{path}: line {start}: a quote (") opens a cell that is never '
                        f"closed, so lines {start}-{reader.line_num} would be read as one "
                        "row; close the quote or remove it, then import again (nothing was "
                        "imported)"
                    ) from None
                if "field larger than field limit" in str(exc):
                    raise ImportFileError(
                        f"{path}: line {start}: a cell is longer than "
                        f"{MAX_CELL_CHARS // (1024 * 1024)} MB, often a quote that is never "
                        "closed; fix that row, then import again (nothing was imported)"
                    ) from None
                # other strictness (text after a closing quote) is read leniently below
            start = reader.line_num + 1


def _csv_rows(path: Path, reader: Iterator[list[str]]) -> Iterator[tuple[int, list[Cell]]]:
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(
                f"{path}: row {number + 1} cannot be read as CSV ({exc}); check for an "
                "unclosed quote on that row or the one above"
            ) from None
        number += 1
        cells: list[Cell] = list(row)
        yield number, cells


def _table(
    path: Path, rows: Iterator[tuple[int, list[Cell]]], description: str, notes: list[str]
) -> Table:
    """The table whose header is the first row that is not blank; the rest stream on."""
    for number, cells in rows:
        if any(_text(cell) for cell in cells):
            # a wrapped header cell ("Zip\nCode") reads as one line
            # and without the ' that rejected.csv puts before a formula character
            header = [unprotected(" ".join(_text(cell).split())) for cell in cells]
            width = len(header)
            while header and not header[-1]:
                header.pop()
            if width > len(header):
                notes.append(
                    f"{width - len(header)} column(s) after {quoted(header[-1])} have no "
                    "header; their cells are ignored"
                )
            return Table(path, header, number, rows, description, notes, width)
    raise ImportFileError(
        f"{path} has no rows (only blank lines); export the spreadsheet again with a "
        "header row and one row per clinic"
    )


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Formula):
        return cell.text
    return str(cell).strip()


# --- XLSX ----------------------------------------------------------------------------------


@contextmanager
def _xlsx_table(path: Path) -> Iterator[Table]:
    import zipfile  # noqa: PLC0415 - only for xlsx

    import openpyxl  # type: ignore[import-untyped]  # noqa: PLC0415 - slow import
    from openpyxl.utils.exceptions import (  # type: ignore[import-untyped]  # noqa: PLC0415
        InvalidFileException,
    )

    if _is_opendocument(path):
        raise ImportFileError(
            f"{path} is an OpenDocument spreadsheet (.ods); save it as .xlsx or as CSV UTF-8 "
            "and import that"
        )
    with path.open("rb") as handle:
        check_workbook(path, handle)  # limits and no DTD, before openpyxl reads a part
        try:
            # data_only=False: a formula cell reads as its formula text (cell type "f"), so
            # it is reported as damage; with data_only=True it would silently read as the
            # value cached when the file was last saved, or as empty when none was cached.
            # A file object, not the path: openpyxl refuses a workbook by its name
            # (export.csv, no suffix).
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        except (*_XML_ERRORS, zipfile.BadZipFile, KeyError, InvalidFileException) as exc:
            raise ImportFileError(
                f"{path} is not a readable .xlsx workbook ({type(exc).__name__}: {shown(exc)}); "
                "open it in Excel and save it again, or export it as CSV UTF-8"
            ) from None
        try:
            sheets = workbook.worksheets
            if not sheets:
                raise ImportFileError(f"{path} has no worksheets")
            sheet = sheets[0]
            sheet.reset_dimensions()  # do not trust the stored size; read to the real end
            notes = []
            title = quoted(sheet.title)
            if len(sheets) > 1:
                notes.append(
                    f"read the first sheet, {title} ({len(sheets)} sheets in the "
                    "file; move the clinics to the first sheet to import another one)"
                )
            description = f"Excel workbook, sheet {title}"
            yield _table(path, _xlsx_rows(path, sheet), description, notes)
        finally:
            workbook.close()


def _is_opendocument(path: Path) -> bool:
    import zipfile  # noqa: PLC0415 - only for workbooks

    try:
        with zipfile.ZipFile(path) as archive:
            if "mimetype" not in archive.namelist():
                return False
            return archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
    except (zipfile.BadZipFile, OSError):
        return False


def _xlsx_rows(path: Path, sheet: object) -> Iterator[tuple[int, list[Cell]]]:
    rows = sheet.iter_rows(min_row=1)  # type: ignore[attr-defined]
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _ROW_ERRORS as exc:
            # check_workbook read the sheet as well-formed XML; what is left is a cell
            # openpyxl cannot take (a shared string that does not exist, a bad number)
            raise ImportFileError(
                f"{path}: row {number + 1} cannot be read ({type(exc).__name__}: "
                f"{shown(exc)}); open the workbook in Excel and save it again, or export it "
                "as CSV UTF-8, then import it again (with --update: the records of rows "
                "before it may have been written)"
            ) from None
        number += 1
        cells: list[Cell] = [
            Formula(str(cell.value)) if cell.data_type == "f" else cell.value for cell in row
        ]
        yield number, cells


def cell_text(cell: Cell) -> str:
    """How a cell reads in the spreadsheet, for ``rejected.csv``: numbers without a stray
    ``.0``, dates in ISO form, formulas as written."""
    if cell is None:
        return ""
    if isinstance(cell, Formula):
        return cell.text
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat()
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)

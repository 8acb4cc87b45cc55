"""Refuse an ``.xlsx`` workbook that would exhaust memory or time, before it is read.

An ``.xlsx`` file is a zip of XML parts, and a few megabytes of zip can inflate to
gigabytes of XML (a zip bomb) or declare a million rows in a few bytes each. openpyxl
reads some parts whole (the workbook, the styles), keeps one list entry per shared
string and per row it has read, and fills the gaps between the rows and columns a sheet
names. So before openpyxl sees the file, :func:`check_workbook` reads it once, part by
part, in a streaming pass:

- the zip's directory: at most :data:`MAX_PARTS` parts, whose declared sizes add up to
  at most :data:`MAX_WORKBOOK_BYTES` uncompressed;
- every part, decompressed in chunks while its bytes are counted against the same limit
  (a declared size can lie);
- every XML part, with expat and no entity expansion: no document type declaration (the
  carrier of external entities, XXE, and of "billion laughs" entity expansion; Excel never
  writes one; only an SVG picture may have one), well-formed, and within the limits on
  rows (:data:`MAX_ROWS`), columns (:data:`MAX_COLUMNS`), cells (:data:`MAX_CELLS`),
  shared strings and elements per part.

Memory stays bounded whatever the file holds: one chunk and a few counters.
"""

from __future__ import annotations

import struct
import xml.parsers.expat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kdirectory.exceptions import ImportFileError
from kdirectory.onboarding.safe_text import quoted, shown

MAX_WORKBOOK_BYTES = 256 * 1024 * 1024
"""Uncompressed bytes of all parts together: about ten times a 100,000-row clinic list."""
MAX_PARTS = 10_000
"""Parts (files) in the zip; a workbook has a few dozen."""
MAX_ROWS = 1_048_576
"""Rows of a sheet: Excel's own limit."""
MAX_COLUMNS = 16_384
"""Columns of a sheet (XFD): Excel's own limit."""
MAX_CELLS = 20_000_000
"""Cells of all sheets, each row counted as wide as its last cell (the reader fills the
gaps): 100,000 rows of 200 columns."""
MAX_SHARED_STRINGS = 2_000_000
"""Distinct texts in the workbook's shared string table (each is kept in memory)."""
MAX_PART_ELEMENTS = 1_000_000
"""XML elements of one part outside the rows of a sheet and the shared strings: parts
such as the styles are read whole into memory."""
MAX_ITEM_ELEMENTS = 100_000
"""XML elements in one row or one shared string (each is read whole)."""

CHUNK_BYTES = 1024 * 1024
_HOW_TO_PROCEED = (
    "split the sheet into smaller workbooks, or save it as CSV UTF-8 and import that "
    "(nothing was imported)"
)
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_DOCTYPE_ALLOWED = "svg"
"""The only document whose type declaration is accepted: a picture in the workbook."""


class WorkbookRefusedError(ImportFileError):
    """A workbook that is over a limit or carries a document type declaration."""


class _Refused(Exception):  # noqa: N818 - raised inside expat handlers, never escapes
    """Stops the expat pass from inside a handler; carries the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_workbook(path: Path, handle: BinaryIO) -> None:
    """Read the workbook open as ``handle`` once, part by part, and refuse it when it is
    over a limit or unsafe (see the module's description). ``handle`` is left at its start.

    Raises:
        WorkbookRefusedError: naming the file, the part and the limit, and how to go on.
        ImportFileError: the file is not a readable zip.
    """
    _check_entry_count(path, handle)
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    with archive:
        declared = _declared_total(archive)
        if declared > MAX_WORKBOOK_BYTES:
            raise WorkbookRefusedError(
                f"{path}: its parts hold {_size(declared)} once uncompressed (the zip's own "
                f"directory says so), more than the {_size(MAX_WORKBOOK_BYTES)} a workbook "
                f"may hold; {_HOW_TO_PROCEED}"
            )
        counter = _Counter()
        for info in archive.infolist():
            if not info.is_dir():
                _scan_part(path, archive, info, counter)
    handle.seek(0)


def _declared_total(archive: zipfile.ZipFile) -> int:
    return sum(info.file_size for info in archive.infolist())


def _check_entry_count(path: Path, handle: BinaryIO) -> None:
    """Refuse a zip whose directory lists more than :data:`MAX_PARTS` parts, from its end
    record, before the directory is read into memory."""
    handle.seek(0, 2)
    size = handle.tell()
    tail_start = max(0, size - (22 + 65_535))
    handle.seek(tail_start)
    tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return  # not a zip after all: zipfile says so, with its reason
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    if entries == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR:
        (record_offset,) = struct.unpack_from("<Q", tail, at - 20 + 8)
        handle.seek(record_offset)
        record = handle.read(56)
        if len(record) == 56 and record.startswith(_ZIP64_EOCD):
            (entries,) = struct.unpack_from("<Q", record, 32)
    if entries > MAX_PARTS:
        raise WorkbookRefusedError(
            f"{path}: the zip lists {entries:,} parts, more than the {MAX_PARTS:,} a "
            f"workbook may have; {_HOW_TO_PROCEED}"
        )


@dataclass
class _Counter:
    """What the whole workbook has used so far."""

    bytes: int = 0
    cells: int = 0


def _scan_part(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: _Counter
) -> None:
    part: _XmlPart | None = None
    looked = False
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                total.bytes += len(chunk)
                if total.bytes > MAX_WORKBOOK_BYTES:
                    raise WorkbookRefusedError(
                        f"{path}: part {quoted(info.filename)} and those before it hold "
                        f"more than {_size(MAX_WORKBOOK_BYTES)} once uncompressed (more "
                        f"than the zip's directory declares), the most a workbook may "
                        f"hold; {_HOW_TO_PROCEED}"
                    )
                if not looked:
                    looked = True
                    if _looks_like_xml(chunk):
                        part = _XmlPart(path, info.filename, total)
                if part is not None:
                    part.feed(chunk)
            if part is not None:
                part.close()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ImportFileError(
            f"{path}: part {quoted(info.filename)} cannot be read ({type(exc).__name__}: "
            f"{shown(exc)}); the file is damaged or not a workbook: open it in Excel and save it "
            "again, or export it as CSV UTF-8"
        ) from None


def _looks_like_xml(start: bytes) -> bool:
    """Whether a part is XML by its first bytes (whatever its name): ``<`` after a byte
    order mark and white space, in UTF-8 or UTF-16."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        start = start.removeprefix(bom)
    head = start[:1024].replace(b"\x00", b"").lstrip(b" \t\r\n")
    return head.startswith(b"<")


class _XmlPart:
    """The expat pass over one XML part: counts, and refuses at the first excess."""

    def __init__(self, path: Path, name: str, total: _Counter) -> None:
        self.path = path
        self.name = name
        self.total = total
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.doctype: str | None = None
        self.depth = 0
        self.root = ""
        self.elements = 0
        self.sheet_data_depth = -1
        self.item_depth = -1
        """Depth of the row or shared string being read; -1 outside one."""
        self.item_elements = 0
        self.row = 0
        self.row_width = 0
        self.column = 0
        self.shared_strings = 0

    def feed(self, chunk: bytes) -> None:
        self._parse(chunk, final=False)

    def close(self) -> None:
        self._parse(b"", final=True)

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except _Refused as refused:
            raise WorkbookRefusedError(
                f"{self.path}: part {quoted(self.name)}: {refused.message}"
            ) from None
        except xml.parsers.expat.ExpatError as exc:
            raise ImportFileError(
                f"{self.path}: part {quoted(self.name)} is not well-formed XML (line "
                f"{exc.lineno}, column {exc.offset + 1}: "
                f"{xml.parsers.expat.ErrorString(exc.code)}); the file is damaged: open it "
                "in Excel and save it again, or export it as CSV UTF-8"
            ) from None

    # -- expat handlers ---------------------------------------------------------------------

    def _doctype(
        self, name: str, _system_id: str | None, _public_id: str | None, _internal: int
    ) -> None:
        self.doctype = name.rpartition(":")[2]
        if self.doctype != _DOCTYPE_ALLOWED:
            raise _Refused(
                "holds a document type declaration (<!DOCTYPE …>), which Excel never "
                "writes: it can declare entities that read files on this computer (XXE) or "
                "expand to gigabytes (billion laughs), so the workbook is not read; open it "
                "in Excel and save it again, or export it as CSV UTF-8 (nothing was imported)"
            )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        depth = self.depth = self.depth + 1
        if depth == 1:
            self.root = local
            if self.doctype is not None and local != _DOCTYPE_ALLOWED:
                raise _Refused(
                    f"declares a document type ({shown(self.doctype)}) that is not what it "
                    f"holds ({shown(local)}); the file is damaged or crafted: open it in Excel "
                    "and save it again, or export it as CSV UTF-8"
                )
        if self.item_depth >= 0:
            self.item_elements += 1
            if self.item_elements > MAX_ITEM_ELEMENTS:
                what = f"row {self.row:,}" if self.root != "sst" else "a shared string"
                raise _Refused(
                    f"{what} holds more than {MAX_ITEM_ELEMENTS:,} XML elements; " + _HOW_TO_PROCEED
                )
            if local == "c" and depth == self.item_depth + 1 and self.root != "sst":
                self._cell(attributes.get("r"))
        elif local == "row" and depth == self.sheet_data_depth + 1:
            self._row(attributes.get("r"))
        elif self.root == "sst" and depth == 2 and local == "si":
            self.shared_strings += 1
            if self.shared_strings > MAX_SHARED_STRINGS:
                raise _Refused(
                    f"the workbook has more than {MAX_SHARED_STRINGS:,} distinct texts; "
                    + _HOW_TO_PROCEED
                )
            self.item_depth, self.item_elements = depth, 0
        else:
            self.elements += 1
            if self.elements > MAX_PART_ELEMENTS:
                raise _Refused(
                    f"holds more than {MAX_PART_ELEMENTS:,} XML elements besides rows and "
                    f"texts; {_HOW_TO_PROCEED}"
                )
            if local == "sheetData" and self.sheet_data_depth < 0:
                self.sheet_data_depth = depth

    def _end(self, _name: str) -> None:
        if self.depth == self.item_depth:
            self.item_depth = -1
            self.total.cells += self.row_width
            if self.total.cells > MAX_CELLS:
                raise _Refused(
                    f"row {self.row:,}: the workbook holds more than {MAX_CELLS:,} cells "
                    f"(each row counted up to its last cell); {_HOW_TO_PROCEED}"
                )
        self.depth -= 1

    def _row(self, reference: str | None) -> None:
        if reference is None:
            self.row += 1
        else:
            self.row = _row_number(reference)
        if self.row > MAX_ROWS:
            raise _Refused(
                f"names row {self.row:,}, past the {MAX_ROWS:,} rows a sheet may have "
                f"(Excel's own limit); {_HOW_TO_PROCEED}"
            )
        self.item_depth, self.item_elements = self.depth, 0
        self.row_width = self.column = 0

    def _cell(self, reference: str | None) -> None:
        if reference is None:
            self.column += 1
        else:
            letters = reference.rstrip("0123456789")
            self.column = _column_number(letters, reference)
        if self.column > MAX_COLUMNS:
            raise _Refused(
                f"row {self.row:,} has a cell in column {self.column:,}, past the "
                f"{MAX_COLUMNS:,} columns a sheet may have (Excel's own limit); " + _HOW_TO_PROCEED
            )
        self.row_width = max(self.row_width, self.column)


_DAMAGED = "the file is damaged: open it in Excel and save it again, or export it as CSV UTF-8"


def _row_number(reference: str) -> int:
    try:
        number = float(reference)
    except ValueError:
        number = 0.5
    if not number.is_integer() or number < 1:
        raise _Refused(f"names row {quoted(reference, 20)}, which is not a row number; {_DAMAGED}")
    return int(number)


def _column_number(letters: str, reference: str) -> int:
    if not letters.isalpha() or not letters.isascii():
        raise _Refused(
            f"has a cell {quoted(reference, 20)}, which is not a cell reference; {_DAMAGED}"
        )
    if len(letters) > len("XFD"):
        return MAX_COLUMNS + 1
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):,.0f} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


def _unreadable(path: Path, exc: Exception) -> ImportFileError:
    return ImportFileError(
        f"{path} is not a readable .xlsx workbook ({type(exc).__name__}: {shown(exc)}); open it in "
        "Excel and save it again, or export it as CSV UTF-8"
    )

"""Workbooks built to hurt `kdirectory import`: zip bombs (caught by the sizes they declare
and by the bytes they inflate to), XML entities (XXE, billion laughs), sheets past Excel's
own limits and damaged parts are refused before anything is read; a workbook within the
limits imports."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kdirectory.exceptions import ImportFileError
from kdirectory.onboarding import workbook_guard
from kdirectory.onboarding.importer import ImportOptions, import_file
from kdirectory.onboarding.workbook_guard import WorkbookRefusedError
from tests.onboarding.spreadsheets import COLUMNS, GOOD_ROW, records, run_import

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _deflate(data: bytes, *, final: bool) -> bytes:
    """Raw deflate of ``data``; a non-final segment ends with a full flush, so that
    segments can be concatenated (and one repeated) into one valid stream."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(data)
    return body + (compressor.flush() if final else compressor.flush(zlib.Z_FULL_FLUSH))


def _raw_zip(parts: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip of raw deflate ``parts`` (name -> (data, declared size, CRC)), written by hand
    so that declared sizes and CRCs can be whatever a test needs."""
    out = io.BytesIO()
    central = []
    for name, (data, size, crc) in parts.items():
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                        len(encoded), 0) + encoded + data
        )  # fmt: skip
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data),
                        size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        )  # fmt: skip
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts),
                          len(directory), start, 0))  # fmt: skip
    return out.getvalue()


def _workbook_parts(rows: list[list[Any]] | None = None) -> dict[str, bytes]:
    """The parts of a small real workbook (header and one clinic), by name."""
    workbook = openpyxl.Workbook()
    for row in rows if rows is not None else [COLUMNS, GOOD_ROW]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _save(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _sheet(rows: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def _bomb(path: Path, *, rows: int, declared: int | None = None) -> Path:
    """A workbook whose sheet is a header and ``rows`` rows of one number, made from one
    compressed block repeated: 30 million rows (780 MB of XML) fit in 2 MB."""
    head = _sheet("<row>" + "".join(
        f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in COLUMNS) + "</row>"
    ).split(b"</sheetData>")[0]  # fmt: skip
    block = b"<row><c><v>1</v></c></row>" * 40_000
    tail = b"</sheetData></worksheet>"
    blocks = rows // 40_000
    data = (
        _deflate(head, final=False)
        + _deflate(block, final=False) * blocks
        + _deflate(tail, final=True)
    )
    size = len(head) + len(block) * blocks + len(tail)
    parts = {
        name: (_deflate(raw, final=True), len(raw), zlib.crc32(raw))
        for name, raw in _workbook_parts().items()
    }
    parts[SHEET] = (data, size if declared is None else declared, 0)
    path.write_bytes(_raw_zip(parts))
    return path


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peak of Python's allocations inside the block, in bytes (in ``[0]``)."""
    tracemalloc.start()
    found = [0]
    try:
        yield found
    finally:
        found[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_by_the_sizes_it_declares(project: Path, tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx", rows=30_000_000)
    assert bomb.stat().st_size < 5_000_000
    with peak_memory() as peak:
        result = run_import(str(bomb), "--into", str(project))
    assert result.exit_code == 1
    assert peak[0] < 50_000_000
    assert "bomb.xlsx: its parts hold 744 MB once uncompressed" in result.output
    assert "more than the 256 MB a workbook may hold" in result.output
    assert "split the sheet into smaller workbooks, or save it as CSV UTF-8" in result.output
    assert records(project) == {}
    assert not (project / "rejected.csv").exists()


def test_a_part_that_inflates_past_its_declared_size_is_refused(
    project: Path, tmp_path: Path
) -> None:
    bomb = _bomb(tmp_path / "liar.xlsx", rows=10_000_000, declared=100_000)
    with peak_memory() as peak, pytest.raises(ImportFileError) as caught:
        import_file(bomb, ImportOptions(project=project))
    assert peak[0] < 50_000_000
    message = str(caught.value)
    assert f'part "{SHEET}" cannot be read' in message
    assert "the file is damaged or not a workbook" in message
    assert records(project) == {}


def test_bytes_are_counted_while_streaming_not_only_as_declared(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a zip reader that believed the directory less than this one does: the declared
    # total is not consulted, and the bytes read are counted all the same
    monkeypatch.setattr(workbook_guard, "_declared_total", lambda _archive: 0)
    monkeypatch.setattr(workbook_guard, "MAX_WORKBOOK_BYTES", 4 * 1024 * 1024)
    bomb = _bomb(tmp_path / "bomb.xlsx", rows=400_000)
    with pytest.raises(WorkbookRefusedError) as caught:
        import_file(bomb, ImportOptions(project=project))
    assert f'part "{SHEET}" and those before it hold more than 4 MB' in str(caught.value)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2000000"><c r="A2000000"><v>1</v></c></row>',
         "names row 2,000,000, past the 1,048,576 rows a sheet may have (Excel's own limit)"),
        ('<row r="1"><c r="XFE1"><v>1</v></c></row>',
         "row 1 has a cell in column 16,385, past the 16,384 columns a sheet may have"),
        ('<row r="1"><c r="AAAAAAAAAAAAAAAAAAAA1"><v>1</v></c></row>',
         "past the 16,384 columns a sheet may have"),
        ("".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(1, 1300)),
         "row 1,221: the workbook holds more than 20,000,000 cells"),
        ("<row>" + "<x/>" * 100_001 + "</row>", "row 1 holds more than 100,000 XML elements"),
        ('<row r="1.5"><c><v>1</v></c></row>', 'names row "1.5", which is not a row number; the file is damaged'),
        ('<row><c r="1A"><v>1</v></c></row>', 'has a cell "1A", which is not a cell reference; the file is damaged'),
    ],
)  # fmt: skip
def test_rows_columns_and_cells_are_capped_before_anything_is_read(
    project: Path, tmp_path: Path, rows: str, expected: str
) -> None:
    parts = _workbook_parts()
    parts[SHEET] = _sheet(rows)
    path = _save(tmp_path / "wide.xlsx", parts)
    with pytest.raises(WorkbookRefusedError) as caught:
        import_file(path, ImportOptions(project=project))
    message = str(caught.value)
    assert message.startswith(f'{path}: part "{SHEET}": ')
    assert expected in message
    assert "CSV UTF-8" in message


def test_an_xxe_workbook_is_refused_and_the_file_it_names_is_never_read(
    project: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN", encoding="utf-8")
    parts = _workbook_parts()
    parts[SHEET] = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row>'
        + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in COLUMNS)
        + '</row><row><c t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    path = _save(tmp_path / "xxe.xlsx", parts)
    result = run_import(str(path), "--into", str(project))
    assert result.exit_code == 1
    assert "TOP-SECRET-TOKEN" not in result.output
    assert f'xxe.xlsx: part "{SHEET}": holds a document type declaration' in result.output
    assert "open it in Excel and save it again, or export it as CSV UTF-8" in result.output
    assert records(project) == {}


def test_billion_laughs_in_any_part_is_refused(project: Path, tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    parts = _workbook_parts()
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN_NS}">'
        "<si><t>&a9;</t></si></sst>"
    ).encode()
    path = _save(tmp_path / "laughs.xlsx", parts)
    with peak_memory() as peak, pytest.raises(WorkbookRefusedError) as caught:
        import_file(path, ImportOptions(project=project))
    assert peak[0] < 50_000_000
    assert 'part "xl/sharedStrings.xml": holds a document type declaration' in str(caught.value)


def test_a_picture_with_a_document_type_is_no_reason_to_refuse(
    project: Path, tmp_path: Path
) -> None:
    parts = _workbook_parts()
    parts["xl/media/logo.svg"] = (
        b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    parts["xl/media/fake.svg"] = b'<!DOCTYPE svg><worksheet xmlns="x"/>'
    path = _save(tmp_path / "logo.xlsx", parts)
    with pytest.raises(WorkbookRefusedError) as caught:
        import_file(path, ImportOptions(project=project))
    assert 'part "xl/media/fake.svg": declares a document type (svg)' in str(caught.value)
    del parts["xl/media/fake.svg"]
    result = import_file(_save(path, parts), ImportOptions(project=project))
    assert result.created == 1


def test_a_damaged_part_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    parts = _workbook_parts()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"][:-20]
    path = _save(tmp_path / "cut.xlsx", parts)
    result = run_import(str(path), "--into", str(project))
    assert result.exit_code == 1
    assert (
        'cut.xlsx: part "xl/workbook.xml" is not well-formed XML (line 1, column' in result.output
    )
    assert "internal error" not in result.output


def test_a_cell_naming_a_missing_shared_string_is_a_clear_error(
    project: Path, tmp_path: Path
) -> None:
    parts = _workbook_parts()
    parts[SHEET] = _sheet(
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in COLUMNS)
        + '</row><row><c t="s"><v>99</v></c></row>'
    )  # fmt: skip
    path = _save(tmp_path / "strings.xlsx", parts)
    result = run_import(str(path), "--into", str(project))
    assert result.exit_code == 1
    assert "strings.xlsx: row 2 cannot be read (IndexError" in result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    ("limit", "part", "content", "expected"),
    [
        ("MAX_PART_ELEMENTS", "xl/styles.xml",
         b'<styleSheet xmlns="x">' + b"<numFmt/>" * 2_000 + b"</styleSheet>",
         'part "xl/styles.xml": holds more than 1,000 XML elements besides rows and texts'),
        ("MAX_SHARED_STRINGS", "xl/sharedStrings.xml",
         b'<sst xmlns="x">' + b"<si><t>a</t></si>" * 2_000 + b"</sst>",
         "the workbook has more than 1,000 distinct texts"),
        ("MAX_PARTS", "extra/0.xml", b"<x/>", "the zip lists 1,0"),
    ],
)  # fmt: skip
def test_parts_elements_and_shared_strings_are_capped(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    part: str,
    content: bytes,
    expected: str,
) -> None:
    monkeypatch.setattr(workbook_guard, limit, 1_000)
    parts = _workbook_parts()
    parts[part] = content
    if limit == "MAX_PARTS":
        parts.update({f"extra/{n}.xml": b"<x/>" for n in range(1_000)})
    path = _save(tmp_path / "many.xlsx", parts)
    with pytest.raises(WorkbookRefusedError) as caught:
        import_file(path, ImportOptions(project=project))
    assert expected in str(caught.value)


def test_a_workbook_within_the_limits_imports(project: Path, tmp_path: Path) -> None:
    path = _save(tmp_path / "fine.xlsx", _workbook_parts())
    result = import_file(path, ImportOptions(project=project))
    assert (result.created, result.rejected) == (1, 0)

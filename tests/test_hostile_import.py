"""`kdirectory import` of files built to hurt: formulas for whoever opens `rejected.csv`,
Rich markup and terminal escapes in cells and headers, zip bombs and XML entities in
workbooks, a header of 200,000 columns, and names made only of symbols."""

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
import yaml

from kdirectory import load_directory, validate
from kdirectory.exceptions import ImportFileError
from kdirectory.onboarding import workbook_guard
from kdirectory.onboarding.importer import ImportOptions, import_file
from kdirectory.onboarding.safe_text import (
    is_formula,
    listed,
    shown,
    spreadsheet_cell,
    unprotected,
)
from kdirectory.onboarding.workbook_guard import WorkbookRefusedError
from tests.helpers import ProjectFactory
from tests.onboarding.spreadsheets import records, rejected_cells, run_import, write_csv

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["Practice Name", "Address 1", "City", "State", "Zip Code", "Phone Number"]
GOOD_ROW = ["Harbor Clinic", "1200 N Main St", "Escondido", "CA", "92025", "(760) 555-0123"]


@pytest.fixture
def project(make_project: ProjectFactory) -> Path:
    """An empty site project."""
    return make_project()


# --- 1. formulas in rejected.csv ------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example","Click")'


def test_rejected_csv_protects_every_cell_that_a_spreadsheet_would_run(
    project: Path, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "evil.csv",
        [
            [*HEADER, EVIL, "@SUM(A1)", " -2+3+cmd|' /C calc'!A0"],
            ["Oak Clinic", "5 Oak Ave", "Escondido", "ZZ", "92025", "+1 760 555 0124", "", "", ""],
            [f"'{EVIL}", "6 Elm St", "Escondido", "CA", "92025", "-", "\t=1+1", "x", "y"],
        ],
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1, result.output
    assert records(project) == {}
    header, state_row, name_row = rejected_cells(project)
    assert header[:8] == ["row", "reason", *HEADER]
    assert header[8:] == [f"'{EVIL}", "'@SUM(A1)", "'-2+3+cmd|' /C calc'!A0"]
    # a reason that starts with a header is protected like any cell
    assert state_row[1].startswith('State: "ZZ" is not a US state')
    assert state_row[7] == "'+1 760 555 0124"
    # the quoted formula is a formula once the quote is taken for protection
    assert name_row[1].startswith("Practice Name: holds the formula")
    assert name_row[2] == f"''{EVIL}"
    assert name_row[8] == "'\t=1+1"
    assert name_row[7] == "'-"  # a placeholder, protected like anything that starts so
    # no cell a spreadsheet would run is left without its protecting quote
    for row in (header, state_row, name_row):
        for cell in row:
            runs = cell.lstrip(' \t\r\n"').startswith(("=", "+", "-", "@", "\t", "\r"))
            assert cell.startswith("'") or not runs, cell


def test_a_reason_starting_with_a_formula_header_is_protected(
    project: Path, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "evil.csv",
        [[EVIL, "City", "State"], ["Harbor Clinic", "Escondido", "ZZ"]],
    )
    result = run_import(str(sheet), "--into", str(project), "--map", f"{EVIL}=name")
    assert result.exit_code == 1, result.output
    header, row = rejected_cells(project)
    assert header[2] == f"'{EVIL}"
    assert row[1].startswith('State: "ZZ"')
    # the header itself went into the reason of a row whose name cell is bad
    bad = write_csv(tmp_path / "bad.csv", [[EVIL, "City", "State"], ["=1+1", "Escondido", "CA"]])
    result = run_import(str(bad), "--into", str(project), "--map", f"{EVIL}=name")
    assert result.exit_code == 1, result.output
    _header, row = rejected_cells(project)
    assert row[1].startswith(f"'{EVIL}: holds the formula")
    assert row[2] == "'=1+1"


def test_reimporting_rejected_csv_round_trips_values_and_still_refuses_formulas(
    project: Path, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "clinics.csv",
        [
            HEADER,
            ["-Dash Clinic", "1 A St", "Escondido", "ZZ", "92025", "+1 760 555 0124"],
            ["@Handle Clinic", "2 B St", "Escondido", "ZZ", "92025", "+1 (760) 555-0125"],
            [f"'{EVIL}", "3 C St", "Escondido", "CA", "92025", "(760) 555-0126"],
        ],
    )
    assert run_import(str(sheet), "--into", str(project)).exit_code == 1
    rejected = project / "rejected.csv"
    assert len(rejected_cells(project)) == 4
    # fix the states in rejected.csv (as Excel would save it: the protecting quotes kept)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(
        rejected.read_text(encoding="utf-8-sig").replace(",ZZ,", ",CA,"), encoding="utf-8"
    )
    result = run_import(str(fixed), "--into", str(project))
    assert result.exit_code == 1, result.output
    got = records(project)
    assert {record["name"] for record in got.values()} == {"-Dash Clinic", "@Handle Clinic"}
    assert sorted(record["phone"] for record in got.values()) == [
        "(760) 555-0124",
        "(760) 555-0125",
    ]
    # the formula is still refused, and not imported as a clinic named "=HYPERLINK(…)"
    [_header, row] = rejected_cells(project)
    assert "holds the formula" in row[1]
    assert not any(str(r["name"]).startswith(("=", "'")) for r in got.values())


@pytest.mark.parametrize(
    ("text", "protected"),
    [
        ("=1+1", "'=1+1"),
        ("+1 760 555 0123", "'+1 760 555 0123"),
        ("-Dash", "'-Dash"),
        ("@handle", "'@handle"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1", "' =1"),
        ('"=1"', '\'"=1"'),
        ("'=1", "''=1"),
        ("-117.08", "-117.08"),  # a plain number cannot run anything
        ("'Ohana Clinic", "'Ohana Clinic"),
        ("Harbor", "Harbor"),
    ],
)
def test_spreadsheet_cell_and_unprotected_round_trip(text: str, protected: str) -> None:
    assert spreadsheet_cell(text) == protected
    assert unprotected(protected) == text


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("=A1", True),
        ("'=A1", True),
        ("  '  =A1", True),
        ("@SUM(A1)", True),
        ('+HYPERLINK("x")', True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("+1 (760) 555-0123", False),
        ("-Harbor-", False),
        ("@harborclinic", False),
        ("-117.08", False),
        ('"=A1"', False),
        ("- Spravato(esketamine)\n- IV infusion", False),
        ("-Spravato(esketamine)", True),
    ],
)
def test_is_formula(text: str, formula: bool) -> None:
    assert is_formula(text) is formula


# --- 2. Rich markup -------------------------------------------------------------------------


def test_rich_markup_in_headers_and_cells_is_printed_as_text(project: Path, tmp_path: Path) -> None:
    link = "[link=https://evil.example]Click[/link]"
    sheet = write_csv(
        tmp_path / "markup.csv",
        [
            ["[bold]Clinic[/bold]", "City", "State", "Zip Code", link, "[/]"],
            ["Harbor [/] Clinic", "Escondido", "CA", "92025", "x", "y"],
            ["Bad [/]", "Escondido", "[/]", "92025", "x", "y"],
            ["[bold]Oak[/bold]", "Escondido", "ZZ", "92025", "[/]", "[red]"],
        ],
    )
    result = run_import(str(sheet), "--into", str(project), "--map", "[bold]Clinic[/bold]=name")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "[bold]Clinic[/bold]" in result.output
    assert link in result.output  # not shown as "Click"
    assert "[/]" in result.output
    assert 'State: "[/]" is not a US state' in result.output
    names = {record["name"] for record in records(project).values()}
    assert names == {"Harbor [/] Clinic"}
    assert len(rejected_cells(project)) == 3


def test_rich_markup_in_a_file_name_and_warnings(project: Path, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append([*HEADER, "[b]Suite[/b]"])
    workbook.active.append([*GOOD_ROW, "  Suite [/] 5  "])
    path = tmp_path / "[red]clinics[x].xlsx"
    workbook.save(path)
    result = run_import(str(path), "--into", str(project), "--map", "[b]Suite[/b]=address.unit")
    assert result.exit_code == 0, result.output
    assert "Reading " in result.output and "[red]clinics[x].xlsx" in result.output
    assert "row 2: [b]Suite[/b]: stray spaces removed" in result.output
    [record] = records(project).values()
    assert record["address"]["unit"] == "Suite [/] 5"


# --- 3. zip bombs and XML entities ----------------------------------------------------------


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
    for row in rows if rows is not None else [HEADER, GOOD_ROW]:
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
        f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER) + "</row>"
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
        + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER)
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
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER)
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


# --- 4. many columns ------------------------------------------------------------------------


def test_200000_columns_make_a_short_message_and_a_short_mapping(
    project: Path, tmp_path: Path
) -> None:
    columns = [f"Column {n}" for n in range(200_000)]
    sheet = tmp_path / "wide.csv"
    sheet.write_text(",".join(columns) + "\n" + ",".join("x" for _ in columns) + "\n")
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 2
    assert len(result.output) < 2_000
    assert "no column gives the clinic's name" in result.output
    assert '"Column 0", "Column 1"' in result.output
    assert "… and 199,990 more" in result.output
    # a --map naming no column of them
    result = run_import(str(sheet), "--into", str(project), "--map", "Clinic=name")
    assert result.exit_code == 2
    assert len(result.output) < 2_000
    assert '--map "Clinic=…": the file has no column "Clinic"' in result.output
    # with the name and place mapped, the mapping table lists the first ignored columns
    wide = tmp_path / "wide2.csv"
    header = ["Practice Name", "City", "State", *columns[:5_000]]
    row = ["Harbor Clinic", "Escondido", "CA", *("" for _ in columns[:5_000])]
    write_csv(wide, [header, row])
    result = run_import(str(wide), "--into", str(project), "--dry-run")
    assert result.exit_code == 0, result.output[-2_000:]
    assert "… 4,970 more columns" in result.output
    assert result.output.count("Column ") < 100


def test_listed_counts_what_it_leaves_out() -> None:
    assert listed(["a", "b"]) == '"a", "b"'
    assert listed(map(str, range(12)), limit=3) == '"0", "1", "2", … and 9 more'


# --- 6. names made only of symbols ----------------------------------------------------------

RECORD = """\
name: "{name}"
slug: {slug}
address:
  street: {street}
  city: Escondido
  region: CA
  postal_code: "92025"
therapies: [ketamine-therapy]
"""


def test_names_without_letters_are_compared_only_when_equal(make_project: ProjectFactory) -> None:
    names = ["***", "!!!", "The Clinic", "Clinic Center", "診療所", "病院", "***"]
    root = make_project(
        {
            f"c{n}.yaml": RECORD.format(name=name, slug=f"clinic-{n}", street=f"{n + 1} Main St")
            for n, name in enumerate(names)
        }
    )
    report = validate(load_directory(root))
    similar = [p for p in report.problems if p.rule.startswith("directory.similar_name")]
    assert [(p.file, p.message) for p in similar] == [
        ("data/clinics/c6.yaml", '"***" is nearly the same name as "***" in data/clinics/c0.yaml (same city)')
    ]  # fmt: skip


def test_import_does_not_take_symbol_names_for_duplicates(project: Path, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "symbols.csv",
        [
            ["Practice Name", "City", "State"],
            ["***", "Escondido", "CA"],
            ["!!!", "Escondido", "CA"],
            ["***", "Escondido", "CA"],
        ],
    )
    result = import_file(sheet, ImportOptions(project=project))
    assert (result.created, result.rejected) == (2, 1)
    assert result.reasons == {"duplicate.in_file": 1}


# --- 7. control characters ------------------------------------------------------------------


def test_control_characters_reject_the_row_naming_the_column_and_are_never_echoed(
    project: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "escapes.csv"
    sheet.write_bytes(
        b"Practice Name,City,State,Zip Code,Notes\x1b[2J\n"
        b"Harbor\x1b[31m Clinic,Escondido,CA,92025,x\n"
        b"Oak Clinic,Escon\x07dido,CA,92025,x\n"
        b'"Elm\xc2\x9b Clinic",Escondido,CA,92025,x\n'  # C1: CSI
        b'"Line\r\nBreak Clinic",Escondido,CA,92025,x\n'  # a line break is a space
        b"Tab\tClinic,Escondido,CA,92025,x\n"
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1, result.output
    for raw in ("\x1b", "\x07", "\x9b"):
        assert raw not in result.output
    assert "Notes\\x1b[2J" in result.output  # the ignored header, escaped
    rows = {row[0]: row[1] for row in rejected_cells(project)[1:]}
    assert rows == {
        "2": "Practice Name: holds the control character \\x1b (first at character 7: "
        '"Harbor\\x1b[31m Clinic") (delete it in the spreadsheet (it is invisible there; '
        "often pasted from a terminal or left by a broken export), then import again)",
        "3": rows["3"],
        "4": rows["4"],
    }
    assert rows["3"].startswith("City: holds the control character \\x07")
    assert rows["4"].startswith("Practice Name: holds the control character \\x9b")
    names = {record["name"] for record in records(project).values()}
    assert names == {"Line Break Clinic", "Tab Clinic"}
    # rejected.csv keeps the cells as they were, so nothing is lost
    assert rejected_cells(project)[1][2] == "Harbor\x1b[31m Clinic"


def test_a_control_character_in_a_header_is_escaped_in_record_comments(
    project: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "header.csv"
    sheet.write_bytes(b"Practice Name,City,State,Zip\x1bCode\nHarbor Clinic,Escondido,CA, 92025 \n")
    result = run_import(
        str(sheet), "--into", str(project), "--map", "Zip\x1bCode=address.postal_code"
    )
    assert "\x1b" not in result.output
    [record] = (project / "data" / "clinics").glob("*.yaml")
    text = record.read_text(encoding="utf-8")
    assert "\x1b" not in text
    assert "Zip\\x1bCode" in text
    yaml.safe_load(text)


def test_shown_escapes_controls_and_bidi_overrides() -> None:
    assert shown("a\x1b[31mb\u202ec\nd\x85") == "a\\x1b[31mb\\u202ec\\x0ad\\x85"
    assert shown("x" * 100, 10) == "x" * 9 + "…"
    assert shown("Clínica Ñandú 診療所") == "Clínica Ñandú 診療所"


def test_a_set_value_with_a_control_character_is_a_usage_error(
    project: Path, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "ok.csv", [["Practice Name", "City", "State"], ["A", "Vista", "CA"]]
    )
    result = run_import(str(sheet), "--into", str(project), "--set", "description=a\x1bb")
    assert result.exit_code == 2
    assert "\x1b" not in result.output
    assert '--set "description=a\\x1bb": holds the control character \\x1b' in result.output

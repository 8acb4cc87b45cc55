"""Spreadsheets as they arrive: delimiters and encodings (UTF-16, Windows-1252, a mix), empty
and header-only files, old .xls and .ods, workbooks (also under another name), formula and
error cells, an unclosed quote, long cells, extra cells and columns without a header."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.onboarding.spreadsheets import (
    HEADER,
    records,
    rejected_reasons,
    rejected_rows,
    run_import,
    write,
)

# --- delimiters and encodings ---------------------------------------------------------------------


def test_semicolon_delimited_file(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "semi.csv",
        "Name;Street;City;State;Zip;Phone\n"
        "Harbor Clinic;1200 N Main St;Escondido;CA;92025;(760) 555-0123\n"
        '"Clinic; with a semicolon";5 Oak Ave;Escondido;CA;92025;(760) 555-0124\n',
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert "semicolon-delimited" in result.output
    assert sorted(r["name"] for r in records(project).values()) == [
        "Clinic; with a semicolon",
        "Harbor Clinic",
    ]


def test_tab_delimited_utf16_export(project: Path, tmp_path: Path) -> None:
    """Excel's "Unicode Text" export: UTF-16 with a BOM, tab-delimited."""
    sheet = write(
        tmp_path / "unicode.txt",
        "Name\tStreet\tCity\tState\tZip\nClínica Harbor\t1 Main St\tEscondido\tCA\t92025\n",
        "utf-16",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in records(project).values()] == ["Clínica Harbor"]


def test_windows_1252_bytes_are_read_as_windows_1252(project: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "cp1252.csv"
    sheet.write_bytes(
        b"Name,Street,City,State,Zip\r\nCaf\xe9 Ketamine,1 Main St,Escondido,CA,92025\r\n"
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert "read as Windows-1252 where it is not UTF-8 (first at offset 31, byte 0xe9)" in (
        result.output
    )
    assert [r["name"] for r in records(project).values()] == ["Café Ketamine"]


def test_a_few_windows_1252_bytes_in_utf8_do_not_garble_the_rest(
    project: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "mixed.csv"
    sheet.write_bytes(
        "Name,City,State\nClínica Peña,Escondido,CA\n".encode() + b"Caf\xe9 Ketamine,Vista,CA\n"
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert sorted(r["name"] for r in records(project).values()) == [
        "Café Ketamine",
        "Clínica Peña",
    ]


# --- files that are not what they seem ------------------------------------------------------------


def test_empty_file_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.csv", "")
    result = run_import(str(empty), "--into", str(project))
    assert result.exit_code == 1
    assert "empty.csv is empty (0 bytes)" in result.output
    assert "Traceback" not in result.output
    blank = write(tmp_path / "blank.csv", "\n\n  \n")
    result = run_import(str(blank), "--into", str(project))
    assert result.exit_code == 1
    assert "has no rows (only blank lines)" in result.output


def test_header_only_file_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    sheet = write(tmp_path / "header.csv", HEADER)
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    assert "header.csv has a header row (row 1) but no clinic rows below it" in result.output
    assert not (project / "rejected.csv").exists()


def test_missing_file_and_old_xls(project: Path, tmp_path: Path) -> None:
    result = run_import(str(tmp_path / "nope.csv"), "--into", str(project))
    assert result.exit_code == 1
    assert "nope.csv does not exist" in result.output
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    result = run_import(str(xls), "--into", str(project))
    assert result.exit_code == 1
    assert "old Excel .xls workbook" in result.output


def test_xlsx_made_with_openpyxl(project: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Clinics"
    sheet.append(["Location Name", "Address 1", "City", "State", "Postal", "Phone Number"])
    sheet.append(["GREEN MOUNTAIN KETAMINE", "12 MAIN ST", "TOWNSHEND", "VT", 5353, 8025550144])
    sheet.append(["Bay Clinic", "300 Mission St", "San Francisco", "CA", 94105, 4155550150.0])
    sheet.append(["Formula Clinic", "1 A St", "Escondido", "CA", 92025, '="760"&"5550123"'])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Short Zip", "2 B St", "Escondido", "CA", 9202, "(760) 555-0126"])
    workbook.create_sheet("Notes")
    path = tmp_path / "clinics.xlsx"
    workbook.save(path)

    result = run_import(str(path), "--into", str(project))
    assert result.exit_code == 1, result.output
    assert 'Excel workbook, sheet "Clinics"' in result.output
    assert 'read the first sheet, "Clinics" (2 sheets in the file' in result.output
    got = records(project)
    assert got["green-mountain-ketamine"]["name"] == "Green Mountain Ketamine"
    assert got["green-mountain-ketamine"]["address"] == {
        "street": "12 Main St",
        "city": "Townshend",
        "region": "VT",
        "postal_code": "05353",
    }
    assert got["green-mountain-ketamine"]["phone"] == "(802) 555-0144"
    assert got["bay-clinic"]["phone"] == "(415) 555-0150"
    assert "8025550144 was stored as a number" in result.output
    rejected = rejected_reasons(project)
    assert set(rejected) == {"4", "6"}
    assert 'holds the formula "="760"&"5550123""' in rejected["4"]
    # 09202 is a military ZIP (AE), not in CA: the zero is not guessed, the row is rejected
    assert '"9202" has 4 digits; ZIP codes have 5' in rejected["6"]


def test_a_workbook_named_csv_or_without_suffix_is_read(project: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Practice Name", "City", "State", "Zip Code"])
    workbook.active.append(["Bay Clinic", "San Francisco", "CA", 94105])
    for name in ("export.csv", "clinics"):
        workbook.save(tmp_path / name)
        result = run_import(str(tmp_path / name), "--into", str(project), "--dry-run")
        assert result.exit_code == 0, result.output
        assert "Excel workbook" in result.output


def test_an_opendocument_spreadsheet_is_named(project: Path, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "clinics.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    result = run_import(str(path), "--into", str(project))
    assert result.exit_code != 0
    assert "OpenDocument spreadsheet (.ods); save it as .xlsx or as CSV UTF-8" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


# --- cells and rows -------------------------------------------------------------------------------


def test_formula_cells_are_rejected_never_evaluated(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "formula.csv",
        HEADER
        + 'Harbor Clinic,1200 N Main St,,Escondido,CA,92025,"=HYPERLINK(""http://evil.example"")"\n'
        + "Oak Clinic,5 Oak Ave,,Escondido,CA,92025,(760) 555-0124\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    [row] = rejected_rows(project)
    assert row["row"] == "2"
    assert row["reason"].startswith('Phone Number: holds the formula "=HYPERLINK(')
    assert "paste it back as values" in row["reason"]
    # rejected.csv must not hand the formula to Excel: it is quoted as text
    assert row["Phone Number"] == '\'=HYPERLINK("http://evil.example")'
    assert list(records(project)) == ["oak-clinic"]

    # fixed in rejected.csv and imported again: the protecting quote is not part of the data
    fixed = (project / "rejected.csv").read_text(encoding="utf-8-sig")
    fixed = fixed.replace('\'=HYPERLINK(""http://evil.example"")', "(760) 555-0125")
    again = write(tmp_path / "fixed.csv", fixed)
    result = run_import(str(again), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert records(project)["harbor-clinic"]["phone"] == "(760) 555-0125"


def test_excel_error_values_are_rejected(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "errors.csv",
        HEADER
        + "#REF!,1 Main St,,Escondido,CA,92025,\n"
        + "Harbor Clinic,2 Main St,,#VALUE!,CA,92025,\n"
        + "Oak Clinic,3 Main St,,Escondido,CA,92025,\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    reasons = rejected_reasons(project)
    assert reasons["2"].startswith("Practice Name: holds Excel's error value #REF!")
    assert reasons["3"].startswith("City: holds Excel's error value #VALUE!")
    assert list(records(project)) == ["oak-clinic"]


def test_an_unclosed_quote_stops_before_anything_is_written(project: Path, tmp_path: Path) -> None:
    rows = [f"Clinic {i},{i} Main St,,Escondido,CA,92025,\n" for i in range(1, 600)]
    sheet = write(
        tmp_path / "quote.csv",
        HEADER + "".join(rows) + 'Broken,"1 Oak St,,Escondido,CA,92025,\n' + rows[0],
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code != 0
    assert "line 601: a quote" in result.output and "never closed" in result.output
    assert "nothing was imported" in result.output
    assert records(project) == {}
    assert "Traceback" not in result.output


def test_a_long_cell_is_read_and_judged_like_any_other(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "long.csv",
        "Practice Name,City,State,Description\n"
        f'Long Clinic,Escondido,CA,"{"word " * 30_000}"\n'
        "Oak Clinic,Escondido,CA,short\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert "Traceback" not in result.output and "field larger" not in result.output
    assert "oak-clinic" in records(project)  # the row after the long one is read


def test_extra_cells_are_rejected(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "extra.csv",
        HEADER + "Harbor, Inc,1 Main St,,Escondido,CA,92025,(760) 555-0123\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    [row] = rejected_rows(project)
    assert "row has 8 cells but the header has 7 columns" in row["reason"]


def test_a_column_without_header_at_the_end_is_ignored(project: Path, tmp_path: Path) -> None:
    sheet = write(tmp_path / "notes.csv", "Name,City,State,\nA Clinic,Escondido,CA,called 3/2\n")
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert '1 column(s) after "State" have no header; their cells are ignored' in result.output
    assert list(records(project)) == ["a-clinic"]

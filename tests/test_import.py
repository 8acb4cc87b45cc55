"""`kdirectory import`: spreadsheets of clinics, with the damage real exports carry."""

from __future__ import annotations

import csv
import errno
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kdirectory import load_directory, validate
from kdirectory._atomic import AtomicBatch
from kdirectory.cli import app
from kdirectory.onboarding.columns import map_columns
from kdirectory.onboarding.importer import ImportOptions, import_file
from kdirectory.onboarding.normalise import hours_value, repair_zip, split_address
from kdirectory.onboarding.titlecase import title_case
from kdirectory.site.build import build_site
from tests.helpers import FACILITIES_CSV, GOOD_RECORD, ProjectFactory
from tests.onboarding.spreadsheets import (
    FIXTURES,
    HEADER,
    records,
    rejected_reasons,
    rejected_rows,
    run_import,
    runner,
    write,
)


@pytest.fixture
def project(make_project: ProjectFactory) -> Path:
    """An empty site project."""
    return make_project()


# --- the agency export fixture: one file, every kind of damage -----------------------------


def test_agency_export_imports_good_rows_and_rejects_bad_ones(project: Path) -> None:
    result = run_import(str(FIXTURES / "agency_export.csv"), "--into", str(project))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # the mapping report: which column went where, and what was ignored
    assert "Practice Name" in result.output and "name (clinic name)" in result.output
    assert "Address Line 2" in result.output and "address.unit" in result.output
    assert "ignored: no matching field" in result.output  # Fax
    assert "CSV, comma-delimited, UTF-8 with BOM" in result.output

    got = records(project)
    assert set(got) == {
        "harbor-ketamine-clinic-of-escondido-llc",
        "flowers-wellness",
        "green-mountain-ketamine",
        "bay-infusion-center",
        "valley-clinic",
        "sunrise-ketamine",
        "bad-phone-clinic",  # its phone has no area code: imported without it
    }
    harbor = got["harbor-ketamine-clinic-of-escondido-llc"]
    assert harbor == {
        "name": "Harbor Ketamine Clinic of Escondido LLC",  # ALL CAPS title-cased, LLC kept
        "slug": "harbor-ketamine-clinic-of-escondido-llc",
        "url": "https://harbor.example",
        "phone": "(760) 555-0123 ext. 123",  # "x123"
        "email": "info@harbor.example",
        "address": {
            "street": "1200 North Main Street",
            "unit": "Suite 210",
            "city": "Escondido",
            "region": "CA",
            "postal_code": "92025",
        },
    }
    assert got["flowers-wellness"]["phone"] == "(800) 356-9377"  # vanity 1-800-FLOWERS
    assert got["flowers-wellness"]["address"]["postal_code"] == "92025-1234"  # ZIP+4 kept
    vermont = got["green-mountain-ketamine"]
    assert vermont["address"]["postal_code"] == "05353"  # the lost zero, put back
    assert vermont["phone"] == "(802) 555-0144 ext. 7"  # "ext. 7"
    bay = got["bay-infusion-center"]
    assert bay["phone"] == "(415) 555-0150"  # 4155550150.0, a phone stored as a number
    assert bay["address"]["street"] == "300 Mission St"  # stray spaces
    assert bay["address"]["region"] == "CA"  # "California"
    assert got["valley-clinic"]["phone"] == "(559) 555-0170 ext. 9"  # "#9"
    assert got["sunrise-ketamine"]["phone"] == "(602) 555-0180 ext. 123"  # "ext. 123"
    assert "phone" not in got["bad-phone-clinic"]
    assert got["bad-phone-clinic"]["address"]["street"] == "1 A St"

    # the repairs are warnings, and each record says what was repaired in its header
    assert '"5353" lost its leading zero; VT ZIP read as 05353' in result.output
    assert "4155550150.0 was a number" in result.output
    text = (project / "data/clinics/green-mountain-ketamine.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Imported from agency_export.csv, row 4.\n")
    assert "lost its leading zero" in text

    assert (
        'warning: agency_export.csv row 9: Main Phone: "555-0199" has no area code; imported '
        "without it (add the clinic's real number to its record, or correct the cell and "
        "import again with --update; add the 3-digit area code in front" in result.output
    )
    rejected = {row["row"]: row for row in rejected_rows(project)}
    assert set(rejected) == {"6", "11", "12"}
    assert rejected["6"]["Practice Name"] == "Desert Clinic"  # original columns kept
    assert rejected["6"]["Fax"] == ""
    assert (
        'Address 1: "PO Box 99" is a PO box, not a place patients can visit'
        in (rejected["6"]["reason"])
    )
    assert "ZIP 90210 is in Beverly Hills, California, not in CO" in rejected["11"]["reason"]
    assert rejected["12"]["reason"].startswith(
        "duplicate of row 2: the same address (1200 N MAIN ST STE 210, ESCONDIDO 92025)"
    )
    assert "rejected.csv" in result.output
    # no row names a therapy: counted once, with the option that states one for every row
    assert re.search(r"\b7 │ imported with no therapy listed", result.output)
    assert "import with --set therapies=" in result.output
    assert "lists no therapy" not in result.output  # not repeated on every row

    report = validate(load_directory(project))
    assert report.errors == []
    assert {p.rule for p in report.warnings} == {"therapies.none"}


def test_second_import_finds_existing_records_and_update_refreshes_them(project: Path) -> None:
    source = FIXTURES / "agency_export.csv"
    assert run_import(str(source), "--into", str(project)).exit_code == 1
    before = records(project)

    again = run_import(str(source), "--into", str(project))
    assert again.exit_code == 1
    assert records(project) == before  # nothing overwritten without --update
    reasons = [row["reason"] for row in rejected_rows(project)]
    # the seven imported rows, and row 12 (a second spelling of row 2's address)
    assert sum("already in the directory as data/clinics/" in r for r in reasons) == 8
    assert all("--update" in r for r in reasons if "already in the directory" in r)

    updated = run_import(str(source), "--into", str(project), "--update")
    assert updated.exit_code == 1  # the three bad rows are still bad
    assert "existing records already up to date" in updated.output
    assert records(project) == before
    reasons = rejected_reasons(project)
    assert set(reasons) == {"6", "11", "12"}
    assert reasons["12"].startswith("duplicate of row 2: the same address")
    assert "updating data/clinics/harbor-ketamine-clinic-of-escondido-llc.yaml" in reasons["12"]


def test_update_changes_fields_from_the_row_and_keeps_the_rest(project: Path) -> None:
    (project / "data/clinics/harbor.yaml").write_text(GOOD_RECORD, encoding="utf-8")
    sheet = write(
        project.parent / "update.csv",
        HEADER
        + 'Harbor Ketamine Clinic,1200 NORTH MAIN STREET,STE 210,Escondido,CA,92025,"(760) 555-0199"\n',
    )
    refused = run_import(str(sheet), "--into", str(project))
    assert refused.exit_code == 1
    assert (
        "already in the directory as data/clinics/harbor.yaml"
        in rejected_rows(project)[0]["reason"]
    )

    result = run_import(str(sheet), "--into", str(project), "--update")
    assert result.exit_code == 0, result.output
    record = records(project)["harbor"]
    assert record["phone"] == "(760) 555-0199"  # from the row
    assert record["address"]["street"] == "1200 NORTH MAIN STREET".title()  # from the row
    assert record["hours"]["monday"] == ["09:00-12:00", "13:00-18:00"]  # kept
    assert record["conditions"] == ["depression", "ptsd"]  # kept
    assert validate(load_directory(project)).ok()


def test_dry_run_writes_nothing(project: Path) -> None:
    result = run_import(str(FIXTURES / "agency_export.csv"), "--into", str(project), "--dry-run")
    assert result.exit_code == 1
    assert "dry run: nothing written" in result.output
    assert "would be imported as new records" in result.output
    assert list((project / "data/clinics").iterdir()) == []
    assert not (project / "rejected.csv").exists()


def test_all_rows_good_exits_zero(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "good.csv",
        HEADER + "Harbor Clinic,1200 N Main St,Suite 210,Escondido,CA,92025,(760) 555-0123\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert not (project / "rejected.csv").exists()
    assert list(records(project)) == ["harbor-clinic"]


# --- file formats and encodings -------------------------------------------------------------


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


def test_not_a_project_is_a_usage_error(tmp_path: Path) -> None:
    sheet = write(tmp_path / "a.csv", HEADER)
    result = run_import(str(sheet), "--into", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no data/clinics/ folder here" in result.output


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


def test_zips_are_quoted_and_language_codes_any_case(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "boston.csv",
        "Practice Name,City,State,Zip Code,Languages\nBoston Clinic,Boston,MA,02108,EN; ES\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    text = (project / "data" / "clinics" / "boston-clinic.yaml").read_text(encoding="utf-8")
    assert "postal_code: '02108'" in text  # a YAML 1.2 reader would see 2108 otherwise
    assert records(project)["boston-clinic"]["languages"] == ["en", "es"]


def test_a_wrapped_header_cell_gives_a_record_that_parses(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "wrapped.csv",
        'Practice Name,City,State,"Zip\nCode"\nBoston Clinic,Boston,MA,2108\n',
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert records(project)["boston-clinic"]["address"]["postal_code"] == "02108"
    assert validate(load_directory(project)).ok()


# --- column mapping -------------------------------------------------------------------------


def test_unknown_headers_need_a_map(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "crm.csv",
        "Clinic Title,Where,Town,ST,Zip\nHarbor Clinic,1 Main St,Escondido,CA,92025\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 2
    assert "no column gives the clinic's name" in result.output
    assert '--map "COLUMN=name"' in result.output

    result = run_import(
        str(sheet), "--into", str(project), "--map", "Clinic Title=name", "--map", "Where=street"
    )
    assert result.exit_code == 0, result.output
    assert records(project)["harbor-clinic"]["address"]["street"] == "1 Main St"
    assert "--map" in result.output


def test_bad_map_options_are_usage_errors(project: Path, tmp_path: Path) -> None:
    sheet = write(tmp_path / "a.csv", HEADER + "Harbor,1 Main St,,Escondido,CA,92025,\n")
    result = run_import(str(sheet), "--into", str(project), "--map", "Practice Name=nmae")
    assert result.exit_code == 2
    assert '"nmae" is not a record field (did you mean "name"?)' in result.output
    result = run_import(str(sheet), "--into", str(project), "--map", "Practise Name=name")
    assert result.exit_code == 2
    assert 'the file has no column "Practise Name" (did you mean "Practice Name"?)' in result.output
    result = run_import(str(sheet), "--into", str(project), "--map", "just-a-word")
    assert result.exit_code == 2
    assert 'expected "COLUMN=FIELD"' in result.output
    assert list((project / "data/clinics").iterdir()) == []


def test_map_can_ignore_a_recognised_column(project: Path, tmp_path: Path) -> None:
    sheet = write(tmp_path / "a.csv", HEADER + "Harbor,1 Main St,,Escondido,CA,92025,not a phone\n")
    result = run_import(str(sheet), "--into", str(project), "--map", "Phone Number=ignore")
    assert result.exit_code == 0, result.output
    assert "phone" not in records(project)["harbor"]


def test_header_recognition_ignores_case_and_punctuation() -> None:
    headers = ["PRACTICE_NAME", "address-line-1", "Suite #", "ZIP/Postal Code", "Main Phone", "E-mail",
               "City", "State", "Latitude", "County", ""]  # fmt: skip
    mapping = map_columns(headers)
    assert mapping.by_field == {
        "name": 0,
        "address.street": 1,
        "address.unit": 2,
        "address.postal_code": 3,
        "phone": 4,
        "email": 5,
        "address.city": 6,
        "address.region": 7,
    }
    notes = {c.header: c.note for c in mapping.ignored}
    assert "ZIP centre" in notes["Latitude"]
    assert notes[""] == "no header"


# --- normalisation ----------------------------------------------------------------------------


def test_one_line_address_is_split(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "oneline.csv",
        "Name,Address,Phone\n"
        'Harbor Clinic,"1200 N Main St Ste 210, Escondido, CA 92025",(760) 555-0123\n'
        'HOAG CLINIC,"600 NORTH HIGHLAND SPRINGS AVENUE BANNING, CA 92220 (33.9, -116.9)",\n',
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    got = records(project)
    assert got["harbor-clinic"]["address"] == {
        "street": "1200 N Main St",
        "unit": "Ste 210",
        "city": "Escondido",
        "region": "CA",
        "postal_code": "92025",
    }
    assert got["hoag-clinic"]["address"] == {
        "street": "600 North Highland Springs Avenue",
        "city": "Banning",
        "region": "CA",
        "postal_code": "92220",
    }


def test_split_address_keeps_the_unit_in_written_order() -> None:
    parts = split_address("200 W 57th St, 2nd Floor, New York, NY 10019")
    assert parts["street"] == "200 W 57th St"
    assert parts["unit"] == "2nd Floor"


def test_split_address_pieces() -> None:
    assert split_address("PO Box 12, Escondido CA 92025") == {
        "street": "PO Box 12",
        "city": "Escondido",
        "region": "CA",
        "postal_code": "92025",
    }


@pytest.mark.parametrize(
    ("caps", "title"),
    [
        ("KAISER FOUNDATION HOSPITAL - BALDWIN PARK", "Kaiser Foundation Hospital - Baldwin Park"),
        ("1101 26TH ST NW", "1101 26th St NW"),
        ("JANE DOE MD PLLC", "Jane Doe MD PLLC"),
        ("CENTER OF HOPE AND HEALING", "Center of Hope and Healing"),
        ("THE UCLA CENTER FOR DEPRESSION", "The UCLA Center for Depression"),
        ("ST. MARY'S MEDICAL CENTER", "St. Mary's Medical Center"),
        ("O'CONNOR HOSPITAL", "O'Connor Hospital"),
        ("CLINICA DE LA RAZA", "Clinica de la Raza"),
        ("LA PALMA INTERCOMMUNITY HOSPITAL", "La Palma Intercommunity Hospital"),
        ("BEHAVIORAL HEALTH OF WY", "Behavioral Health of WY"),
        ("SMITH DO AND JONES NP, PC", "Smith DO and Jones NP, PC"),
        ("2175 ROSALINE AVE SE", "2175 Rosaline Ave SE"),
        ("McAllen Ketamine", "McAllen Ketamine"),  # not all caps: untouched
        ("1 MAIN ST SUITE A", "1 Main St Suite A"),
        ("BUILDING C STE 2B", "Building C Ste 2B"),
        ("MCDONALD'S PLAZA", "McDonald's Plaza"),
        ("MARY’S PLACE", "Mary’s Place"),
        ("JANE DOE CRNA", "Jane Doe CRNA"),
        # letters spelt one by one are an initialism or initials, never the article "a"
        ("RONALD REAGAN U C L A MEDICAL CENTER", "Ronald Reagan U C L A Medical Center"),
        ("KECK HOSPITAL OF U S C", "Keck Hospital of U S C"),
        ("U.C.L.A. HEALTH", "U.C.L.A. Health"),
        ("23625 W R HOLMAN HIGHWAY", "23625 W R Holman Highway"),
        ("DOCTORS HOSPITAL AT DEER CREEK L L C", "Doctors Hospital at Deer Creek L L C"),
        ("CENTER FOR A NEW DAY", "Center for a New Day"),  # a lone "A" is still the article
    ],
)
def test_title_case(caps: str, title: str) -> None:
    assert title_case(caps) == title


@pytest.mark.parametrize(
    ("zip_code", "region", "expected"),
    [
        ("5353", "VT", "05353"),
        ("5353.0", "VT", "05353"),
        ("631", "PR", "00631"),
        ("7701-1234", "NJ", "07701-1234"),
        ("5353", "CA", "5353"),  # 05353 is in VT, not CA: left for the validator
        ("9202", "CA", "9202"),
        ("5353", None, "5353"),
        ("92025", "CA", "92025"),
    ],
)
def test_zip_leading_zero_repair_needs_the_state(
    zip_code: str, region: str | None, expected: str
) -> None:
    assert repair_zip(zip_code, region)[0] == expected


def test_phone_in_scientific_notation(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "sci.csv",
        HEADER
        + "Lost Digits,1 Main St,,Escondido,CA,92025,3.10E+09\n"
        + "Kept Digits,2 Main St,,Escondido,CA,92025,7.605550123E+09\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert (
        'sci.csv row 2: Phone Number: "3.10E+09" is a phone number Excel rounded to scientific '
        "notation; digits are lost; imported without it" in result.output
    )
    got = records(project)
    assert "phone" not in got["lost-digits"]
    assert got["kept-digits"]["phone"] == "(760) 555-0123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9am-5pm", "09:00-17:00"),
        ("9:00 AM - 5:30 PM", "09:00-17:30"),
        ("09:00-12:00, 1pm-6pm", ["09:00-12:00", "13:00-18:00"]),
        ("Closed", "closed"),
        ("24 hours", "00:00-24:00"),
        ("8pm-12am", "20:00-24:00"),
        ("whenever", "whenever"),  # left for the validator to explain
    ],
)
def test_hours_spellings(text: str, expected: object) -> None:
    assert hours_value(text) == expected


def test_list_and_hours_columns(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "lists.csv",
        "Name,City,State,Conditions,Languages,Payment Methods,Monday,Accepting New Patients\n"
        "Harbor Clinic,Escondido,CA,Depression; PTSD,English; Spanish,Cash; Credit Card,"
        "9am-5pm,Yes\n"
        "Bad Lists,Escondido,CA,Depresion,,,,\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    record = records(project)["harbor-clinic"]
    assert record["conditions"] == ["depression", "ptsd"]
    assert record["languages"] == ["en", "es"]
    assert record["payment"] == ["cash", "credit-card"]
    assert record["hours"] == {"monday": "09:00-17:00"}
    assert record["accepting_new_patients"] is True
    [row] = rejected_rows(project)
    assert (
        'Conditions (conditions[0]): unknown condition "Depresion" (did you mean "depression"?)'
        in row["reason"]
    )


def test_duplicates_within_the_file(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "dups.csv",
        HEADER
        + "Harbor Clinic,1200 NORTH MAIN STREET,SUITE 210,Escondido,CA,92025,(760) 555-0123\n"
        + "Harbor Ketamine,1200 N. Main St.,#210,Escondido,CA,92025,(760) 555-0129\n"
        + "Other Name,1200 N Main St,Suite 300,Escondido,CA,92025,(760) 555-0123\n"
        + "Harbor Clinic,1200 N Main St,,Escondido,CA,92025,(760) 555-0188\n"
        + "Harbor Clinic,1 Oak Ave,,Escondido,CA,92025,(760) 555-0177\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    reasons = rejected_reasons(project)
    assert reasons == {
        "3": "duplicate of row 2: the same address (1200 N MAIN ST STE 210, ESCONDIDO 92025); "
        "keep one of the two rows, or, if they are separate programs at one site, list them "
        "as one clinic (the directory has one listing per address and suite)",
        "4": "duplicate of row 2: the same phone ((760) 555-0123) at the same street "
        "(1200 N MAIN ST); keep one of the two rows",
        "5": "duplicate of row 2: the same name at the same street (1200 N MAIN ST, Escondido); "
        "keep one of the two rows",
    }
    # the same name at another address is a branch: imported under name + city
    assert sorted(records(project)) == ["harbor-clinic", "harbor-clinic-escondido"]
    assert validate(load_directory(project)).ok()


def test_rejected_csv_is_written_in_the_project_and_replaced_whole(
    project: Path, tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.csv", HEADER + "Bad,1 Main St,,Escondido,CA,99999,\n")
    assert run_import(str(bad), "--into", str(project)).exit_code == 1
    assert len(rejected_rows(project)) == 1
    good = write(tmp_path / "good.csv", HEADER + "Good,1 Main St,,Escondido,CA,92025,\n")
    result = run_import(str(good), "--into", str(project))
    assert result.exit_code == 0
    assert "is from an earlier import; no row was rejected this time" in result.output
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []  # no temp files


def test_rejected_csv_can_be_imported_in_place(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "a.csv",
        HEADER
        + "Short Zip,1 Main St,,Escondido,CA,9202,\n"
        + "Bad Zip,2 Main St,,Escondido,CA,99999,\n",
    )
    assert run_import(str(sheet), "--into", str(project)).exit_code == 1
    rejected = project / "rejected.csv"
    rejected.write_text(
        rejected.read_text(encoding="utf-8-sig").replace(",9202,", ",92025,"),
        encoding="utf-8-sig",
    )
    result = run_import(str(rejected), "--into", str(project))
    assert result.exit_code == 1
    assert "ignored: no matching field" in result.output  # the row and reason columns
    assert list(records(project)) == ["short-zip"]
    [row] = rejected_rows(project)  # rewritten whole, with only the row still bad
    # "row" and "reason" are now columns of the input: the new ones get another name
    assert row["import_row"] == "3"  # its row in rejected.csv
    assert row["row"] == "3"  # its row in the first spreadsheet, kept as data
    assert "ZIP 99999 does not exist" in row["import_reason"]


def test_an_interrupted_import_leaves_whole_files_only(project: Path, tmp_path: Path) -> None:
    lines = [f"Clinic {i},{i} Main St,,Escondido,CA,92025,\n" for i in range(1, 30)]
    sheet = write(tmp_path / "a.csv", HEADER + "".join(lines) + "Bad,1 X St,,Escondido,CA,1,\n")
    (project / "rejected.csv").write_text("from an earlier run\n", encoding="utf-8")

    def interrupt(row: int) -> None:
        if row == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(sheet, ImportOptions(project=project), progress=interrupt)
    assert len(records(project)) == 9  # rows 2-10, each file complete, though not a batch
    assert (project / "rejected.csv").read_text(encoding="utf-8") == "from an earlier run\n"
    leftovers = [p.name for p in project.rglob(".*") if p.is_file()]
    assert leftovers == []


def test_an_unusable_phone_is_left_out_and_the_row_imported(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "hospitals.csv",
        HEADER + "RONALD REAGAN U C L A MEDICAL CENTER,757 WESTWOOD PLAZA,,LOS ANGELES,CA,90095,"
        "9100000000\n"
        + "Placeholder Clinic,1 Main St,,Escondido,CA,92025,(555) 555-5555\n"
        + "Bad Zip Clinic,2 Main St,,Escondido,CA,99999,9100000000\n"
        + ",3 Main St,,Escondido,CA,92025,9100000000\n"
        + "No State Clinic,4 Main St,,Escondido,,92025,9100000000\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    got = records(project)
    assert sorted(got) == ["placeholder-clinic", "ronald-reagan-u-c-l-a-medical-center"]
    hospital = got["ronald-reagan-u-c-l-a-medical-center"]
    assert hospital["name"] == "Ronald Reagan U C L A Medical Center"
    assert "phone" not in hospital and "phone" not in got["placeholder-clinic"]
    output = " ".join(result.output.split())
    assert (
        'warning: hospitals.csv row 2: Phone Number: "9100000000" is not a valid US phone number '
        "(area code 910 or exchange 000 is not in use); imported without it (add the clinic's "
        "real number to its record, or correct the cell and import again with --update; check "
        "the number against the clinic's own website)" in output
    )
    assert 'hospitals.csv row 3: Phone Number: "(555) 555-5555" is not a valid US phone' in output
    text = (project / "data/clinics/ronald-reagan-u-c-l-a-medical-center.yaml").read_text("utf-8")
    assert 'Import note: Phone Number: "9100000000" is not a valid US phone number' in text
    # a row with anything else wrong is still rejected, with every reason, the phone's too
    reasons = rejected_reasons(project)
    assert set(reasons) == {"4", "5", "6"}
    assert "ZIP 99999 does not exist" in reasons["4"]
    assert 'Phone Number: "9100000000" is not a valid US phone number' in reasons["4"]
    assert "Practice Name: is empty; every clinic needs it" in reasons["5"]
    assert "State: is empty; every clinic needs it" in reasons["6"]
    assert validate(load_directory(project)).errors == []


def test_placeholders_and_missing_values(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "gaps.csv",
        HEADER
        + "Harbor Clinic,1 Main St,N/A,Escondido,CA,92025,TBD\n"
        + "TBD,2 Main St,,Escondido,CA,92025,\n"
        + "No City,3 Main St,,,CA,92025,\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    record = records(project)["harbor-clinic"]
    assert "phone" not in record
    assert "unit" not in record["address"]
    reasons = rejected_reasons(project)
    assert reasons["3"].startswith('Practice Name: "TBD" is a placeholder, not a clinic name')
    assert reasons["4"] == "City: is empty; every clinic needs it (fill it in, or remove the row)"


def test_a_full_disk_is_a_clear_error(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(batch: AtomicBatch, path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(AtomicBatch, "write_text", full)
    sheet = write(tmp_path / "a.csv", HEADER + "Harbor,1 Main St,,Escondido,CA,92025,\n")
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    assert "cannot write" in result.output and "No space left on device" in result.output
    assert "run the same import again with --update" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert [p.name for p in project.rglob("*") if p.is_file()] == []  # no temp files left


def test_a_slug_column_is_kept_unless_taken(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "slugs.csv",
        "Name,Slug,City,State\n"
        "Harbor Clinic,harbor,Escondido,CA\n"
        "Oak Clinic,harbor,Vista,CA\n"
        "Elm Clinic,,Vista,CA\n",
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1
    assert sorted(records(project)) == ["elm-clinic", "harbor"]
    [row] = rejected_rows(project)
    assert row["reason"].startswith('Slug: "harbor" is already the slug of another record')
    assert validate(load_directory(project)).ok()


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


# --- real data ------------------------------------------------------------------------------


@pytest.mark.slow
def test_real_facilities_import_validate_and_build(project: Path, tmp_path: Path) -> None:
    """2,995 real facilities, exactly as published: every row is a valid record or a
    rejected row with a reason; the imported project validates and builds."""
    started = time.perf_counter()
    result = import_file(FACILITIES_CSV, ImportOptions(project=project))
    import_seconds = time.perf_counter() - started
    with FACILITIES_CSV.open(encoding="utf-8", newline="") as handle:
        total = sum(1 for _ in csv.DictReader(handle))
    assert result.rows == total == 2995
    assert result.created + result.rejected == total
    rejected = rejected_rows(project)
    assert len(rejected) == result.rejected
    assert all(row["reason"] for row in rejected)
    assert Counter(row["row"] for row in rejected).most_common(1)[0][1] == 1
    assert len(records(project)) == result.created
    by_reason = Counter(result.reasons)
    print(f"\nimported {result.created}, rejected {result.rejected} in {import_seconds:.1f} s")
    for code, count in by_reason.most_common():
        print(f"  {count:5} {code}: {result.reason_examples[code]}")
    assert set(by_reason) <= {"duplicate.in_file", "address.po_box"}
    assert result.warnings_by_kind["phone.dropped"] > 0  # placeholders such as 9100000000

    directory = load_directory(project)
    report = validate(directory)
    assert report.ok(), [p.format() for p in report.errors[:5]]
    assert report.clinics == result.created
    started = time.perf_counter()
    built = build_site(directory, tmp_path / "site")
    print(f"built {built.pages} pages in {time.perf_counter() - started:.1f} s")
    assert built.pages > result.created


# --- a 100,000-row file ---------------------------------------------------------------------

_MEASURE = """
import sys, time
from pathlib import Path
from kdirectory.onboarding.importer import ImportOptions, import_file
started = time.perf_counter()
result = import_file(Path(sys.argv[1]), ImportOptions(project=Path(sys.argv[2])))
seconds = time.perf_counter() - started
# VmHWM: this process's peak resident memory since exec, in kB (ru_maxrss would also count
# the memory of the pytest process it was forked from)
status = Path("/proc/self/status").read_text().splitlines()
peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
print(result.rows, result.created, result.rejected, seconds, peak)
"""


def _write_rows(path: Path, count: int) -> None:
    from kdirectory.record.gazetteer import all_zips

    zips = all_zips()[:5000]
    streets = ("Main St", "Oak Ave", "Elm St", "Park Blvd", "Cedar Rd", "Maple Dr")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Practice Name", "Address 1", "Suite", "City", "State", "Zip Code",
                         "Phone Number", "Website"])  # fmt: skip
        for i in range(count):
            info = zips[i % len(zips)]
            writer.writerow(
                [f"CLINIC NUMBER {i}", f"{100 + i // len(zips)} {streets[i % 6]}",
                 f"Suite {i % 500}", info.city, info.state, info.zip5,
                 f"(310) 555-01{i % 100:02d}", f"https://c{i}.example/"]
            )  # fmt: skip


def _import_in_child(sheet: Path, root: Path) -> tuple[list[str], int]:
    """Import into the project ``root`` in a fresh process; return its output and its peak
    resident memory (kB)."""
    child = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(sheet), str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    out = child.stdout.split()
    return out, int(out[4])


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="peak memory is read from /proc (Linux)"
)
def test_100k_rows_stream_in_bounded_memory(make_project: ProjectFactory, tmp_path: Path) -> None:
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    _write_rows(big, 100_000)
    _write_rows(small, 2_000)
    try:
        small_out, small_peak = _import_in_child(small, make_project(at="small"))
        big_out, big_peak = _import_in_child(big, make_project(at="big"))
        assert small_out[:3] == ["2000", "2000", "0"]
        assert big_out[:3] == ["100000", "100000", "0"]
        growth_mb = (big_peak - small_peak) / 1024
        print(
            f"\n100,000 rows imported in {float(big_out[3]):.0f} s; peak RSS "
            f"{big_peak / 1024:.0f} MB (2,000 rows: {small_peak / 1024:.0f} MB; "
            f"growth {growth_mb:.0f} MB)"
        )
        # Only duplicate keys, slug hashes and bounded caches grow with the file (30-45 MB
        # measured for 100,000 rows); holding the rows themselves (9 MB of CSV) as Python
        # lists of strings would add about 58 MB more.
        assert growth_mb < 64
        assert big_peak / 1024 < 600
    finally:
        shutil.rmtree(tmp_path / "big", ignore_errors=True)


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "kdirectory import clinics.xlsx --into my-directory" in result.output
    assert "--map COLUMN=FIELD" in result.output


# --- --set: one value for every row that leaves a field empty -----------------------------


SET_SHEET = (
    "Name,Address,Therapies\n"
    '"Harbor Clinic","1200 N Main St, Escondido, CA 92025",\n'
    '"Oak Clinic","5 Oak Ave, Vista, CA 92083",IV infusion\n'
    '"Elm Clinic","7 Elm St, Vista, CA 92083",n/a\n'
)


def test_set_gives_every_row_that_leaves_it_empty_a_value(project: Path, tmp_path: Path) -> None:
    sheet = write(tmp_path / "set.csv", SET_SHEET)
    result = run_import(
        str(sheet),
        "--into",
        str(project),
        "--set",
        "therapies=ketamine-therapy",
        "--set",
        "conditions=Depression; PTSD",
        "--set",
        "accepting_new_patients=yes",
    )
    assert result.exit_code == 0, result.output
    got = records(project)
    assert got["harbor-clinic"]["therapies"] == ["ketamine-therapy"]
    assert got["elm-clinic"]["therapies"] == ["ketamine-therapy"]  # "n/a" is an empty cell
    assert got["oak-clinic"]["therapies"] == ["iv-ketamine-infusion"]  # the row's own
    for record in got.values():
        assert record["conditions"] == ["depression", "ptsd"]  # aliases, read as in a cell
        assert record["accepting_new_patients"] is True
    assert re.search(r"\b2 │ given therapies=ketamine-therapy by --set", result.output)
    assert re.search(r"\b3 │ given accepting_new_patients=yes by --set", result.output)
    assert "no therapy listed" not in result.output
    text = (project / "data/clinics/harbor-clinic.yaml").read_text(encoding="utf-8")
    assert "# therapies: from --set therapies=ketamine-therapy (the row left it empty)." in text
    assert validate(load_directory(project)).ok(strict=True)


def test_set_stands_in_for_a_missing_column(project: Path, tmp_path: Path) -> None:
    sheet = write(tmp_path / "vista.csv", "Name,Street,City\nOak Clinic,5 Oak Ave,Vista\n")
    refused = run_import(str(sheet), "--into", str(project))
    assert refused.exit_code == 2
    assert '--set "address.region=VALUE"' in refused.output
    result = run_import(str(sheet), "--into", str(project), "--set", "state=California")
    assert result.exit_code == 0, result.output
    assert records(project)["oak-clinic"]["address"] == {
        "street": "5 Oak Ave",
        "city": "Vista",
        "region": "CA",
    }


def test_set_never_replaces_what_an_updated_record_has(project: Path, tmp_path: Path) -> None:
    (project / "data/clinics/harbor.yaml").write_text(GOOD_RECORD, encoding="utf-8")
    sheet = write(
        tmp_path / "update.csv",
        HEADER + "Harbor Ketamine Clinic,1200 N Main St,Suite 210,Escondido,CA,92025,\n",
    )
    result = run_import(
        str(sheet), "--into", str(project), "--update", "--set", "therapies=ketamine-therapy"
    )
    assert result.exit_code == 0, result.output
    assert records(project)["harbor"]["therapies"] == ["iv-ketamine-infusion"]
    assert "existing records already up to date" in result.output


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "therapies=iv-drip",
            'error: --set "therapies=iv-drip": unknown therapy "iv-drip" (see '
            "`kdirectory schema` for the therapy list)",
        ),
        ("therapies=ketamine infusions", ""),  # an alias, read as its slug
        (
            "therapies=Spravato",
            '--set "therapies=Spravato": offers esketamine-nasal-spray (Spravato) but '
            "spravato_rems_certified is not true",
        ),
        (
            "accepting_new_patients=maybe",
            '--set "accepting_new_patients=maybe": must be true or false, not the text "maybe"',
        ),
        ("hours.monday=9 to 5ish", '"9 to 5ish" is not a time range like 09:00-17:00'),
        ("languages=Klingon", 'unknown language "Klingon"'),
        ("therapies=N/A", '"N/A" reads as an empty cell'),
        ("therapies", '--set "therapies": expected "FIELD=VALUE"'),
        ("therapy=x", '"therapy" is not a record field (did you mean "therapies"?)'),
        ("name=Harbor", "name differs from clinic to clinic, so it cannot be set for every row"),
        ("phone=(760) 555-0123", "phone differs from clinic to clinic"),
    ],
)
def test_a_bad_set_is_a_usage_error_naming_the_option(
    project: Path, tmp_path: Path, option: str, message: str
) -> None:
    sheet = write(tmp_path / "set.csv", SET_SHEET)
    result = run_import(str(sheet), "--into", str(project), "--set", option)
    if not message:
        assert result.exit_code == 0, result.output
        assert records(project)["harbor-clinic"]["therapies"] == ["iv-ketamine-infusion"]
        return
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert list((project / "data/clinics").iterdir()) == []

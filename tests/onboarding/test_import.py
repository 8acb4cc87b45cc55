"""`kdirectory import` end to end: the agency export (one file with every kind of damage
real exports carry), a second import and --update, --dry-run, rejected.csv (in the project,
replaced whole, importable in place), an interrupted import and a full disk, and the help."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest

from kdirectory import load_directory, validate
from kdirectory._atomic import AtomicBatch
from kdirectory.cli import app
from kdirectory.onboarding.importer import ImportOptions, import_file
from tests.helpers import GOOD_RECORD
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

# --- the agency export fixture: one file, every kind of damage ------------------------------------


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


def test_not_a_project_is_a_usage_error(tmp_path: Path) -> None:
    sheet = write(tmp_path / "a.csv", HEADER)
    result = run_import(str(sheet), "--into", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no data/clinics/ folder here" in result.output


# --- rejected.csv, interruptions and a full disk --------------------------------------------------


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


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "kdirectory import clinics.xlsx --into my-directory" in result.output
    assert "--map COLUMN=FIELD" in result.output

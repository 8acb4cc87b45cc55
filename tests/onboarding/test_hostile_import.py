"""`kdirectory import` of cells built to hurt: formulas for whoever opens rejected.csv, Rich
markup and terminal escapes in cells, headers and file names, a header of 200,000 columns,
and names made only of symbols."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from kdirectory import load_directory, validate
from kdirectory.onboarding.importer import ImportOptions, import_file
from kdirectory.onboarding.safe_text import is_formula, listed, shown, spreadsheet_cell, unprotected
from tests.helpers import ProjectFactory
from tests.onboarding.spreadsheets import (
    COLUMNS,
    GOOD_ROW,
    records,
    rejected_cells,
    run_import,
    write_csv,
)

# --- formulas in rejected.csv ---------------------------------------------------------------------


EVIL = '=HYPERLINK("http://evil.example","Click")'


def test_rejected_csv_protects_every_cell_that_a_spreadsheet_would_run(
    project: Path, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "evil.csv",
        [
            [*COLUMNS, EVIL, "@SUM(A1)", " -2+3+cmd|' /C calc'!A0"],
            ["Oak Clinic", "5 Oak Ave", "Escondido", "ZZ", "92025", "+1 760 555 0124", "", "", ""],
            [f"'{EVIL}", "6 Elm St", "Escondido", "CA", "92025", "-", "\t=1+1", "x", "y"],
        ],
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 1, result.output
    assert records(project) == {}
    header, state_row, name_row = rejected_cells(project)
    assert header[:8] == ["row", "reason", *COLUMNS]
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
            COLUMNS,
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


# --- Rich markup ----------------------------------------------------------------------------------


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
    workbook.active.append([*COLUMNS, "[b]Suite[/b]"])
    workbook.active.append([*GOOD_ROW, "  Suite [/] 5  "])
    path = tmp_path / "[red]clinics[x].xlsx"
    workbook.save(path)
    result = run_import(str(path), "--into", str(project), "--map", "[b]Suite[/b]=address.unit")
    assert result.exit_code == 0, result.output
    assert "Reading " in result.output and "[red]clinics[x].xlsx" in result.output
    assert "row 2: [b]Suite[/b]: stray spaces removed" in result.output
    [record] = records(project).values()
    assert record["address"]["unit"] == "Suite [/] 5"


# --- many columns ---------------------------------------------------------------------------------


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


# --- names made only of symbols -------------------------------------------------------------------


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


# --- control characters ---------------------------------------------------------------------------


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

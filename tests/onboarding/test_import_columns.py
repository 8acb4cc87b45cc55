"""Which column is which field: headers recognised whatever their case and punctuation (a
wrapped header cell too), --map for the rest and its mistakes, a slug column, and --set, one
value for every row that leaves a field empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kdirectory import load_directory, validate
from kdirectory.onboarding.columns import map_columns
from tests.helpers import GOOD_RECORD
from tests.onboarding.spreadsheets import HEADER, records, rejected_rows, run_import, write

# --- column mapping -------------------------------------------------------------------------------


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


def test_a_wrapped_header_cell_gives_a_record_that_parses(project: Path, tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "wrapped.csv",
        'Practice Name,City,State,"Zip\nCode"\nBoston Clinic,Boston,MA,2108\n',
    )
    result = run_import(str(sheet), "--into", str(project))
    assert result.exit_code == 0, result.output
    assert records(project)["boston-clinic"]["address"]["postal_code"] == "02108"
    assert validate(load_directory(project)).ok()


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


# --- --set: one value for every row that leaves a field empty -------------------------------------


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

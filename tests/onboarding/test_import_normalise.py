"""Cells as people type them, made into record values: one-line addresses, ALL CAPS names,
ZIPs that lost their leading zero (or are quoted to keep it), phones in scientific notation
or unusable, hours and lists, placeholders, and duplicates within the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdirectory import load_directory, validate
from kdirectory.onboarding.normalise import hours_value, repair_zip, split_address
from kdirectory.onboarding.titlecase import title_case
from tests.onboarding.spreadsheets import (
    HEADER,
    records,
    rejected_reasons,
    rejected_rows,
    run_import,
    write,
)

# --- addresses and names --------------------------------------------------------------------------


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


# --- phones, hours and lists ----------------------------------------------------------------------


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


# --- duplicates within the file -------------------------------------------------------------------


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

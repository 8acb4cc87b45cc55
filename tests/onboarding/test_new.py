"""`kdirectory new`: one clinic from answers checked as they are typed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.cli import app
from kdirectory.onboarding.new_clinic import AnswerError, Answers, write_record_file, yes_no
from kdirectory.onboarding.project_init import init_project

runner = CliRunner()


@pytest.fixture
def initialised(tmp_path: Path) -> Path:
    """A project as `kdirectory init` makes it; its example clinic is at 1200 N Main St,
    Suite 210, Escondido."""
    return init_project(tmp_path / "project").root


def answers(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_new_clinic_with_wrong_answers_corrected(initialised: Path) -> None:
    result = runner.invoke(
        app,
        ["new", str(initialised)],
        input=answers(
            "Harbor Ketamine Clinic",  # name
            "300 W Grand Ave",  # street
            "Suite 5",  # unit
            "Escondido",  # city
            "Californa",  # state: misspelt
            "CA",
            "10001",  # ZIP in New York
            "92025",
            "Vista, San Marcos, Yuma, AZ",  # other cities served; Yuma in another state
            "555-0142",  # phone without area code
            "(760) 555-0142 x12",
            "harbor.example",  # website: https:// is added
            "info@harbor",  # not an email
            "info@harbor.example",
            "depresion, PTSD",  # misspelt condition
            "anxiety, PTSD",  # aliases, as a record file may use them too
            "IV infusion, Spravato",
            "y",  # REMS certified
            "Aetna; Blue Cross Blue Shield",  # insurance
            "cash, bitcoin",  # payment: one unknown
            "Cash, Credit Card, HSA/FSA",
            "English, Klingon",  # languages: one unknown
            "English, Spanish",
            "maybe",  # accepting new patients
            "yes",
            "9 to 5ish",  # hours
            "9am-12pm, 1pm-5pm",
            "10:00-14:00",  # saturday
            "closed",  # sunday
            "y",  # write it
        ),
    )
    assert result.exit_code == 0, result.output
    output = result.output
    assert 'Error: "Californa" is not a US state (did you mean "CA"?)' in output
    assert (
        "Error: ZIP 10001 is in New York, New York, not in CA (fix the ZIP or the region)" in output
    )
    assert 'Error: "555-0142" has no area code' in output
    assert 'Error: "info@harbor" is not an email address' in output
    assert 'Error: unknown condition "depresion" (did you mean "depression"?)' in output
    assert 'Error: "bitcoin" is not one of: cash, check, credit-card' in output
    assert 'Error: unknown language "Klingon" (use an ISO 639-1 code' in output
    for prompt in ("Other cities served", "Insurance accepted", "Payment methods", "Languages"):
        assert prompt in output
    assert "Error: answer yes or no" in output
    assert 'Error: "9 to 5ish" is not a time range like 09:00-17:00' in output
    assert "Write data/clinics/harbor-ketamine-clinic.yaml?" in output

    path = initialised / "data" / "clinics" / "harbor-ketamine-clinic.yaml"
    assert f"wrote {path}" in output
    text = path.read_text(encoding="utf-8")
    assert text in output  # the YAML was shown before it was written
    record = yaml.safe_load(text)
    assert record == {
        "name": "Harbor Ketamine Clinic",
        "slug": "harbor-ketamine-clinic",
        "url": "https://harbor.example",
        "phone": "(760) 555-0142 ext. 12",
        "email": "info@harbor.example",
        "address": {
            "street": "300 W Grand Ave",
            "unit": "Suite 5",
            "city": "Escondido",
            "region": "CA",
            "postal_code": "92025",
        },
        "service_area": ["Vista", "San Marcos", "Yuma, AZ"],
        "hours": {
            **{
                day: ["09:00-12:00", "13:00-17:00"]
                for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
            },
            "saturday": "10:00-14:00",
            "sunday": "closed",
        },
        "conditions": ["generalized-anxiety", "ptsd"],
        "therapies": ["iv-ketamine-infusion", "esketamine-nasal-spray"],
        "spravato_rems_certified": True,
        "accepting_new_patients": True,
        "insurance": ["Aetna", "Blue Cross Blue Shield"],
        "payment": ["cash", "credit-card", "hsa-fsa"],
        "languages": ["en", "es"],
    }
    report = validate(load_directory(initialised))
    assert report.ok(strict=True), [p.format() for p in report.problems]


def test_new_service_area_clinic_skips_unit_and_zip(initialised: Path) -> None:
    result = runner.invoke(
        app,
        ["new", str(initialised)],
        # name, no street, city, state, no ZIP, 13 questions skipped, write
        input=answers("Mobile Ketamine Care", "", "Oceanside", "ca", "", *[""] * 13, "y"),
    )
    assert result.exit_code == 0, result.output
    assert "Suite or unit" not in result.output
    record = yaml.safe_load(
        (initialised / "data/clinics/mobile-ketamine-care.yaml").read_text(encoding="utf-8")
    )
    assert record == {
        "name": "Mobile Ketamine Care",
        "slug": "mobile-ketamine-care",
        "address": {"city": "Oceanside", "region": "CA"},
    }
    assert validate(load_directory(initialised)).ok()


def test_new_refuses_an_address_already_in_the_directory(initialised: Path) -> None:
    result = runner.invoke(
        app,
        ["new", str(initialised)],
        input=answers(
            "Harbor Clinic",
            "1200 NORTH MAIN STREET",  # the example clinic's address, spelt differently
            "#210",
            "Escondido",
            "CA",
            "92025",
            "1300 N Main St",  # asked again from the street
            "",
            "Escondido",
            "CA",
            "92025",
            *[""] * 13,
            "y",
        ),
    )
    assert result.exit_code == 0, result.output
    assert (
        "error: data/clinics/example-ketamine-clinic.yaml is already at this address "
        "(the same address (1200 N MAIN ST STE 210, ESCONDIDO 92025))" in result.output
    )
    record = yaml.safe_load((initialised / "data/clinics/harbor-clinic.yaml").read_text("utf-8"))
    assert record["address"]["street"] == "1300 N Main St"
    assert validate(load_directory(initialised)).ok()


def test_esketamine_needs_rems_certification(initialised: Path) -> None:
    result = runner.invoke(
        app,
        ["new", str(initialised)],
        input=answers(
            *("Spravato Clinic", "", "Vista", "CA", "", "", "", "", "", ""),  # to conditions
            "esketamine nasal spray, iv ketamine infusion",
            "n",  # not REMS certified
            *[""] * 7,  # insurance, payment, languages, accepting, weekday, saturday, sunday
            "y",
        ),
    )
    assert result.exit_code == 0, result.output
    assert "may only be offered in a REMS-certified setting" in result.output
    record = yaml.safe_load((initialised / "data/clinics/spravato-clinic.yaml").read_text("utf-8"))
    assert record["therapies"] == ["iv-ketamine-infusion"]
    assert "spravato_rems_certified" not in record


def test_declining_writes_nothing(initialised: Path) -> None:
    before = sorted((initialised / "data" / "clinics").iterdir())
    result = runner.invoke(
        app,
        ["new", str(initialised)],
        input=answers("Harbor Clinic", "", "Vista", "CA", "", *[""] * 13, "n"),
    )
    assert result.exit_code == 0, result.output
    assert "Nothing written." in result.output
    assert sorted((initialised / "data" / "clinics").iterdir()) == before


def test_interrupted_prompt_writes_nothing(initialised: Path) -> None:
    before = sorted((initialised / "data" / "clinics").iterdir())
    result = runner.invoke(app, ["new", str(initialised)], input="Harbor Clinic\n")  # then EOF
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert sorted((initialised / "data" / "clinics").iterdir()) == before


def test_new_outside_a_project_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path)])
    assert result.exit_code == 2
    assert "no data/clinics/ folder here" in result.output


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["new", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "kdirectory new my-directory" in result.output


def test_answers_with_markup_or_control_characters(initialised: Path) -> None:
    """Rich markup in an answer is text; a control character (an arrow key pressed where
    the terminal has no line editing) is refused, shown escaped, and asked again."""
    result = runner.invoke(
        app,
        ["new", str(initialised)],
        input=answers(
            "Harbor\x1b[A Clinic",  # an arrow key
            "[bold]Harbor[/] Clinic",
            "",  # no street
            "Vista",
            "[red]CA[/red]",  # state: markup is not a state
            "CA",
            "",  # ZIP
            *[""] * 13,
            "y",
        ),
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("\x1b") == 1  # the test runner's echo of the typed input
    assert (
        "Error: the answer holds the control character \\x1b (first at character 7: "
        '"Harbor\\x1b[A Clinic"); type it again' in result.output
    )
    assert 'Error: "[red]CA[/red]" is not a US state' in result.output
    path = initialised / "data" / "clinics" / "bold-harbor-clinic.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record["name"] == "[bold]Harbor[/] Clinic"
    assert "name: '[bold]Harbor[/] Clinic'" in result.output


def test_answers_make_a_record_without_a_terminal(initialised: Path) -> None:
    """The answers are checked and made into a record file by plain calls; the command line
    only asks the questions."""
    answers = Answers(initialised, load_directory(initialised))
    for path, answer in [
        ("name", "Harbor Clinic"),
        ("address.city", "Vista"),
        ("address.region", "ca"),
    ]:
        value, warnings = answers.check(path, answer, required=True)
        assert warnings == []
        answers.store(path, value)
    answers.store("therapies", ["esketamine-nasal-spray", "iv-ketamine-infusion"])
    with pytest.raises(AnswerError, match='"Californa" is not a US state'):
        answers.check("address.region", "Californa", required=True)
    with pytest.raises(AnswerError, match="an answer is required here"):
        answers.check("address.city", "  ", required=True)
    assert answers.check("phone", "") == (None, [])
    with pytest.raises(AnswerError, match="answer yes or no"):
        answers.check("accepting_new_patients", "maybe", convert=yes_no)
    assert answers.duplicate() is None
    assert answers.offers_esketamine()
    answers.rems_certified(False)
    assert not answers.offers_esketamine()

    file = answers.record_file()
    assert file.path == initialised / "data" / "clinics" / "harbor-clinic.yaml"
    assert not file.path.exists()
    write_record_file(file)
    record = yaml.safe_load(file.path.read_text(encoding="utf-8"))
    assert record == {
        "name": "Harbor Clinic",
        "slug": "harbor-clinic",
        "address": {"city": "Vista", "region": "CA"},
        "therapies": ["iv-ketamine-infusion"],
    }

"""Control characters in records: refused by the model with the field and the position,
whoever builds the clinic (YAML escapes, raw YAML and JSON, import and new alike), and never
printed raw (validate's lines, its JSON and build)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kdirectory import load_directory
from kdirectory.cli import app
from kdirectory.onboarding.records import check_data
from kdirectory.record.model import Clinic
from kdirectory.record.read import read_record
from kdirectory.report import Problem, Report
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory, problem_lines

runner = CliRunner()
CONTROL_HINT = "(remove it; it is invisible and breaks pages)"


# (id, file name, record text, the expected problem)
CONTROL_CASES: list[tuple[str, str, str, str]] = [
    (
        "yaml-escape-esc-in-name",
        "x.yaml",
        GOOD_RECORD.replace("name: Harbor Ketamine Clinic", 'name: "Harb\\e]0;pwned\\a"'),
        "data/clinics/x.yaml:1: name: contains 2 control characters, the first (\\x1b, ESC) at "
        "position 5 (remove them; they are invisible and break pages)",
    ),
    (
        "yaml-escape-nul-in-city",
        "x.yaml",
        GOOD_RECORD.replace("city: Escondido", 'city: "Escon\\0dido"'),
        f"data/clinics/x.yaml:7: address.city: contains a control character (\\x00, NUL) at "
        f"position 6 {CONTROL_HINT}",
    ),
    (
        "yaml-escape-bel-in-list",
        "x.yaml",
        GOOD_RECORD + 'insurance: [Aetna, "Cig\\ana"]\n',
        f"data/clinics/x.yaml:16: insurance[1]: contains a control character (\\x07, BEL) at "
        f"position 4 {CONTROL_HINT}",
    ),
    (
        "yaml-escape-soh-in-condition",
        "x.yaml",
        GOOD_RECORD.replace("[depression, ptsd]", '[depression, "pt\\x01sd"]'),
        f"data/clinics/x.yaml:14: conditions[1]: contains a control character (\\x01, SOH) at "
        f"position 3 {CONTROL_HINT}",
    ),
    (
        "yaml-escape-c1-in-special-hours-note",
        "x.yaml",
        GOOD_RECORD
        + 'special_hours:\n  - date: "2026-12-25"\n    closed: true\n    note: "Xmas\\x9b2J"\n',
        f"data/clinics/x.yaml:19: special_hours[0].note: contains a control character (\\x9b, "
        f"CSI) at position 5 {CONTROL_HINT}",
    ),
    (
        "yaml-escape-del-in-provider",
        "x.yaml",
        GOOD_RECORD + 'providers:\n  - name: "Dr. A\\x7f"\n',
        f"data/clinics/x.yaml:17: providers[0].name: contains a control character (\\x7f, DEL) "
        f"at position 6 {CONTROL_HINT}",
    ),
    (
        "yaml-escape-in-hours",
        "x.yaml",
        GOOD_RECORD.replace('saturday: "10:00-14:00"', 'saturday: "10:00-14:00\\e"'),
        f"data/clinics/x.yaml:12: hours.saturday: contains a control character (\\x1b, ESC) at "
        f"position 12 {CONTROL_HINT}",
    ),
    (
        "yaml-raw-esc-in-city",
        "x.yaml",
        GOOD_RECORD.replace("city: Escondido", "city: Esc\x1bondido"),
        f"data/clinics/x.yaml:7: address.city: contains a control character (\\x1b, ESC) at "
        f"position 4 {CONTROL_HINT}",
    ),
    (
        "yaml-raw-nel-is-not-a-line-break",
        "x.yaml",
        GOOD_RECORD.replace("city: Escondido", "city: Esc\x85ondido"),
        f"data/clinics/x.yaml:7: address.city: contains a control character (\\x85, NEL) at "
        f"position 4 {CONTROL_HINT}",
    ),
    (
        "yaml-raw-lone-cr",
        "x.yaml",
        GOOD_RECORD.replace("city: Escondido", "city: Esc\rondido"),
        f"data/clinics/x.yaml:7: address.city: contains a control character (\\x0d, CR) at "
        f"position 4 {CONTROL_HINT}",
    ),
    (
        "yaml-raw-in-a-comment",
        "x.yaml",
        "# note \x1b]0;pwned\x07\n" + GOOD_RECORD,
        f"data/clinics/x.yaml:1: contains a control character (\\x1b, ESC) at column 8 "
        f"{CONTROL_HINT}",
    ),
    (
        "json-escape-esc-in-name",
        "x.json",
        '{"name": "Harb\\u001b]0;pwned\\u0007",\n "address": {"city": "Escondido", '
        '"region": "CA"}}\n',
        "data/clinics/x.json:1: name: contains 2 control characters, the first (\\x1b, ESC) at "
        "position 5 (remove them; they are invisible and break pages)",
    ),
    (
        "json-escape-in-nested-list",
        "x.json",
        '{"name": "Harbor",\n "address": {"city": "Escondido", "region": "CA"},\n'
        ' "service_area": ["Vista", "San\\u0000 Marcos"]}\n',
        f"data/clinics/x.json:3: service_area[1]: contains a control character (\\x00, NUL) at "
        f"position 4 {CONTROL_HINT}",
    ),
    (
        "json-raw-c0-in-city",
        "x.json",
        '{"name": "Harbor",\n "address": {"city": "Esc\x01ondido", "region": "CA"}}\n',
        f"data/clinics/x.json:2: address.city: contains a control character (\\x01, SOH) at "
        f"position 4 {CONTROL_HINT}",
    ),
    (
        "json-raw-c1-in-name",
        "x.json",
        '{"name": "Harb\x9bor",\n "address": {"city": "Escondido", "region": "CA"}}\n',
        f"data/clinics/x.json:1: name: contains a control character (\\x9b, CSI) at "
        f"position 5 {CONTROL_HINT}",
    ),
    (
        "json-raw-nel-in-name",
        "x.json",
        '{"name": "Harb\x85or",\n "address": {"city": "Escondido", "region": "CA"}}\n',
        f"data/clinics/x.json:1: name: contains a control character (\\x85, NEL) at "
        f"position 5 {CONTROL_HINT}",
    ),
    (
        "json-raw-control-outside-strings",
        "x.json",
        '{"name": "Harbor",\x1b\n "address": {"city": "Escondido", "region": "CA"}}\n',
        f"data/clinics/x.json:1: contains a control character (\\x1b, ESC) at column 19 "
        f"{CONTROL_HINT}",
    ),
    (
        "json-raw-line-break-in-quotes",
        "x.json",
        '{"name": "Harbor,\n "address": {"city": "Escondido", "region": "CA"}}\n',
        "data/clinics/x.json:1: is not valid JSON: a line break inside quotes (column 18) "
        '(close the quote on this line; inside quotes, write a line break as "\\n")',
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "expected"), [c[1:] for c in CONTROL_CASES], ids=[c[0] for c in CONTROL_CASES]
)
def test_control_characters_are_refused_with_the_field(
    make_project: ProjectFactory, yaml_loader: str, name: str, text: str, expected: str
) -> None:
    root = make_project({name: text.encode("utf-8"), "vista.yaml": VISTA})
    lines = problem_lines(root)
    assert expected in lines, lines
    directory = load_directory(root)
    assert [c.address.city for c in directory.clinics] == ["Vista"]  # the other file still loads


def test_json_values_are_read_as_json_reads_them(
    make_project: ProjectFactory, yaml_loader: str
) -> None:
    # YAML reads a JSON record again for the lines: a character beyond U+FFFF escaped as
    # two halves, and a literal backslash before "u", must keep their JSON meaning.
    text = (
        '{"name": "Harbor \\\\ud83d \\ud83d\\ude00",\n'
        ' "address": {"city": "Vista", "region": "CA", "postal_code": "92083"},\n'
        ' "phone": "555"}'
    )
    root = make_project({"x.json": text})
    record = read_record(root / "data" / "clinics" / "x.json")
    assert record.data is not None
    assert record.data["name"] == "Harbor \\ud83d \U0001f600"
    assert record.line_for(("phone",)) == 3


def test_a_character_yaml_refuses_is_one_message(
    make_project: ProjectFactory, yaml_loader: str
) -> None:
    root = make_project({"x.yaml": "name: Harbor\ufffe\n"})
    assert problem_lines(root) == [
        "data/clinics/x.yaml:1: is not valid YAML: it holds the character U+FFFE, which YAML "
        "does not allow (column 13) (remove it)"
    ]


def test_tab_and_newline_are_allowed(make_project: ProjectFactory) -> None:
    record = GOOD_RECORD + "description: |\n  Ketamine clinic.\n  Two lines,\ta tab.\n"
    root = make_project({"x.yaml": record})
    assert problem_lines(root) == []
    [clinic] = load_directory(root).clinics
    assert clinic.description == "Ketamine clinic.\nTwo lines,\ta tab."


def test_a_crlf_record_is_not_a_control_character(make_project: ProjectFactory) -> None:
    root = make_project({"x.yaml": GOOD_RECORD.replace("\n", "\r\n").encode()})
    assert problem_lines(root) == []


def test_the_model_refuses_control_characters_whoever_builds_the_clinic() -> None:
    data: dict[str, Any] = {
        "name": "Harbor\x1b[31m Clinic",
        "address": {"city": "Escondido", "region": "CA"},
        "insurance": ["Aetna", "Cig\x07na"],
    }
    clinic, problems = check_data(data, "clinics.csv row 2")  # what import and new run
    assert clinic is None
    assert [p.format() for p in problems if p.rule == "text.control_character"] == [
        f"clinics.csv row 2: name: contains a control character (\\x1b, ESC) at position 7 "
        f"{CONTROL_HINT}",
        f"clinics.csv row 2: insurance[1]: contains a control character (\\x07, BEL) at "
        f"position 4 {CONTROL_HINT}",
    ]
    with pytest.raises(ValueError, match="control character"):
        Clinic.model_validate(data)


def test_aliases_are_not_read_through_a_control_character() -> None:
    clinic, problems = check_data(
        {
            "name": "Harbor",
            "address": {"city": "Escondido", "region": "CA"},
            "conditions": ["pt\x00sd"],
            "hours": {"monday": "9am\x1f-5pm"},
        },
        "x",
    )
    assert clinic is None
    assert {p.field for p in problems if p.rule == "text.control_character"} == {
        "conditions[0]",
        "hours.monday",
    }


def test_validate_never_prints_a_control_character(make_project: ProjectFactory) -> None:
    record = GOOD_RECORD + '"po\\e]0;pwned\\a": 1\n'  # an unknown field quoted in the message
    root = make_project({"x.yaml": record, "\x1b]0;file\x07.yaml": record})
    text = runner.invoke(app, ["validate", str(root)]).output
    field = "po\\x1b]0;pwned\\x07"
    assert f'data/clinics/x.yaml:16: {field}: unknown field "{field}"' in text
    assert f"data/clinics/\\x1b]0;file\\x07.yaml:16: {field}: unknown field" in text
    assert not any(c in text for c in "\x1b\x07")
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert not any(c in result.stdout for c in "\x1b\x07")
    unknown = {
        (p["file"], p["field"])
        for p in json.loads(result.stdout)["problems"]
        if "unknown field" in p["message"]
    }
    assert unknown == {  # JSON stays faithful
        ("data/clinics/x.yaml", "po\x1b]0;pwned\x07"),
        ("data/clinics/\x1b]0;file\x07.yaml", "po\x1b]0;pwned\x07"),
    }


def test_json_report_escapes_c1_and_bidi_controls() -> None:
    message = "a \x9b2J \u202e b"
    text = Report(problems=[Problem("model.invalid", "f", 1, "name", message)]).to_json()
    assert "\x9b" not in text
    assert "\u202e" not in text
    assert "\\u009b" in text
    assert json.loads(text)["problems"][0]["message"] == message


def test_build_refuses_a_record_with_a_control_character(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(
        {
            "a.yaml": GOOD_RECORD.replace("name: Harbor Ketamine Clinic", 'name: "Harbor\\0"'),
            "b.yaml": VISTA,
        }
    )
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert result.exit_code != 0
    assert (
        f"data/clinics/a.yaml:1: name: contains a control character (\\x00, NUL) at position 7 "
        f"{CONTROL_HINT}" in result.output
    )
    assert not (out / "locations.kml").exists()
    assert "Traceback" not in result.output

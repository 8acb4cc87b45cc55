"""Hostile record files: control characters, links out of the project, deep nesting and
over-long text are each one clear message, never a traceback, a hang or a leak."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.cli import app
from kdirectory.onboarding.records import check_data
from kdirectory.record import read as load_module
from kdirectory.record.json_schema import clinic_schema
from kdirectory.record.model import MAX_DAY_TEXT, MAX_SHIFT_TEXT, Clinic, day_hours, time_range
from kdirectory.record.read import MAX_DEPTH, SafePythonLoader, read_record
from kdirectory.report import Problem, Report
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory, problem_lines

runner = CliRunner()

CONTROL_HINT = "(remove it; it is invisible and breaks pages)"
TOO_DEEP = (
    f"is nested too deeply (more than {MAX_DEPTH} levels) (a clinic record has at most 4 "
    "levels of lists and fields; is this the right file?)"
)


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with libyaml's C loader and again with the pure-Python loader."""
    if request.param == "pure-python":
        monkeypatch.setattr(load_module, "_Loader", SafePythonLoader)
    else:
        monkeypatch.setattr(load_module, "_Loader", yaml.CSafeLoader)
    yield str(request.param)


# --- 1. control characters ------------------------------------------------------------------

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


# --- 2. links and what is not a record file ---------------------------------------------------

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges")


@needs_symlinks
def test_a_link_out_of_the_project_is_refused_unread(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "shadow"
    secret.parent.mkdir()
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n", encoding="utf-8")
    root = make_project({"vista.yaml": VISTA})
    (root / "data" / "clinics" / "x.yaml").symlink_to(secret)
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"data/clinics/x.yaml: is a link to {secret}, outside the project; it was not read "
        "(copy the record into data/clinics/ instead of linking to it)"
    )
    assert "SECRETHASH" not in result.output
    assert "$6$" not in result.output
    json_output = runner.invoke(app, ["validate", str(root), "--format", "json"]).stdout
    assert "SECRETHASH" not in json_output


@needs_symlinks
def test_a_relative_link_out_of_the_project_names_where_it_leads(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere.yaml").write_text(VISTA, encoding="utf-8")
    root = make_project({})
    (root / "data" / "clinics" / "x.yaml").symlink_to(Path("../../../elsewhere.yaml"))
    assert problem_lines(root) == [
        "data/clinics/x.yaml: is a link to ../../../elsewhere.yaml (that is "
        f"{(tmp_path / 'elsewhere.yaml').resolve()}), outside the project; it was not read "
        "(copy the record into data/clinics/ instead of linking to it)"
    ]


@needs_symlinks
def test_a_linked_clinics_folder_outside_the_project_is_refused(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text(VISTA, encoding="utf-8")
    root = make_project()
    (root / "data" / "clinics").rmdir()
    (root / "data" / "clinics").symlink_to(outside, target_is_directory=True)
    assert problem_lines(root) == [
        "data/clinics/x.yaml: is reached through a linked folder (that is "
        f"{(outside / 'x.yaml').resolve()}), outside the project; it was not read "
        "(copy the record into data/clinics/ instead of linking to it)"
    ]


@needs_symlinks
def test_a_link_inside_the_project_is_read(make_project: ProjectFactory) -> None:
    root = make_project({})
    (root / "records").mkdir()
    (root / "records" / "vista.yaml").write_text(VISTA, encoding="utf-8")
    (root / "data" / "clinics" / "vista.yaml").symlink_to(Path("../../records/vista.yaml"))
    assert problem_lines(root) == []
    assert [c.address.city for c in load_directory(root).clinics] == ["Vista"]


@needs_symlinks
def test_dangling_links_loops_folders_and_pipes_each_get_a_message(
    make_project: ProjectFactory,
) -> None:
    root = make_project({"vista.yaml": VISTA})
    clinics = root / "data" / "clinics"
    (clinics / "gone.yaml").symlink_to("missing.yaml")
    (clinics / "loop-a.yaml").symlink_to("loop-b.yaml")
    (clinics / "loop-b.yaml").symlink_to("loop-a.yaml")
    (clinics / "folder.yaml").mkdir()
    (clinics / "folder.yaml" / "inside.yaml").write_text(GOOD_RECORD, encoding="utf-8")
    if hasattr(os, "mkfifo"):
        os.mkfifo(clinics / "pipe.json")  # reading it would wait forever
    report = validate(load_directory(root))
    lines = [p.format() for p in report.sorted_problems()]
    expected = [
        "data/clinics/folder.yaml: is a folder, not a record file; records inside it are not "
        "read (rename the folder so its name does not end in .yaml, and keep one clinic per "
        "file directly in data/clinics/)",
        "data/clinics/gone.yaml: is a link to missing.yaml, which does not exist (point the "
        "link at a record file, or delete it)",
        "data/clinics/loop-a.yaml: is a link to loop-b.yaml, which leads back to itself (a "
        "link loop) (replace the link with the record file itself)",
        "data/clinics/loop-b.yaml: is a link to loop-a.yaml, which leads back to itself (a "
        "link loop) (replace the link with the record file itself)",
    ]
    if hasattr(os, "mkfifo"):
        expected.append(
            "data/clinics/pipe.json: is not a regular file (a named pipe, socket or device) "
            "(replace it with a plain .yaml or .json file)"
        )
    assert lines == expected
    assert report.files == len(expected) + 1
    assert report.clinics == 1


@needs_symlinks
def test_read_record_refuses_a_link_out_of_its_project_by_default(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(VISTA, encoding="utf-8")
    root = make_project({})
    link = root / "data" / "clinics" / "x.yaml"
    link.symlink_to(outside)
    record = read_record(link, "data/clinics/x.yaml")  # the project is found from the path
    assert record.data is None
    assert [p.rule for p in record.problems] == ["file.outside_project"]


# --- 3. deep nesting ----------------------------------------------------------------------


def _nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


DEEP_CASES: list[tuple[str, str, str, str]] = [
    (
        "yaml-500-brackets",
        "x.yaml",
        f"name: {_nested(500)}\n",
        f"data/clinics/x.yaml:1: name: {TOO_DEEP}",
    ),
    (
        "yaml-5000-brackets",  # past libyaml's own limit of 1,000
        "x.yaml",
        f"name: {_nested(5000)}\n",
        f"data/clinics/x.yaml:1: name: {TOO_DEEP}",
    ),
    (
        "yaml-500-block-sequences",
        "x.yaml",
        "name:\n" + "- " * 500 + "x\n",
        f"data/clinics/x.yaml:1: name: {TOO_DEEP}",
    ),
    (
        "yaml-500-mappings",
        "x.yaml",
        "name:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 300)),
        f"data/clinics/x.yaml:1: name: {TOO_DEEP}",
    ),
    (
        "json-500-brackets",
        "x.json",
        f'{{"name": {_nested(500)}}}\n',
        f"data/clinics/x.json:1: {TOO_DEEP}",
    ),
    (
        "json-5000-objects",
        "x.json",
        '{"name": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}\n",
        f"data/clinics/x.json:1: {TOO_DEEP}",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "expected"), [c[1:] for c in DEEP_CASES], ids=[c[0] for c in DEEP_CASES]
)
def test_deep_nesting_is_one_message_and_the_run_goes_on(
    make_project: ProjectFactory, yaml_loader: str, name: str, text: str, expected: str
) -> None:
    assert len(text) < 60_000
    root = make_project({name: text, "vista.yaml": VISTA})
    report = validate(load_directory(root))
    assert [p.format() for p in report.sorted_problems()] == [expected]
    assert report.clinics == 1


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_nesting_up_to_the_limit_is_read(
    make_project: ProjectFactory, yaml_loader: str, suffix: str
) -> None:
    # The record is level 1, so `name` may hold MAX_DEPTH - 1 levels of lists.
    inside = _nested(MAX_DEPTH - 1)
    text = f"name: {inside}\n" if suffix == "yaml" else f'{{"name": {inside}}}'
    lines = problem_lines(make_project({f"x.{suffix}": text}))
    assert not any("nested too deeply" in line for line in lines), lines
    deeper = _nested(MAX_DEPTH)
    text = f"name: {deeper}\n" if suffix == "yaml" else f'{{"name": {deeper}}}'
    lines = problem_lines(make_project({f"x.{suffix}": text}))
    assert any("nested too deeply" in line for line in lines), lines


def test_json_brackets_inside_text_are_not_nesting(make_project: ProjectFactory) -> None:
    name = "[" * 40 + '\\"{' * 40
    text = (
        f'{{"name": "{name}", "address": {{"city": "Vista", "region": "CA", '
        '"postal_code": "92083"}}'
    )
    root = make_project({"x.json": text})
    assert not any("nested" in line for line in problem_lines(root))


def test_an_anchor_used_inside_itself_is_one_message(
    make_project: ProjectFactory, yaml_loader: str
) -> None:
    root = make_project({"x.yaml": GOOD_RECORD + "insurance: &x [Aetna, *x]\n"})
    assert problem_lines(root) == [
        "data/clinics/x.yaml:16: insurance[1]: holds itself: a YAML alias (*name) is used "
        "inside the value its anchor (&name) marks (write the value out instead of the alias)"
    ]


# --- 4. text lengths ------------------------------------------------------------------------


def _string_leaves(node: dict[str, Any], path: str, defs: dict[str, Any]) -> Iterator[Any]:
    """(path, schema) of every text value the JSON Schema describes."""
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **node}
    for sub in node.get("anyOf", []):
        yield from _string_leaves(sub, path, defs)
    for key, sub in node.get("properties", {}).items():
        yield from _string_leaves(sub, f"{path}.{key}" if path else key, defs)
    if node.get("type") == "array":
        yield from _string_leaves(node["items"], f"{path}[0]", defs)
    if node.get("type") == "string":
        yield path, node


def _set(data: dict[str, Any], path: str, value: str) -> None:
    """Put ``value`` at ``path`` (``providers[0].name``) of a record."""
    parts: list[Any] = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p]
    here: Any = data
    for part, following in pairwise(parts):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            if len(here) <= part:
                here.append(empty)
            here = here[part]
        else:
            here = here.setdefault(part, empty)
    last = parts[-1]
    if isinstance(last, int) and len(here) <= last:
        here.append(value)
    else:
        here[last] = value


def test_every_text_of_the_schema_is_bounded() -> None:
    schema = clinic_schema()
    unbounded = [
        path
        for path, leaf in _string_leaves(schema, "", schema["$defs"])
        if not {"maxLength", "enum", "const"} & leaf.keys()
        and leaf.get("format") != "date"  # its pattern fixes the length
    ]
    assert unbounded == []


def _schema_limits() -> list[tuple[str, int]]:
    """(path, maxLength) of every text the schema bounds, but hours (tested on their own):
    the schema describes them in their 24-hour form, the model also reads them as written."""
    schema = clinic_schema()
    return sorted(
        (path, leaf["maxLength"])
        for path, leaf in _string_leaves(schema, "", schema["$defs"])
        if "maxLength" in leaf and not path.startswith(("hours.", "special_hours[0].hours"))
    )


def _record_for(path: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Harbor", "address": {"city": "Vista", "region": "CA"}}
    if path.startswith("special_hours"):
        data["special_hours"] = [{"date": "2026-12-25", "closed": True}]
    if path.startswith("providers"):
        data["providers"] = [{"name": "Dr. A"}]
    return data


@pytest.mark.parametrize(("path", "limit"), _schema_limits(), ids=[p for p, _ in _schema_limits()])
def test_the_model_enforces_the_schema_length_of_every_text(path: str, limit: int) -> None:
    data = _record_for(path)
    _set(data, path, "7" * (limit + 1))
    _, problems = check_data(data, "x")
    too_long = [p for p in problems if "characters long" in p.message]
    assert [(p.field, p.message) for p in too_long] == [
        (path, f"is {limit + 1:,} characters long; at most {limit}")
    ], problems
    assert too_long[0].fix
    _set(data, path, "7" * limit)  # at the limit, length is not the complaint
    _, problems = check_data(data, "x")
    assert not any("characters long" in p.message for p in problems), problems


def test_hours_are_bounded_as_the_schema_says() -> None:
    schema = clinic_schema()
    leaves = dict(_string_leaves(schema, "", schema["$defs"]))
    assert leaves["hours.monday"]["maxLength"] == MAX_SHIFT_TEXT  # one shift, 24-hour form
    assert leaves["hours.monday[0]"]["maxLength"] == MAX_SHIFT_TEXT
    data = _record_for("hours")
    data["hours"] = {"monday": ["9" * (MAX_SHIFT_TEXT + 1)], "tuesday": "9" * (MAX_DAY_TEXT + 1)}
    _, problems = check_data(data, "x")
    assert [p.format() for p in problems if p.field.startswith("hours")] == [
        f'x: hours.monday[0]: "{"9" * 40}" is not a time range like 09:00-17:00 (write it like '
        '"09:00-17:00" or "9am-5pm", or "closed")',
        f"x: hours.tuesday: is {MAX_DAY_TEXT + 1} characters long; at most {MAX_DAY_TEXT} "
        '(write hours like "09:00-17:00" or "9am-5pm")',
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "conditions",
            ["x" * 101],
            "conditions[0]: is 101 characters long; at most 100 (write "
            "one entry per list item, by its slug or name)",
        ),
        ("languages", ["x" * 101], "languages[0]: is 101 characters long; at most 100"),
        ("payment", ["x" * 101], "payment[0]: is 101 characters long; at most 100"),
        (
            "name",
            "x" * 1_000_000,
            "name: is 1,000,000 characters long; at most 200 (shorten "
            "it; is this the right field?)",
        ),
        ("phone", "7" * 51, "phone: is 51 characters long; at most 50 (write one phone number"),
    ],
)
def test_over_long_text_is_one_clear_message(field: str, value: object, expected: str) -> None:
    data: dict[str, Any] = {"name": "Harbor", "address": {"city": "Vista", "region": "CA"}}
    data[field] = value
    _, problems = check_data(data, "x")
    assert any(p.format().startswith(f"x: {expected}") for p in problems), [
        p.format()[:200] for p in problems
    ]


def test_long_hours_text_is_not_searched_at_length(make_project: ProjectFactory) -> None:
    spaces = "9" + " " * 20_000 + "5"  # quadratic for the hours pattern, were it searched
    assert time_range(spaces) is None
    assert day_hours(spaces) is None
    root = make_project({"x.yaml": GOOD_RECORD.replace('"10:00-14:00"', f'"{spaces}"')})
    assert problem_lines(root) == [
        f"data/clinics/x.yaml:12: hours.saturday: is 20,002 characters long; at most "
        f'{MAX_DAY_TEXT} (write hours like "09:00-17:00" or "9am-5pm")'
    ]


def test_more_shifts_than_a_day_holds(make_project: ProjectFactory) -> None:
    shifts = ", ".join(f'"{h:02d}:00-{h:02d}:30"' for h in range(8, 15))
    root = make_project({"x.yaml": GOOD_RECORD.replace('"10:00-14:00"', f"[{shifts}]")})
    assert problem_lines(root) == [
        "data/clinics/x.yaml:12: hours.saturday: has 7 shifts; at most 6 are allowed (merge "
        "shifts that follow one another into one range)"
    ]

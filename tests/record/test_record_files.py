"""What stands in data/clinics/ besides plain records: links out of the project are refused
unread, dangling links, link loops, folders and pipes are one message each; nesting deeper
than the limit is one message a file (libyaml, pure-Python PyYAML and json), an anchor used
inside itself too. Never a traceback, a hang or a leak."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.cli import app
from kdirectory.record.read import read_record
from kdirectory.record.yaml_values import MAX_DEPTH
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory, problem_lines

runner = CliRunner()


# --- links and what is not a record file ----------------------------------------------------------


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


# --- deep nesting ---------------------------------------------------------------------------------


TOO_DEEP = (
    f"is nested too deeply (more than {MAX_DEPTH} levels) (a clinic record has at most 4 "
    "levels of lists and fields; is this the right file?)"
)


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

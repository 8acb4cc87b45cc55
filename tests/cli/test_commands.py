"""The command line, through Typer's CliRunner: exit codes and messages."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from tests.helpers import GOOD_RECORD, REPO, ProjectFactory

runner = CliRunner()


def test_validate_demo_exits_zero() -> None:
    result = runner.invoke(app, ["validate", str(REPO)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings")


def test_validate_reports_every_problem_and_exits_one(make_project: ProjectFactory) -> None:
    root = make_project(
        {"a.yaml": GOOD_RECORD.replace('"(760) 555-0123"', '"555-1234"'), "b.yaml": b""}
    )
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        'data/clinics/a.yaml:3: phone: "555-1234" has no area code (add the 3-digit area code '
        "in front, e.g. (760) 555-1234)",
        "data/clinics/b.yaml: the file is empty (write one clinic record here or delete the file)",
        "FAILED: 2 files, 0 clinics, 2 errors, 0 warnings",
    ]
    assert "Traceback" not in result.output


def test_validate_json_format(make_project: ProjectFactory) -> None:
    root = make_project({"a.yaml": GOOD_RECORD.replace("region: CA", "region: ZZ")})
    result = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["format"], report["command"]) == ("kdirectory-report", "validate")
    assert [(p["file"], p["line"], p["field"], p["rule"]) for p in report["problems"]] == [
        ("data/clinics/a.yaml", 8, "address.region", "address.state")
    ]


def test_a_second_validate_gives_the_kept_report(make_project: ProjectFactory) -> None:
    """The second run prints what the first did, from the report kept in the cache; a
    damaged kept report is said once on stderr and the output is the same."""
    root = make_project(
        {"a.yaml": GOOD_RECORD.replace('"(760) 555-0123"', '"555-1234"'), "b.yaml": b""}
    )
    runs = [runner.invoke(app, ["validate", str(root), "--format", "json"]) for _ in range(2)]
    assert [run.exit_code for run in runs] == [1, 1]
    assert runs[1].stdout == runs[0].stdout and runs[1].stderr == ""
    with sqlite3.connect(root / ".kdirectory/records.sqlite") as db:
        assert db.execute("SELECT count(*) FROM results").fetchone() == (1,)
        db.execute("UPDATE results SET checksum = checksum + 1")
    db.close()
    damaged = runner.invoke(app, ["validate", str(root), "--format", "json"])
    assert damaged.exit_code == 1 and damaged.stdout == runs[0].stdout
    assert damaged.stderr.count("notice:") == 1 and "is damaged" in damaged.stderr
    uncached = runner.invoke(app, ["validate", str(root), "--format", "json", "--no-cache"])
    assert uncached.stdout == runs[0].stdout
    strict = runner.invoke(app, ["validate", str(root), "--strict"])
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == "FAILED: 2 files, 0 clinics, 2 errors, 0 warnings"


def test_warnings_fail_only_with_strict(make_project: ProjectFactory) -> None:
    root = make_project(
        {"a.yaml": GOOD_RECORD.replace("street: 1200 N Main St", "street: PO Box 9")}
    )
    assert runner.invoke(app, ["validate", str(root)]).exit_code == 0
    strict = runner.invoke(app, ["validate", str(root), "--strict"])
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == "FAILED: 1 file, 1 clinic, 0 errors, 1 warning"


def test_not_a_project_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no data/clinics/ folder here" in result.output
    assert "Traceback" not in result.output


def test_bad_config_is_reported_without_traceback(make_project: ProjectFactory) -> None:
    root = make_project({"a.yaml": GOOD_RECORD}, config="[site]\nbase_url = 'directory.example'\n")
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 2  # a settings mistake is a usage error
    assert "kdirectory.toml: site.base_url" in result.output
    assert "must start with https://" in result.output
    broken = make_project({"a.yaml": GOOD_RECORD}, config="[site\n")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2
    assert "not valid TOML" in result.output


def test_unknown_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["validate", "--nope"])
    assert result.exit_code == 2


def test_schema_to_stdout_is_the_published_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert "conditions" in schema["properties"]


def test_schema_to_file(tmp_path: Path) -> None:
    out = tmp_path / "clinic.schema.json"
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["title"] == "kdirectory clinic record"


def test_schema_to_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(app, ["schema", "--out", str(blocker / "x.json")])
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot write")


@pytest.mark.parametrize(
    "command", ["validate", "geocode", "build", "check", "import", "init", "new", "schema", "rules"]
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"kdirectory {command}" in result.output


def test_top_level_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "geocode", "build", "check", "import", "init", "new", "schema"):
        assert f"  {command} " in result.output
    assert "  rules " in result.output


@pytest.mark.slow
@pytest.mark.parametrize("command", [["rules"], ["validate", str(REPO)]])
def test_a_reader_that_closes_the_pipe_stops_the_command_quietly(command: list[str]) -> None:
    """`kdirectory rules | head -1`: the pipe is closed before the first write, so the
    command meets a broken pipe for certain; it exits as SIGPIPE would, saying nothing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kdirectory", *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")

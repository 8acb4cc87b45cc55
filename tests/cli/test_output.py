"""What the commands print and how they exit: build's one-line summary and what it kept, a
bad record that stops a build (exit 1, nothing written), a settings mistake as a usage error
(exit 2), and no printed line that drives the terminal."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.cli.import_console import row_counter
from kdirectory.report import printable
from tests.helpers import GOOD_RECORD, ProjectFactory, snapshot

runner = CliRunner()


def test_build_command_prints_a_summary(make_project: ProjectFactory, tmp_path: Path) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    match = re.search(
        r"^built (\d+) pages \((\d+) files\) in .+: (\d+) written, 0 unchanged, 0 removed, "
        r"0 record warnings, checked: 0 errors, \d+ warnings, [\d.]+ s$",
        result.stdout,
        re.MULTILINE,
    )
    assert match, result.stdout
    assert int(match[1]) == len(list(out.rglob("*.html")))
    assert int(match[2]) == int(match[3]) == len(snapshot(out)) - 1  # all but the manifest
    (out / "CNAME").write_text("clinics.example\n", encoding="utf-8")
    again = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "kept CNAME (not created by kdirectory)" in again.stderr
    assert ": 0 written, " in again.stdout


def test_build_command_with_a_bad_record_exits_one_without_writing(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD.replace('"(760) 555-0123"', '"555-1234"')})
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0].startswith('data/clinics/a.yaml:3: phone: "555-1234"')
    assert "error: cannot build" in result.stderr
    assert "built" not in result.stdout
    assert not out.exists()


def test_config_errors_are_usage_errors(make_project: ProjectFactory) -> None:
    root = make_project(demo=True)
    (root / "kdirectory.toml").write_text("[site]\nbase_url = 3\n", "utf-8")
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 2
    assert "kdirectory.toml: site.base_url" in result.stderr


def test_no_printed_line_carries_a_terminal_escape(make_project: ProjectFactory) -> None:
    root = make_project(demo=True)
    title = "\x1b]0;pwned\x07"
    record = GOOD_RECORD.replace("name: Harbor Ketamine Clinic", f'name: "Harbor{title}"')
    (root / "data" / "clinics" / f"x{title}.yaml").write_text(record, "utf-8")
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;pwned\\x07" in result.output
    assert printable("a\u202eb\x9bc\td\ne", lines=True) == "a\\u202eb\\x9bc\td\ne"


def test_the_import_row_counter_runs_no_thread_of_its_own() -> None:
    """The import forks its row workers only from a process running one thread: a counter
    refreshed by a thread of its own would keep every import in one process."""
    console = Console(file=io.StringIO(), force_terminal=True)
    before = threading.active_count()
    with row_counter(console) as advance:
        for row in range(1, 301):
            advance(row)
        assert threading.active_count() == before
    assert "importing row 300" in console.file.getvalue()  # type: ignore[attr-defined]

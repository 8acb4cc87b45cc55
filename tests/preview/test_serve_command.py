"""``kdirectory serve``: what it prints, its exit codes, and a real run stopped with Ctrl-C."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.cli.serve import _print_build
from kdirectory.preview.inject import BANNER_ID
from tests.helpers import GOOD_RECORD, REPO, ProjectFactory
from tests.preview.client import request
from tests.preview.conftest import ServeProject, config
from tests.preview.test_rebuild import BROKEN, BROKEN_LINE, RECORD

runner = CliRunner()


def test_a_folder_that_is_no_project_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2
    assert "no data/clinics/ folder here" in result.output
    assert "Traceback" not in result.output


def test_a_port_in_use_is_a_usage_error_that_suggests_another(
    make_project: ProjectFactory,
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD}, config())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", str(root), "--port", str(port)])
    assert result.exit_code == 2
    assert f"error: 127.0.0.1:{port} is already in use" in result.output
    assert "--port 0" in result.output
    assert not (root / "site").exists()  # refused before building


def test_a_port_out_of_range_is_a_usage_error(make_project: ProjectFactory) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD}, config())
    result = runner.invoke(app, ["serve", str(root), "--port", "70000"])
    assert result.exit_code == 2


def test_a_failed_build_is_printed_as_build_prints_it(
    make_project: ProjectFactory, serve_project: ServeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"harbor.yaml": BROKEN}, config())
    built = runner.invoke(app, ["build", str(root)])
    served = serve_project(root)
    _print_build(served.first, served.preview)
    printed = capsys.readouterr()
    assert built.exit_code == 1
    assert printed.err.startswith(built.output.rstrip("\n"))  # the same lines, in order
    assert BROKEN_LINE in printed.err
    assert "nothing to serve yet" in printed.err

    served.write(RECORD, GOOD_RECORD)
    fixed = served.next_build()
    _print_build(fixed, served.preview)
    printed = capsys.readouterr()
    assert printed.out.startswith(f"changed: {RECORD}\nbuilt ")


@pytest.mark.slow
def test_serve_prints_its_address_serves_rebuilds_and_stops_on_ctrl_c(
    make_project: ProjectFactory,
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD}, config())
    process = subprocess.Popen(
        [sys.executable, "-m", "kdirectory", "serve", str(root), "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)  # a hang fails the test, never the suite
    watchdog.start()
    try:
        assert process.stdout is not None and process.stderr is not None
        lines = iter(process.stdout.readline, "")
        serving = next(line for line in lines if line.startswith("Serving at "))
        found = re.match(
            r"Serving at http://127\.0\.0\.1:(\d+)/clinics/ \(Ctrl-C to stop\)", serving
        )
        assert found, serving
        port = int(found[1])
        assert request(port, "/clinics/").status == 200

        (root / RECORD).write_text(BROKEN, encoding="utf-8")
        errors = iter(process.stderr.readline, "")
        assert any(line.startswith(BROKEN_LINE) for line in errors)
        assert next(errors).startswith("error: cannot build: ")
        assert BANNER_ID in request(port, "/clinics/").text

        process.send_signal(signal.SIGINT)
        assert process.wait() == 130
        assert process.stderr.read().rstrip().endswith("interrupted")
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.communicate()

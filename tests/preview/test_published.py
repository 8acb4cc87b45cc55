"""``kdirectory serve --no-watch`` (a :class:`~kdirectory.preview.Preview` with
``watch=False``): built once and served exactly as published: every file as it is on disk,
no script, no event stream, nothing watched; a build that fails exits as ``kdirectory build``
does."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.preview.inject import EVENTS_PATH, SCRIPT_ID
from tests.helpers import GOOD_RECORD, REPO, VISTA, ProjectFactory
from tests.preview.client import request
from tests.preview.conftest import ServeProject, config
from tests.preview.test_rebuild import BROKEN, BROKEN_LINE, DESCRIBED, PAGE, RECORD

runner = CliRunner()


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site by the URL path that names it (``/clinics/…``), but only
    the first (by name) of each folder of finder shards, which are hundreds of the same
    kind."""
    files = {}
    for folder, dirs, names in os.walk(site):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        shards = Path(folder).parent.name == "finder"
        for name in sorted(names)[:1] if shards else names:
            if not name.startswith("."):
                path = Path(folder, name)
                files["/clinics/" + path.relative_to(site).as_posix()] = path.read_bytes()
    return files


def test_every_file_is_sent_as_it_is_on_disk(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD, "vista.yaml": VISTA}, config())
    served = serve_project(root, watch=False)
    assert served.first.ok, served.first.lines
    assert not served.server.live
    files = site_files(served.site)
    assert "/clinics/index.html" in files and "/clinics/assets/site.js" in files
    assert any(path.startswith("/clinics/finder/zip/") for path in files)
    for path, data in files.items():
        answer = request(served.port, path)
        assert (answer.status, answer.body) == (200, data), path
        assert SCRIPT_ID.encode() not in answer.body, path
    for path in ("/clinics/", "/clinics/ca/escondido/"):  # a folder is its index.html
        assert request(served.port, path).body == files[path + "index.html"]
    assert request(served.port, "/clinics/no/such/").body == files["/clinics/404.html"]


def test_there_is_no_event_stream_and_no_path_of_the_servers_own(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    """At the root of its host, the preview's own paths are the site's like any other."""
    root = make_project({"harbor.yaml": GOOD_RECORD}, config("https://example.org"))
    served = serve_project(root, watch=False)
    not_found = (served.site / "404.html").read_bytes()
    events = request(served.port, EVENTS_PATH)
    assert (events.status, events.body) == (404, not_found)
    assert not events.headers["content-type"].startswith("text/event-stream")
    (served.site / "__kdirectory").mkdir()
    (served.site / "__kdirectory" / "notes.txt").write_text("the site's own file\n")
    assert request(served.port, "/__kdirectory/notes.txt").text == "the site's own file\n"


def test_nothing_is_watched_and_nothing_rebuilt(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD}, config())
    before = set(threading.enumerate())
    served = serve_project(root, watch=False)
    started = {t.name for t in set(threading.enumerate()) - before}
    assert started == {"kdirectory-serve"}  # the server's own thread: no watcher, no rebuilder
    served.write(RECORD, DESCRIBED)
    assert served.preview.last == served.first
    answer = request(served.port, PAGE)
    assert answer.status == 200 and "Quiet rooms" not in answer.text


def test_a_failed_build_is_said_in_plain_text_with_no_script(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    root = make_project({"harbor.yaml": BROKEN}, config())
    served = serve_project(root, watch=False)
    assert not served.first.ok
    answer = request(served.port, "/clinics/")
    assert answer.status == 503
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text.startswith("the site did not build\n")
    assert BROKEN_LINE in answer.text
    assert SCRIPT_ID not in answer.text


@pytest.mark.parametrize(
    ("record", "settings", "code"),
    [
        (BROKEN, config(), 1),
        (GOOD_RECORD, config().replace("[site]", "[site]\nlanguage = 12"), 2),
    ],
    ids=["broken record", "broken setting"],
)
def test_a_failed_build_exits_as_build_does_and_serves_nothing(
    make_project: ProjectFactory, record: str, settings: str, code: int
) -> None:
    root = make_project({"harbor.yaml": record}, settings)
    built = runner.invoke(app, ["build", str(root)])
    served = runner.invoke(app, ["serve", str(root), "--port", "0", "--no-watch"])
    assert built.exit_code == served.exit_code == code
    assert served.output.startswith(built.output.rstrip("\n"))  # the same lines, in order
    assert "Serving at" not in served.output
    assert "nothing to serve yet" not in served.output
    assert "Traceback" not in served.output


@pytest.mark.slow
def test_serve_no_watch_prints_its_address_serves_the_files_and_stops_on_ctrl_c(
    make_project: ProjectFactory,
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD}, config())
    process = subprocess.Popen(
        [sys.executable, "-m", "kdirectory", "serve", str(root), "--port", "0", "--no-watch"],
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
        home = request(port, "/clinics/")
        assert home.body == (root / "site" / "index.html").read_bytes()
        assert request(port, EVENTS_PATH).status == 404

        process.send_signal(signal.SIGINT)
        assert process.wait() == 130
        assert process.stderr.read().rstrip().endswith("interrupted")
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.communicate()

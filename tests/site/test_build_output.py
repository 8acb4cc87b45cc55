"""Building the site: the same input gives the same bytes, in any folder and under any hash
seed; a rebuild writes only the pages that changed; the output folder is replaced atomically
and never loses a file kdirectory did not create; Ctrl-C leaves the last good site."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kdirectory.exceptions import ValidationFailedError
from kdirectory.site.build import MANIFEST, BuildError
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory, snapshot
from tests.site.pages import Site, build, run_cli, staging_of

# --- the same input, the same bytes ---------------------------------------------------------------


def test_two_builds_of_the_same_input_are_byte_identical(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    first, second = tmp_path / "out-a", tmp_path / "elsewhere" / "out-b"
    build(root, first)
    build(root, second)
    a, b = snapshot(first), snapshot(second)
    assert MANIFEST in a
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    # The same records in another project folder give the same site too: no paths leak in.
    moved = make_project(demo=True, at="moved/project")
    third = tmp_path / "out-c"
    build(moved, third)
    assert snapshot(third) == a
    assert all(str(tmp_path).encode() not in data for data in a.values())


@pytest.mark.slow
def test_a_build_in_another_interpreter_with_another_hash_seed_is_identical(
    demo_site: Site, tmp_path: Path
) -> None:
    """Set and dict iteration order (which follows the hash seed) must not reach the output."""
    out = tmp_path / "site"
    seed = str(int(os.environ.get("PYTHONHASHSEED", "0") or "0") + 4242)
    done = run_cli("build", str(demo_site.root), "--out", str(out), seed=seed)
    assert done.returncode == 0, done.stderr
    assert snapshot(out) == snapshot(demo_site.out)


# --- incremental ----------------------------------------------------------------------------------


def test_no_op_rebuild_reports_nothing_written(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    first = build(root, out)
    assert first.written == first.files > 0
    assert (first.unchanged, first.removed) == (0, 0)
    before = snapshot(out)
    second = build(root, out)
    assert (second.written, second.unchanged, second.removed) == (0, second.files, 0)
    assert second.files == first.files and second.pages == first.pages
    assert second.kept == []
    assert snapshot(out) == before
    assert second.summary().startswith(f"built {second.pages} pages ({second.files} files)")
    assert f"0 written, {second.files} unchanged, 0 removed" in second.summary()


def test_changing_one_record_rewrites_only_the_pages_that_show_it(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    before = snapshot(out)
    record = root / "data" / "clinics" / "ketamine-clinics-of-los-angeles.yaml"
    record.write_text(
        record.read_text(encoding="utf-8") + 'hours:\n  monday: "09:00-17:00"\n', encoding="utf-8"
    )
    result = build(root, out)
    after = snapshot(out)
    changed = {name for name in after if name != MANIFEST and before.get(name) != after.get(name)}
    assert result.written == len(changed)
    assert 0 < result.written < result.files
    assert result.unchanged == result.files - result.written
    assert result.removed == 0
    assert "clinics/ketamine-clinics-of-los-angeles/index.html" in changed
    assert "clinics/bff-medical-wellness-clinic/index.html" not in changed
    assert not any(name.startswith("conditions/") for name in changed)
    assert "Monday" in after["clinics/ketamine-clinics-of-los-angeles/index.html"].decode()


def test_deleting_a_clinic_removes_its_pages_and_counts_them(built_demo: tuple[Path, Path]) -> None:
    root, out = built_demo
    before = snapshot(out)
    (root / "data" / "clinics" / "bff-medical-wellness-clinic.yaml").unlink()
    result = build(root, out)
    after = snapshot(out)
    gone = set(before) - set(after)
    assert gone == {"clinics/bff-medical-wellness-clinic/index.html", "ca/escondido/index.html"}
    assert result.removed == len(gone)
    manifest = json.loads(after[MANIFEST])["files"]
    assert sorted(manifest) == sorted(set(after) - {MANIFEST})
    assert not (out / "clinics" / "bff-medical-wellness-clinic").exists()


def test_no_op_rebuild_leaves_unchanged_files_untouched_on_disk(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    page = out / "ca" / "index.html"
    past = time.time_ns() - 3_600 * 10**9
    os.utime(page, ns=(past, past))
    result = build(root, out)
    assert result.written == 0
    # What rsync, CDN uploaders and caches look at: an unchanged page keeps its mtime.
    assert page.stat().st_mtime_ns == past


# --- atomic, and never lose a file kdirectory did not create --------------------------------------


def test_refuses_a_non_empty_folder_it_did_not_build(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "public"
    (out / "notes").mkdir(parents=True)
    (out / "index.html").write_text("<p>my own site</p>", encoding="utf-8")
    (out / "notes" / "todo.txt").write_bytes(b"\x00\x01 keep me")
    before = snapshot(out)
    with pytest.raises(BuildError, match=re.escape(MANIFEST)):
        build(root, out)
    assert snapshot(out) == before
    assert not staging_of(out).exists()
    # A damaged manifest is no manifest: still refused, still untouched.
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(BuildError):
        build(root, out)
    assert snapshot(out) == before


def test_an_empty_folder_is_fine_and_a_file_is_refused(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(root, empty).written > 0
    not_a_folder = tmp_path / "site.txt"
    not_a_folder.write_text("hello", encoding="utf-8")
    with pytest.raises(BuildError, match="is a file"):
        build(root, not_a_folder)
    assert not_a_folder.read_text(encoding="utf-8") == "hello"


def test_user_files_in_a_built_folder_are_kept(built_demo: tuple[Path, Path]) -> None:
    root, out = built_demo
    mine = {
        "CNAME": b"clinics.example\n",
        ".well-known/security.txt": b"Contact: mailto:security@clinics.example\n",
        # inside a folder whose kdirectory page is about to be removed
        "clinics/bff-medical-wellness-clinic/photo.jpg": b"\xff\xd8\xff\xe0 not really",
    }
    for name, data in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    (root / "data" / "clinics" / "bff-medical-wellness-clinic.yaml").unlink()
    result = build(root, out)
    # A folder with no page in it counts once, however much it holds.
    entries = [".well-known", "CNAME", "clinics/bff-medical-wellness-clinic"]
    assert result.kept == entries
    assert {name: (out / name).read_bytes() for name in mine} == mine
    assert not (out / "clinics" / "bff-medical-wellness-clinic" / "index.html").exists()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert not set(mine) & set(manifest)
    again = build(root, out)
    assert again.kept == entries
    assert again.written == 0
    assert {name: (out / name).read_bytes() for name in mine} == mine


def test_a_user_file_on_the_path_of_a_new_page_is_not_silently_replaced(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    custom = out / "ca" / "vista" / "index.html"
    custom.parent.mkdir(parents=True)
    custom.write_text("<h1>Our hand-written Vista page</h1>", encoding="utf-8")
    (root / "data" / "clinics" / "vista.yaml").write_text(VISTA, encoding="utf-8")
    with contextlib.suppress(BuildError):  # refusing, naming the file, is one right answer
        build(root, out)
    assert custom.read_text(encoding="utf-8") == "<h1>Our hand-written Vista page</h1>"


def test_invalid_records_leave_the_previous_site_byte_identical(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    (out / "CNAME").write_bytes(b"clinics.example\n")
    before = snapshot(out)
    bad = GOOD_RECORD.replace('"(760) 555-0123"', '"555-1234"')
    (root / "data" / "clinics" / "bad.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationFailedError) as caught:
        build(root, out)
    assert "cannot build" in str(caught.value)
    assert [p.rule for p in caught.value.report.errors] != []  # type: ignore[attr-defined]
    assert snapshot(out) == before
    assert not staging_of(out).exists()


# --- Ctrl-C ---------------------------------------------------------------------------------------


# `kdirectory build` in a new interpreter that says "ready" on stderr once imported, then stops
# at the moment under test: there it says "stopped <pid>" on stderr and waits for a signal. So a
# signal sent after that line lands exactly there, never inside Python's own start-up.
CLI_STOPPING_AT = """
import os, signal, sys
# A shell that starts the tests in the background ignores SIGINT, and children inherit that:
# take Ctrl-C back, as an interactive terminal would deliver it.
signal.signal(signal.SIGINT, signal.default_int_handler)
import kdirectory.check
import kdirectory.site.render as render
from kdirectory.cli import app

build_process = os.getpid()
moment = sys.argv.pop(1)
render_page, check_site = render.render_page_template, kdirectory.check.check_site


def stop():
    os.write(2, f"stopped {os.getpid()}\\n".encode())
    signal.pause()  # Ctrl-C raises KeyboardInterrupt here; a worker ends at once


def rendering(*args, **kwargs):
    in_worker = os.getpid() != build_process
    if moment == ("rendering in a worker" if in_worker else "rendering"):
        stop()
    return render_page(*args, **kwargs)


def checking(*args, **kwargs):
    if moment == "checking":
        stop()
    return check_site(*args, **kwargs)


render.render_page_template = rendering
kdirectory.check.check_site = checking
sys.stderr.write("ready\\n")
sys.stderr.flush()
app()
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("moment", "jobs", "to_group"),
    [
        ("rendering", 1, False),
        ("rendering in a worker", 2, False),
        ("rendering in a worker", 2, True),  # a terminal's Ctrl-C reaches every process
        ("checking", 2, False),
    ],
)
def test_ctrl_c_leaves_the_last_good_site(
    generated_site: Site, tmp_path: Path, moment: str, jobs: int, to_group: bool
) -> None:
    out = tmp_path / "site"
    shutil.copytree(generated_site.out, out)
    before = snapshot(out)
    assert before == snapshot(generated_site.out)
    # The interrupted build would change every page: it moves the site to another base URL.
    command = [
        sys.executable, "-c", CLI_STOPPING_AT, moment,
        "build", str(generated_site.root), "--out", str(out), "--jobs", str(jobs),
        "--base-url", "https://interrupted.example",
    ]  # fmt: skip
    stopped: list[int] = []
    try:
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=to_group,
        ) as process:  # fmt: skip
            assert process.stderr is not None
            assert process.stderr.readline() == "ready\n"
            for _ in range(jobs if moment == "rendering in a worker" else 1):
                line = process.stderr.readline()
                assert line.startswith("stopped "), line + process.stderr.read()
                stopped.append(int(line.split()[1]))
            assert process.poll() is None
            assert (stopped[0] == process.pid) == (moment != "rendering in a worker")
            if to_group:
                os.killpg(process.pid, signal.SIGINT)
            else:
                process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=120)
        # The build waited for each of its workers: none is left, running or not.
        left = [pid for pid in stopped if Path(f"/proc/{pid}").exists()]
        assert left == []
    finally:
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert "interrupted" in stderr
    assert "built" not in stdout
    assert snapshot(out) == before  # every file, the manifest too
    assert not staging_of(out).exists()
    # A normal build afterwards succeeds and finds nothing to change.
    result = build(generated_site.root, out)
    assert (result.written, result.removed) == (0, 0)
    assert snapshot(out) == before
    assert not staging_of(out).exists()

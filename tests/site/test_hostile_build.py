"""Builds on unlucky machines and into folders that hold more than a site: nothing lost,
nothing written where it does not belong, never an internal error.

Each test reproduces one way a build went wrong, with the real parts where the machine
allows it (a tmpfs mount for a full disk and a mount point, a second process for a
concurrent build)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory._atomic import atomic_write_text
from kdirectory._output import LOCK, MANIFEST
from kdirectory.check import check_site
from kdirectory.cli import app
from kdirectory.exceptions import BuildError
from kdirectory.site.publish import publish
from tests.helpers import GOOD_RECORD, ProjectFactory
from tests.site.pages import build

runner = CliRunner()


# --- a rebuild keeps what is not the site's, and the folder's own metadata ------------------------


def test_a_rebuild_keeps_every_entry_it_does_not_own(
    built_demo: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = built_demo
    (out / "empty").mkdir()
    (out / ".git" / "refs" / "heads").mkdir(parents=True)  # empty folders inside a .git
    (out / ".git" / "objects").mkdir()
    (out / "link").symlink_to(root / "kdirectory.toml")
    (out / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(out / "fifo")
    out.chmod(0o2750)
    group = next((g for g in (1, 2, 0) if g != out.stat().st_gid), 0)
    with contextlib.suppress(PermissionError):
        os.chown(out, -1, group)
    before = out.stat()
    inode = before.st_ino
    result = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "empty").is_dir() and (out / ".git" / "refs" / "heads").is_dir()
    assert (out / ".git" / "objects").is_dir()
    assert (out / "link").is_symlink() and (out / "link").resolve() == root / "kdirectory.toml"
    assert (out / "dangling").is_symlink() and not (out / "dangling").exists()
    assert stat.S_ISFIFO((out / "fifo").lstat().st_mode)
    after = out.stat()
    assert (after.st_ino, after.st_mode, after.st_gid) == (inode, before.st_mode, before.st_gid)
    # One line for what was kept, however many files a .git holds.
    kept = [line for line in result.stderr.splitlines() if line.startswith("kept ")]
    assert kept == ["kept .git and 4 more (not created by kdirectory)"]


def test_pages_are_never_written_through_a_symlinked_folder(
    built_demo: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = built_demo
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(out / "ca")
    (out / "ca").symlink_to(elsewhere)
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    with pytest.raises(BuildError, match="is a symlink"):
        build(root, out)
    assert list(elsewhere.iterdir()) == []
    assert json.loads((out / MANIFEST).read_text("utf-8")) == manifest


# --- templates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            '{% extends "base.html" %}{% block main %}\n{{ nope }}{% endblock %}',
            ":2: UndefinedError",
        ),
        ('{% extends "base.html" %}{% block main %}{% if %}{% endblock %}', "syntax error"),
        ('{% extends "missing.html" %}', 'no template "missing.html"'),
        ('{% extends "404.html" %}', "extends or includes itself"),
    ],
)
def test_a_template_mistake_names_the_file_and_line(
    make_project: ProjectFactory, tmp_path: Path, override: str, expected: str
) -> None:
    root = make_project(demo=True)
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_text(override, "utf-8")
    result = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "404.html" in result.stderr and expected in result.stderr


# --- the disk -------------------------------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(tmp_path: Path, size: str) -> Iterator[Path]:
    """A real, small file system mounted for the test (root only: skipped otherwise)."""
    mount = tmp_path / f"mnt-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_mount_point_is_a_valid_output_folder(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    with tmpfs(tmp_path, "8m") as mount:
        mount.chmod(0o2750)
        build(root, mount)
        build(root, mount)  # renaming a mount point fails (EBUSY): contents are swapped
        assert (mount / "index.html").is_file()
        assert stat.S_IMODE(mount.stat().st_mode) == 0o2750
        assert check_site(mount).errors == []


def test_a_full_disk_keeps_the_last_site(make_project: ProjectFactory, tmp_path: Path) -> None:
    root = make_project(demo=True)
    with tmpfs(tmp_path, "2m") as mount:
        out = mount / "site"
        build(root, out)
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        filler = mount / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * 65536)
        (root / "data" / "clinics" / "harbor.yaml").write_text(GOOD_RECORD, "utf-8")
        result = runner.invoke(app, ["build", str(root), "--out", str(out)])
        assert result.exit_code == 1
        assert "the disk is full" in result.stderr and "last site is unchanged" in result.stderr
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(
    make_project: ProjectFactory,
) -> None:
    root = make_project(demo=True)
    result = runner.invoke(app, ["build", str(root), "--out", "/proc/kdirectory-site"])
    assert result.exit_code == 1
    assert "cannot create the output folder /proc/kdirectory-site" in result.stderr


# --- two builds at once ---------------------------------------------------------------------------


HOLD_LOCK = """
import fcntl, sys
from pathlib import Path
handle = (Path(sys.argv[1]) / sys.argv[2]).open("a")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_second_build_into_the_same_folder_is_refused_or_waits(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out), LOCK],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() == "locked\n"  # the other "build" holds the folder
        result = runner.invoke(app, ["build", str(root), "--out", str(out)])
        assert result.exit_code == 1
        assert f"another build is writing {out}" in result.stderr
        holder.stdin.close()  # the other build ends: its lock goes with it
        holder.wait()
    assert runner.invoke(app, ["build", str(root), "--out", str(out), "--wait"]).exit_code == 0


# --- file modes -----------------------------------------------------------------------------------


def test_written_files_keep_their_mode_or_take_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        atomic_write_text(fresh, "a")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        shared = tmp_path / "shared.txt"
        shared.write_text("a")
        shared.chmod(0o664)
        atomic_write_text(shared, "b")
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664
        out = tmp_path / "site"
        publish(out, {"index.html": b"one"})
        assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o644
        (out / "index.html").chmod(0o664)
        publish(out, {"index.html": b"two"})
        assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o664
        assert (out / "index.html").read_bytes() == b"two"
    finally:
        os.umask(old)

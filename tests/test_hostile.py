"""Hostile input and unlucky machines: nothing lost, nothing injected, never an internal error.

Each test reproduces one way a build, a check or a setting went wrong, with the real parts
where the machine allows it (a tmpfs mount for a full disk and a mount point, a second
process for a concurrent build).
"""

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
from kdirectory.check.page import read_page
from kdirectory.check.page_rules import page_findings
from kdirectory.check.structured import jsonld_findings
from kdirectory.cli import app
from kdirectory.config import parse_base_url
from kdirectory.exceptions import BuildError, ConfigError
from kdirectory.record.validate import load_directory
from kdirectory.report import printable
from kdirectory.site.build import build_site
from kdirectory.site.publish import publish
from kdirectory.site.templating import markdown_to_html
from tests.helpers import GOOD_RECORD, ProjectFactory

runner = CliRunner()


def build(root: Path, out: Path) -> None:
    build_site(load_directory(root), out)


# --- 1. a rebuild keeps what is not the site's, and the folder's own metadata ----------------


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


# --- 2. base_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://x.example\nDisallow: /",
        "https://x.example/ ",
        "https://x.example/?a=1",
        "https://x.example/#top",
        "http://",
        "https://",
        "ftp://x.example",
        "https://user:secret@x.example",
        "https://x.example/a/../b",
    ],
)
def test_a_bad_base_url_is_a_usage_error_naming_the_setting(
    make_project: ProjectFactory, tmp_path: Path, value: str
) -> None:
    with pytest.raises(ValueError, match=r"https://directory\.example|credentials"):
        parse_base_url(value)
    root = make_project(demo=True)
    config = (root / "kdirectory.toml").read_text("utf-8")
    (root / "kdirectory.toml").write_text(
        config.replace('"https://directory.example"', json.dumps(value)), "utf-8"
    )
    from_config = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "a")])
    assert from_config.exit_code == 2, from_config.output
    assert "site.base_url" in from_config.stderr
    assert "internal error" not in from_config.output
    with pytest.raises(ConfigError):
        load_directory(root)
    (root / "kdirectory.toml").write_text(config, "utf-8")
    option = runner.invoke(
        app, ["build", str(root), "--out", str(tmp_path / "b"), "--base-url", value]
    )
    assert option.exit_code == 2, option.output
    assert "--base-url" in option.output
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("https://Clinics.Example/", "https://clinics.example"),
        ("https://agency.example/clinics/", "https://agency.example/clinics"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
    ],
)
def test_good_base_urls_are_kept_in_a_normal_form(value: str, parsed: str) -> None:
    assert parse_base_url(value) == parsed


# --- 6. record text ---------------------------------------------------------------------------


def test_record_markdown_shows_no_remote_image_and_vouches_for_no_link() -> None:
    html = markdown_to_html(
        "See ![pixel](https://tracker.example/p.gif) and [our offer](https://spam.example), "
        "[a file](ftp://files.example/x), [local](/admin), "
        "[call](tel:+17605550123), [mail](mailto:front@clinic.example).",
        record=True,
    )
    assert "<img" not in html and "tracker.example" not in html
    assert "pixel" in html
    assert '<a href="https://spam.example" rel="nofollow ugc noopener">our offer</a>' in html
    assert "ftp://" not in html and 'href="/admin"' not in html
    assert 'href="tel:+17605550123" rel="nofollow ugc noopener"' in html
    assert 'href="mailto:front@clinic.example" rel="nofollow ugc noopener"' in html
    # The theme's own prose keeps its links as written.
    assert markdown_to_html("[988](tel:988)") == '<p><a href="tel:988">988</a></p>\n'


def test_a_clinic_page_shows_the_description_safely(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    record = GOOD_RECORD + 'description: "Hello ![x](https://tracker.example/p.gif)"\n'
    (root / "data" / "clinics" / "harbor.yaml").write_text(record, "utf-8")
    build(root, tmp_path / "site")
    page = (tmp_path / "site" / "clinics" / "harbor-ketamine-clinic" / "index.html").read_text()
    assert "tracker.example" not in page


# --- 7. nesting ----------------------------------------------------------------------------------


def test_deep_json_ld_and_deep_html_are_findings_not_crashes() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    head = '<!doctype html><html lang="en"><head><title>Deep</title>'
    page = read_page(
        "deep.html",
        f'{head}<script type="application/ld+json">{deep}</script></head>'
        "<body><main><h1>Deep</h1></main></body></html>".encode(),
    )
    assert page is not None
    [found] = jsonld_findings(page)
    assert (found.rule, found.severity) == ("jsonld.parse", "error")
    assert "nested more than" in found.message
    body = "<div>" * 3000 + "lost" + "</div>" * 3000
    page = read_page(
        "deep.html", f"{head}</head><body><main><h1>Deep</h1>\n{body}</main></body></html>".encode()
    )
    assert page is not None
    said = [f for f in page_findings(page, None) if f.rule == "html.unreadable"]
    assert said and "nest more than 255 deep" in said[0].message and said[0].line == 2


# --- 10. templates ---------------------------------------------------------------------------


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


# --- 11. the disk ------------------------------------------------------------------------------


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
        with filler.open("wb") as handle, contextlib.suppress(OSError):
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


# --- 12. two builds at once -----------------------------------------------------------------


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


# --- 13. file modes -----------------------------------------------------------------------------


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


# --- 14. smaller --------------------------------------------------------------------------------


def test_an_unreadable_sitemap_is_one_finding_not_one_per_page(
    built_demo: tuple[Path, Path],
) -> None:
    _, out = built_demo
    (out / "sitemap.xml").write_text("<urlset", "utf-8")
    report = check_site(out)
    rules = [p.rule for p in report.problems if p.rule.startswith("sitemap.")]
    assert rules == ["sitemap.missing"]


def test_config_errors_are_usage_errors(make_project: ProjectFactory) -> None:
    root = make_project(demo=True)
    (root / "kdirectory.toml").write_text("[site]\nbase_url = 3\n", "utf-8")
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 2
    assert "kdirectory.toml: site.base_url" in result.stderr


# --- 4. nothing printed drives the terminal ---------------------------------------------------


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

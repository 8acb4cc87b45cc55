"""Rendering in several processes (``build --jobs N``): the same bytes as one process, pages
streamed into the staging folder as they are rendered, a worker's failure reported as the
build's, and no worker left running whatever happens."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kdirectory.site.render as render_module
from kdirectory._output import MANIFEST
from kdirectory.cli import app
from kdirectory.exceptions import BuildError, TemplateFailedError
from kdirectory.site.build import BuildResult
from kdirectory.site.render import in_workers
from kdirectory.site.templating import render_page_template
from kdirectory.testing.synthetic import generate_project
from tests.helpers import REPO, ProjectFactory, snapshot
from tests.site.pages import build, staging_of

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_worker_outlives_a_test() -> Iterator[None]:
    """Every test here ends with no child process of this one left, finished or not."""
    assert _children() == []
    yield
    assert _children() == []


def _children() -> list[int]:
    """The child processes of this one (running, or exited and not yet waited for)."""
    found = Path(f"/proc/{os.getpid()}/task")
    if not found.is_dir():
        pytest.skip("no /proc here")
    children: list[int] = []
    for task in found.iterdir():
        text = (task / "children").read_text(encoding="ascii") if task.is_dir() else ""
        children += [int(pid) for pid in text.split()]
    return children


def _both(root: Path, tmp_path: Path, jobs: int) -> tuple[BuildResult, BuildResult]:
    one = build(root, tmp_path / "one", jobs=1)
    many = build(root, tmp_path / "many", jobs=jobs)
    return one, many


def _assert_same_site(one: BuildResult, many: BuildResult) -> None:
    a, b = snapshot(one.out), snapshot(many.out)
    assert MANIFEST in a
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []  # every file, the manifest too
    assert (one.pages, one.files, one.noindex) == (many.pages, many.files, many.noindex)


# --- the same bytes -------------------------------------------------------------------------


def test_the_demo_built_by_three_processes_is_byte_identical(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    one, many = _both(root, tmp_path, 3)
    assert (one.processes, many.processes) == (1, 3)
    _assert_same_site(one, many)


def test_a_rebuild_after_a_small_change_renders_here_and_a_large_one_in_workers(
    tmp_path: Path,
) -> None:
    root, out = tmp_path / "project", tmp_path / "site"
    generate_project(root, 60, seed=7, states=["CA", "NV"])
    assert build(root, out, jobs=2).processes == 2
    record = sorted((root / "data" / "clinics").glob("*.yaml"))[5]
    text = record.read_text(encoding="utf-8")
    phone = next(line for line in text.splitlines() if line.startswith("phone:"))
    record.write_text(text.replace(phone, 'phone: "(702) 555-0147"'), "utf-8")
    small = build(root, out, jobs=2)
    assert small.processes == 1 and 0 < small.rendered < render_module.MIN_PAGES_FOR_WORKERS
    settings = root / "kdirectory.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# read again\n", "utf-8")
    assert build(root, out, jobs=2).processes == 2  # settings changed: every page planned
    fresh = build(root, tmp_path / "fresh", jobs=1, cache=False)
    assert snapshot(out) == snapshot(tmp_path / "fresh") and fresh.processes == 1


def test_the_brand_example_built_by_three_processes_is_byte_identical(tmp_path: Path) -> None:
    root = shutil.copytree(REPO / "examples" / "harbor-ketamine-care", tmp_path / "brand")
    one, many = _both(root, tmp_path, 3)
    assert many.processes == 3
    _assert_same_site(one, many)


@pytest.mark.slow
def test_a_generated_directory_built_by_three_processes_is_byte_identical(
    tmp_path: Path,
) -> None:
    """300 clinics: enough pages for MinHash in the uniqueness gate, and pages it sets to
    noindex, rendered again by the workers."""
    root = tmp_path / "project"
    generate_project(root, 300, seed=7)
    one, many = _both(root, tmp_path, 3)
    assert many.processes == 3
    assert one.noindex != []
    _assert_same_site(one, many)
    again = build(root, many.out, jobs=3)  # a no-op rebuild in parallel writes nothing
    assert (again.written, again.unchanged, again.removed) == (0, many.files, 0)
    assert snapshot(many.out) == snapshot(one.out)


def test_the_cli_takes_jobs(make_project: ProjectFactory, tmp_path: Path) -> None:
    root = make_project(demo=True)
    built = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "a"), "--jobs", "2"])
    assert built.exit_code == 0, built.output
    assert built.stdout.startswith("built ")
    refused = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "b"), "--jobs", "0"])
    assert refused.exit_code == 2
    assert "--jobs" in refused.output
    assert not (tmp_path / "b").exists()


def test_a_build_in_a_process_running_other_threads_renders_in_that_process(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    """As ``kdirectory serve`` builds: forking a process with other threads could leave a
    child waiting forever on a lock one of them held."""
    root = make_project(demo=True)
    results: list[BuildResult] = []
    worker = threading.Thread(target=lambda: results.append(build(root, tmp_path / "s", jobs=3)))
    worker.start()
    worker.join()
    assert [r.processes for r in results] == [1]
    assert snapshot(tmp_path / "s") == snapshot(build(root, tmp_path / "t", jobs=1).out)


# --- streamed into staging ------------------------------------------------------------------


def test_pages_are_in_the_staging_folder_as_soon_as_they_are_rendered(
    make_project: ProjectFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    staged_before: list[int] = []
    real = render_page_template

    def counting(*args: Any, **kwargs: Any) -> str:
        staging = staging_of(out)
        staged_before.append(len(list(staging.rglob("*.html"))) if staging.is_dir() else -1)
        return real(*args, **kwargs)

    monkeypatch.setattr(render_module, "render_page_template", counting)
    result = build(root, out, jobs=1)
    # The n-th page rendered finds the n - 1 before it already written, never held back.
    assert staged_before[: result.pages] == list(range(result.pages))


# --- failures in a worker -------------------------------------------------------------------


@pytest.fixture
def in_a_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Make the rendering of one chosen page (``failing["path"]``) do ``failing["do"]()``,
    in a worker process only (the build's own process renders the first page of each
    template before it forks)."""
    parent = os.getpid()
    failing: dict[str, Any] = {}
    real = render_page_template

    def render(env: Any, name: str, context: dict[str, Any]) -> str:
        if os.getpid() != parent and context["page"].path == failing.get("path"):
            failing["do"]()
        return real(env, name, context)

    monkeypatch.setattr(render_module, "render_page_template", render)
    yield failing


def _last_clinic_page(root: Path) -> str:
    slugs = sorted(p.stem for p in (root / "data" / "clinics").glob("*.yaml"))
    return f"/clinics/{slugs[-1]}/"


def test_a_template_error_in_a_worker_is_the_builds_error(
    make_project: ProjectFactory, tmp_path: Path, in_a_worker: dict[str, Any]
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    build(root, out, jobs=1)
    before = snapshot(out)

    def fail() -> None:
        raise TemplateFailedError("clinic.html:12: UndefinedError: 'nope' is undefined")

    in_a_worker.update(path=_last_clinic_page(root), do=fail)
    with pytest.raises(TemplateFailedError, match=r"^clinic\.html:12: UndefinedError"):
        build(root, out, jobs=2, base_url="https://elsewhere.example")
    assert snapshot(out) == before
    assert not staging_of(out).exists()


def test_a_worker_killed_midway_fails_the_build_and_keeps_the_last_site(
    make_project: ProjectFactory, tmp_path: Path, in_a_worker: dict[str, Any]
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    build(root, out, jobs=1)
    before = snapshot(out)
    in_a_worker.update(
        path=_last_clinic_page(root), do=lambda: os.kill(os.getpid(), signal.SIGKILL)
    )
    with pytest.raises(BuildError, match="a process rendering pages was killed by signal 9"):
        build(root, out, jobs=2, base_url="https://elsewhere.example")
    assert snapshot(out) == before
    assert not staging_of(out).exists()


def test_an_unexpected_error_in_a_worker_comes_back_with_its_traceback() -> None:
    class UnpicklableError(Exception):  # a local class: pickle cannot find it by name
        pass

    def work(chunk: Any) -> list[int]:
        if 5 in chunk:
            raise UnpicklableError("chunk five")
        return list(chunk)

    with pytest.raises(RuntimeError, match="a process rendering pages failed") as caught:
        in_workers(work, [range(4), range(4, 8), range(8, 12)], 2)
    assert "UnpicklableError: chunk five" in str(caught.value)
    assert "Traceback" in str(caught.value)

    def lookup(chunk: Any) -> list[int]:
        return [{}[key] for key in chunk]  # KeyError: travels as itself

    with pytest.raises(KeyError) as key_error:
        in_workers(lookup, [range(2), range(2, 4)], 2)
    assert "in a process rendering pages" in str(key_error.value.__cause__)
    assert "Traceback" in str(key_error.value.__cause__)
    # Results come back in the order of the chunks, whichever worker rendered each.
    chunks = [range(i, i + 3) for i in range(0, 30, 3)]
    assert in_workers(list, chunks, 3) == [list(c) for c in chunks]


# --- a no-op rebuild ------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_no_op_rebuild_rewrites_no_file(
    make_project: ProjectFactory, tmp_path: Path, jobs: int
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    build(root, out, jobs=jobs)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    past = 1_000_000_000 * 10**9  # 2001: what a rewrite would replace
    for name in manifest:
        os.utime(out / name, ns=(past, past))
    before = {name: (out / name).stat() for name in manifest}
    result = build(root, out, jobs=jobs)
    assert (result.written, result.unchanged) == (0, len(manifest))
    after = {name: (out / name).stat() for name in manifest}
    # Same inode, same mtime: the file was never opened for writing nor replaced.
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in after.items()} == {
        n: (s.st_ino, past) for n, s in before.items()
    }
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"] == manifest

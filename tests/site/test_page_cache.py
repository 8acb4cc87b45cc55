"""The page cache (.kdirectory/pages.sqlite): a rebuild renders only the pages whose inputs
changed, writes only the files whose bytes changed, and the site is the same bytes as a
build without the cache, whatever state the cache is in."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import kdirectory.site.build as build_module
import kdirectory.site.render as render_module
from kdirectory._output import MANIFEST
from kdirectory.check import check_site
from kdirectory.record.validate import load_directory
from kdirectory.site.build import BuildResult, _plan, build_site
from kdirectory.site.page_cache import PAGE_CACHE
from kdirectory.site.templating import render_page_template
from kdirectory.site.thin_pages import thin_pages
from kdirectory.testing.synthetic import generate_project
from tests.helpers import snapshot
from tests.site.pages import build

COUNT = 60
"""Clinics in the generated project: a few cities with several clinics, nearby lists, a
state page that names its clinics."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    generate_project(root, COUNT, seed=7, states=["CA", "NV"])
    return root


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files of the pages rendered (not kept) from now on, in this process."""
    found: list[str] = []

    def render(env: Any, template: str, context: dict[str, Any]) -> str:
        found.append(context["page"].output)
        return render_page_template(env, template, context)

    monkeypatch.setattr(render_module, "render_page_template", render)
    yield found


def times(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: the same pair means it was not rewritten."""
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }


def mentions(value: object, slug: str, seen: set[int] | None = None) -> bool:
    """Whether ``value`` (a page's context, walked) holds the view of the clinic ``slug``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    if getattr(value, "slug", None) == slug:
        return True
    if isinstance(value, dict):
        return any(mentions(v, slug, seen) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(mentions(v, slug, seen) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(mentions(getattr(value, f.name), slug, seen) for f in dataclasses.fields(value))
    if isinstance(value, BaseModel):
        return any(mentions(v, slug, seen) for v in value.__dict__.values())
    return False


def test_a_rebuild_with_nothing_changed_renders_and_writes_nothing(
    project: Path, tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    gates: list[int] = []

    def gate(pages: Any, *args: Any) -> Any:
        gates.append(len(pages))
        return thin_pages(pages, *args)

    monkeypatch.setattr(build_module, "thin_pages", gate)
    first = build(project, out, jobs=1)
    assert first.rendered == first.pages == len(set(rendered))
    assert gates == [first.pages]
    assert first.noindex  # the gate keeps a page out of search: kept so on the rebuild
    before, files = times(out), snapshot(out)
    rendered.clear()
    again = build(project, out, jobs=1)
    assert gates == [first.pages]  # what the gate found stands: the same pages compared
    assert again.noindex == first.noindex
    assert rendered == []
    assert again.rendered == 0
    assert f"0 pages rendered ({again.pages:,} kept)" in again.summary()
    assert (again.written, again.unchanged) == (0, again.files)
    assert times(out) == before
    assert snapshot(out) == files


def site_files(folder: Path) -> dict[str, bytes]:
    """The site's files, without the manifest (which records when and from what)."""
    return {name: data for name, data in snapshot(folder).items() if name != MANIFEST}


def change_phone(project: Path, number: int, phone: str) -> Path:
    """Give the ``number``-th record of ``project`` another phone number; its file."""
    record = sorted((project / "data" / "clinics").glob("*.yaml"))[number]
    text = record.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("phone:"))
    record.write_text(text.replace(old, f'phone: "{phone}"'), encoding="utf-8")
    return record


def test_one_changed_clinic_renders_its_page_and_the_pages_that_list_it(
    project: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    shutil.copytree(out, fresh)
    old, before = site_files(out), times(out)
    record = change_phone(project, 5, "(702) 555-0147")
    directory = load_directory(project)
    slug = next(e.clinic.slug for e in directory.entries if e.source.path == record)
    planned = _plan(directory, directory.config)
    listing = {p.output for p in planned.pages if mentions(p.context, slug)}

    rendered.clear()
    result = build(project, out, jobs=1)
    again = set(rendered)
    full = build(project, fresh, jobs=1, cache=False)

    new = site_files(out)
    assert new == site_files(fresh)  # the same site as rendering every page
    assert full.rendered == full.pages
    rewritten = {name for name, stamp in times(out).items() if before.get(name) != stamp}
    assert rewritten == {name for name, data in new.items() if old.get(name) != data}
    pages_changed = {name for name in rewritten if name.endswith(".html")}
    assert f"clinics/{slug}/index.html" in pages_changed
    assert pages_changed <= again <= listing
    assert len(again) == result.rendered < result.pages // 4


def test_a_page_edited_by_hand_in_the_site_is_written_again(
    project: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(project, out, jobs=1)
    files = snapshot(out)
    (out / "index.html").write_text("edited by hand", encoding="utf-8")
    rendered.clear()
    build(project, out, jobs=1)
    assert rendered == ["index.html"]
    assert snapshot(out) == files


def test_a_page_edited_by_hand_to_the_same_size_is_written_again(
    project: Path, tmp_path: Path, rendered: list[str]
) -> None:
    """A file whose modification time is not the one the last build left is read to tell
    whether it changed, whatever its size."""
    out = tmp_path / "site"
    build(project, out, jobs=1)
    files = snapshot(out)
    page = out / "index.html"
    data = page.read_bytes()
    at = data.index(b"<title>") + len(b"<title>")
    page.write_bytes(data[:at] + (b"X" if data[at : at + 1] != b"X" else b"Y") + data[at + 1 :])
    rendered.clear()
    build(project, out, jobs=1)
    assert rendered == ["index.html"]
    assert snapshot(out) == files


def test_a_rebuild_reads_no_file_the_last_build_left_as_it_is(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files of the site whose size, modification time and inode are as the last build
    recorded them are taken to be what its manifest says, not read again: only the pages
    rendered anew are."""
    out = tmp_path / "site"
    build(project, out, jobs=1)
    record = next((project / "data" / "clinics").glob("*.yaml"))
    record.write_text(
        record.read_text(encoding="utf-8").replace("description: ", "description: Parked. ", 1),
        encoding="utf-8",
    )
    read: list[Path] = []
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.is_relative_to(out):
            read.append(path)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = build(project, out, jobs=1)
    assert 0 < result.rendered < result.pages
    assert [path for path in read if path.name != MANIFEST] == []


def test_a_template_change_renders_the_pages_again(
    project: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(project, out, jobs=1)
    templates = project / "templates"
    templates.mkdir()
    packaged = Path(render_module.__file__).parents[3] / "templates" / "clinic.html"
    (templates / "clinic.html").write_text(
        packaged.read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8"
    )
    rendered.clear()
    result = build(project, out, jobs=1)
    assert result.rendered == result.pages == len(set(rendered))


@pytest.mark.parametrize(
    "damage",
    [b"not a database at all", b"SQLite format 3\x00" + b"\xff" * 200],
    ids=["text", "broken header"],
)
def test_a_damaged_cache_is_set_aside_with_a_notice(
    project: Path, tmp_path: Path, damage: bytes
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    cache = project / PAGE_CACHE
    cache.write_bytes(damage)
    result = build(project, out, jobs=1)
    assert len(result.notices) == 1 and "set aside" in result.notices[0]
    assert cache.with_name(cache.name + ".corrupt").read_bytes() == damage
    assert result.rendered == result.pages
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)
    again = build(project, out, jobs=1)
    assert again.notices == [] and again.rendered == 0


def test_a_cache_of_another_program_is_set_aside(project: Path, tmp_path: Path) -> None:
    import sqlite3

    cache = project / PAGE_CACHE
    cache.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(cache) as db:
        db.execute("CREATE TABLE pages (name TEXT)")
    db.close()
    result = build(project, tmp_path / "site", jobs=1)
    assert len(result.notices) == 1 and "not a kdirectory page cache" in result.notices[0]
    assert build(project, tmp_path / "site", jobs=1).rendered == 0


def test_an_unusable_cache_is_done_without(project: Path, tmp_path: Path) -> None:
    (project / PAGE_CACHE).mkdir(parents=True)  # a folder where the file goes
    result = build(project, tmp_path / "site", jobs=1)
    assert len(result.notices) == 1 and "cannot use the page cache" in result.notices[0]
    assert result.rendered == result.pages


@pytest.mark.skipif(not hasattr(os, "fork"), reason="parallel rendering forks")
def test_parallel_rebuilds_keep_what_the_cache_has(project: Path, tmp_path: Path) -> None:
    out, serial = tmp_path / "site", tmp_path / "serial"
    first: BuildResult = build(project, out, jobs=2)
    assert first.processes == 2
    again = build(project, out, jobs=2)
    assert again.rendered == 0
    build(project, serial, jobs=1, cache=False)
    assert site_files(out) == site_files(serial)


# --- a build with nothing to do -----------------------------------------------------------


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a build planned the site's pages, from now on."""
    planned: list[int] = []
    plan = build_module._plan

    def counted(*args: Any, **kwargs: Any) -> Any:
        planned.append(1)
        return plan(*args, **kwargs)

    monkeypatch.setattr(build_module, "_plan", counted)
    return planned


def test_a_build_of_the_same_inputs_into_the_same_site_plans_nothing(
    project: Path, tmp_path: Path, plans: list[int]
) -> None:
    out = tmp_path / "site"
    first = build(project, out, jobs=1)
    before, files = times(out), snapshot(out)
    again = build(project, out, jobs=1)
    assert len(plans) == 1
    assert snapshot(out) == files and times(out) == before
    assert (again.pages, again.files, again.written, again.unchanged, again.removed) == (
        first.pages, first.files, 0, first.files, 0,
    )  # fmt: skip
    assert again.noindex == first.noindex and again.redirects == first.redirects
    assert again.check is not None and first.check is not None
    assert again.check.problems == first.check.problems
    assert again.rendered == 0


def _edit_record(project: Path, _: Path) -> None:
    change_phone(project, 3, "(702) 555-0149")


def _touch_photo(project: Path, _: Path) -> None:
    (project / "assets").mkdir(exist_ok=True)
    (project / "assets" / "notes.txt").write_text("a file of the project\n", encoding="utf-8")


def _template(project: Path, _: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "404.html").write_text(
        (Path(render_module.__file__).parents[3] / "templates" / "404.html").read_text(
            encoding="utf-8"
        )
        + "{# changed #}\n",
        encoding="utf-8",
    )


def _settings(project: Path, _: Path) -> None:
    config = project / "kdirectory.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[site]\n", "[site]\n# a comment, and the site is named again\n"
        ),
        encoding="utf-8",
    )


def _edit_page(_: Path, out: Path) -> None:
    (out / "index.html").write_text("edited by hand", encoding="utf-8")


def _remove_page(_: Path, out: Path) -> None:
    next(out.glob("clinics/*/index.html")).unlink()


def _manifest(_: Path, out: Path) -> None:
    manifest = out / MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def _another_day(_: Path, __: Path) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = "1893456000"  # 2030-01-01


@pytest.mark.parametrize(
    "change",
    [
        _edit_record, _touch_photo, _template, _settings, _edit_page, _remove_page, _manifest,
        _another_day,
    ],
)  # fmt: skip
def test_any_change_to_the_inputs_or_the_site_builds_again(
    project: Path,
    tmp_path: Path,
    plans: list[int],
    change: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795996800")
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    change(project, out)
    build(project, out, jobs=1)
    assert len(plans) == 2
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_a_clinic_replaced_in_python_builds_again(
    project: Path, tmp_path: Path, plans: list[int]
) -> None:
    """A clinic read from a file stands in the inputs' digest by the file's bytes: one
    replaced after loading, its file left as it was, is not taken for the file's."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    directory = load_directory(project)
    entry = directory.entries[3]
    changed = entry.clinic.model_copy(update={"description": "Another description, typed in."})
    directory.entries[3] = dataclasses.replace(entry, clinic=changed)
    result = build_site(directory, out, jobs=1)
    assert len(plans) == 2 and result.written > 0
    build_site(directory, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_another_base_url_builds_again(project: Path, tmp_path: Path, plans: list[int]) -> None:
    out = tmp_path / "site"
    build(project, out, jobs=1)
    result = build(project, out, jobs=1, base_url="https://clinics.example/dir")
    assert len(plans) == 2 and result.written > 0


def test_the_build_s_check_finds_what_a_check_without_a_cache_finds(
    project: Path, tmp_path: Path
) -> None:
    """The renderer gives the check cache each page's record as it renders it: the report is
    the same as reading every page again, on a first build and after a change."""
    out = tmp_path / "site"
    for change in (None, 7):
        if change is not None:
            change_phone(project, change, "(702) 555-0150")
        result = build(project, out, jobs=2)
        assert result.check is not None
        again = check_site(out, base_url=None)
        assert [p.to_dict() for p in result.check.problems] == [p.to_dict() for p in again.problems]

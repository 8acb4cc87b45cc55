"""Checking a new site staged over the one it replaces (as ``kdirectory build`` checks it
before publishing): the staged files are read from the staging folder, the unchanged ones
from the live site, and the report is the one of the whole new site in one folder."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from kdirectory._output import MANIFEST
from kdirectory.check import check_site
from tests.check.sites import Built


def _staged(live: Path, staging: Path, changes: dict[str, bytes]) -> list[str]:
    """Stage ``changes`` in ``staging`` over the site in ``live`` (its manifest too); the
    files of the new site that stay as they are in ``live``."""
    staging.mkdir()
    shutil.copy2(live / MANIFEST, staging / MANIFEST)
    for name, data in changes.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    kept = [
        path.relative_to(live).as_posix()
        for path in live.rglob("*")
        if path.is_file() and path.name != MANIFEST
    ]
    return [name for name in kept if name not in changes and not name.startswith(".")]


def _whole(live: Path, staging: Path, folder: Path) -> Path:
    """The new site in one folder: ``live`` with the files of ``staging`` over it."""
    shutil.copytree(live, folder)
    shutil.copytree(staging, folder, dirs_exist_ok=True)
    return folder


def test_a_site_staged_over_the_live_one_is_checked_as_the_whole_new_site(
    demo: Built, tmp_path: Path
) -> None:
    live = tmp_path / "live"
    shutil.copytree(demo.out, live)
    home = (live / "index.html").read_text(encoding="utf-8")
    broken = home.replace("</main>", '<a href="/no-such-page/">a broken link</a></main>', 1)
    changes = {"index.html": broken.encode("utf-8")}
    staging = tmp_path / "staging"
    unchanged = _staged(live, staging, changes)
    digests = {name: hashlib.sha256((live / name).read_bytes()).hexdigest() for name in unchanged}
    digests["index.html"] = hashlib.sha256(changes["index.html"]).hexdigest()

    staged = check_site(staging, staged_over=live, unchanged=unchanged, digests=digests)
    whole = check_site(_whole(live, staging, tmp_path / "whole"))

    assert staged.pages == whole.pages == demo.report.pages
    assert [p.to_dict() for p in staged.problems] == [p.to_dict() for p in whole.problems]
    assert any("no-such-page" in p.message for p in staged.errors)  # the staged page is read
    assert not any("no-such-page" in p.message for p in demo.report.problems)


def test_a_staged_site_with_its_cache_gives_the_report_without_it(
    demo: Built, tmp_path: Path
) -> None:
    live = tmp_path / "live"
    shutil.copytree(demo.out, live)
    staging = tmp_path / "staging"
    unchanged = _staged(live, staging, {})
    cache = tmp_path / "check.sqlite"
    first = check_site(staging, staged_over=live, unchanged=unchanged, cache=cache)
    again = check_site(staging, staged_over=live, unchanged=unchanged, cache=cache)
    plain = check_site(live)
    expected = [p.to_dict() for p in plain.problems]
    assert [p.to_dict() for p in first.problems] == expected
    assert [p.to_dict() for p in again.problems] == expected

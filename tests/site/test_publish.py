"""Publishing files staged as they are made (``publish(render=...)``): unchanged files are
linked, never rewritten; a file staged twice never writes through to the live site; a render
that fails or stages a file twice leaves the last site as it was."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from kdirectory._output import MANIFEST, REMOVING, STAGING
from kdirectory.exceptions import BuildError
from kdirectory.site.publish import Stage, Staged, publish, site_state, unchanged
from tests.helpers import snapshot


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_staged_files_are_published_with_their_digests(tmp_path: Path) -> None:
    out = tmp_path / "site"

    def render(stage: Stage) -> Mapping[str, Staged]:
        return {name: stage.put(name, data) for name, data in pages.items()}

    pages = {"index.html": b"<p>home</p>", "ca/index.html": b"<p>California</p>"}
    first = publish(out, {"robots.txt": b"User-agent: *\n"}, render=render)
    assert (first.written, first.unchanged, first.removed) == (3, 0, 0)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert manifest == {
        "ca/index.html": _digest(b"<p>California</p>"),
        "index.html": _digest(b"<p>home</p>"),
        "robots.txt": _digest(b"User-agent: *\n"),
    }
    home = (out / "index.html").stat()
    pages = {"index.html": b"<p>home</p>", "ca/index.html": b"<p>California!</p>"}
    second = publish(out, {"robots.txt": b"User-agent: *\n"}, render=render)
    assert (second.written, second.unchanged, second.removed) == (1, 2, 0)
    assert (out / "index.html").stat().st_ino == home.st_ino
    assert (out / "ca" / "index.html").read_bytes() == b"<p>California!</p>"
    assert not (out / STAGING).exists()


def test_a_file_staged_again_never_writes_into_the_live_one(tmp_path: Path) -> None:
    """A page first staged unchanged is a hard link to the live page; staging it again with
    other bytes (the uniqueness gate's noindex) must replace the link, not write through it."""
    out = tmp_path / "site"
    publish(out, {"index.html": b"indexable"})
    seen: list[bytes] = []

    def render(stage: Stage) -> Mapping[str, Staged]:
        first = stage.put("index.html", b"indexable")
        assert first == Staged(_digest(b"indexable"), changed=False)
        again = stage.put("index.html", b"noindex")
        seen.append((out / "index.html").read_bytes())  # the live page, before the commit
        return {"index.html": again}

    result = publish(out, render=render)
    assert seen == [b"indexable"]
    assert result.written == 1
    assert (out / "index.html").read_bytes() == b"noindex"


def test_a_render_that_fails_leaves_the_last_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    publish(out, {"index.html": b"one", "a/index.html": b"a"})
    before = snapshot(out)

    def render(stage: Stage) -> Mapping[str, Staged]:
        stage.put("index.html", b"two")
        raise BuildError("the template failed")

    with pytest.raises(BuildError, match="the template failed"):
        publish(out, render=render)
    assert snapshot(out) == before
    assert not (out / STAGING).exists()


def test_a_file_both_rendered_and_given_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "site"
    publish(out, {"index.html": b"one"})
    before = snapshot(out)

    def render(stage: Stage) -> Mapping[str, Staged]:
        return {"index.html": stage.put("index.html", b"two")}

    with pytest.raises(BuildError, match=r"two files would be written to index\.html"):
        publish(out, {"index.html": b"three"}, render=render)
    assert snapshot(out) == before
    assert not (out / STAGING).exists()


@pytest.mark.parametrize("name", ["../escape.html", "/etc/passwd", ".hidden", "a/../../b"])
def test_a_stage_refuses_a_name_outside_the_site(tmp_path: Path, name: str) -> None:
    out = tmp_path / "site"

    def render(stage: Stage) -> Mapping[str, Staged]:
        return {name: stage.put(name, b"x")}

    with pytest.raises(BuildError, match="outside the output folder"):
        publish(out, render=render)
    assert list(tmp_path.iterdir()) == []  # nothing written, the new folder removed


def test_staging_removed_meanwhile_is_gone_once_finished(tmp_path: Path) -> None:
    out = tmp_path / "site"
    pages = {f"{n}/index.html": f"<p>{n}</p>".encode() for n in range(50)}

    def render(stage: Stage) -> Mapping[str, Staged]:
        return {name: stage.put(name, data) for name, data in pages.items()}

    publish(out, render=render)
    again = publish(out, render=render, meanwhile=True)
    assert again.removing is not None
    again.finish()
    assert not again.removing.is_alive()
    assert not (out / STAGING).exists()
    assert not (out / REMOVING).exists()
    assert {name for name in snapshot(out) if name != MANIFEST} == set(pages)


def test_a_staging_folder_left_being_removed_is_removed_by_the_next_publish(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"

    def render(stage: Stage) -> Mapping[str, Staged]:
        return {"index.html": stage.put("index.html", b"<p>home</p>")}

    publish(out, render=render)
    left = out / REMOVING / "ca"
    left.mkdir(parents=True)  # a build killed while it removed its staging folder
    (left / "index.html").write_bytes(b"<p>California</p>")
    state = site_state(out)
    assert state is not None
    assert unchanged(out, *state) is None  # not taken as the site a build left
    publish(out, render=render)
    assert not (out / REMOVING).exists()
    assert unchanged(out, *site_state(out)) is not None  # type: ignore[misc]

"""Atomic writes: a reader sees the old file or the whole new one, never a part."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kdirectory._atomic import AtomicBatch, atomic_write_text


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.yaml"
    atomic_write_text(target, "one\n")
    atomic_write_text(target, "two\n")
    assert target.read_text(encoding="utf-8") == "two\n"
    assert _visible(target.parent) == ["a.yaml"]


def test_batch_files_appear_only_when_committed(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("old\n", encoding="utf-8")
    with AtomicBatch(size=3) as batch:
        batch.write_text(tmp_path / "a.yaml", "a\n")
        batch.write_text(tmp_path / "b.yaml", "b\n")
        assert [n for n in _visible(tmp_path) if not n.startswith(".")] == ["b.yaml"]
        assert (tmp_path / "b.yaml").read_text(encoding="utf-8") == "old\n"
        batch.write_text(tmp_path / "c.yaml", "c\n")  # the third file commits the batch
        assert _visible(tmp_path) == ["a.yaml", "b.yaml", "c.yaml"]
        batch.write_text(tmp_path / "d.yaml", "d\n")
    assert _visible(tmp_path) == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    assert (tmp_path / "b.yaml").read_text(encoding="utf-8") == "b\n"


def test_an_error_removes_uncommitted_files_and_keeps_committed_ones(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), AtomicBatch(size=2) as batch:
        batch.write_text(tmp_path / "a.yaml", "a\n")
        batch.write_text(tmp_path / "b.yaml", "b\n")
        batch.write_text(tmp_path / "c.yaml", "c\n")
        raise RuntimeError
    assert _visible(tmp_path) == ["a.yaml", "b.yaml"]


def test_batch_files_take_the_umask_or_keep_their_mode(tmp_path: Path) -> None:
    kept = tmp_path / "kept.yaml"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o600)
    old = os.umask(0o027)
    try:
        with AtomicBatch() as batch:
            batch.write_text(tmp_path / "new" / "a.yaml", "a\n")  # its folder is made too
            batch.write_text(kept, "new\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new" / "a.yaml").stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert _visible(tmp_path / "new") == ["a.yaml"]

"""Python's cycle collector during loading and building: what is loaded is not walked again
by every pass of the collector, and the collector is left as it was found."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kdirectory.site.build as build_module
from kdirectory._collector import paused
from kdirectory.record.validate import load_directory
from kdirectory.site.build import build_site
from kdirectory.testing.synthetic import generate_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    generate_project(root, 40, seed=3, states=["CA"])
    return root


@pytest.fixture
def passes() -> Iterator[list[tuple[int, int]]]:
    """(generation, objects set aside) at the start of each pass of the collector."""
    found: list[tuple[int, int]] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            found.append((info["generation"], gc.get_freeze_count()))

    gc.callbacks.append(seen)
    try:
        yield found
    finally:
        gc.callbacks.remove(seen)


def test_what_is_made_while_the_collector_is_paused_counts_as_old_after() -> None:
    """Records are read with the collector paused; when it is back on, what was read is
    in the oldest generation already, so its next pass does not walk all of it."""
    young: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 0 and not young:
            young.append(len(gc.get_objects(generation=0)))

    gc.collect()
    with paused():
        made = [[] for _ in range(20_000)]
        gc.callbacks.append(seen)
    try:
        more = [[] for _ in range(5_000)]  # enough for a pass over the youngest generation
    finally:
        gc.callbacks.remove(seen)
    assert len(made) + len(more) == 25_000
    assert young and young[0] < 10_000
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_loading_leaves_the_collector_as_it_was(project: Path) -> None:
    load_directory(project, cache=False)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_build_sets_aside_what_is_loaded_from_every_pass(
    project: Path, tmp_path: Path, passes: list[tuple[int, int]]
) -> None:
    directory = load_directory(project, cache=False)
    gc.collect()
    passes.clear()
    alive = len(gc.get_objects())
    build_site(directory, tmp_path / "site", jobs=1, cache=False)
    assert passes, "a build this size makes the collector run"
    # What is set aside is still freed when nothing refers to it: some, never the bulk.
    assert all(frozen > alive // 2 for _, frozen in passes)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_build_from_a_caller_that_set_objects_aside_leaves_them_so(
    project: Path, tmp_path: Path
) -> None:
    directory = load_directory(project, cache=False)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build_site(directory, tmp_path / "site", jobs=2, cache=False)
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_the_site_is_planned_with_the_collector_paused(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    enabled: list[bool] = []
    plan = build_module._plan_pages

    def watched(*args: Any, **kwargs: Any) -> Any:
        enabled.append(gc.isenabled())
        return plan(*args, **kwargs)

    monkeypatch.setattr(build_module, "_plan_pages", watched)
    build_site(load_directory(project, cache=False), tmp_path / "site", jobs=1, cache=False)
    assert enabled == [False]
    assert gc.isenabled() and gc.get_freeze_count() == 0

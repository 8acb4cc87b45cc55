"""Fixtures of the preview tests: a project built, watched and served on 127.0.0.1, in this
process, on a port the system chooses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from kdirectory.preview import Build, Preview, PreviewServer
from tests.helpers import DEMO_CONFIG


def config(base_url: str = "https://example.org/clinics") -> str:
    """The demo's settings (offline geocoder, ``[build] out = "site"``) at ``base_url``."""
    text = DEMO_CONFIG.replace('base_url = "https://directory.example"', f'base_url = "{base_url}"')
    assert f'"{base_url}"' in text
    return text


@dataclass
class Served:
    """A project being previewed: its root, the preview, its server and the first build."""

    root: Path
    preview: Preview
    server: PreviewServer
    first: Build
    builds: list[Build]
    """Every build, as the ``on_build`` listener was told of them."""

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, name: str, text: str) -> None:
        """Replace (or add) the project's file ``name`` whole, as an editor saving
        atomically does: no reader ever sees it half written."""
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = self.root.parent / f"incoming-{target.name}"
        staged.write_text(text, encoding="utf-8")
        staged.replace(target)

    def next_build(self, after: Build | None = None) -> Build:
        """The first build after ``after`` (by default the last one finished), once done."""
        last = after if after is not None else self.preview.last
        assert last is not None
        return self.preview.wait_for_build(after=last.number, timeout=60)


ServeProject = Callable[..., Served]


@contextmanager
def serving() -> Iterator[ServeProject]:
    """``start(root, out=None, on_build=None, watch=True)`` starts previewing ``root``
    (``watch=False``: built once, served as published); everything started is stopped when
    the block ends."""
    started: list[tuple[Preview, PreviewServer]] = []

    def start(
        root: Path,
        out: Path | None = None,
        on_build: Callable[[Build], None] | None = None,
        *,
        watch: bool = True,
    ) -> Served:
        builds: list[Build] = []

        def heard(build: Build) -> None:
            builds.append(build)
            if on_build is not None:
                on_build(build)

        preview = Preview(root, out, on_build=heard, watch=watch)
        server = PreviewServer(preview, "127.0.0.1", 0)
        started.append((preview, server))
        first = preview.start()
        server.start()
        return Served(root, preview, server, first, builds)

    try:
        yield start
    finally:
        for preview, server in reversed(started):
            server.close()
            preview.stop()


@pytest.fixture
def serve_project() -> Iterator[ServeProject]:
    """``serve_project(root, out=None, on_build=None, watch=True)`` starts previewing
    ``root``; everything started is stopped after the test."""
    with serving() as start:
        yield start

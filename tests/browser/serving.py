"""Sites served over HTTP on 127.0.0.1 by kdirectory's own preview server.

This is the one place the browser tests start a web server; everything else asks it for a
URL:

- :func:`serve` builds a site project once and serves it exactly as published, as
  ``kdirectory serve --no-watch`` does (:class:`~kdirectory.preview.Preview` with
  ``watch=False`` under a :class:`~kdirectory.preview.PreviewServer`, in this process):
  no script added to the pages, no event stream, so every request a page makes ends and
  :func:`~tests.browser.browsing.visit` can wait for all of them. The server answers as
  the hosts of docs/deploying.md: ``/dir/`` is ``dir/index.html``, ``/dir`` is redirected
  to ``/dir/``, a path with no file is the site's ``404.html`` with status 404, and only
  paths under the site's base path are the site (anything else is a 404 too, so a page
  that links outside its base path is caught);
- :class:`LiveServe` runs ``kdirectory serve`` itself (watching, rebuilding, reloading
  pages) in a subprocess, for the tests of live reload.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kdirectory.preview import Build, Preview, PreviewServer
from tests.helpers import REPO

HOST = "127.0.0.1"
TIMEOUT = 120.0
"""Seconds before a test gives up on a line ``kdirectory serve`` never prints (a failure of
the test, never a wait it relies on)."""


@dataclass(frozen=True)
class Published:
    """A site served as published: ``url``, its address without a trailing slash (the form
    of ``[site] base_url``), and the build that made it."""

    url: str
    build: Build


@contextmanager
def serve(project: Path, out: Path) -> Iterator[Published]:
    """Build ``project`` into ``out`` once and serve it as published on 127.0.0.1, on a port
    the system picks, at the base path of its ``base_url``, until the block ends. A build
    that fails is an error of the test, with the lines ``kdirectory build`` prints."""
    preview = Preview(project, out, watch=False)
    server = PreviewServer(preview, HOST, 0)
    try:
        build = preview.start()
        if not build.ok:
            raise AssertionError(f"{project}: the site did not build:\n" + "\n".join(build.lines))
        assert not server.live
        server.start()
        yield Published(server.url.rstrip("/"), build)
    finally:
        server.close()
        preview.stop()


SERVING = re.compile(r"Serving at (http://\S+) \(Ctrl-C to stop\)")


class LiveServe:
    """``python -m kdirectory serve PROJECT --port 0``: the command itself, watching the
    project. :attr:`url` is the address it printed (with its trailing slash); the lines it
    prints are read as they come (:meth:`wait_for_line`). :meth:`stop` presses Ctrl-C."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self._lines: queue.SimpleQueue[tuple[str, str | None]] = queue.SimpleQueue()
        self.printed: list[tuple[str, str]] = []
        self._process = subprocess.Popen(
            [sys.executable, "-m", "kdirectory", "serve", str(project), "--port", "0"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._readers = [
            threading.Thread(target=self._read, args=(name, stream), daemon=True)
            for name, stream in (("out", self._process.stdout), ("err", self._process.stderr))
        ]
        for reader in self._readers:
            reader.start()
        try:
            found = SERVING.fullmatch(self.wait_for_line(SERVING.pattern, stream="out"))
            assert found is not None
            self.url = found[1]
        except BaseException:
            self.stop()
            raise

    def _read(self, name: str, stream: IO[str] | None) -> None:
        assert stream is not None
        for line in stream:
            self._lines.put((name, line.rstrip("\n")))
        self._lines.put((name, None))

    def wait_for_line(self, pattern: str, *, stream: str | None = None) -> str:
        """The next line printed (on ``stream``, ``"out"`` or ``"err"``, or either) that
        matches the regular expression ``pattern`` whole; the lines before it are kept in
        :attr:`printed`.

        Raises:
            AssertionError: the command ended, or printed nothing for :data:`TIMEOUT`
                seconds, without printing one.
        """
        ended: set[str] = set()
        while len(ended) < len(self._readers):
            try:
                name, line = self._lines.get(timeout=TIMEOUT)
            except queue.Empty:
                break
            if line is None:
                ended.add(name)
                continue
            self.printed.append((name, line))
            if (stream is None or name == stream) and re.fullmatch(pattern, line):
                return line
        shown = "\n".join(f"{name}: {line}" for name, line in self.printed[-30:])
        raise AssertionError(f"kdirectory serve never printed /{pattern}/; it printed:\n{shown}")

    def stop(self) -> int:
        """Ctrl-C, as a person stops it; its exit code (130)."""
        process = self._process
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for reader in self._readers:
            reader.join()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        return process.returncode


@contextmanager
def serve_live(project: Path) -> Iterator[LiveServe]:
    """``kdirectory serve`` watching ``project`` until the block ends (then Ctrl-C)."""
    live = LiveServe(project)
    try:
        yield live
    finally:
        live.stop()

"""Watch a project and rebuild its site whenever a file the build reads changes.

:class:`Preview` builds the project once, then watches what the build reads with
`watchfiles` (inotify on Linux): the records (``data/clinics/``), ``data/geocodes.json``,
``kdirectory.toml``, the project's ``templates/`` and ``assets/``, and every photo and logo
the records and settings name. A burst of changes (an editor saving several files, a
``git checkout``) becomes one rebuild, and changes made while a build runs become the next
one. Each build is :func:`kdirectory.site.build.build_site`, under the same lock and with
the same staged, checked, atomic publishing as ``kdirectory build``, so a build that fails
leaves the last good site in place.

Whoever shows the site (:class:`~kdirectory.preview.server.PreviewServer`) listens for
messages: ``reload`` after a build that published a site, ``error`` (the failure's lines,
as JSON) after one that did not, and on listening the state now (``ok`` with the site's
token, or ``error``). Tests and callers wait on :meth:`Preview.wait_for_build` rather than
on time.
"""

from __future__ import annotations

import json
import queue
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from watchfiles import watch

from kdirectory._output import MANIFEST
from kdirectory.exceptions import KdirectoryError, ProjectNotFoundError
from kdirectory.geocoding.store import GEOCODES_FILE
from kdirectory.preview.builds import (
    Build,
    base_path,
    failure_lines,
    output_folder,
    project_files,
)
from kdirectory.record.config import CONFIG_NAME, SiteConfig
from kdirectory.record.read import RECORD_SUFFIXES
from kdirectory.record.validate import CLINICS_DIR, load_directory
from kdirectory.site.build import build_site

__all__ = ["Build", "Listener", "Message", "Preview", "Site", "View", "WatchError"]

CONTENT_DIRS = ("data", "templates", "assets")
"""The project's folders the build reads (``data/`` for its records and geocodes)."""
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".kdirectory", "__pycache__", "node_modules"})
"""Folders whose changes never matter to the site: version control, kdirectory's own caches
(the encoded photos the build itself writes), Python's."""
EDITOR_FILES = re.compile(r"^\.#|\.sw[a-p]x?$|~$|^4913$|^\.DS_Store$|\.___jb_\w+___$|^flycheck_")
"""Names editors give their swap, backup and lock files: saving a record is not a rebuild
until the record itself changes."""
DEBOUNCE_MS = 1600
"""The longest a burst of changes is gathered before a rebuild starts."""
STEP_MS = 50
"""A burst ends when nothing more changes for this long."""
HISTORY = 100
"""Builds kept for :meth:`Preview.wait_for_build`."""


class WatchError(KdirectoryError):
    """Raised when the project's folder cannot be watched for changes (the system's limit of
    watched folders reached, a folder that cannot be read)."""


@dataclass(frozen=True)
class Site:
    """The last site that built: where it is and where its pages' links start."""

    out: Path
    base_path: str
    """The path part of ``[site] base_url`` without its trailing slash; ``""`` at the root."""
    token: str
    """Names this build of the site among all the builds of every preview: a page that
    carries another token is out of date."""


@dataclass(frozen=True)
class View:
    """What a server needs to answer one request, taken at one moment."""

    site: Site | None
    """The last good site; none until a build succeeds (or one is found in the output
    folder)."""
    error: tuple[str, ...] | None
    """The last build's failure, as ``kdirectory build`` prints it; none after a success."""
    base_path: str
    """Where the site is served: the last good site's base path, else the settings'."""


@dataclass(frozen=True)
class Message:
    """One server-sent event: ``reload``, ``ok`` (data: the site's token) or ``error``
    (data: the failure's lines as a JSON list)."""

    event: str
    data: str


class Listener:
    """The messages of one preview for one reader (an open page's event stream), in order."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Message | None] = queue.SimpleQueue()

    def put(self, message: Message | None) -> None:
        """Queue ``message``; ``None`` ends the stream."""
        self._queue.put(message)

    def next(self, timeout: float | None = None) -> Message | None:
        """The next message, or ``None`` once the preview or server has stopped.

        Raises:
            TimeoutError: nothing came within ``timeout`` seconds.
        """
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None


class Preview:
    """A project built, watched and rebuilt on every change, for a preview server.

    ``root`` is the site project; ``out`` the output folder (by default ``[build] out`` of
    the project, as ``kdirectory build``). ``on_build`` is called with every
    :class:`~kdirectory.preview.builds.Build` once its outcome is known to listeners, in the
    thread that ran it. ``watch=False`` builds once and never again (``kdirectory serve
    --no-watch``): a server over it sends the site exactly as published.
    """

    def __init__(
        self,
        root: Path | str = ".",
        out: Path | str | None = None,
        *,
        on_build: Callable[[Build], None] | None = None,
        watch: bool = True,
    ) -> None:
        self.root = Path(root)
        self.watching = watch
        """Whether the preview watches the project and rebuilds it (``watch``); without,
        :meth:`start` builds once and the site is served as published."""
        self._watch_root = self.root.resolve()
        self._out = Path(out) if out is not None else None
        self._on_build = on_build
        self._instance = secrets.token_hex(4)
        self._lock = threading.Condition()
        self._pending: set[str] = set()
        self._restart = False
        self._stopping = False
        self._started = 0
        self._history: deque[Build] = deque(maxlen=HISTORY)
        self._site: Site | None = None
        self._error: tuple[str, ...] | None = None
        self._base_path = ""
        self._listeners: set[Listener] = set()
        self._seen: dict[str, int] = {}
        self._files: frozenset[str] = frozenset()
        self._output: Path | None = None
        self._root_watcher: _Watcher | None = None
        self._tree_watcher: _Watcher | None = None
        self._thread: threading.Thread | None = None

    # --- running ---------------------------------------------------------------------------

    def start(self) -> Build:
        """Start watching, build the project once (in this thread) and rebuild it on every
        change from then on (in a thread of the preview's own). Returns the first build,
        which may have failed: the preview keeps watching, and the next change is built.
        Without :attr:`watching`, only the first build.

        Raises:
            ProjectNotFoundError: ``root`` has no ``data/clinics/`` folder.
            WatchError: the project cannot be watched.
        """
        if not (self.root / CLINICS_DIR).is_dir():
            load_directory(self.root)  # says which folder is missing, and how to start one
            raise ProjectNotFoundError(f"{self.root}: no {CLINICS_DIR.as_posix()}/ folder here")
        try:
            if self.watching:
                self._refresh_watchers(first=True)  # the project's own folder, at least
            build = self._build(())
            if isinstance(build.error, ProjectNotFoundError):
                raise build.error
        except BaseException:
            self.stop()
            raise
        if self.watching:
            self._thread = threading.Thread(
                target=self._loop, name="kdirectory-rebuild", daemon=True
            )
            self._thread.start()
        return build

    def stop(self) -> None:
        """Stop watching, end every listener's stream and wait for a build in progress to
        finish publishing."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
            listeners, self._listeners = self._listeners, set()
        for listener in listeners:
            listener.put(None)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        for watcher in (self._root_watcher, self._tree_watcher):
            if watcher is not None:
                watcher.stop()

    def wait_for_build(self, after: int = 0, timeout: float | None = None) -> Build:
        """The first build numbered after ``after`` (kept among the last builds), once it
        has finished.

        Raises:
            TimeoutError: none finished within ``timeout`` seconds.
        """
        with self._lock:
            done = self._lock.wait_for(
                lambda: bool(self._history) and self._history[-1].number > after, timeout
            )
            if not done:
                raise TimeoutError(f"no build after build {after} within {timeout} s")
            return next(build for build in self._history if build.number > after)

    def changes_seen(self, name: str) -> int:
        """How many times the watchers reported a change of ``name`` (relative to the
        project, ``/``-separated) that the build reads."""
        with self._lock:
            return self._seen.get(name, 0)

    def wait_for_change(self, name: str, after: int = 0, timeout: float | None = None) -> int:
        """Wait until the watchers have reported more than ``after`` changes of ``name``
        (see :meth:`changes_seen`), which queues a rebuild; returns the count.

        Raises:
            TimeoutError: no such change within ``timeout`` seconds.
        """
        with self._lock:
            if not self._lock.wait_for(lambda: self._seen.get(name, 0) > after, timeout):
                raise TimeoutError(f"no change of {name} seen within {timeout} s")
            return self._seen[name]

    @property
    def last(self) -> Build | None:
        """The last build that finished."""
        with self._lock:
            return self._history[-1] if self._history else None

    # --- what servers read -----------------------------------------------------------------

    def view(self) -> View:
        """The site to serve and the error to show, as of now."""
        with self._lock:
            base = self._site.base_path if self._site is not None else self._base_path
            return View(self._site, self._error, base)

    def listen(self) -> Listener:
        """A new stream of messages, starting with the state now (``ok`` or ``error``)."""
        listener = Listener()
        with self._lock:
            if self._stopping:
                listener.put(None)
                return listener
            if self._error is not None:
                listener.put(_error_message(self._error))
            elif self._site is not None:
                listener.put(Message("ok", self._site.token))
            self._listeners.add(listener)
        return listener

    def unlisten(self, listener: Listener) -> None:
        """Stop sending messages to ``listener`` (its reader went away)."""
        with self._lock:
            self._listeners.discard(listener)

    # --- building --------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: bool(self._pending) or self._restart or self._stopping)
                if self._stopping:
                    return
                changed = tuple(sorted(self._pending))
                self._pending.clear()
                self._restart = False
            self._build(changed)

    def _build(self, changed: tuple[str, ...]) -> Build:
        with self._lock:
            self._started += 1
            number = self._started
        # Watch before reading: a file written from now on is seen, one written before is
        # read. Again once the records name their photos, whose folders may be new.
        notes = list(self._refresh_watchers()) if self.watching else []
        config: SiteConfig | None = None
        try:
            directory = load_directory(self.root)
            config = directory.config
            self._files = project_files(directory)
            self._output = output_folder(self.root, self._out, config).resolve()
            if self.watching:
                notes.extend(self._refresh_watchers())
            result = build_site(directory, self._out, wait=True)
        except Exception as exc:  # noqa: BLE001 - every failure is shown; the server goes on
            build = Build(number, changed, None, exc, failure_lines(exc))
        else:
            build = Build(number, changed, result, None)
        if notes:
            build = replace(build, notes=tuple(dict.fromkeys(notes)))
        self._finish(build, config)
        return build

    def _finish(self, build: Build, config: SiteConfig | None) -> None:
        with self._lock:
            if config is not None:
                self._base_path = base_path(config)
            if build.result is not None and config is not None:
                token = f"{self._instance}-{build.number}"
                self._site = Site(build.result.out, self._base_path, token)
                self._error = None
                message = Message("reload", token)
            else:
                if self._site is None and self._output is not None and config is not None:
                    self._site = self._published_before(config)
                self._error = build.lines
                message = _error_message(build.lines)
            self._history.append(build)
            for listener in self._listeners:
                listener.put(message)
            self._lock.notify_all()
        if self._on_build is not None:
            self._on_build(build)

    def _published_before(self, config: SiteConfig) -> Site | None:
        """The site an earlier build published into the output folder, if there is one: the
        last good site when the first build of this preview fails."""
        out = output_folder(self.root, self._out, config)
        if not (out / MANIFEST).is_file():
            return None
        return Site(out, base_path(config), f"{self._instance}-0")

    # --- watching --------------------------------------------------------------------------

    def _changed(self, paths: Iterable[str]) -> None:
        relevant = {name for path in paths if (name := self._relevant(Path(path))) is not None}
        if relevant:
            with self._lock:
                self._pending |= relevant
                for name in relevant:
                    self._seen[name] = self._seen.get(name, 0) + 1
                self._lock.notify_all()

    def _watch_failed(self) -> None:
        with self._lock:
            self._restart = True  # changes may have been missed: build, and watch again
            self._lock.notify_all()

    def _relevant(self, path: Path) -> str | None:
        """``path`` relative to the project when the build reads it, else ``None``."""
        try:
            parts = path.relative_to(self._watch_root).parts
        except ValueError:
            return None
        if not parts or EDITOR_FILES.search(parts[-1]) or SKIPPED_DIRS.intersection(parts):
            return None
        out = self._output
        if out is not None and (path == out or out in path.parents):
            return None
        name = PurePosixPath(*parts).as_posix()
        if name in {CONFIG_NAME, GEOCODES_FILE} or parts[0] in CONTENT_DIRS[1:]:
            return name
        if parts[0] == CONTENT_DIRS[0]:
            return name if _in_records(parts) else None
        files = self._files
        return name if name in files or any(f.startswith(f"{name}/") for f in files) else None

    def _tree_paths(self) -> tuple[Path, ...]:
        """The project's folders to watch with everything in them."""
        tops = set(CONTENT_DIRS)
        tops.update(p.parts[0] for p in map(PurePosixPath, self._files) if len(p.parts) > 1)
        found = []
        for top in sorted(tops - SKIPPED_DIRS):
            path = self._watch_root / top
            out = self._output
            if out is not None and (path.resolve() == out or out in path.resolve().parents):
                continue
            if path.is_dir():
                found.append(path)
        return tuple(found)

    def _refresh_watchers(self, *, first: bool = False) -> tuple[str, ...]:
        """Watch the project's folder itself (its settings; folders that appear) and the
        folders the build reads, starting a watcher again when the folders changed or it
        stopped. The notes say what could not be watched (on the first call, it raises)."""
        notes: list[str] = []
        root = self._root_watcher
        if root is None or not root.alive:
            watcher = self._watcher((self._watch_root,), recursive=False)
            try:
                watcher.start()
            except OSError as exc:
                if first:
                    raise WatchError(f"cannot watch {self.root} for changes: {exc}") from None
                notes.append(f"cannot watch {self.root} for changes: {exc}")
            else:
                self._root_watcher = watcher
        tree = self._tree_watcher
        wanted = self._tree_paths()
        if tree is None or tree.paths != wanted or not tree.alive:
            watcher = self._watcher(wanted, recursive=True)
            try:
                watcher.start()
            except OSError as exc:
                shown = ", ".join(str(path) for path in wanted)
                if first:
                    raise WatchError(f"cannot watch {shown} for changes: {exc}") from None
                notes.append(f"cannot watch {shown} for changes: {exc}")
            else:
                self._tree_watcher = watcher
                if tree is not None:
                    tree.stop()
        return tuple(notes)

    def _watcher(self, paths: tuple[Path, ...], *, recursive: bool) -> _Watcher:
        return _Watcher(
            paths, recursive=recursive, on_change=self._changed, on_fail=self._watch_failed
        )


def _in_records(parts: tuple[str, ...]) -> bool:
    """Whether a path under ``data/`` is one the build reads: the folder of records (or
    ``data/`` itself, appearing or going) or a file named like a record in it."""
    clinics = CLINICS_DIR.parts
    if len(parts) <= len(clinics):
        return parts == clinics[: len(parts)]
    name = parts[-1]
    return (
        parts[: len(clinics)] == clinics
        and len(parts) == len(clinics) + 1
        and not name.startswith(".")
        and PurePosixPath(name).suffix.lower() in RECORD_SUFFIXES
    )


def _error_message(lines: tuple[str, ...]) -> Message:
    return Message("error", json.dumps(list(lines), ensure_ascii=False))


class _Watcher:
    """One `watchfiles` watch, in a thread of its own."""

    def __init__(
        self,
        paths: tuple[Path, ...],
        *,
        recursive: bool,
        on_change: Callable[[Iterable[str]], None],
        on_fail: Callable[[], None],
    ) -> None:
        self.paths = paths
        self._recursive = recursive
        self._on_change = on_change
        self._on_fail = on_fail
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="kdirectory-watch", daemon=True)

    @property
    def alive(self) -> bool:
        """Watching (or with nothing to watch)."""
        return not self.paths or self._thread.is_alive()

    def start(self) -> None:
        """Start watching; returns once every change from now on will be seen.

        Raises:
            OSError: a folder cannot be watched.
        """
        if not self.paths:
            return
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise OSError(str(self._error)) from self._error

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def is_set(self) -> bool:
        """The ``stop_event`` of ``watchfiles.watch``, asked between its waits: the first
        question means the folders are being watched."""
        self._ready.set()
        return self._stop.is_set()

    def _run(self) -> None:
        try:
            for changes in watch(
                *self.paths,
                watch_filter=None,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self,
                recursive=self._recursive,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                self._on_change(path for _, path in changes)
        except Exception as exc:  # noqa: BLE001 - reported: start() raises it, or a rebuild
            self._error = exc
            if self._ready.is_set():
                self._on_fail()
        finally:
            self._ready.set()

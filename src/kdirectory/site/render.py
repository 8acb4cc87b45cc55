"""Rendering the planned pages, in this process or in several at once (``build --jobs``).

Each page is put into the staging folder (a :class:`Sink`) as soon as it is rendered, and
only what the build still needs of it is kept: the digest of its file, whether it changed,
and for a page the uniqueness gate compares, its shingles in compact form (sorted 32-bit
values, a few kilobytes; and its MinHash signature on a site large enough for MinHash). So
the build never holds every page's HTML at once, and its memory grows with the number of
pages, not with their size.

With more than one job, the process forks its workers once the pages are planned: each
inherits the planned pages and the Jinja environment (copy-on-write), renders a run of
consecutive pages at a time, asks for the next when it is done, and exits when there are
none left. A page is the same bytes whichever process renders it. Where there is no
``fork`` (Windows), and in a process that runs other threads (the server of
``kdirectory serve``: a child forked there could wait forever on a lock another thread
held), the pages are rendered here, one after the other; so are those of a rebuild that
plans fewer than :data:`MIN_PAGES_FOR_WORKERS` pages again. Ctrl-C stops the workers: none
outlives the build.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import selectors
import signal
import struct
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, NoReturn, Protocol, TypeVar, cast

import numpy as np

from kdirectory import _collector as collector
from kdirectory.check.cache import CheckCache
from kdirectory.check.page import page_shingle_array, read_page
from kdirectory.check.page_record import Encoded, encode_record, read_record
from kdirectory.check.similarity import signature
from kdirectory.check.site_rules import SiteFiles
from kdirectory.exceptions import BuildError, KdirectoryError
from kdirectory.site.publish import Staged
from kdirectory.site.templating import render_page_template

if TYPE_CHECKING:
    from pathlib import Path

    from jinja2 import Environment

    from kdirectory.site.fingerprint import Fingerprints
    from kdirectory.site.page_cache import PageCache
    from kdirectory.site.plan import Page

T = TypeVar("T")
_HEADER = struct.Struct("!Q")
_COMMAND = struct.Struct("!i")
_STOP = -1
_CHUNKS_PER_JOB = 8
"""Runs of pages per worker: enough that one slow run (the state pages) does not leave the
other workers idle at the end, few enough that handing them out costs nothing."""
MIN_PAGES_FOR_WORKERS = 64
"""Pages to render or fingerprint in a rebuild (those not taken as the last build planned
them) below which they are rendered here: starting the workers costs a few tenths of a
second on a large site, as long as rendering some sixty pages."""
_HELD = {signal.SIGINT, signal.SIGTERM}


class Sink(Protocol):
    """Where rendered files go: the staging folder (:class:`~kdirectory.site.publish.Stage`)
    or, for :func:`~kdirectory.site.build.render_site`, memory."""

    def put(self, name: str, data: bytes) -> Staged: ...

    def keep(self, name: str, digest: str) -> Staged | None:
        """Stage the live file ``name`` as it is when its SHA-256 is ``digest``."""
        ...


class MemorySink:
    """Files kept in memory, ``{relative path: bytes}``."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, name: str, data: bytes) -> Staged:
        self.files[name] = data
        return Staged(hashlib.sha256(data).hexdigest(), changed=True)

    def keep(self, name: str, digest: str) -> Staged | None:
        return None


@dataclass(frozen=True)
class RenderedPage:
    """What the build keeps of one rendered page."""

    output: str
    staged: Staged | None
    """``None``: not staged yet (only its shingles were needed, and came from the cache)."""
    shingles: np.ndarray | None = None
    """The page's shingles as the uniqueness gate compares them (sorted ``uint32``), when it
    compares the page and lxml could read it."""
    signature: np.ndarray | None = None
    """Their MinHash signature, on a site large enough for MinHash."""
    fingerprint: bytes | None = None
    """The page's fingerprint, when the build keeps a page cache and the page has one."""
    kept: bool = False
    """Not rendered: the cache had this page's fingerprint (and, for a page the gate
    compares, its shingles: they are read from there when the gate runs)."""
    missing: bool = False
    """A page planned from the last build's record (a stub: see
    :mod:`kdirectory.site.plan_memo`) that could not be kept: plan it, then render it."""


def usable_cores() -> int:
    """The processors this process may run on (its affinity where the platform says)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether pages may be rendered in forked workers here: the platform has ``fork`` and
    this process runs no other thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


@dataclass
class PageRenderer:
    """Renders pages of ``pages`` into ``sink``; with ``compare``, also reads the shingles of
    each indexable page for the uniqueness gate (and, with ``signatures``, their MinHash
    signature)."""

    env: Environment
    pages: Sequence[Page]
    sink: Sink
    compare: bool = False
    signatures: bool = False
    cache: PageCache | None = None
    """Pages rendered by earlier builds: one whose fingerprint is there, and whose file is
    in the live site as then rendered, is kept rather than rendered."""
    fingerprints: Fingerprints | None = None
    check: CheckRecords | None = None
    """Where what the check finds in each page on its own goes, found while the page is
    parsed here anyway: the build's check then reads none of them again."""
    stubs: Mapping[str, bytes] = field(default_factory=dict)
    """The pages planned from the last build's record, without their context, by file,
    with their fingerprints: each is kept, or comes back ``missing``."""

    def __call__(self, indices: Sequence[int]) -> list[RenderedPage]:
        done = [self.render(self.pages[i]) for i in indices]
        if self.check is not None:
            self.check.flush()
        return done

    def render(self, page: Page) -> RenderedPage:
        compare = self.compare and page.indexable
        stub = self.stubs.get(page.output)
        if stub is not None:
            kept = self._kept(page, stub, compare=compare) if self.cache is not None else None
            return kept or RenderedPage(page.output, None, fingerprint=stub, missing=True)
        fingerprint = None if self.fingerprints is None else self.fingerprints.page(page)
        if fingerprint is not None and self.cache is not None:
            kept = self._kept(page, fingerprint, compare=compare)
            if kept is not None:
                return kept
        html = render_page_template(self.env, page.template, {"page": page, **page.context})
        data = html.encode("utf-8")
        staged = self.sink.put(page.output, data)
        found: np.ndarray | None = None
        if self.check is not None:
            compact, found = self.check.read(page.output, data)
        else:
            facts = read_page(page.output, data) if compare else None
            compact = None if facts is None else page_shingle_array(facts)
        if not compare or compact is None:
            return RenderedPage(page.output, staged, fingerprint=fingerprint)
        if self.signatures and found is None:
            found = signature(compact)
        return RenderedPage(
            page.output, staged, compact, found if self.signatures else None, fingerprint
        )

    def _kept(self, page: Page, fingerprint: bytes, *, compare: bool) -> RenderedPage | None:
        assert self.cache is not None
        signature = compare and self.signatures
        digest = self.cache.get(page.output, fingerprint, shingles=compare, signature=signature)
        if digest is None:
            return None
        staged = self.sink.keep(page.output, digest)
        if staged is None and not compare:
            return None
        # Not in the live site as then rendered (the gate had kept it out of search since,
        # say): what the gate compares is in the cache, and the build stages it after the
        # gate. The gate reads the shingles of kept pages from the cache, only if it runs.
        return RenderedPage(page.output, staged, fingerprint=fingerprint, kept=True)


class CheckRecords:
    """The check's record of each page rendered (see :mod:`kdirectory.check.page_record`),
    written to the check cache ``path`` a run of pages at a time, from whichever process
    rendered them; for a site served from ``base_url`` (no trailing ``/``)."""

    def __init__(self, path: Path, base_url: str, signatures: bool) -> None:
        self.path = path
        self.base_url = base_url
        self.signatures = signatures
        self._site = SiteFiles(path.parent, set(), base_url)
        self._rows: list[tuple[str, bytes, Encoded]] = []

    def read(self, name: str, data: bytes) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Read the page ``name`` (its bytes ``data``) as the check does and keep its
        record; return its shingles as the uniqueness gate compares them (``None``: not an
        HTML page) and their MinHash signature when the check made it."""
        record = read_record(name, data, self._site, self.signatures)
        self._rows.append((name, hashlib.sha256(data).digest(), encode_record(record)))
        if not record.readable or record.redirect is not None:
            return None, None
        return record.shingles, record.signature

    def flush(self) -> None:
        """Write the records kept so far (a cache that cannot be written is left to the
        check, which reads those pages itself and says so)."""
        store = CheckCache(self.path, self.base_url)
        for name, digest, encoded in self._rows:
            store.add(name, digest, encoded)
        store.save(set())
        self._rows.clear()


def render_pages(
    renderer: PageRenderer, indices: Sequence[int], jobs: int
) -> tuple[list[RenderedPage], int]:
    """Render the pages at ``indices`` of ``renderer.pages``, in ``jobs`` processes where
    that is possible (see the module); return what was kept of each, in order, and how many
    processes rendered them.

    Before forking, the first page of each template is rendered here, so that the workers
    inherit every template compiled. A rebuild after a small change, with fewer than
    :data:`MIN_PAGES_FOR_WORKERS` pages planned again, renders them here.
    """
    stubs = renderer.stubs
    few = bool(stubs) and (
        sum(renderer.pages[index].output not in stubs for index in indices) < MIN_PAGES_FOR_WORKERS
    )
    parallel = jobs > 1 and not few and can_fork()
    warm: dict[str, int] = {}
    for index in indices if parallel else ():
        warm.setdefault(renderer.pages[index].template, index)
    first = set(warm.values())
    rest = [index for index in indices if index not in first]
    done = {index: renderer.render(renderer.pages[index]) for index in sorted(first)}
    if renderer.check is not None:
        renderer.check.flush()  # before forking: no worker writes them again
    chunks = _chunks(rest, jobs)
    workers = min(jobs, len(chunks)) if parallel else 1
    if workers > 1:
        parts = in_workers(renderer, chunks, workers)
    else:
        parts = [renderer(chunk) for chunk in chunks]
        workers = 1
    for chunk, part in zip(chunks, parts, strict=True):
        done.update(zip(chunk, part, strict=True))
    return [done[index] for index in indices], workers


def _chunks(indices: Sequence[int], jobs: int) -> list[Sequence[int]]:
    size = max(4, -(-len(indices) // (max(jobs, 1) * _CHUNKS_PER_JOB)))
    return [indices[i : i + size] for i in range(0, len(indices), size)]


# --- the workers ---------------------------------------------------------------------------


@dataclass
class _Worker:
    pid: int
    commands: int
    """The parent's end of the pipe that hands this worker the number of a chunk."""
    results: int
    """The parent's end of the pipe this worker sends each chunk's results on."""
    chunk: int = _STOP
    exited: bool = False


@dataclass
class _Failure:
    """An exception raised in a worker, as it travels to the parent."""

    error: BaseException | None
    text: str


class _Pool(Generic[T]):
    def __init__(self, work: Callable[[Sequence[int]], list[T]], chunks: Sequence[Sequence[int]]):
        self.work = work
        self.chunks = chunks
        self.workers: list[_Worker] = []

    def start(self, count: int) -> None:
        """Fork ``count`` workers, with Ctrl-C held back until each is on record."""
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
        try:
            # The collector in a child never walks (and so copies) what it inherits.
            with collector.set_aside():
                for _ in range(count):
                    self._fork()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def _fork(self) -> None:
        commands_read, commands_write = os.pipe()
        results_read, results_write = os.pipe()
        try:
            pid = os.fork()
        except OSError as exc:
            for fd in (commands_read, commands_write, results_read, results_write):
                os.close(fd)
            raise BuildError(
                f"cannot start a process to render pages: {exc.strerror or exc}; "
                "try again with fewer --jobs (--jobs 1 renders in the build's own process)"
            ) from None
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            try:
                os.close(commands_write)
                os.close(results_read)
                for other in self.workers:
                    os.close(other.commands)
                    os.close(other.results)
                self._serve(commands_read, results_write)
            finally:
                os._exit(1)  # never back into the build's own code
        os.close(commands_read)
        os.close(results_write)
        self.workers.append(_Worker(pid, commands_write, results_read))

    def _serve(self, commands: int, results: int) -> NoReturn:  # pragma: no cover - a child
        code = 1
        try:
            for held in _HELD:  # Ctrl-C and SIGTERM end a worker at once and quietly
                signal.signal(held, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
            while (index := _receive_command(commands)) != _STOP:
                try:
                    message: object = self.work(self.chunks[index])
                except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
                    _send(results, _portable(exc))
                    break
                _send(results, message)
            else:
                code = 0
        finally:
            os._exit(code)

    def run(self) -> list[list[T]]:
        results: list[list[T] | None] = [None] * len(self.chunks)
        waiting = iter(range(len(self.chunks)))
        with selectors.DefaultSelector() as selector:
            for worker in self.workers:
                selector.register(worker.results, selectors.EVENT_READ, worker)
                self._hand_out(worker, waiting)
            busy = len(self.workers)
            while busy:
                for key, _ in selector.select():
                    worker = key.data
                    message = _receive(worker.results)
                    if message is None:
                        self._died(worker)
                    if isinstance(message, _Failure):
                        _raise(message)
                    results[worker.chunk] = cast("list[T]", message)
                    if not self._hand_out(worker, waiting):
                        selector.unregister(worker.results)
                        busy -= 1
        return [part for part in results if part is not None]  # every chunk has its part

    def _hand_out(self, worker: _Worker, waiting: Iterator[int]) -> bool:
        worker.chunk = next(waiting, _STOP)
        try:
            os.write(worker.commands, _COMMAND.pack(worker.chunk))
        except BrokenPipeError:  # it is gone: say how
            self._died(worker)
        return worker.chunk != _STOP

    def _died(self, worker: _Worker) -> NoReturn:
        _, status = os.waitpid(worker.pid, 0)
        worker.exited = True
        killed = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if killed == signal.SIGINT:
            raise KeyboardInterrupt  # Ctrl-C reached the workers first
        raise BuildError(
            "a process rendering pages "
            + (
                f"was killed by signal {killed}"
                if killed is not None
                else f"exited with status {os.WEXITSTATUS(status)}"
            )
            + " (out of memory?); nothing was published; try again with fewer --jobs"
        )

    def close(self, *, stop: bool) -> None:
        """Wait for every worker to exit, once ``stop``ped (SIGTERM) when the work did not
        finish: none outlives the build."""
        for worker in self.workers:
            for fd in (worker.commands, worker.results):
                with contextlib.suppress(OSError):
                    os.close(fd)
        for worker in self.workers:
            if stop and not worker.exited:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            if not worker.exited:
                _reap(worker.pid)
                worker.exited = True


def in_workers(
    work: Callable[[Sequence[int]], list[T]], chunks: Sequence[Sequence[int]], jobs: int
) -> list[list[T]]:
    """``[work(chunk) for chunk in chunks]``, in ``jobs`` forked workers (which see this
    process as it is now); an exception raised in one is raised here. Call only where
    :func:`can_fork`."""
    pool = _Pool(work, chunks)
    try:
        pool.start(min(jobs, len(chunks)))
        parts = pool.run()
    except BaseException:
        pool.close(stop=True)
        raise
    pool.close(stop=False)  # each was told to stop: it exits by itself
    return parts


def _reap(pid: int) -> None:
    while True:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            return
        except InterruptedError:  # pragma: no cover - retried by Python itself since 3.5
            continue
        return


def _send(fd: int, message: object) -> None:  # pragma: no cover - called in a child
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive_command(fd: int) -> int:  # pragma: no cover - called in a child
    data = _read_exactly(fd, _COMMAND.size)
    return _STOP if data is None else int(_COMMAND.unpack(data)[0])


def _receive(fd: int) -> object | None:
    """The next message on ``fd``, or None when the worker is gone."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    data = _read_exactly(fd, _HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)  # noqa: S301 - from our own child


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts: list[bytes] = []
    left = size
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _portable(exc: BaseException) -> _Failure:  # pragma: no cover - called in a child
    text = "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes
    except Exception:  # noqa: BLE001 - an exception that cannot travel goes as text
        return _Failure(None, text)
    return _Failure(exc, text)


class WorkerTracebackError(Exception):
    """Where an unexpected exception was raised in a worker: its traceback there, as text
    (the cause of the exception raised in the build's process)."""


def _raise(failure: _Failure) -> NoReturn:
    error = failure.error
    if error is None:
        raise RuntimeError(f"a process rendering pages failed:\n{failure.text}")
    if isinstance(error, KdirectoryError | OSError | KeyboardInterrupt):
        raise error
    raise error from WorkerTracebackError(f"in a process rendering pages:\n{failure.text}")

"""Work on many record files at once, in forked processes, one a CPU.

Reading and checking a record file is pure Python work (its YAML, the schema, the model),
so a first run over thousands of files takes as many times longer as there are files; a
process per CPU divides it. The workers are forked, so they start at once with everything
imported, the gazetteer's table in memory and the files' bytes, read already: each is sent
only where its next batch starts and ends, and returns what it found in the cache's form
(:func:`kdirectory.record.cache.encode`), which this process reads back as it reads a run's
cache.

Processes are forked only where that is safe and pays: with ``fork`` (not on Windows), in
a process that runs no other thread (the server of ``kdirectory serve``: a child forked
there could wait forever on a lock another thread held), with more than one CPU to use,
and with enough files. Otherwise the caller does the work itself, with the same result.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

MIN_FILES = 400
"""Fewer files are read in this process: starting the workers would cost more than it saves."""
MAX_JOBS = 16
BATCHES_PER_JOB = 8
"""Batches a worker takes in turn: enough that none waits long for the last one."""

T = TypeVar("T")
R = TypeVar("R")


def jobs_for(count: int) -> int:
    """How many processes to use for ``count`` files: 1 where forking is not safe or does
    not pay (see the module)."""
    if count < MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - no sched_getaffinity (macOS)
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_JOBS))


def spans(count: int, jobs: int) -> list[tuple[int, int]]:
    """``count`` items in consecutive runs (where each starts and ends), about
    :data:`BATCHES_PER_JOB` for each job."""
    size = max(1, -(-count // (jobs * BATCHES_PER_JOB)))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


_shared: tuple[Callable[[Sequence[Any]], Any], Sequence[Any]] | None = None
"""The work and the items of :func:`in_workers`, which its workers find where they were
forked."""


def in_workers(work: Callable[[Sequence[T]], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """``work`` of each of the :func:`spans` of ``items``, in order, done by ``jobs`` forked
    processes; yielded as each is done. The workers have ``work`` and ``items`` from the
    memory they were forked with: only what ``work`` returns is sent between processes.
    Ctrl-C stops the workers with this process."""
    global _shared  # noqa: PLW0603 - what forked workers read
    context = multiprocessing.get_context("fork")
    _shared = (work, items)
    try:
        with context.Pool(jobs, initializer=_ignore_interrupts) as pool:
            yield from pool.imap(_work_on, spans(len(items), jobs))
    finally:
        _shared = None


def _work_on(span: tuple[int, int]) -> Any:
    """In a worker: the work of :func:`in_workers` on the items of ``span``."""
    if _shared is None:  # pragma: no cover - a worker not forked by in_workers
        raise RuntimeError("no work: the worker was not forked by in_workers")
    work, items = _shared
    start, end = span
    return work(items[start:end])


def _ignore_interrupts() -> None:
    """Ctrl-C is for the process that forked the workers: it stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

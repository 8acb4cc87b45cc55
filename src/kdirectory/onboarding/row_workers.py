"""Work on a stream of chunks in forked processes, the results taken in order.

The import checks each row on its own (cells, repairs, the schema, the model, the record
rules, the duplicate keys' street form): four fifths of its time, and nothing that depends
on the rows before. Forked workers do that for chunks of rows while the importing process
compares each checked row with the ones before it and writes its record, in the file's
order. The workers start with everything imported and the importer's state as it was when
they were forked; each chunk and its result are pickled between processes. Only a few
chunks per worker are handed out ahead of the one the importer waits for, so a large file
is streamed as before, never held in memory.

Use it only where :func:`kdirectory.record.parallel.jobs_for` says forking is safe and pays.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

AHEAD_PER_JOB = 4
"""Chunks handed to each worker ahead of the one the caller waits for: enough that no
worker waits, few enough that memory stays bounded."""

T = TypeVar("T")
R = TypeVar("R")

_work: Callable[[Any], Any] | None = None
"""The work of :func:`in_order`, which its workers find where they were forked."""


def in_order(work: Callable[[T], R], chunks: Iterable[T], jobs: int) -> Iterator[tuple[T, R]]:
    """``(chunk, work(chunk))`` for each of ``chunks``, in order, ``work`` done by ``jobs``
    forked processes; ``chunks`` is read as the workers need more. An exception raised by
    ``work`` is raised here; Ctrl-C stops the workers with this process."""
    global _work  # noqa: PLW0603 - what forked workers read
    context = multiprocessing.get_context("fork")
    _work = work
    try:
        with context.Pool(jobs, initializer=_ignore_interrupts) as pool:
            pending: deque[tuple[T, AsyncResult[R]]] = deque()
            for chunk in chunks:
                pending.append((chunk, pool.apply_async(_run, (chunk,))))
                if len(pending) >= jobs * AHEAD_PER_JOB:
                    done, result = pending.popleft()
                    yield done, result.get()
            while pending:
                done, result = pending.popleft()
                yield done, result.get()
    finally:
        _work = None


def _run(chunk: Any) -> Any:
    """In a worker: the work of :func:`in_order` on ``chunk``."""
    if _work is None:  # pragma: no cover - a worker not forked by in_order
        raise RuntimeError("no work: the worker was not forked by in_order")
    return _work(chunk)


def _ignore_interrupts() -> None:
    """Ctrl-C is for the process that forked the workers: it stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

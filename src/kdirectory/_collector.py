"""Python's cycle collector around the work that makes many objects that stay alive.

Reading 10,000 records or planning their site makes millions of objects (clinics, their
views, pages) that all live to the end of the command. Each full pass of the collector
walks every one of them again, and a pass comes every few hundred thousand new objects: a
tenth of the time of reading, more than half a second of a rebuild that has nothing to do.
None of these objects becomes garbage meanwhile, so the collector is kept off them:

- :func:`paused`: no pass while the work runs; after it, what the work made counts as old,
  so the next pass of the youngest generation does not walk it all once more;
- :func:`sparing`: a function run with what is alive when it starts (the loaded clinics)
  set aside from every pass (:func:`set_aside`, :func:`gc.freeze`) until it returns; the
  render workers are forked inside :func:`set_aside` too.

Objects are still freed as soon as nothing refers to them; only cycles wait for a pass.
The collector is left as it was found.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def set_aside() -> Iterator[None]:
    """Everything alive now set aside from every pass of the collector (:func:`gc.freeze`)
    while the block runs, and given back after it, unless a caller had set objects aside
    already: then they stay so with these, until that caller gives them all back."""
    kept = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not kept:
            gc.unfreeze()  # into the oldest generation


@contextmanager
def paused() -> Iterator[None]:
    """No pass of the collector while the block runs (the work it does holds no cycle);
    what the block made is then counted as old: moved, unwalked, to the oldest generation,
    or, inside :func:`sparing`, set aside with what it set aside until it returns."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        with set_aside():  # every object, unwalked
            pass
        gc.enable()


def sparing(work: Callable[P, R]) -> Callable[P, R]:
    """``work``, with what is alive when it starts set aside from every pass of the
    collector until it returns (:func:`set_aside`)."""

    @functools.wraps(work)
    def spared(*args: P.args, **kwargs: P.kwargs) -> R:
        with set_aside():
            return work(*args, **kwargs)

    return spared

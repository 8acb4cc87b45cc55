"""SQLite files that several runs may open at once (the record, page and check caches):
a new file is made whole beside its name and linked into place, so no run ever sees half a
file or races another to switch its journal mode (SQLite refuses, rather than waits for,
two connections switching it together)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

BUSY_SECONDS = 10.0
"""How long a run waits for another one that is writing the same file."""


def create_whole(path: Path, statements: Iterable[tuple[str, tuple[object, ...]]]) -> None:
    """Put a new database at ``path``, in WAL mode and made by ``statements`` (SQL and its
    parameters), unless a non-empty file is already there (another run's: it is kept)."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size:
            return
    draft = path.with_name(f"{path.name}.{os.getpid()}.{id(statements):x}.new")
    try:
        db = sqlite3.connect(draft, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            for sql, parameters in statements:
                db.execute(sql, parameters)
        finally:
            db.close()
        try:
            os.link(draft, path)
        except FileExistsError:
            if not path.stat().st_size:  # an empty file: the draft takes its place
                draft.replace(path)
        except OSError:  # a file system without hard links
            if not path.exists():
                draft.replace(path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                draft.with_name(draft.name + suffix).unlink()


def open_for_writing(path: Path) -> sqlite3.Connection:
    """A connection to the file at ``path`` (made by :func:`create_whole`) that waits for
    other writers, in WAL mode, with its transactions begun by the caller."""
    db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # an older file
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        db.close()
        raise
    return db


def access_problem(error: sqlite3.Error) -> bool:
    """Whether ``error`` is about reaching the file (permissions, locks, space), which a
    fresh file would not cure, rather than about what is in it."""
    text = str(error).casefold()
    phrases = ("unable to open", "readonly", "read-only", "locked", "disk is full", "disk i/o")
    return any(phrase in text for phrase in phrases)


def tables_of(db: sqlite3.Connection) -> dict[str, str]:
    """The tables of ``db`` and the SQL that made each, spaces normalised (compare with
    :func:`normal_sql`)."""
    return {
        str(name): normal_sql(str(sql))
        for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
    }


def normal_sql(sql: str) -> str:
    """``sql`` with its runs of white space made one space."""
    return " ".join(sql.split())


def clear(path: Path, *, damaged: bool) -> None:
    """Set the file at ``path`` aside as ``<name>.corrupt`` (``damaged``), or remove it,
    with SQLite's side files; one another run moved already is no error.

    Raises:
        OSError: a file could not be moved or removed.
    """
    aside = path.with_name(path.name + ".corrupt")
    for suffix in ("", "-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if damaged:
                side.replace(aside.with_name(aside.name + suffix))
            else:
                side.unlink()

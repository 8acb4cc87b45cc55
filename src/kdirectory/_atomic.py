"""Write files so that a reader never sees half of one: temp file, fsync, rename.

A replaced file keeps its mode; a new file gets the mode ``open()`` would give it (0666
less the umask), not ``mkstemp``'s private 0600.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from pathlib import Path
from types import TracebackType


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step; on any error the old file stays."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; on any error the old file stays."""
    tmp = _temp_file(path, data, sync=True)
    try:
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class AtomicBatch:
    """Many files written atomically for one disk sync per ``size`` files.

    Each file is written to a temporary name beside its target; :meth:`commit` syncs the
    disk once, then renames every pending file into place. A file therefore only appears
    under its name once its whole content is on disk, as with :func:`atomic_write_text`,
    but a thousand small records cost a few syncs instead of a thousand (each ``fsync`` is
    a journal commit: about 1 ms on an idle disk, far more on a busy one). Use it as a
    context manager: leaving the block normally commits, an exception removes the files
    that were not committed yet.
    """

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._pending: list[tuple[Path, Path]] = []

    def write_text(self, path: Path, text: str) -> None:
        """Stage ``text`` for ``path``; committed with the batch."""
        self._pending.append((_temp_file(path, text.encode("utf-8"), sync=False), path))
        if len(self._pending) >= self.size:
            self.commit()

    def commit(self) -> None:
        """Make every staged file durable, then move each into place."""
        if not self._pending:
            return
        os.sync()
        for done, (tmp, path) in enumerate(self._pending):
            try:
                tmp.replace(path)
            except BaseException:
                del self._pending[:done]
                raise
        self._pending.clear()

    def discard(self) -> None:
        """Remove the staged files that were not committed."""
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._pending.clear()

    def __enter__(self) -> AtomicBatch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            try:
                self.commit()
            finally:
                self.discard()
        else:
            self.discard()


def _temp_file(path: Path, data: bytes, *, sync: bool) -> Path:
    """Write ``data`` to a new temporary file beside ``path`` (``fsync``-ed when ``sync``)
    and return its name. Its mode is ``path``'s, or for a new file what the kernel gives a
    file created with 0666 (the umask applied), so no umask is read or set."""
    fd, tmp = _create_temp(path)
    try:
        mode = _mode_of(path)
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


_TEMP_NUMBERS = itertools.count()
_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def _create_temp(path: Path) -> tuple[int, Path]:
    """Create ``.<name>.<pid>-<n>.tmp`` beside ``path`` (and its folder if missing) and
    return its descriptor and name; a name already taken (left by a killed process) is
    skipped."""
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{next(_TEMP_NUMBERS)}.tmp")
        try:
            return os.open(tmp, _CREATE_NEW, 0o666), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            if path.parent.is_dir():
                raise
            path.parent.mkdir(parents=True, exist_ok=True)


def _mode_of(path: Path) -> int | None:
    """The permission bits of the file at ``path``, ``None`` when it has none to keep."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None

"""The page cache, ``.kdirectory/pages.sqlite``: for each page the last builds rendered, by
its file and fingerprint (:mod:`kdirectory.site.fingerprint`), the SHA-256 of the bytes it
rendered to and, for a page the uniqueness gate compares, its shingles and MinHash
signature. A rebuild that finds a page's fingerprint here, and that very file in the live
site, links the live file into staging instead of rendering the page again.

The cache never changes a result: a page is the same bytes whether rendered or kept, and
what the gate compares is what rendering would have found. A file that is not such a cache
is set aside (``pages.sqlite.corrupt``) with a notice, and every page rendered; a cache
that cannot be read or written is done without, with a notice. Rows of pages no build
rendered last are dropped when saving, so the file stays the size of the site.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kdirectory._sqlite import BUSY_SECONDS, create_whole, open_for_writing

PAGE_CACHE = Path(".kdirectory") / "pages.sqlite"
"""The cache, relative to the project."""
_FORMAT = "kdirectory page cache 1"
_TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    (
        "CREATE TABLE pages (output TEXT NOT NULL, fingerprint BLOB NOT NULL, digest TEXT NOT "
        "NULL, shingles BLOB, signature BLOB, PRIMARY KEY (output, fingerprint))"
    ),
)
_TABLE_SQL = {"meta": " ".join(_TABLES[0].split()), "pages": " ".join(_TABLES[1].split())}


@dataclass(frozen=True)
class CachedPage:
    """What rendering a page found: its file's SHA-256 and, when the gate compared it, its
    shingles (sorted ``uint32``) and MinHash signature."""

    digest: str
    shingles: np.ndarray | None = None
    signature: np.ndarray | None = None


@dataclass
class PageCache:
    """The page cache of the project at ``root``: read when made (its digests; shingles
    are read when a page asks for them), written by :meth:`save`."""

    path: Path
    notices: list[str] = field(default_factory=list)
    """What the command line says about the cache: set aside, done without."""
    _rows: dict[tuple[str, bytes], str] = field(default_factory=dict)
    _new: dict[tuple[str, bytes], CachedPage] = field(default_factory=dict)
    _used: set[tuple[str, bytes]] = field(default_factory=set)
    _usable: bool = True
    _damaged: bool = False
    _reader: sqlite3.Connection | None = None
    _reader_pid: int = 0

    @classmethod
    def of(cls, root: Path) -> PageCache:
        """The cache of the project at ``root``, read."""
        cache = cls(root / PAGE_CACHE)
        cache._read()
        return cache

    def _read(self) -> None:
        if not self.path.is_file():
            if self.path.exists() or (self.path.parent.exists() and not self.path.parent.is_dir()):
                self._without(f"{self.path} is not a file")
            return
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            self._without(f"{self.path} cannot be opened ({error})")
            return
        try:
            db.execute("BEGIN")
            tables = {
                str(name): " ".join(str(sql).split())
                for name, sql in db.execute(
                    "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                )
            }
            if not tables:
                return  # an empty file: a new cache
            if tables != _TABLE_SQL or db.execute(
                "SELECT value FROM meta WHERE key = 'format'"
            ).fetchone() != (_FORMAT,):
                self._set_aside("it is not a kdirectory page cache")
                return
            for output, fingerprint, digest in db.execute(
                "SELECT output, fingerprint, digest FROM pages"
            ):
                if not (
                    isinstance(output, str)
                    and isinstance(fingerprint, bytes)
                    and isinstance(digest, str)
                ):
                    self._set_aside(f"the row of {output!r:.80} holds values of the wrong kinds")
                    return
                self._rows[output, fingerprint] = digest
        except sqlite3.Error as error:
            text = str(error).casefold()
            if any(p in text for p in ("unable to open", "locked", "disk i/o", "readonly")):
                self._without(f"{self.path} cannot be read ({error})")
            else:
                self._set_aside(f"it is not a page cache ({error})")
        finally:
            db.close()

    def _without(self, why: str) -> None:
        self._usable = False
        self._rows.clear()
        self.notices.append(
            f"cannot use the page cache: {why}; every page was rendered (the site is the "
            "same, it only takes longer)"
        )

    def _set_aside(self, why: str) -> None:
        self._damaged = True
        self._rows.clear()
        self.notices.append(
            f"{self.path} is damaged ({why}); it is set aside as {self.path.name}.corrupt, "
            "every page is rendered again and a new cache written"
        )

    def get(self, output: str, fingerprint: bytes, *, shingles: bool) -> CachedPage | None:
        """What rendering the page written to ``output`` found when its fingerprint was
        ``fingerprint``; with ``shingles``, only when its shingles were kept (and with them)."""
        digest = self._rows.get((output, fingerprint))
        if digest is None:
            return None
        if not shingles:
            return CachedPage(digest)
        row = self._fetch(output, fingerprint)
        if row is None or row[0] is None:
            return None
        found = np.frombuffer(row[0], dtype=np.uint32)
        signature = None if row[1] is None else np.frombuffer(row[1], dtype=np.uint32)
        return CachedPage(digest, found, signature)

    def _fetch(self, output: str, fingerprint: bytes) -> tuple[bytes | None, bytes | None] | None:
        """The shingles and signature of a row, read now (in the process asking: a forked
        renderer opens its own connection)."""
        try:
            if self._reader is None or self._reader_pid != os.getpid():
                self._reader = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
                self._reader_pid = os.getpid()
            row = self._reader.execute(
                "SELECT shingles, signature FROM pages WHERE output = ? AND fingerprint = ?",
                (output, fingerprint),
            ).fetchone()
        except sqlite3.Error:
            return None  # rendered instead; the cache's state is told when it is saved
        if row is None or not all(v is None or isinstance(v, bytes) for v in row):
            return None
        return row[0], row[1]

    def use(self, output: str, fingerprint: bytes) -> None:
        """The build kept this page as the cache has it: the row stays."""
        self._used.add((output, fingerprint))

    def add(self, output: str, fingerprint: bytes, page: CachedPage) -> None:
        """Keep what rendering a page found now."""
        if self._usable:
            self._new[output, fingerprint] = page

    def save(self) -> None:
        """Write the rows added in this build, and drop those this build neither used nor
        made. Writes nothing when nothing changed."""
        if self._reader is not None and self._reader_pid == os.getpid():
            self._reader.close()
            self._reader = None
        if not self._usable:
            return
        keep = self._used | set(self._new)
        gone = [key for key in self._rows if key not in keep]
        if not (self._new or gone or self._damaged):
            return
        try:
            if self._damaged:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    side = self.path.with_name(self.path.name + suffix)
                    with contextlib.suppress(FileNotFoundError):
                        side.replace(side.with_name(f"{self.path.name}.corrupt{suffix}"))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            format_row = ("INSERT INTO meta (key, value) VALUES ('format', ?)", (_FORMAT,))
            create_whole(self.path, [*((sql, ()) for sql in _TABLES), format_row])
            db = open_for_writing(self.path)
        except (sqlite3.Error, OSError) as error:
            self._not_saved(error)
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM pages WHERE output = ? AND fingerprint = ?", gone)
            db.executemany(
                "INSERT OR REPLACE INTO pages (output, fingerprint, digest, shingles, "
                "signature) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        output,
                        fingerprint,
                        page.digest,
                        None
                        if page.shingles is None
                        else page.shingles.astype(np.uint32).tobytes(),
                        None
                        if page.signature is None
                        else page.signature.astype(np.uint32).tobytes(),
                    )
                    for (output, fingerprint), page in self._new.items()
                ],
            )
            db.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            self._not_saved(error)
        finally:
            db.close()

    def _not_saved(self, error: sqlite3.Error | OSError) -> None:
        self.notices.append(
            f"cannot write the page cache {self.path} ({error}); the site is complete, the "
            "next build renders these pages again"
        )


def _blob(values: np.ndarray | None) -> bytes | None:
    return None if values is None else values.astype(np.uint32).tobytes()

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
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kdirectory._sqlite import (
    BUSY_SECONDS,
    access_problem,
    clear,
    create_whole,
    normal_sql,
    open_for_writing,
    tables_of,
)

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
_TABLE_SQL = {"meta": normal_sql(_TABLES[0]), "pages": normal_sql(_TABLES[1])}


class CacheReadError(Exception):
    """The cache could not be read again (another run rewrote it meanwhile)."""


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
    _rows: dict[tuple[str, bytes], tuple[str, bool, bool]] = field(default_factory=dict)
    """(file, fingerprint) -> (SHA-256, shingles kept, signature kept)"""
    _gates: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _gate: tuple[str, list[tuple[str, str]]] | None = None
    _sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    _site: tuple[str, dict[str, Any]] | None = None
    _plan: dict[str, Any] | None = None
    _loaded: bool = False
    _new: dict[tuple[str, bytes], CachedPage] = field(default_factory=dict)
    _used: set[tuple[str, bytes]] = field(default_factory=set)
    _usable: bool = True
    _damaged: bool = False

    @classmethod
    def of(cls, root: Path) -> PageCache:
        """The cache of the project at ``root``, read."""
        cache = cls(root / PAGE_CACHE)
        cache._read(pages=False)
        return cache

    def load(self) -> None:
        """Read the pages' rows, if not read yet (a build with nothing to do needs only
        what the last build said, not these)."""
        if self._loaded:
            return
        self._loaded = True
        if self._usable and not self._damaged and self.path.is_file():
            self._read(pages=True)

    def _read(self, *, pages: bool) -> None:
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
            tables = tables_of(db)
            if not tables:
                return  # an empty file: a new cache
            if tables != _TABLE_SQL or db.execute(
                "SELECT value FROM meta WHERE key = 'format'"
            ).fetchone() != (_FORMAT,):
                self._set_aside("it is not a kdirectory page cache")
                return
            if not pages:
                self._read_gate(db)
                self._read_site(db)
                return
            for output, fingerprint, digest, shingles, signature in db.execute(
                "SELECT output, fingerprint, digest, shingles IS NOT NULL, "
                "signature IS NOT NULL FROM pages"
            ):
                if not (
                    isinstance(output, str)
                    and isinstance(fingerprint, bytes)
                    and isinstance(digest, str)
                ):
                    self._set_aside(f"the row of {output!r:.80} holds values of the wrong kinds")
                    return
                self._rows[output, fingerprint] = (digest, bool(shingles), bool(signature))
        except sqlite3.Error as error:
            if access_problem(error):
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

    def _read_gate(self, db: sqlite3.Connection) -> None:
        row = db.execute("SELECT value FROM meta WHERE key = 'gate'").fetchone()
        if row is None:
            return
        try:
            key, thin = json.loads(row[0])
            found = [(str(output), str(reason)) for output, reason in thin]
        except (TypeError, ValueError):
            return  # the gate is worked out again
        self._gates[str(key)] = found

    def _read_site(self, db: sqlite3.Connection) -> None:
        row = db.execute("SELECT value FROM meta WHERE key = 'site'").fetchone()
        try:
            key, site = json.loads(row[0]) if row is not None else (None, None)
        except (TypeError, ValueError):
            return  # built in full again
        if isinstance(key, str) and isinstance(site, dict):
            self._sites[key] = site

    def site(self, inputs: str) -> dict[str, Any] | None:
        """What the last build published from the inputs whose digest is ``inputs`` (see
        :meth:`keep_site`), if the last build was made from them."""
        return self._sites.get(inputs)

    def last_site(self) -> dict[str, Any] | None:
        """What the last build published (see :meth:`keep_site`), whatever its inputs."""
        return next(iter(self._sites.values()), None)

    def keep_site(self, inputs: str, site: dict[str, Any]) -> None:
        """Keep what this build published (``site``: plain data) from the inputs whose
        digest is ``inputs``; a later build of the same inputs may reuse it."""
        self._site = (inputs, site)

    def plan(self, structure: str) -> dict[str, Any] | None:
        """How the last build planned the site (see :mod:`kdirectory.site.plan_memo`), when
        its structure's digest was ``structure``: read when asked for (it is large)."""
        if not self._usable or self._damaged or not self.path.is_file():
            return None
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'plan'").fetchone()
            finally:
                db.close()
            found = json.loads(row[0]) if row is not None else None
        except (sqlite3.Error, TypeError, ValueError):
            return None  # planned in full again
        if not isinstance(found, dict) or found.get("structure") != structure:
            return None
        return found

    def keep_plan(self, plan: dict[str, Any]) -> None:
        """Keep how this build planned the site (plain data, with its ``structure``)."""
        self._plan = plan

    def get(
        self, output: str, fingerprint: bytes, *, shingles: bool = False, signature: bool = False
    ) -> str | None:
        """The SHA-256 of what the page written to ``output`` rendered to when its
        fingerprint was ``fingerprint``; with ``shingles`` (``signature``), only when its
        shingles (MinHash signature) were kept too (read them with :meth:`shingles_of`)."""
        self.load()
        row = self._rows.get((output, fingerprint))
        if row is None or (shingles and not row[1]) or (signature and not row[2]):
            return None
        return row[0]

    def shingles_of(
        self, pages: list[tuple[str, bytes]]
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The shingles and MinHash signatures kept for ``pages`` ((file, fingerprint) pairs
        :meth:`get` vouched for), by file.

        Raises:
            CacheReadError: the file changed or broke since it was read (another run
                rewrote it): render the pages instead.
        """
        shingles: dict[str, np.ndarray] = {}
        signatures: dict[str, np.ndarray] = {}
        wanted = set(pages)
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
            try:
                for output, fingerprint, found, signature in db.execute(
                    "SELECT output, fingerprint, shingles, signature FROM pages"
                ):
                    if (output, fingerprint) not in wanted:
                        continue
                    if isinstance(found, bytes):
                        shingles[output] = np.frombuffer(found, dtype=np.uint32)
                    if isinstance(signature, bytes):
                        signatures[output] = np.frombuffer(signature, dtype=np.uint32)
            finally:
                db.close()
        except sqlite3.Error as error:
            raise CacheReadError(str(error)) from None
        if len(shingles) != len(wanted):
            raise CacheReadError("rows are missing")
        return shingles, signatures

    def gate(self, key: str) -> list[tuple[str, str]] | None:
        """What the uniqueness gate found last, when it compared the very pages ``key``
        stands for: the files it kept out of search, with why."""
        return self._gates.get(key)

    def keep_gate(self, key: str, thin: list[tuple[str, str]]) -> None:
        """Keep what the gate found this build for the pages ``key`` stands for."""
        self._gate = (key, thin)

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
        if not self._usable:
            return
        self.load()
        keep = self._used | set(self._new)
        gone = [key for key in self._rows if key not in keep]
        gate = self._gate is not None and self._gate[0] not in self._gates
        if not (self._new or gone or self._damaged or gate or self._site or self._plan):
            return
        try:
            if self._damaged:
                clear(self.path, damaged=True)
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
            if self._site is not None:
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('site', ?)",
                    (json.dumps(self._site),),
                )
            if self._gate is not None:
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('gate', ?)",
                    (json.dumps(self._gate),),
                )
            if self._plan is not None:
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('plan', ?)",
                    (json.dumps(self._plan, separators=(",", ":")),),
                )
            db.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            self._not_saved(error)
            return
        finally:
            db.close()
        self._saved(gone)

    def _saved(self, gone: list[tuple[str, bytes]]) -> None:
        """What is in the file now, after a save: a second save writes only what is new."""
        for key, page in self._new.items():
            self._rows[key] = (page.digest, page.shingles is not None, page.signature is not None)
            self._used.add(key)
        for key in gone:
            del self._rows[key]
        self._new.clear()
        self._damaged = False
        if self._gate is not None:
            self._gates = dict([self._gate])
        if self._site is not None:
            self._sites = dict([self._site])
            self._site = None
        self._plan = None

    def _not_saved(self, error: sqlite3.Error | OSError) -> None:
        self.notices.append(
            f"cannot write the page cache {self.path} ({error}); the site is complete, the "
            "next build renders these pages again"
        )


def _blob(values: np.ndarray | None) -> bytes | None:
    return None if values is None else values.astype(np.uint32).tobytes()

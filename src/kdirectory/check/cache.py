"""The check cache (a project keeps it in ``.kdirectory/check.sqlite``): what each page of a
built site yields on its own, so that ``check_site`` reads again only the pages whose bytes
changed since the last run.

For each HTML file the cache keeps, under its path and the SHA-256 of its bytes, its
:class:`~kdirectory.check.page_record.PageRecord`: the findings of the page rules, what the
rules across pages need of it (title, description, noindex, ids, shingles, MinHash
signature, where a redirect page leads) and its links into the site, not yet resolved.
Everything that depends on the other files of the site (whether a link leads anywhere,
duplicate titles, anchors, the sitemap, robots.txt, redirects, near-duplicates) is worked
out on every run from these records.

Every row carries the fingerprint of what made it: kdirectory's version, the source of the
code that reads and checks a page (this package, the catalogue, the claims lint), Python,
lxml and numpy, and the site's URL (the page rules and links read against it). A row of
another fingerprint is never used, and is dropped when the cache is next written, with the
rows of files no longer in the site.

The cache never changes a result. A file that is not such a cache, or a row that fails its
checksum or does not read back, is set aside (``check.sqlite.corrupt``) with a notice, every
page is read again and a new cache written; a cache that cannot be read or written is done
without, with a notice. Rows are written as pages are read, a few hundred to a transaction,
so the cache never holds a whole site's rows in memory; each row stands alone, so a run cut
short leaves a sound cache.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import zlib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

import lxml.etree
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
from kdirectory.check.page_record import DamagedRecordError, Encoded, PageRecord, decode_record

CACHE_FILE = Path(".kdirectory") / "check.sqlite"
"""The cache, relative to the project."""
_FORMAT = "kdirectory check cache 1"
"""What the ``meta`` table's ``format`` row holds; a new layout of the tables is a new one."""
_TABLES = {
    "meta": "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "pages": "CREATE TABLE pages (path TEXT PRIMARY KEY, digest BLOB NOT NULL, "
    "fingerprint TEXT NOT NULL, checksum INTEGER NOT NULL, facts BLOB NOT NULL, "
    "shingles BLOB NOT NULL, signature BLOB)",
}
_TABLE_SQL = {name: normal_sql(sql) for name, sql in _TABLES.items()}
_ROWS_PER_WRITE = 500


@cache
def checker_fingerprint() -> str:
    """What reads and checks a page in this process: kdirectory's version and the source of
    the check package, the catalogue and the claims lint, with Python, lxml and numpy."""
    digest = hashlib.sha256(_FORMAT.encode())
    for part in (sys.version, _version(), lxml.etree.__version__, np.__version__):
        digest.update(part.encode() + b"\0")
    digest.update(repr((lxml.etree.LXML_VERSION, lxml.etree.LIBXML_VERSION)).encode())
    package = Path(__file__).resolve().parent.parent
    files = [package / name for name in ("report.py", "_output.py", "record/claims.py")]
    for folder in ("check", "catalogue"):
        files += sorted(p for p in (package / folder).rglob("*") if "__pycache__" not in p.parts)
    for file in files:
        if file.is_file():
            digest.update(file.relative_to(package).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()[:32]


def _version() -> str:
    try:
        return metadata.version("kdirectory")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _checksum(facts: bytes, shingles: bytes, signature: bytes | None) -> int:
    return zlib.crc32(signature or b"", zlib.crc32(shingles, zlib.crc32(facts)))


class _DamagedError(Exception):
    """The file is not a check cache, or holds a row this code did not write."""


class CheckCache:
    """The check cache in the file ``path``, for a site served from ``base_url``.

    :meth:`cached` reads the records of the pages whose bytes are unchanged, :meth:`add`
    keeps the record of a page read now and :meth:`save` finishes writing. What could not be
    done (a damaged file set aside, a cache that cannot be written) is in :attr:`notices`.
    """

    def __init__(self, path: Path, base_url: str | None) -> None:
        self.path = path
        self.notices: list[str] = []
        """What to tell the user about the cache: set aside, renewed, done without."""
        self.hits = 0
        """Pages whose record came from the cache."""
        self.damaged = False
        """The file was found damaged: no record read from it may be used."""
        made_by = f"{checker_fingerprint()}\0{base_url or ''}"
        self.fingerprint = hashlib.sha256(made_by.encode()).hexdigest()[:32]
        self._usable = True  # False: neither read nor written any more
        self._readable = path.is_file()
        self._renew = False  # kdirectory's own file, of another layout: start anew
        self._paths: set[str] = set()  # every page the file holds a row of
        self._stale = False  # rows of another fingerprint are in the file
        self._new: list[tuple[str, bytes, str, int, bytes, bytes, bytes | None]] = []
        self._db: sqlite3.Connection | None = None

    @property
    def may_hold_rows(self) -> bool:
        """Whether there is a file to read records from (so page digests are worth it)."""
        return self._usable and self._readable

    # reading

    def cached(self, digests: Mapping[str, bytes]) -> Iterator[tuple[str, PageRecord]]:
        """The record of each page of ``digests`` (path -> SHA-256 of its bytes) whose row
        is of those bytes and of this fingerprint, read in one snapshot. When the file turns
        out damaged, :attr:`damaged` is set and what was yielded must not be used."""
        if not self.may_hold_rows:
            return
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            self._without(f"{self.path} cannot be opened ({error})")
            return
        try:
            db.execute("BEGIN")  # one snapshot, whatever another run commits meanwhile
            if self._tables(db):
                yield from self._rows(db, digests)
        except _DamagedError as damage:
            self._damaged(str(damage))
        except sqlite3.Error as error:
            if access_problem(error):
                self._without(f"{self.path} cannot be read ({error})")
            else:
                self._damaged(f"it is not a check cache ({error})")
        finally:
            db.close()

    def _tables(self, db: sqlite3.Connection) -> bool:
        """Whether the file holds this layout's tables (False: empty, or to be renewed)."""
        tables = tables_of(db)
        if not tables:
            return False
        form = None
        if "meta" in tables:
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            form = None if row is None else row[0]
        if isinstance(form, str) and form != _FORMAT and form.startswith(_FORMAT[:-1]):
            self._renew = True
            self.notices.append(
                f"{self.path} was made by another version of kdirectory; every page is "
                "read again and the cache renewed"
            )
            return False
        if form != _FORMAT or tables != _TABLE_SQL:
            found = ", ".join(sorted(tables)[:5])
            raise _DamagedError(f"it is not a kdirectory check cache (it holds {found})")
        return True

    def _rows(
        self, db: sqlite3.Connection, digests: Mapping[str, bytes]
    ) -> Iterator[tuple[str, PageRecord]]:
        rows = db.execute(
            "SELECT path, digest, fingerprint, checksum, facts, shingles, signature FROM pages"
        )
        for path, digest, fingerprint, checksum, facts, shingles, signature in rows:
            if not (
                isinstance(path, str)
                and isinstance(digest, bytes)
                and isinstance(facts, bytes)
                and isinstance(shingles, bytes)
                and (signature is None or isinstance(signature, bytes))
                and type(checksum) is int
            ):
                raise _DamagedError(f"the row of {path!r:.80} holds values of the wrong kinds")
            self._paths.add(path)
            if fingerprint != self.fingerprint:
                self._stale = True
                continue
            if digests.get(path) != digest:
                continue
            if _checksum(facts, shingles, signature) != checksum:
                raise _DamagedError(f"the row of {path} fails its checksum")
            encoded: Encoded = (facts, shingles, signature)
            try:
                record = decode_record(encoded)
            except DamagedRecordError as damage:
                raise _DamagedError(f"the row of {path}: {damage}") from None
            self.hits += 1
            yield path, record

    def _without(self, why: str) -> None:
        self._usable = False
        self.notices.append(
            f"cannot use the check cache: {why}; every page was read (nothing is missing "
            "from the results, it only takes longer)"
        )

    def _damaged(self, why: str) -> None:
        self.damaged = True
        self.hits = 0
        self.notices.append(
            f"{self.path} is damaged ({why}); it is set aside as {self.path.name}.corrupt, "
            "every page is read again and a new cache written"
        )

    # writing

    def add(self, path: str, digest: bytes, encoded: Encoded) -> None:
        """Keep the record of the page ``path`` read now (its bytes' SHA-256 ``digest``);
        rows are written a few hundred at a time."""
        if not self._usable:
            return
        facts, shingles, signature = encoded
        checksum = _checksum(facts, shingles, signature)
        self._new.append((path, digest, self.fingerprint, checksum, facts, shingles, signature))
        if len(self._new) >= _ROWS_PER_WRITE:
            self._write(self._new)
            self._new = []

    def save(self, present: set[str]) -> None:
        """Write the rows still to be written and drop those of pages no longer in
        ``present`` and of other fingerprints; writes nothing when nothing changed."""
        gone = [(path,) for path in sorted(self._paths - present)]
        if self._new or gone or self._stale:
            self._write(self._new, gone)
        self._new = []
        if self._db is not None:
            self._db.close()
            self._db = None

    def _write(
        self,
        rows: list[tuple[str, bytes, str, int, bytes, bytes, bytes | None]],
        gone: list[tuple[str]] | None = None,
    ) -> None:
        if not self._usable:
            return
        try:
            db = self._db or self._open()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                if gone is not None:
                    db.executemany("DELETE FROM pages WHERE path = ?", gone)
                    db.execute("DELETE FROM pages WHERE fingerprint != ?", (self.fingerprint,))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except (sqlite3.Error, OSError) as error:
            self._usable = False
            self.notices.append(
                f"cannot write the check cache {self.path} ({error}); this run's results "
                "are complete, the next run reads the same pages again"
            )

    def _open(self) -> sqlite3.Connection:
        """The connection rows are written through, the file set aside or made first (made
        whole, then linked into place: runs at once never see half a file)."""
        if self.damaged or self._renew:
            self._clear()
            self._paths.clear()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        statements: list[tuple[str, tuple[object, ...]]] = [(sql, ()) for sql in _TABLES.values()]
        statements.append(("INSERT INTO meta (key, value) VALUES ('format', ?)", (_FORMAT,)))
        create_whole(self.path, statements)
        self._db = open_for_writing(self.path)
        return self._db

    def _clear(self) -> None:
        """Set a damaged file aside (``check.sqlite.corrupt``), or remove one of another
        layout, with SQLite's side files."""
        clear(self.path, damaged=self.damaged)

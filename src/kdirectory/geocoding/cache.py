"""The SQLite answer cache (``.kdirectory/cache.sqlite``), keyed by provider and normalised query.

Every answer a network provider gives is committed as soon as it arrives, including "no
match", so a second run makes zero requests and an interrupted run keeps what it paid for.

The cache is checked when it is opened: a file that is not a SQLite database, fails
SQLite's own integrity check, holds tables kdirectory did not make, or has a row that is
not a valid answer is set aside (renamed to ``cache.sqlite.corrupt``, nothing deleted) and
a fresh cache started; :attr:`GeocodeCache.recovered_from` and
:attr:`GeocodeCache.damage` say where it went and why. Problems the cache cannot repair
(``.kdirectory`` is a file, no permission, a full disk) raise
:class:`~kdirectory.geocoding.errors.GeocodeFileError` with what to do.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import TracebackType

from kdirectory._sqlite import access_problem
from kdirectory.geocoding.errors import GeocodeFileError, free_name
from kdirectory.geocoding.types import PRECISIONS, Geocode, coordinates_problem

CACHE_FILE = Path(".kdirectory") / "cache.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocodes (
    provider TEXT NOT NULL,
    query TEXT NOT NULL,
    answer TEXT,            -- JSON of the Geocode, NULL when the provider found nothing
    created TEXT NOT NULL,  -- ISO date of the request
    PRIMARY KEY (provider, query)
)
"""
# The columns of the table above, as ``PRAGMA table_info`` lists them:
# (name, declared type, NOT NULL, position in the primary key).
_COLUMNS = [
    ("provider", "TEXT", 1, 1),
    ("query", "TEXT", 1, 2),
    ("answer", "TEXT", 0, 0),
    ("created", "TEXT", 1, 0),
]
MISSING = object()  # what get() returns for a query never asked


class _DamagedError(Exception):
    """The file is not a cache this code can trust; the message says why."""


def decode_answer(text: str) -> Geocode:
    """A cached answer's JSON as a :class:`Geocode`; ``ValueError`` saying why it is not one."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("its JSON is nested too deeply") from None
    except ValueError as error:
        raise ValueError(f"its JSON is broken ({error})") from None
    if not isinstance(data, dict):
        raise ValueError("its JSON is not an object")
    problem = coordinates_problem(data.get("lat"), data.get("lon"))
    if problem is None and not all(isinstance(data.get(k), int | float) for k in ("lat", "lon")):
        problem = "lat and lon are text, not numbers"
    if problem is not None:
        raise ValueError(problem)
    precision, provider, label = data.get("precision"), data.get("provider"), data.get("label", "")
    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    if not isinstance(provider, str) or not isinstance(label, str):
        raise ValueError("provider and label must be text")
    return Geocode(float(data["lat"]), float(data["lon"]), precision, provider, label)


def _check(db: sqlite3.Connection) -> None:
    """Raise :class:`_DamagedError` unless ``db`` is empty or a sound cache of ours."""
    verdict = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    if verdict != ["ok"]:
        found = "; ".join(map(str, verdict[:3]))
        raise _DamagedError(f"it fails SQLite's integrity check ({found})")
    objects = db.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    if not objects:
        return  # a new (or empty) database: the table is created next
    foreign = [f"{kind} {name}" for kind, name in objects if (kind, name) != ("table", "geocodes")]
    if foreign:
        raise _DamagedError(f"it holds things kdirectory did not make ({', '.join(foreign[:5])})")
    columns = [
        (str(name), str(kind).upper(), int(notnull), int(pk))
        for _, name, kind, notnull, _, pk in db.execute("PRAGMA table_info(geocodes)")
    ]
    if columns != _COLUMNS:
        names = ", ".join(column[0] for column in columns)
        raise _DamagedError(f"its geocodes table has other columns ({names})")
    rows = db.execute("SELECT rowid, provider, query, answer, created FROM geocodes")
    for rowid, provider, query, answer, created in rows:
        where = f"row {rowid}"
        if not all(isinstance(value, str) for value in (provider, query, created)):
            raise _DamagedError(f"{where}: provider, query and date must be text")
        if answer is None:
            continue
        if not isinstance(answer, str):
            raise _DamagedError(f"{where} ({provider}, {query!r}): the answer is not text")
        try:
            decode_answer(answer)
        except ValueError as error:
            raise _DamagedError(f"{where} ({provider}, {query!r}): {error}") from None


class GeocodeCache:
    """A small key-value store on SQLite, safe to interrupt at any point."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        #: Why the old cache was set aside (``None`` when it was not).
        self.damage: str | None = None
        folder = path.parent
        if folder.exists() and not folder.is_dir():
            raise GeocodeFileError(
                f"{folder}: is a file, but kdirectory keeps its geocoding cache in a folder "
                f"of that name ({folder / path.name}); rename or remove the file, then run "
                "again"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GeocodeFileError(
                f"{folder}: cannot create the folder for the geocoding cache "
                f"({error.strerror or error}); check that it can be written"
            ) from None
        if path.is_dir():
            raise GeocodeFileError(
                f"{path}: is a folder, but it should be the geocoding cache file; move it "
                "away, then run again"
            )
        try:
            self._db = self._open()
        except _DamagedError as damage:
            self.damage = str(damage)
            self.recovered_from = self._set_aside()
            try:
                self._db = self._open()
            except _DamagedError as again:  # a brand-new file is never damaged; SQLite itself is
                raise GeocodeFileError(
                    f"{self.path}: cannot start a new geocoding cache ({again})"
                ) from None

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path)
        except sqlite3.Error as error:
            raise self._unusable(error) from None
        try:
            _check(db)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.commit()
        except sqlite3.Error as error:
            db.close()
            if access_problem(error):
                raise self._unusable(error) from None
            raise _DamagedError(f"it is not a geocoding cache ({error})") from None
        except BaseException:
            db.close()
            raise
        return db

    def _unusable(self, error: sqlite3.Error | OSError) -> GeocodeFileError:
        return GeocodeFileError(
            f"{self.path}: cannot use the geocoding cache ({error}); check that the file and "
            "its folder can be written and that no other kdirectory is using it, or delete "
            "the file to start a new cache"
        )

    def _set_aside(self) -> Path:
        """Rename the cache (and SQLite's side files, if any) to a free ``.corrupt`` name."""
        aside = free_name(self.path.with_name(self.path.name + ".corrupt"))
        try:
            self.path.replace(aside)
            for suffix in ("-wal", "-shm", "-journal"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.replace(aside.with_name(aside.name + suffix))
        except OSError as error:
            raise self._unusable(error) from None
        return aside

    def __enter__(self) -> GeocodeCache:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def get(self, provider: str, query: str) -> Geocode | object | None:
        """The cached answer, ``None`` for a cached "no match", or :data:`MISSING` (also for
        a row that is not a valid answer: the query is asked again and the row replaced)."""
        try:
            row = self._db.execute(
                "SELECT answer FROM geocodes WHERE provider = ? AND query = ?", (provider, query)
            ).fetchone()
        except sqlite3.Error as error:
            raise self._unusable(error) from None
        if row is None:
            return MISSING
        if row[0] is None:
            return None
        try:
            return decode_answer(row[0]) if isinstance(row[0], str) else MISSING
        except ValueError:
            return MISSING

    def put(self, provider: str, query: str, answer: Geocode | None, created: str) -> None:
        payload = None
        if answer is not None:
            payload = json.dumps(
                {
                    "lat": answer.lat,
                    "lon": answer.lon,
                    "precision": answer.precision,
                    "provider": answer.provider,
                    "label": answer.label,
                }
            )
            decode_answer(payload)  # never store what could not be read back
        try:
            with self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO geocodes (provider, query, answer, created) "
                    "VALUES (?, ?, ?, ?)",
                    (provider, query, payload, created),
                )
        except sqlite3.Error as error:
            raise self._unusable(error) from None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM geocodes").fetchone()[0])

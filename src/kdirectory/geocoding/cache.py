"""The SQLite answer cache (``.kdirectory/cache.sqlite``), keyed by provider and normalised query.

Every answer a network provider gives is committed as soon as it arrives, including "no
match", so a second run makes zero requests and an interrupted run keeps what it paid for.
A file that is not a readable SQLite database is set aside and a fresh cache started.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import TracebackType

from kdirectory.geocoding.types import Geocode

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
MISSING = object()  # what get() returns for a query never asked


class GeocodeCache:
    """A small key-value store on SQLite, safe to interrupt at any point."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            aside = path.with_name(path.name + ".corrupt")
            path.replace(aside)
            self.recovered_from = aside
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.execute("SELECT count(*) FROM geocodes").fetchone()
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

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
        """The cached answer, ``None`` for a cached "no match", or :data:`MISSING`."""
        row = self._db.execute(
            "SELECT answer FROM geocodes WHERE provider = ? AND query = ?", (provider, query)
        ).fetchone()
        if row is None:
            return MISSING
        if row[0] is None:
            return None
        data = json.loads(row[0])
        return Geocode(
            data["lat"], data["lon"], data["precision"], data["provider"], data.get("label", "")
        )

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
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO geocodes (provider, query, answer, created) "
                "VALUES (?, ?, ?, ?)",
                (provider, query, payload, created),
            )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM geocodes").fetchone()[0])

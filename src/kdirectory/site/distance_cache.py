"""The distance cache, ``.kdirectory/distances.bin``: the geodesic distances the last build
measured, so that a rebuild measures only the pairs of points it had not (a moved or new
clinic's), not every pair again.

Each distance is a pure function of its two points, and is kept to the bit (a float64), so
a distance from the cache is the number measuring it again would give. The file is made
for one version of kdirectory and its packages (its first line says which); one made by
another, or damaged, is not used, and the build measures every distance again and replaces
it. Each build keeps only the distances it asked for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kdirectory._atomic import atomic_write_bytes
from kdirectory.geocoding.distance import Distances, Pair

DISTANCE_CACHE = Path(".kdirectory") / "distances.bin"
_FORMAT = b"kdirectory distances 1 "
_ROW = 5
"""Numbers a distance takes: two points (latitude, longitude) and the miles between."""


def read_distances(root: Path, code: str) -> tuple[Distances, str | None]:
    """The distances the last build of the project at ``root`` measured, when it ran the
    kdirectory and packages ``code`` fingerprints, ready for this build to add to; and what
    to tell the user when the file was there but could not be used."""
    path = root / DISTANCE_CACHE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Distances(), None
    except OSError as error:
        return Distances(), f"cannot read the distance cache {path} ({error.strerror or error})"
    header = _FORMAT + code.encode() + b"\n"
    if not data.startswith(header):
        return Distances(), None  # another version's: measured again, replaced
    body = memoryview(data)[len(header) :]
    if len(body) % (8 * _ROW):
        return Distances(), f"the distance cache {path} is damaged; distances measured again"
    rows = np.frombuffer(body, dtype="<f8").reshape(-1, _ROW).tolist()
    return Distances({(r[0], r[1], r[2], r[3]): r[4] for r in rows}), None


def save_distances(root: Path, code: str, distances: Distances, *, every: bool) -> str | None:
    """Keep in the project at ``root`` the distances this build asked for (``every``: it
    planned every page) or, when it planned only some, those and the earlier ones; what to
    tell the user when that was not possible (the build goes on: the next one measures
    them)."""
    path = root / DISTANCE_CACHE
    kept = distances.asked() if every else distances.known()
    rows = np.array([(*pair, miles) for pair, miles in kept.items()], dtype="<f8")
    try:
        path.parent.mkdir(exist_ok=True)
        atomic_write_bytes(path, _FORMAT + code.encode() + b"\n" + rows.tobytes())
    except OSError as error:
        return f"cannot write the distance cache {path} ({error.strerror or error})"
    return None


__all__ = ["DISTANCE_CACHE", "Pair", "read_distances", "save_distances"]

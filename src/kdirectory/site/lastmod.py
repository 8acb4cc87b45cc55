"""When each record last changed: its ``updated`` field, else its last git commit date.

One ``git log`` over ``data/clinics`` answers for every file at once; outside a git checkout
(or without git) there are no dates, and pages simply carry no ``lastmod``. Never the wall
clock, so two builds of the same input are identical. The one date that is not from the
records is the build date, which only decides which special hours are past.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path


def git_dates(root: Path, folder: str = "data/clinics") -> dict[str, date]:
    """Last commit date of every file under ``folder``, keyed by path relative to ``root``."""
    git = shutil.which("git")
    if git is None:
        return {}
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [git, "-C", str(root), "log", "--format=%x00%cs", "--name-only", "--", folder],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    prefix = _toplevel_prefix(git, root)
    dates: dict[str, date] = {}
    current: date | None = None
    for line in result.stdout.splitlines():
        if line.startswith("\x00"):
            current = date.fromisoformat(line[1:])
        elif line and current is not None:
            name = line[len(prefix) :] if prefix and line.startswith(prefix) else line
            dates.setdefault(name, current)
    return dates


def _toplevel_prefix(git: str, root: Path) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [git, "-C", str(root), "rev-parse", "--show-prefix"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def build_date() -> date:
    """The date a build is made for: special hours before it are past and not shown.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) fixes it,
    so a build can be repeated byte for byte on another day; otherwise it is today (UTC).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(tz=UTC).date()

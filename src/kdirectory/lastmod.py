"""When each record last changed: its ``updated`` field, else its last git commit date.

One ``git log`` over ``data/clinics`` answers for every file at once; outside a git checkout
(or without git) there are no dates, and pages simply carry no ``lastmod``. Never the wall
clock, so two builds of the same input are identical.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
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

"""Whether a build has anything to do: the digest of everything a site is built from, so
that a build of the very inputs of the last one, into a site left as that build left it,
publishes nothing new and says what the last one said, without planning a page.

The inputs are kdirectory's code and installed packages, every template, the settings,
every clinic as loaded (and the file it came from; a clinic read from a file stands in by
the digest of the file's bytes and its slug, the rest of it being what those bytes make,
and one made or replaced in Python by all its values), the dates git gives the record files,
the date the build is made for, the output folder, and the size and modification time of
every file of the project outside its output folder, ``.kdirectory/`` and ``.git/`` (its
photos, logo, ``data/geocodes.json``). Any change, even a file touched and left the same,
builds in full (where the page cache then renders only pages whose inputs changed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kdirectory.record.model import Clinic
from kdirectory.report import Problem, Report
from kdirectory.site.fingerprint import (
    Fingerprints,
    UnfingerprintableError,
    code_fingerprint,
    salt,
)
from kdirectory.site.lastmod import build_date, git_dates
from kdirectory.site.templating import make_environment

if TYPE_CHECKING:
    from kdirectory.record.config import SiteConfig
    from kdirectory.record.directory import Directory, Entry

_FORMAT = "kdirectory site inputs 2"
_STRUCTURE = "kdirectory site structure 1"
_NOT_INPUTS = {".kdirectory", ".git"}


def inputs_digest(
    directory: Directory, config: SiteConfig, out: Path, walker: Fingerprints | None = None
) -> str | None:
    """The digest of everything the site of ``directory`` built with ``config`` into
    ``out`` is made from; ``None`` when a value cannot be vouched for (then build).
    ``walker``: one shared with :func:`structure_digest` walks each clinic once."""
    walker = walker or Fingerprints(b"")

    def loaded(entry: Entry) -> object:
        # A clinic read from a file is what its bytes make (and its slug, which the other
        # clinics decide): the bytes' digest stands for it, unwalked.
        digest = directory.remembered_digest(entry)
        return entry.clinic if digest is None else (digest, entry.clinic.slug)

    return _digest(directory, config, out, _FORMAT, loaded, set(), walker)


def structure_digest(
    directory: Directory,
    config: SiteConfig,
    out: Path,
    local: Collection[str],
    walker: Fingerprints | None = None,
) -> tuple[str, dict[str, str]] | None:
    """The digest of what the site of ``directory`` is made from but the fields ``local``
    of each clinic (and so, but the content of its record file): what pages there are,
    which clinics are on each, in what order, and everything but those fields of each
    (see :mod:`kdirectory.site.plan_memo`); with the digest of each clinic (by slug), all
    its fields. ``None`` when a value cannot be vouched for."""
    fields = [name for name in Clinic.model_fields if name not in local]
    walker = walker or Fingerprints(b"")
    clinics: dict[str, str] = {}

    def structural(entry: Entry) -> tuple[object, ...]:
        clinic = entry.clinic
        if clinic.slug:
            parts: list[bytes] = []
            walker.feed(parts, clinic)
            clinics[clinic.slug] = b"".join(parts).hex()
        return tuple(getattr(clinic, name) for name in fields)

    records = set()
    for entry in directory.entries:
        if entry.source is not None:
            with contextlib.suppress(ValueError):
                records.add(entry.source.path.relative_to(directory.root).as_posix())
    digest = _digest(directory, config, out, _STRUCTURE, structural, records, walker)
    return None if digest is None else (digest, clinics)


def _digest(
    directory: Directory,
    config: SiteConfig,
    out: Path,
    kind: str,
    entry_value: Callable[[Entry], object],
    records: set[str],
    walker: Fingerprints,
) -> str | None:
    root = directory.root
    code = code_fingerprint()
    parts: list[bytes] = [kind.encode(), code.encode()]
    try:
        env = make_environment(root / "templates")
        parts.append(salt(env, code, ""))
        walker.feed(parts, config)
        walker.feed(
            parts,
            [
                (entry.source.display_path if entry.source else None, entry_value(entry))
                for entry in directory.entries
            ],
        )
    except UnfingerprintableError:
        return None
    walker.feed(parts, str(out.resolve()))
    walker.feed(parts, build_date().isoformat())
    walker.feed(parts, sorted((name, day.isoformat()) for name, day in git_dates(root).items()))
    walker.feed(parts, _project_files(root, out, records))
    return hashlib.blake2b(b"".join(parts), digest_size=20).hexdigest()


def _project_files(root: Path, out: Path, records: set[str]) -> list[tuple[str, int, int]]:
    """Every file of the project outside ``out``, ``.kdirectory/`` and ``.git/`` but
    ``records``: its path, size and modification time (ns)."""
    skip = {out.resolve()}
    found: list[tuple[str, int, int]] = []
    for folder, folders, files in os.walk(root):
        here = Path(folder)
        folders[:] = sorted(
            name
            for name in folders
            if not (here == root and name in _NOT_INPUTS) and (here / name).resolve() not in skip
        )
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(root).as_posix()
            if relative in records:
                continue
            try:
                info = path.stat()
            except OSError:
                continue
            found.append((relative, info.st_size, info.st_mtime_ns))
    return found


def record_of(
    pages: int, noindex: list[tuple[str, str]], check: Report, redirects: dict[str, str]
) -> dict[str, Any]:
    """What a build said of the site it published, as plain data."""
    return {
        "pages": pages,
        "noindex": noindex,
        "redirects": redirects,
        "check": {
            "site": check.site,
            "pages": check.pages,
            "problems": [problem.to_dict() for problem in check.problems],
        },
    }


def said(record: dict[str, Any]) -> tuple[int, list[tuple[str, str]], Report, dict[str, str]]:
    """What :func:`record_of` kept: pages, the pages left noindex, the check's report and
    the redirects.

    Raises:
        KeyError, TypeError, ValueError: the record is not one :func:`record_of` made.
    """
    check = record["check"]
    problems = [
        Problem(
            rule=str(p["rule"]),
            file=str(p["file"]),
            line=None if p["line"] is None else int(p["line"]),
            field=str(p["field"]),
            message=str(p["message"]),
            fix=None if p["fix"] is None else str(p["fix"]),
        )
        for p in check["problems"]
    ]
    report = Report(
        problems=problems, command="check", site=str(check["site"]), pages=int(check["pages"])
    )
    noindex = [(str(path), str(reason)) for path, reason in record["noindex"]]
    redirects = {str(old): str(new) for old, new in dict(record["redirects"]).items()}
    return int(record["pages"]), noindex, report, redirects

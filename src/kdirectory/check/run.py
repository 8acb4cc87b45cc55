"""``check_site``: read every page of a built site once, run the page rules on it, keep a
small summary, then run the rules that need all pages. A redirect page (a refresh to another
URL) is checked only as a redirect: where it leads.

With a check cache (:mod:`kdirectory.check.cache`), a page whose bytes are those of the last
run is not read: its record comes from the cache, and only its links are resolved again.
Pages that must be read are read in several processes when there are many."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kdirectory._output import INTERNAL, MANIFEST
from kdirectory.check.cache import CheckCache
from kdirectory.check.findings import finding
from kdirectory.check.page import line_of, read_page
from kdirectory.check.page_record import Encoded, PageRecord, encode_record, read_record
from kdirectory.check.redirect_rules import redirect_findings
from kdirectory.check.similarity import EXACT_PAIRS_UP_TO
from kdirectory.check.site_rules import (
    PageSummary,
    SiteFiles,
    anchor_findings,
    duplicate_findings,
    link_findings,
    robots_findings,
    similarity_findings,
    sitemap_findings,
)
from kdirectory.exceptions import SiteNotFoundError
from kdirectory.report import Problem, Report

NEAR_DUPLICATE = 0.8
"""Pages at least this alike are near-duplicates, unless the site's manifest records the
uniqueness threshold it was built with (similarity = 1 - threshold)."""
# Below this many pages to read a second process costs more than it saves.
_PARALLEL_FROM = 1500

PageResult = tuple[list[Problem], PageSummary | None]


def check_site(
    site: Path | str,
    *,
    base_url: str | None = None,
    near_duplicate: float | None = None,
    jobs: int | None = None,
    external_paths: Sequence[str] | None = None,
    cache: Path | None = None,
    notices: list[str] | None = None,
    staged_over: Path | None = None,
    unchanged: Collection[str] = (),
    digests: Mapping[str, str] | None = None,
) -> Report:
    """Check the built site in ``site`` against every ``check`` rule of the catalogue.

    Args:
        site: the output folder of ``kdirectory build``.
        base_url: the URL the site is served from; read from the home page's canonical
            link when not given.
        near_duplicate: report indexable pages at least this alike (0-1); by default, at
            the uniqueness threshold the site was built with (``NEAR_DUPLICATE`` for a
            site without a kdirectory manifest).
        jobs: processes to read pages with (default: one per CPU, for large sites).
        external_paths: paths on the site's host that another application serves
            (``/book``; ending in ``/``, everything under it): links to them are not
            broken links. By default, the ``[check] external_paths`` the site was built
            with (none for a site without a kdirectory manifest).
        cache: the check cache file (a project's is ``.kdirectory/check.sqlite``; see
            :mod:`kdirectory.check.cache`): what each page yields on its own is kept there
            under the SHA-256 of its bytes, so a later run reads again only the pages whose
            bytes changed; the rules across pages run on every page each time. The report
            is the same with or without it. None: no cache (every page is read).
        notices: a list to which what there is to say about the cache is added (a damaged
            file set aside, a cache that could not be read or written); the report is
            complete either way.
        staged_over: ``site`` is a new site staged over the site in this folder (see
            :func:`kdirectory.site.publish.publish`): the files ``unchanged`` are read from
            here, the others from ``site``.
        unchanged: the files of the new site that are the ones in ``staged_over``.
        digests: the SHA-256 (hex) of files whose bytes the caller knows, by name: the
            cache is looked up without reading them.

    Raises:
        SiteNotFoundError: ``site`` is not a folder with HTML pages in it.
    """
    root = Path(site)
    if not root.is_dir():
        raise SiteNotFoundError(f"{root} is not a folder; build the site first (kdirectory build)")
    kept = frozenset(unchanged) if staged_over is not None else frozenset()
    files = _site_files(root) | kept
    names = sorted(name for name in files if name.endswith(".html"))
    if not names:
        raise SiteNotFoundError(f"{root} has no HTML pages; build the site first")
    if external_paths is None:
        external_paths = _built_external_paths(root)
    site_files = SiteFiles(root, files, None, tuple(external_paths), staged_over, kept)
    base = (base_url or "").rstrip("/") or _base_url_of(site_files)
    site_files = SiteFiles(root, files, base, tuple(external_paths), staged_over, kept)
    store = CheckCache(cache, base) if cache is not None else None
    results = _check_pages(site_files, names, jobs, store, digests)
    if store is not None and notices is not None:
        notices.extend(store.notices)
    report = Report(command="check", site=str(root), pages=len(names))
    summaries: dict[str, PageSummary] = {}
    for name in names:
        found, summary = results.pop(name)
        report.problems += found
        if summary is not None:
            summaries[name] = summary
    report.problems += duplicate_findings(summaries)
    report.problems += anchor_findings(summaries)
    report.problems += sitemap_findings(site_files, summaries)
    report.problems += robots_findings(site_files)
    report.problems += redirect_findings(site_files, summaries)
    if near_duplicate is None:
        near_duplicate = _built_near_duplicate(root)
    report.problems += similarity_findings(summaries, near_duplicate)
    return report


def _check_pages(
    site: SiteFiles,
    names: Sequence[str],
    jobs: int | None,
    store: CheckCache | None,
    digests: Mapping[str, str] | None,
) -> dict[str, PageResult]:
    """The result of each page: from the cache where its bytes are unchanged, read now
    otherwise (and then kept in the cache). ``digests``: the SHA-256 (hex) of pages whose
    bytes the caller knows."""
    results: dict[str, PageResult] = {}
    resolved: dict[str, str | None] = {}  # URL -> site file, for every page of the run
    misses: Sequence[str] = names
    if store is not None and store.may_hold_rows:
        for name, record in store.cached(_digests(site, names, digests)):
            results[name] = _checked(name, record, site, resolved)
        if store.damaged:  # nothing read from a damaged file is used
            results.clear()
        misses = [name for name in names if name not in results]
    signatures = len(names) > EXACT_PAIRS_UP_TO  # only MinHash needs them
    for name, digest, record, encoded in _read_all(
        site, misses, jobs, signatures, encode=store is not None
    ):
        results[name] = _checked(name, record, site, resolved)
        if store is not None and digest is not None and encoded is not None:
            store.add(name, digest, encoded)
    if store is not None:
        store.save(set(names))
    return results


def _site_files(root: Path) -> set[str]:
    """Every file of the site in ``root`` (relative, ``/``-separated), but the build's own
    (``INTERNAL``): a link to a file counts, a linked folder is not entered and a folder
    that may not be read is passed over."""
    found: set[str] = set()
    folders = [("", os.fspath(root))]
    while folders:
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = prefix + entry.name
                    if not prefix and entry.name in INTERNAL:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((name + "/", entry.path))
                    elif entry.is_file():
                        found.add(name)
        except PermissionError:
            continue
    return found


def _manifest(root: Path) -> dict[str, Any]:
    """The build's manifest of the site in ``root``; empty when it has none it can read."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _built_near_duplicate(root: Path) -> float:
    """The similarity at which the build's uniqueness gate acted, from the manifest."""
    try:
        threshold = float(_manifest(root)["uniqueness_threshold"])
    except (ValueError, KeyError, TypeError):
        return NEAR_DUPLICATE
    # A build with the gate off (0) accepted near-duplicates: only identical pages remain.
    return 1 - threshold if 0 < threshold < 1 else 1.0


def _built_external_paths(root: Path) -> tuple[str, ...]:
    """The ``[check] external_paths`` the site was built with, from the manifest (only
    paths: anything else there is not the build's)."""
    paths = _manifest(root).get("external_paths")
    if not isinstance(paths, list):
        return ()
    return tuple(p for p in paths if isinstance(p, str) and p.startswith("/"))


def _base_url_of(site: SiteFiles) -> str | None:
    home = site.path("index.html")
    if not home.is_file():
        return None
    facts = read_page("index.html", home.read_bytes())
    if facts is None or len(facts.canonicals) != 1:
        return None
    canonical = facts.canonicals[0]
    return canonical[:-1] if canonical.endswith("/") else None


def _digests(
    site: SiteFiles, names: Sequence[str], known: Mapping[str, str] | None
) -> dict[str, bytes]:
    """The SHA-256 of each page's bytes (``known``: hex, by name, where the caller knows
    it; a page that cannot be read is left out)."""
    found: dict[str, bytes] = {}
    for name in names:
        if known is not None and name in known:
            found[name] = bytes.fromhex(known[name])
            continue
        try:
            found[name] = hashlib.sha256(site.path(name).read_bytes()).digest()
        except OSError:
            continue
    return found


Read = tuple[str, bytes | None, PageRecord, Encoded | None]
"""A page read now: its name, the SHA-256 of its bytes (None when they could not be read),
its record and, when it is to be cached, the record encoded."""


def _read_all(
    site: SiteFiles, names: Sequence[str], jobs: int | None, signatures: bool, encode: bool
) -> Iterator[Read]:
    """Read the pages ``names``, in several processes when there are many."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(names) < _PARALLEL_FROM:
        yield from _read_pages(site, list(names), signatures, encode)
        return
    # Chunks of a few hundred pages: few messages, and the processes finish close together.
    size = min(-(-len(names) // (workers * 4)), _CHUNK_PAGES)
    chunks = [list(names[i : i + size]) for i in range(0, len(names), size)]
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_hand_over, initargs=(site, signatures, encode)
    ) as pool:
        for part in pool.map(_read_handed, chunks):
            yield from part


_CHUNK_PAGES = 400
_HANDED: list[tuple[SiteFiles, bool, bool]] = []
"""In a reading process: the site and what to compute, handed over once when it starts
(rather than with every chunk of pages: the site holds the name of every file)."""


def _hand_over(site: SiteFiles, signatures: bool, encode: bool) -> None:
    _HANDED[:] = [(site, signatures, encode)]


def _read_handed(names: list[str]) -> list[Read]:
    site, signatures, encode = _HANDED[0]
    return _read_pages(site, names, signatures, encode)


def _read_pages(site: SiteFiles, names: list[str], signatures: bool, encode: bool) -> list[Read]:
    """The records of the pages ``names`` (with ``signatures``, each indexable page's MinHash
    signature; with ``encode``, each record encoded for the cache)."""
    results: list[Read] = []
    for name in names:
        try:
            data = site.path(name).read_bytes()
        except OSError as exc:
            unread = PageRecord([finding(name, "html.unreadable", str(exc))], readable=False)
            results.append((name, None, unread, None))
            continue
        record = read_record(name, data, site, signatures)
        digest = hashlib.sha256(data).digest() if encode else None
        results.append((name, digest, record, encode_record(record) if encode else None))
    return results


def _checked(
    name: str, record: PageRecord, site: SiteFiles, resolved: dict[str, str | None]
) -> PageResult:
    """The findings of a page read now or kept in the cache, its links resolved, and the
    summary the rules across pages read (None for a file that is not an HTML page)."""
    if not record.readable:
        return record.problems, None
    broken, anchors = link_findings(
        name, record.links, site, resolved, _Lines(site.path(name), record.lines)
    )
    summary = PageSummary(
        title=record.title,
        description=record.description,
        noindex=record.noindex,
        anchors=anchors,
        ids=PageSummary.joined_ids(record.ids),
        shingles=record.shingles,
        signature=record.signature,
        redirect=record.redirect,
    )
    return record.problems + broken if broken else record.problems, summary


class _Lines:
    """The line of an ``href`` on one page: known for links with a fragment; for another
    (a broken link), looked up in the page, read again for it."""

    def __init__(self, path: Path, known: dict[str, int | None]) -> None:
        self.path = path
        self.known = known
        self.source: bytes | None = None

    def __call__(self, href: str) -> int | None:
        if href in self.known:
            return self.known[href]
        if self.source is None:
            try:
                self.source = self.path.read_bytes()
            except OSError:
                self.source = b""
        return line_of(self.source, href)

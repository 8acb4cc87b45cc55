"""``check_site``: read every page of a built site once, run the page rules on it, keep a
small summary, then run the rules that need all pages. A redirect page (a refresh to another
URL) is checked only as a redirect: where it leads."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kdirectory._output import INTERNAL, MANIFEST
from kdirectory.check.findings import finding
from kdirectory.check.page import page_shingles, read_page
from kdirectory.check.page_rules import page_findings
from kdirectory.check.redirect_rules import (
    redirect_findings,
    redirect_page_findings,
    redirect_target,
)
from kdirectory.check.similarity import EXACT_PAIRS_UP_TO, signature
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
# Below this many pages a second process costs more than it saves.
_PARALLEL_FROM = 1500

PageResult = tuple[str, list[Problem], PageSummary | None]


def check_site(
    site: Path | str,
    *,
    base_url: str | None = None,
    near_duplicate: float | None = None,
    jobs: int | None = None,
    external_paths: Sequence[str] | None = None,
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

    Raises:
        SiteNotFoundError: ``site`` is not a folder with HTML pages in it.
    """
    root = Path(site)
    if not root.is_dir():
        raise SiteNotFoundError(f"{root} is not a folder; build the site first (kdirectory build)")
    files = {
        name
        for path in root.rglob("*")
        if path.is_file()
        and (name := path.relative_to(root).as_posix()).split("/", 1)[0] not in INTERNAL
    }
    names = sorted(name for name in files if name.endswith(".html"))
    if not names:
        raise SiteNotFoundError(f"{root} has no HTML pages; build the site first")
    base = (base_url or "").rstrip("/") or _base_url_of(root)
    report = Report(command="check", site=str(root), pages=len(names))
    summaries: dict[str, PageSummary] = {}
    if external_paths is None:
        external_paths = _built_external_paths(root)
    site_files = SiteFiles(root, files, base, tuple(external_paths))
    for name, found, summary in _read_all(site_files, names, jobs):
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


def _base_url_of(root: Path) -> str | None:
    home = root / "index.html"
    if not home.is_file():
        return None
    facts = read_page("index.html", home.read_bytes())
    if facts is None or len(facts.canonicals) != 1:
        return None
    canonical = facts.canonicals[0]
    return canonical[:-1] if canonical.endswith("/") else None


def _read_all(site: SiteFiles, names: Sequence[str], jobs: int | None) -> list[PageResult]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    signatures = len(names) > EXACT_PAIRS_UP_TO  # only MinHash needs them
    if workers <= 1 or len(names) < _PARALLEL_FROM:
        return _check_pages(site, list(names), signatures)
    size = -(-len(names) // (workers * 4))
    chunks = [list(names[i : i + size]) for i in range(0, len(names), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(
            _check_pages,
            [site] * len(chunks),
            chunks,
            [signatures] * len(chunks),
        )
        return [result for part in parts for result in part]


def _check_pages(site: SiteFiles, names: list[str], signatures: bool) -> list[PageResult]:
    """Page and link rules and summaries for ``names``; with ``signatures`` each summary
    carries its page's MinHash signature."""
    results: list[PageResult] = []
    resolved: dict[str, str | None] = {}
    for name in names:
        try:
            data = (site.root / name).read_bytes()
        except OSError as exc:
            results.append((name, [finding(name, "html.unreadable", str(exc))], None))
            continue
        facts = read_page(name, data)
        if facts is None:
            message = "not a UTF-8 HTML document (empty, binary, or another encoding)"
            results.append((name, [finding(name, "html.unreadable", message)], None))
            continue
        target = redirect_target(facts, site.base_url)
        if target is not None:  # a redirect page: where it leads is all that matters
            summary = PageSummary(
                title=None,
                description=None,
                noindex=True,
                anchors=(),
                ids=frozenset(facts.ids),
                shingles=frozenset(),
                redirect=target,
            )
            results.append((name, redirect_page_findings(facts, target), summary))
            continue
        shingled = page_shingles(facts)
        broken, anchors = link_findings(facts, site, resolved)
        summary = PageSummary(
            title=facts.titles[0] if len(facts.titles) == 1 else None,
            description=facts.descriptions[0] if len(facts.descriptions) == 1 else None,
            noindex=facts.noindex,
            anchors=anchors,
            ids=frozenset(facts.ids),
            shingles=shingled,
            signature=signature(shingled) if signatures and not facts.noindex else None,
        )
        results.append((name, page_findings(facts, site.base_url) + broken, summary))
    return results

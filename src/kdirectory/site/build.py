"""Build the static site: plan, render, check, and publish.

Every page is rendered straight into a staging folder beside the live site (by several
processes at once: see :mod:`kdirectory.site.render`), checked there with every rule of
``kdirectory check``, and published (see :mod:`kdirectory.site.publish`) only when the check
finds no error, so neither an interrupted build nor a page that fails the check ever
replaces the last good site. A manifest (``.kdirectory-manifest.json``) records every file
kdirectory wrote; everything else in the output folder (a CNAME, a .git) is never touched.
The manifest also records what each page is, so that a page whose path changed since the
last build leaves a redirect behind (see :mod:`kdirectory.site.redirects`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from kdirectory import _collector as collector
from kdirectory._output import MANIFEST
from kdirectory.check.cache import CACHE_FILE
from kdirectory.check.similarity import EXACT_PAIRS_UP_TO
from kdirectory.exceptions import (
    BuildError,
    ConfigError,
    SiteCheckFailedError,
    ValidationFailedError,
)
from kdirectory.project import validate
from kdirectory.record.config import parse_base_url
from kdirectory.site import urls
from kdirectory.site.brand_plan import brand_files, planner_for
from kdirectory.site.distance_cache import read_distances, save_distances
from kdirectory.site.fingerprint import (
    Fingerprints,
    UnfingerprintableError,
    code_fingerprint,
    salt,
)
from kdirectory.site.images import Photos, photo_files
from kdirectory.site.model import build_model
from kdirectory.site.page_cache import CachedPage, CacheReadError, PageCache
from kdirectory.site.plan import Page, Planner, read_guides
from kdirectory.site.plan_memo import (
    LOCAL_FIELDS,
    Planning,
    materialize,
    memo_of,
    plan_again,
    plan_all,
    settle,
    watch,
)
from kdirectory.site.publish import (
    Amend,
    FileStats,
    Manifest,
    Stage,
    Staged,
    check_relative,
    publish,
    site_state,
    unchanged,
)
from kdirectory.site.redirects import (
    Identity,
    identities,
    is_page_path,
    manifest_entries,
    next_redirects,
    read_history,
    redirect_files,
)
from kdirectory.site.render import (
    CheckRecords,
    MemorySink,
    PageRenderer,
    RenderedPage,
    Sink,
    render_pages,
    usable_cores,
)
from kdirectory.site.site_files import finder_files, locations_kml, robots_txt, sitemaps
from kdirectory.site.templating import get_template_source, make_environment, render_page_template
from kdirectory.site.thin_pages import compare_pages, thin_pages
from kdirectory.site.unchanged import inputs_digest, record_of, said, structure_digest

if TYPE_CHECKING:
    from jinja2 import Environment

    from kdirectory.geocoding.distance import Distances
    from kdirectory.record.config import SiteConfig
    from kdirectory.record.directory import Directory
    from kdirectory.report import Problem, Report
    from kdirectory.site.model import SiteModel

__all__ = ["MANIFEST", "BuildError", "BuildResult", "build_site", "publish", "render_site"]
STATIC_FILES = {
    "assets/site.js": "assets/site.js",
    "assets/finder.js": "assets/finder.js",
    "favicon.svg": "favicon.svg",
}
Fingerprinted = tuple[dict[str, bytes | None], dict[str, bytes | None]]
"""Each page's fingerprint as the uniqueness gate compared it, and as published."""
REDIRECT_TEMPLATE = "redirect.html"
"""The page left at an old path, which sends readers on to the new one."""


@dataclass
class BuildResult:
    """What a build did."""

    out: Path
    pages: int
    files: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    noindex: list[tuple[str, str]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """The records' warnings (errors stop the build)."""
    check: Report | None = None
    """What ``kdirectory check`` found in the site before it was published (no errors)."""
    redirects: dict[str, str] = field(default_factory=dict)
    """The redirects the site has (old path -> new path), kept until pruned."""
    processes: int = 1
    """How many processes rendered the pages (1: the build's own)."""
    rendered: int | None = None
    """How many pages were rendered; the others were kept as the last build rendered them
    (their inputs unchanged). ``None``: every page was rendered."""
    notices: list[str] = field(default_factory=list)
    """What the page and check caches had to say (set aside, done without)."""

    def summary(self) -> str:
        checked = (
            f", checked: 0 errors, {len(self.check.warnings):,} warnings"
            if self.check is not None
            else ""
        )
        count = len(self.redirects)
        moved = f", {count:,} redirect{'' if count == 1 else 's'}" if count else ""
        kept = (
            f", {self.rendered:,} pages rendered ({self.pages - self.rendered:,} kept)"
            if self.rendered is not None and self.rendered < self.pages
            else ""
        )
        return (
            f"built {self.pages:,} pages ({self.files:,} files) in {self.out}: "
            f"{self.written:,} written, {self.unchanged:,} unchanged, {self.removed:,} removed"
            f"{kept}{moved}, {len(self.warnings):,} record warnings{checked}, {self.seconds:.2f} s"
        )


@dataclass
class _Planned:
    """A planned site, ready to render, and what its redirects need."""

    config: SiteConfig
    model: SiteModel
    pages: list[Page]
    identities: dict[str, Identity]
    """The identity of every page path (see :mod:`kdirectory.site.redirects`)."""
    env: Environment
    base_path: str
    photos: Photos
    root: Path
    planner: Planner
    planning: Planning | None = None
    """How the directory's pages were planned (a brand site's: ``None``, planned whole)."""


def render_site(directory: Directory, config: SiteConfig) -> tuple[list[Page], dict[str, bytes]]:
    """Plan and render every file of the site in memory: ``{relative path: bytes}``."""
    planned = _plan(directory, config)
    sink = MemorySink()
    _render(planned, sink, jobs=1)
    return planned.pages, sink.files


def _plan(
    directory: Directory,
    config: SiteConfig,
    distances: Distances | None = None,
    last: tuple[dict[str, Any], set[str]] | None = None,
) -> _Planned:
    """Plan the site; ``last``: how the last build planned it, with the clinics changed
    since, when only their local fields changed (see :mod:`kdirectory.site.plan_memo`)."""
    with collector.paused():  # the plan stays alive to the end of the build
        return _plan_pages(directory, config, distances, last)


def _plan_pages(
    directory: Directory,
    config: SiteConfig,
    distances: Distances | None,
    last: tuple[dict[str, Any], set[str]] | None,
) -> _Planned:
    model = build_model(directory, distances=distances)
    model.config = config
    env = make_environment(directory.root / "templates")
    base_path = urlsplit(config.site.base_url).path.rstrip("/")

    def href(path: str) -> str:
        return base_path + path

    photos = Photos(directory.root, base_path)
    planner = planner_for(model, env, photos, directory.root)  # by [site] kind
    planning = None
    if type(planner) is Planner:
        log = watch(model)
        planning = (last and plan_again(planner, log, *last)) or plan_all(planner, log)
        pages = planning.pages
    else:
        pages = planner.plan()
    owners: dict[str, Page] = {}
    for page in pages:
        other = owners.setdefault(page.output, page)
        if other is not page:
            raise BuildError(
                f"two pages would be written to {page.output}: the {other.kind} page "
                f"{other.heading!r} and the {page.kind} page {page.heading!r}; "
                "give one of them a different slug"
            )
        check_relative(page.output)
    shared: dict[str, Any] = {
        "site": config.site,
        "review": config.review,
        # The theme's own stylesheet, inlined as-is (escaping would break quotes and ">").
        "css": Markup(get_template_source(env, "assets/site.css").strip().replace("</", "<\\/")),  # noqa: S704
        "href": href,
        "nav_states": [
            {"name": s.name, "path": s.path}
            for s in sorted(model.states.values(), key=lambda s: s.name)
        ],
    }
    env.globals.update(shared)
    records = {
        entry.clinic.slug: entry.source.display_path
        for entry in directory.entries
        if entry.clinic.slug and entry.source is not None
    }
    known = identities(model, read_guides(env), records)
    found = {p.path: known[p.path] for p in pages if p.path in known and is_page_path(p.path)}
    return _Planned(
        config, model, pages, found, env, base_path, photos, directory.root, planner, planning
    )


def _plan_cached(
    directory: Directory,
    config: SiteConfig,
    out: Path,
    cache: PageCache,
    notices: list[str],
    walker: Fingerprints,
) -> tuple[_Planned, tuple[str, dict[str, str]] | None]:
    """:func:`_plan`, with the distances the last build measured (see
    :mod:`kdirectory.site.distance_cache`), keeping those this one asked for, and with how
    the last build planned the site when only local fields of clinics changed since (see
    :mod:`kdirectory.site.plan_memo`); what the distance cache had to say goes to
    ``notices``. Also returns the digest of the site's structure and of each clinic (for
    :func:`_keep_plan`), when they could be made."""
    code = code_fingerprint()
    distances, problem = read_distances(directory.root, code)
    structure = structure_digest(directory, config, out, LOCAL_FIELDS, walker)
    last = None
    if structure is not None:
        memo = cache.plan(structure[0])
        known = memo.get("clinics") if memo is not None else None
        if memo is not None and isinstance(known, dict):
            changed = {slug for slug, digest in structure[1].items() if known.get(slug) != digest}
            last = (memo, changed)
    planned = _plan(directory, config, distances, last)
    planning = planned.planning
    every = planning is None or planning.planned == len(planning.units)
    problems = [problem, save_distances(directory.root, code, distances, every=every)]
    notices.extend(said for said in problems if said)
    return planned, structure


def _keep_plan(
    cache: PageCache,
    planned: _Planned,
    structure: tuple[str, dict[str, str]] | None,
    fingerprints: Fingerprinted,
) -> None:
    """Keep how this build planned the site, for the next to plan only what changed."""
    if structure is not None and planned.planning is not None:
        memo = memo_of(planned.planning, *fingerprints)
        cache.keep_plan({"structure": structure[0], "clinics": structure[1], **memo})


def _left(last: dict[str, Any] | None) -> tuple[str, FileStats] | None:
    """The state the last build left its site in (:func:`site_state`), from what it kept
    (:func:`_keep_built`)."""
    if last is None:
        return None
    try:
        manifest = str(last["manifest"])
        stats = {str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in last["stats"].items()}
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
    return manifest, stats


def _as_last_built(cache: PageCache, inputs: str, out: Path, *, wait: bool) -> BuildResult | None:
    """The result of the last build, when it was made from ``inputs`` and ``out`` is as
    it left it (see :mod:`kdirectory.site.unchanged`); ``None``: build."""
    last = cache.site(inputs)
    left = _left(last)
    if last is None or left is None:
        return None
    try:
        pages, noindex, check, redirects = said(last)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
    published = unchanged(out, *left, wait=wait)
    if published is None:
        return None
    return BuildResult(
        out=out, pages=pages, files=published.unchanged, written=0,
        unchanged=published.unchanged, removed=0, seconds=0.0, noindex=noindex,
        kept=published.kept, check=check, redirects=redirects, processes=0, rendered=0,
    )  # fmt: skip


def _settings(config: SiteConfig) -> dict[str, Any]:
    """The settings the manifest records, for ``kdirectory check`` to read."""
    settings: dict[str, Any] = {"uniqueness_threshold": config.build.uniqueness_threshold}
    if config.check.external_paths:
        settings["external_paths"] = list(config.check.external_paths)
    return settings


def _jobs(jobs: int | None) -> int:
    """The processes to render pages in: ``jobs``, by default one per usable processor.

    Raises:
        ValueError: ``jobs`` is less than 1.
    """
    jobs = usable_cores() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    return jobs


def _warnings(directory: Directory) -> list[Problem]:
    """The warnings of the project's records.

    Raises:
        ValidationFailedError: the records have errors (the report is attached).
    """
    report = validate(directory)
    if not report.ok():
        raise ValidationFailedError(f"cannot build: {report.summary()}", report)
    return [p for p in report.sorted_problems() if p.severity == "warning"]


def _with_base_url(config: SiteConfig, base_url: str | None) -> SiteConfig:
    """``config`` with the site's URL ``base_url``, when given.

    Raises:
        ConfigError: ``base_url`` is not a site URL.
    """
    if base_url is None:
        return config
    try:
        site = config.site.model_copy(update={"base_url": parse_base_url(base_url)})
    except ValueError as exc:
        raise ConfigError(f"base_url: {exc}") from None
    return config.model_copy(update={"site": site})


def _keep_built(cache: PageCache, inputs: str | None, out: Path, built: dict[str, Any]) -> None:
    """Keep what this build published from ``inputs`` (``built``, :func:`record_of`) with
    the state of ``out`` it left, for the next build to compare; and write what else is
    still to write to ``cache``."""
    state = site_state(out) if inputs is not None else None
    if inputs is not None and state is not None:
        cache.keep_site(inputs, {"manifest": state[0], "stats": state[1], **built})
    cache.save()


def _render(
    planned: _Planned,
    sink: Sink,
    jobs: int,
    cache: PageCache | None = None,
    check: CheckRecords | None = None,
    fingerprints: Fingerprinted | None = None,
) -> tuple[dict[str, Staged], int, int]:
    """Render every file of the site into ``sink``: the pages (in ``jobs`` processes where
    possible; with a ``cache``, only those whose fingerprint it does not have), the
    uniqueness gate and the pages it keeps out of search again, then the other files.
    Returns what was put, by name, how many processes rendered pages, and how many pages
    were rendered (not kept); each page's fingerprint goes to ``fingerprints``."""
    pages, config, env, planning = planned.pages, planned.config, planned.env, planned.planning
    if cache is not None:
        cache.load()  # here, not in each process that renders
    threshold = config.build.uniqueness_threshold
    compare = compare_pages(pages, threshold)
    renderer = PageRenderer(
        env,
        pages,
        sink,
        compare=compare,
        signatures=compare and sum(p.indexable for p in pages) > EXACT_PAIRS_UP_TO,
        cache=cache,
        fingerprints=_fingerprints(planned) if cache is not None else None,
        check=check,
        stubs=planning.stubs if planning is not None else {},
    )
    rendered, processes = _render_pages(planned, renderer, range(len(pages)), jobs)
    _remember(cache, rendered, fingerprints, first=True)
    made = {r.output for r in rendered if not r.kept}
    staged = {r.output: r.staged for r in rendered if r.staged is not None}
    again = {r.output for r in rendered if r.staged is None}  # only compared, from the cache
    if compare:
        listings = planning.listings if planning is not None else {}
        for page, reason in _gate(pages, rendered, threshold, cache, listings):
            page.indexable = False
            page.noindex_reason = reason
            again.add(page.output)
    del rendered
    if again:
        index = {page.output: number for number, page in enumerate(pages)}
        wanted = sorted(index[output] for output in again)
        if planning is not None:
            settle(planned.planner, planning, [pages[number] for number in wanted])
        renderer.compare = False
        rendered = _render_pages(planned, renderer, wanted, jobs)[0]
        _remember(cache, rendered, fingerprints, first=False)
        made.update(r.output for r in rendered if not r.kept)
        staged.update((r.output, r.staged) for r in rendered if r.staged is not None)
    model, base_path = planned.model, planned.base_path
    files: dict[str, bytes] = {
        target: get_template_source(env, source).encode("utf-8")
        for target, source in STATIC_FILES.items()
    }
    for name, text in sitemaps(pages, config.site.base_url).items():
        files[name] = text.encode("utf-8")
    files["robots.txt"] = robots_txt(config.site.base_url).encode("utf-8")
    files["locations.kml"] = locations_kml(model).encode("utf-8")
    for name, text in finder_files(model, base_path).items():
        files[name] = text.encode("utf-8")
    files.update(photo_files(planned.photos.made))
    files.update(brand_files(planned.root, config))
    for name, data in files.items():
        if name in staged:
            raise BuildError(f"two files would be written to {name}: a page and a site file")
        staged[name] = sink.put(name, data)
    return staged, processes, len(made)


def _render_pages(
    planned: _Planned, renderer: PageRenderer, indices: Sequence[int], jobs: int
) -> tuple[list[RenderedPage], int]:
    """:func:`render_pages`; a page planned from the last build's record that could not be
    kept is planned (:func:`~kdirectory.site.plan_memo.materialize`), then rendered."""
    rendered, processes = render_pages(renderer, indices, jobs)
    missing = {r.output for r in rendered if r.missing}
    if missing:
        assert planned.planning is not None  # only its pages can be missing
        materialize(planned.planner, planned.planning, missing)
        again = [number for number, r in zip(indices, rendered, strict=True) if r.missing]
        done = {r.output: r for r in render_pages(renderer, again, jobs)[0]}
        rendered = [done.get(r.output, r) for r in rendered]
    return rendered, processes


def _gate(
    pages: list[Page],
    rendered: list[RenderedPage],
    threshold: float,
    cache: PageCache | None,
    listings: dict[str, tuple[int, int, int]],
) -> list[tuple[Page, str]]:
    """The pages the uniqueness gate keeps out of search, with why. When every page it
    compares has the fingerprint it had when the cache kept the gate's last findings,
    those stand; otherwise the gate compares the pages, the shingles of kept ones read from
    the cache."""
    by_output = {page.output: page for page in pages}
    compared = [r for r in rendered if by_output[r.output].indexable]
    key = None
    if cache is not None and all(r.fingerprint is not None for r in compared):
        digest = hashlib.blake2b(repr(threshold).encode(), digest_size=20)
        for r in sorted(compared, key=lambda r: r.output):
            digest.update(r.output.encode() + b"\0" + (r.fingerprint or b""))
        key = digest.hexdigest()
        known = cache.gate(key)
        if known is not None:
            return [(by_output[output], reason) for output, reason in known]
    shingles = {r.output: r.shingles for r in compared if r.shingles is not None}
    signatures = {r.output: r.signature for r in compared if r.signature is not None}
    kept = [(r.output, r.fingerprint) for r in compared if r.kept and r.fingerprint]
    if kept:
        assert cache is not None
        try:
            more, more_signatures = cache.shingles_of(kept)
        except CacheReadError as error:
            raise BuildError(
                f"the page cache {cache.path} changed while this build read it ({error}); "
                "build again (--no-cache to do without it)"
            ) from None
        shingles.update(more)
        signatures.update(more_signatures)
    found = [
        (f.page, f.reason)
        for f in thin_pages(pages, shingles, threshold, signatures or None, listings)
    ]
    if key is not None and cache is not None:
        cache.keep_gate(key, [(page.output, reason) for page, reason in found])
    return found


def _fingerprints(planned: _Planned) -> Fingerprints | None:
    """The fingerprints of this build's pages; ``None`` when the templates' globals hold a
    value no fingerprint can vouch for (every page is then rendered)."""
    try:
        return Fingerprints(salt(planned.env, code_fingerprint(), planned.base_path))
    except UnfingerprintableError:
        return None


def _remember(
    cache: PageCache | None,
    rendered: list[RenderedPage],
    fingerprints: Fingerprinted | None,
    *,
    first: bool,
) -> None:
    """Note in ``cache`` what rendering found, and which pages it kept; and in
    ``fingerprints``, each page's fingerprint (as the gate compared it: ``first``; and as
    published)."""
    if fingerprints is not None:
        prints = [(page.output, page.fingerprint) for page in rendered]
        if first:
            fingerprints[0].update(prints)
        fingerprints[1].update(prints)
    if cache is None:
        return
    for page in rendered:
        if page.fingerprint is None:
            continue
        if page.kept:
            cache.use(page.output, page.fingerprint)
        elif page.staged is not None:
            found = CachedPage(page.staged.digest, page.shingles, page.signature)
            cache.add(page.output, page.fingerprint, found)


def _with_redirects(planned: _Planned, config: SiteConfig, made: list[dict[str, str]]) -> Amend:
    """The ``amend`` step of publishing: from the last manifest, the redirects of this build,
    their files, and what the manifest records for the next build."""
    names = {page.path: page.heading for page in planned.pages}

    def stub(source: str, target: str) -> str:
        redirect = {
            "source": source,
            "path": target,
            "url": urls.absolute(config.site.base_url, target),
            "name": names.get(target, target),
        }
        return render_page_template(planned.env, REDIRECT_TEMPLATE, {"redirect": redirect})

    def amend(manifest: Manifest) -> tuple[dict[str, bytes], dict[str, Any]]:
        history = read_history(manifest)
        redirects = next_redirects(history.pages, history.redirects, planned.identities)
        made.append(redirects)
        files = redirect_files(redirects, planned.base_path, stub)
        return files, manifest_entries(planned.identities, redirects)

    return amend


@collector.sparing
def build_site(
    directory: Directory,
    out: Path | str | None = None,
    config: SiteConfig | None = None,
    *,
    base_url: str | None = None,
    wait: bool = False,
    jobs: int | None = None,
    cache: bool = True,
) -> BuildResult:
    """Validate ``directory``, render every page and publish into ``out`` atomically.

    Pages are rendered by ``jobs`` processes (by default one per processor this process may
    use): forked once the pages are planned, each writes its pages straight into the
    staging folder. With ``jobs=1``, on a platform without ``fork`` (Windows), and when
    called in a process that runs other threads, they are rendered in this process, and so
    are those of a rebuild that plans only a few pages again. The site is the same bytes
    either way. With ``cache``, a page whose fingerprint (everything it is rendered from:
    see :mod:`kdirectory.site.fingerprint`) is in the project's page cache, with its file in
    ``out`` as then rendered, is kept instead of rendered again; the cache's notices (set
    aside, done without) are in the result. Python's cycle collector leaves alone what is
    alive when the build starts until it returns (see :mod:`kdirectory._collector`).

    The site is checked in its staging folder with every rule of ``kdirectory check``
    before it replaces the last one. A page the last build into ``out`` published at
    another path leaves a redirect there (``_redirects`` and a page at the old path), kept
    until pruned (:func:`kdirectory.site.redirects.prune_redirects`).

    Raises:
        ValidationFailedError: the records have errors (the report is attached).
        ConfigError: ``base_url`` is not a site URL (http or https, a host, a path).
        SiteCheckFailedError: the new site fails the check (the report is attached); the
            last site is left as it was.
        BuildError: two pages on one path, ``out`` is not safe to write, another build is
            writing it (unless ``wait``), or the disk refused a write.
        ValueError: ``jobs`` is less than 1.
    """
    start = time.perf_counter()
    jobs = _jobs(jobs)
    warnings = _warnings(directory)
    config = _with_base_url(config or directory.config, base_url)
    target = Path(out) if out is not None else directory.root / config.build.out
    pages_cache = PageCache.of(directory.root) if cache else None
    notices = pages_cache.notices if pages_cache else []
    walker = Fingerprints(b"")  # the inputs' digests walk each clinic once
    inputs = inputs_digest(directory, config, target, walker) if pages_cache else None
    if pages_cache is not None and inputs is not None:
        last = _as_last_built(pages_cache, inputs, target, wait=wait)
        if last is not None:
            last.warnings, last.notices = warnings, notices
            last.seconds = time.perf_counter() - start
            return last
    planned, structure = (
        _plan_cached(directory, config, target, pages_cache, notices, walker)
        if pages_cache is not None
        else (_plan(directory, config), None)
    )
    pages = planned.pages
    fingerprints: Fingerprinted = ({}, {})
    checked: list[Report] = []
    made: list[dict[str, str]] = []
    processes: list[int] = []
    renders: list[int] = []

    check_cache = directory.root / CACHE_FILE if cache else None
    base = config.site.base_url.rstrip("/")
    many = len(pages) > EXACT_PAIRS_UP_TO  # as the check decides it: harmless if it differs
    records = CheckRecords(check_cache, base, many) if check_cache is not None else None

    def render(stage: Stage) -> dict[str, Staged]:
        staged, count, rendered = _render(planned, stage, jobs, pages_cache, records, fingerprints)
        processes.append(count)
        renders.append(rendered)
        if pages_cache is not None:
            pages_cache.save()
        return staged

    def verify(staging: Path, staged: Mapping[str, Staged]) -> None:
        from kdirectory.check import check_site  # noqa: PLC0415 - the checker loads lxml

        site_report = check_site(
            staging,
            base_url=config.site.base_url,
            external_paths=config.check.external_paths,
            cache=check_cache,
            notices=notices,
            staged_over=target,
            unchanged=[name for name, found in staged.items() if not found.changed],
            digests={name: found.digest for name, found in staged.items()},
        )
        if not site_report.ok():
            raise SiteCheckFailedError(
                f"not published: the new site fails `kdirectory check` with "
                f"{len(site_report.errors):,} errors; the last site is unchanged",
                site_report,
            )
        checked.append(site_report)

    published = publish(
        target,
        render=render,
        verify=verify,
        settings=_settings(config),
        wait=wait,
        amend=_with_redirects(planned, config, made),
        meanwhile=True,  # the staging folder is removed while the caches are written
        left=_left(pages_cache.last_site()) if pages_cache is not None else None,
    )
    noindex = [
        (p.path, p.noindex_reason or "") for p in pages if not p.indexable and p.kind != "404"
    ]
    try:
        if pages_cache is not None:
            _keep_plan(pages_cache, planned, structure, fingerprints)
            _keep_built(
                pages_cache, inputs, target, record_of(len(pages), noindex, checked[0], made[0])
            )
    finally:
        published.finish()
    return BuildResult(
        out=target, pages=len(pages), files=published.written + published.unchanged,
        written=published.written, unchanged=published.unchanged, removed=published.removed,
        seconds=time.perf_counter() - start, noindex=noindex, kept=published.kept,
        warnings=warnings, check=checked[0], redirects=made[0], processes=processes[0],
        rendered=renders[0], notices=notices,
    )  # fmt: skip

"""Build the static site: plan, render, check, and publish.

Everything is rendered in memory, staged beside the live site, checked there with every rule
of ``kdirectory check``, and published (see :mod:`kdirectory.site.publish`) only when the check
finds no error, so neither an interrupted build nor a page that fails the check ever
replaces the last good site. A manifest (``.kdirectory-manifest.json``) records every file
kdirectory wrote; everything else in the output folder (a CNAME, a .git) is never touched.
The manifest also records what each page is, so that a page whose path changed since the
last build leaves a redirect behind (see :mod:`kdirectory.site.redirects`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from kdirectory._output import MANIFEST
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
from kdirectory.site.images import Photos, photo_files
from kdirectory.site.model import build_model
from kdirectory.site.plan import Page, read_guides
from kdirectory.site.publish import Amend, Manifest, publish
from kdirectory.site.redirects import (
    Identity,
    identities,
    is_page_path,
    manifest_entries,
    next_redirects,
    read_history,
    redirect_files,
)
from kdirectory.site.site_files import finder_files, locations_kml, robots_txt, sitemaps
from kdirectory.site.templating import get_template_source, make_environment, render_page_template
from kdirectory.site.thin_pages import thin_pages

if TYPE_CHECKING:
    from jinja2 import Environment

    from kdirectory.record.config import SiteConfig
    from kdirectory.record.directory import Directory
    from kdirectory.report import Problem, Report

__all__ = ["MANIFEST", "BuildError", "BuildResult", "build_site", "publish", "render_site"]
STATIC_FILES = {
    "assets/site.js": "assets/site.js",
    "assets/finder.js": "assets/finder.js",
    "favicon.svg": "favicon.svg",
}
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

    def summary(self) -> str:
        checked = (
            f", checked: 0 errors, {len(self.check.warnings):,} warnings"
            if self.check is not None
            else ""
        )
        count = len(self.redirects)
        moved = f", {count:,} redirect{'' if count == 1 else 's'}" if count else ""
        return (
            f"built {self.pages:,} pages ({self.files:,} files) in {self.out}: "
            f"{self.written:,} written, {self.unchanged:,} unchanged, {self.removed:,} removed"
            f"{moved}, {len(self.warnings):,} record warnings{checked}, {self.seconds:.2f} s"
        )


@dataclass
class _Rendered:
    """A site rendered in memory, and what its redirects need."""

    pages: list[Page]
    files: dict[str, bytes]
    identities: dict[str, Identity]
    """The identity of every page path (see :mod:`kdirectory.site.redirects`)."""
    env: Environment
    base_path: str


def render_site(directory: Directory, config: SiteConfig) -> tuple[list[Page], dict[str, bytes]]:
    """Plan and render every file of the site in memory: ``{relative path: bytes}``."""
    rendered = _render(directory, config)
    return rendered.pages, rendered.files


def _render(directory: Directory, config: SiteConfig) -> _Rendered:
    model = build_model(directory)
    model.config = config
    env = make_environment(directory.root / "templates")
    base_path = urlsplit(config.site.base_url).path.rstrip("/")

    def href(path: str) -> str:
        return base_path + path

    photos = Photos(directory.root, base_path)
    pages = planner_for(model, env, photos, directory.root).plan()  # by [site] kind
    owners: dict[str, Page] = {}
    for page in pages:
        other = owners.setdefault(page.output, page)
        if other is not page:
            raise BuildError(
                f"two pages would be written to {page.output}: the {other.kind} page "
                f"{other.heading!r} and the {page.kind} page {page.heading!r}; "
                "give one of them a different slug"
            )
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
    files: dict[str, bytes] = {}

    def render(page: Page) -> None:
        html = render_page_template(env, page.template, {"page": page, **page.context})
        files[page.output] = html.encode("utf-8")

    for page in pages:
        render(page)
    for thin in thin_pages(pages, files, config.build.uniqueness_threshold):
        thin.page.indexable = False
        thin.page.noindex_reason = thin.reason
        render(thin.page)
    for target, source in STATIC_FILES.items():
        files[target] = get_template_source(env, source).encode("utf-8")
    for name, text in sitemaps(pages, config.site.base_url).items():
        files[name] = text.encode("utf-8")
    files["robots.txt"] = robots_txt(config.site.base_url).encode("utf-8")
    files["locations.kml"] = locations_kml(model).encode("utf-8")
    for name, text in finder_files(model, base_path).items():
        files[name] = text.encode("utf-8")
    files.update(photo_files(photos.made))
    files.update(brand_files(directory.root, config))
    records = {
        entry.clinic.slug: entry.source.display_path
        for entry in directory.entries
        if entry.clinic.slug and entry.source is not None
    }
    known = identities(model, read_guides(env), records)
    found = {p.path: known[p.path] for p in pages if p.path in known and is_page_path(p.path)}
    return _Rendered(pages, files, found, env, base_path)


def _with_redirects(rendered: _Rendered, config: SiteConfig, made: list[dict[str, str]]) -> Amend:
    """The ``amend`` step of publishing: from the last manifest, the redirects of this build,
    their files, and what the manifest records for the next build."""
    names = {page.path: page.heading for page in rendered.pages}

    def stub(source: str, target: str) -> str:
        redirect = {
            "source": source,
            "path": target,
            "url": urls.absolute(config.site.base_url, target),
            "name": names.get(target, target),
        }
        return render_page_template(rendered.env, REDIRECT_TEMPLATE, {"redirect": redirect})

    def amend(manifest: Manifest) -> tuple[dict[str, bytes], dict[str, Any]]:
        history = read_history(manifest)
        redirects = next_redirects(history.pages, history.redirects, rendered.identities)
        made.append(redirects)
        files = redirect_files(redirects, rendered.base_path, stub)
        return files, manifest_entries(rendered.identities, redirects)

    return amend


def build_site(
    directory: Directory,
    out: Path | str | None = None,
    config: SiteConfig | None = None,
    *,
    base_url: str | None = None,
    wait: bool = False,
) -> BuildResult:
    """Validate ``directory``, render every page and publish into ``out`` atomically.

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
    """
    start = time.perf_counter()
    report = validate(directory)
    if not report.ok():
        raise ValidationFailedError(f"cannot build: {report.summary()}", report)
    config = config or directory.config
    if base_url is not None:
        try:
            site = config.site.model_copy(update={"base_url": parse_base_url(base_url)})
        except ValueError as exc:
            raise ConfigError(f"base_url: {exc}") from None
        config = config.model_copy(update={"site": site})
    target = Path(out) if out is not None else directory.root / config.build.out
    rendered = _render(directory, config)
    pages = rendered.pages
    checked: list[Report] = []
    made: list[dict[str, str]] = []

    def verify(staging: Path) -> None:
        from kdirectory.check import check_site  # noqa: PLC0415 - the checker loads lxml

        site_report = check_site(
            staging,
            base_url=config.site.base_url,
            external_paths=config.check.external_paths,
        )
        if not site_report.ok():
            raise SiteCheckFailedError(
                f"not published: the new site fails `kdirectory check` with "
                f"{len(site_report.errors):,} errors; the last site is unchanged",
                site_report,
            )
        checked.append(site_report)

    threshold = config.build.uniqueness_threshold
    settings: dict[str, Any] = {"uniqueness_threshold": threshold}
    if config.check.external_paths:  # kdirectory check reads them, as it reads the threshold
        settings["external_paths"] = list(config.check.external_paths)
    published = publish(
        target,
        rendered.files,
        verify=verify,
        settings=settings,
        wait=wait,
        amend=_with_redirects(rendered, config, made),
    )
    noindex = [
        (p.path, p.noindex_reason or "") for p in pages if not p.indexable and p.kind != "404"
    ]
    return BuildResult(
        out=target, pages=len(pages), files=published.written + published.unchanged,
        written=published.written, unchanged=published.unchanged, removed=published.removed,
        seconds=time.perf_counter() - start, noindex=noindex, kept=published.kept,
        warnings=[p for p in report.sorted_problems() if p.severity == "warning"],
        check=checked[0], redirects=made[0],
    )  # fmt: skip

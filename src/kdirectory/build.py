"""Build the static site: plan, render, check, and publish atomically.

Everything is rendered in memory, written into a staging folder next to the output, checked
there with every rule of ``kdirectory check``, and swapped into place with two renames only
when the check finds no error, so neither an interrupted build nor a page that fails the
check ever replaces the last good site.
A manifest (``.kdirectory-manifest.json``) records every file kdirectory wrote; files in
the output folder that are not in it (a CNAME, say) are carried over, never deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from kdirectory.exceptions import BuildError, SiteCheckFailedError, ValidationFailedError
from kdirectory.plan import Page, Planner
from kdirectory.site_model import build_model
from kdirectory.sitefiles import locations_kml, robots_txt, search_index, sitemaps
from kdirectory.templating import get_template_source, load_template, make_environment
from kdirectory.uniqueness import thin_pages
from kdirectory.validate import validate

if TYPE_CHECKING:
    from collections.abc import Callable

    from kdirectory.check.findings import SiteReport
    from kdirectory.config import SiteConfig
    from kdirectory.report import Problem
    from kdirectory.validate import Directory

__all__ = ["MANIFEST", "BuildError", "BuildResult", "build_site", "publish", "render_site"]

MANIFEST = ".kdirectory-manifest.json"
STATIC_FILES = {"assets/site.js": "assets/site.js", "favicon.svg": "favicon.svg"}


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
    check: SiteReport | None = None
    """What ``kdirectory check`` found in the site before it was published (no errors)."""

    def summary(self) -> str:
        checked = (
            f", checked: 0 errors, {len(self.check.warnings):,} warnings"
            if self.check is not None
            else ""
        )
        return (
            f"built {self.pages:,} pages ({self.files:,} files) in {self.out}: "
            f"{self.written:,} written, {self.unchanged:,} unchanged, {self.removed:,} removed, "
            f"{len(self.warnings):,} record warnings{checked}, {self.seconds:.2f} s"
        )


def _safe_relative(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name.startswith("."):
        raise BuildError(f"refusing to write {name!r}: outside the output folder")
    return str(path)


def render_site(directory: Directory, config: SiteConfig) -> tuple[list[Page], dict[str, bytes]]:
    """Plan and render every file of the site in memory: ``{relative path: bytes}``."""
    model = build_model(directory)
    model.config = config
    env = make_environment(directory.root / "templates")
    base_path = urlsplit(config.site.base_url).path.rstrip("/")

    def href(path: str) -> str:
        return base_path + path

    pages = Planner(model, env).plan()
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
    templates: dict[str, Any] = {}

    def render(page: Page) -> None:
        template = templates.get(page.template)
        if template is None:
            template = templates[page.template] = load_template(env, page.template)
        html = template.render(page=page, **page.context)
        files[_safe_relative(page.output)] = html.encode("utf-8")

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
    files["search-index.json"] = search_index(model, base_path).encode("utf-8")
    return pages, files


def _read_manifest(out: Path) -> dict[str, str] | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else None


def _recover(out: Path) -> None:
    """Put back the last good site if a build stopped between its two renames."""
    if out.exists():
        return
    previous = out.with_name(f".{out.name}.previous")
    if previous.is_dir():
        previous.rename(out)


def publish(
    out: Path,
    files: dict[str, bytes],
    *,
    verify: Callable[[Path], None] | None = None,
    settings: dict[str, Any] | None = None,
) -> tuple[int, int, int, list[str]]:
    """Write ``files`` into ``out`` atomically; return (written, unchanged, removed, kept).

    ``verify`` is called with the staging folder once every file is in it and may raise to
    stop the swap (the last site stays as it was). ``settings`` are recorded in the manifest
    for ``kdirectory check`` (the uniqueness threshold the site was built with).

    Unchanged files and files kdirectory did not create are hard-linked into the staging
    folder (copied where links are not possible), so they keep their inode and mtime: a
    no-op rebuild changes nothing that rsync, a CDN uploader or a cache looks at.
    """
    out = out.resolve()
    _recover(out)
    old = _read_manifest(out) if out.is_dir() else None
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out} is a file, not a folder; choose another --out")
    if out.is_dir() and old is None and any(out.iterdir()):
        raise BuildError(
            f"{out} is not empty and was not built by kdirectory (no {MANIFEST}); "
            "refusing to replace it. Empty it or choose another --out."
        )
    old = old or {}
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    others = _files_not_built_by_us(out, old) if out.is_dir() else []
    clashes = [name for name in others if name in files]
    if clashes:
        raise BuildError(
            f"{out / clashes[0]} was not written by kdirectory, but the new build has a page "
            f"at that path ({len(clashes)} such file(s)); move or delete it, or override the "
            "page with a template instead"
        )
    staging = out.with_name(f".{out.name}.staging")
    previous = out.with_name(f".{out.name}.previous")
    for leftover in (staging, previous):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        staging.mkdir(parents=True)
        written: list[Path] = []
        for name, data in sorted(files.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if old.get(name) == hashes[name] and _same_bytes(out / name, data):
                _link_or_copy(out / name, target)
            else:
                target.write_bytes(data)
                written.append(target)
        for name in others:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(out / name, target)
        manifest = {"generator": "kdirectory", **(settings or {}), "files": hashes}
        (staging / MANIFEST).write_text(
            json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        if verify is not None:
            verify(staging)
        _fsync([*written, staging / MANIFEST])
        if out.is_dir():
            out.rename(previous)
        staging.rename(out)
    except BaseException:
        # Interrupted or failed before the swap: the last good site is untouched (or comes
        # back from .previous on the next build); drop the half-written staging folder.
        shutil.rmtree(staging, ignore_errors=True)
        _recover(out)
        raise
    if previous.exists():
        shutil.rmtree(previous)
    changed = sum(1 for name, digest in hashes.items() if old.get(name) != digest)
    removed = sum(1 for name in old if name not in hashes)
    return changed, len(hashes) - changed, removed, others


def _files_not_built_by_us(out: Path, manifest: dict[str, str]) -> list[str]:
    """Files under ``out`` that kdirectory's last build did not write (a CNAME, say)."""
    names = (path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file())
    return sorted(name for name in names if name != MANIFEST and name not in manifest)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _fsync(paths: list[Path]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def build_site(
    directory: Directory,
    out: Path | str | None = None,
    config: SiteConfig | None = None,
    *,
    base_url: str | None = None,
) -> BuildResult:
    """Validate ``directory``, render every page and publish into ``out`` atomically.

    The site is checked in its staging folder with every rule of ``kdirectory check``
    before it replaces the last one.

    Raises:
        ValidationFailedError: the records have errors (the report is attached).
        SiteCheckFailedError: the new site fails the check (the report is attached); the
            last site is left as it was.
        BuildError: two pages on one path, or ``out`` is not safe to replace.
    """
    start = time.perf_counter()
    report = validate(directory)
    if not report.ok():
        raise ValidationFailedError(f"cannot build: {report.summary()}", report)
    config = config or directory.config
    if base_url is not None:
        site = config.site.model_validate(
            {**config.site.model_dump(), "base_url": base_url.rstrip("/")}
        )
        config = config.model_copy(update={"site": site})
    target = Path(out) if out is not None else directory.root / config.build.out
    pages, files = render_site(directory, config)
    checked: list[SiteReport] = []

    def verify(staging: Path) -> None:
        from kdirectory.check import check_site  # noqa: PLC0415 - the checker loads lxml

        site_report = check_site(staging, base_url=config.site.base_url)
        if not site_report.ok():
            raise SiteCheckFailedError(
                f"not published: the new site fails `kdirectory check` with "
                f"{len(site_report.errors):,} errors; the last site is unchanged",
                site_report,
            )
        checked.append(site_report)

    threshold = config.build.uniqueness_threshold
    written, unchanged, removed, kept = publish(
        target, files, verify=verify, settings={"uniqueness_threshold": threshold}
    )
    noindex = [
        (p.path, p.noindex_reason or "") for p in pages if not p.indexable and p.kind != "404"
    ]
    return BuildResult(
        out=target, pages=len(pages), files=len(files), written=written, unchanged=unchanged,
        removed=removed, seconds=time.perf_counter() - start, noindex=noindex, kept=kept,
        warnings=[p for p in report.sorted_problems() if p.severity == "warning"],
        check=checked[0],
    )  # fmt: skip

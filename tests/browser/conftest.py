"""Fixtures of the browser tests: built sites served on 127.0.0.1, Chromium, and a page that
fails its test on any console error, failed request or request to another host.

- ``served_site(project, base_path=None)`` builds a site project (copied first, so nothing
  is written into it) once per session and serves it as published (the preview server of
  ``kdirectory serve --no-watch``); it returns a :class:`ServedSite`, whose ``url`` is
  ``http://127.0.0.1:PORT`` and the base path of the project's ``base_url`` (the copy's
  ``base_url`` is given the path ``base_path`` when one is given);
- ``demo_site``, ``directory_site`` (200 generated clinics, seed 0), ``city_site`` (200 in
  New York state: a city with several pages) and ``brand_site``
  (examples/harbor-ketamine-care): the sites the tests use, each a
  :class:`ServedSite` (``page(path)`` is a page's URL, ``largest(kind)`` the path of the
  largest page of a kind); ``demo_project``, a copy of the demo project to build otherwise;
- ``reference(site)``: what a site's pages should say, computed from its project
  (:mod:`tests.browser.reference`);
- ``browser``: Chromium from ``$CHROME_PATH``, else ``/usr/bin/chromium``, headless, once
  per session (Playwright drives it; it downloads no browser);
- ``context``: a new browser context per test (390x844, en-US, UTC), watched by ``watch``
  (a :class:`~tests.browser.browsing.PageWatch`); ``page``: a page of it. A test that
  passes with a problem left in ``watch`` fails; ``watch.allow(url, status)`` first when a
  failure is the point of the test.

Helpers for pages (visit, tab, a frozen clock, a position) are in
:mod:`tests.browser.browsing`; the web server is :func:`tests.browser.serving.serve`.
Every site is built as on :data:`BUILD_DAY`, with ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tomllib
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from kdirectory.testing.synthetic import generate_project
from tests.browser.browsing import PHONE, PageWatch
from tests.browser.reference import Reference
from tests.browser.serving import serve
from tests.helpers import REPO, ProjectFactory

CHROMIUM = "/usr/bin/chromium"
BUILD_EPOCH = "1795996800"
"""2026-11-30: every site is built for that day (``SOURCE_DATE_EPOCH``), the day the golden
trees are made for, so that pages do not change with the day the tests run."""
BUILD_DAY = dt.datetime.fromtimestamp(int(BUILD_EPOCH), dt.UTC).date()
SYNTHETIC_CLINICS = 200
SYNTHETIC_SEED = 0
BRAND_EXAMPLE = REPO / "examples" / "harbor-ketamine-care"
NOT_COPIED = shutil.ignore_patterns("site", ".kdirectory", ".kdirectory-*", ".git", "__pycache__")

PAGE_KINDS = ("home", "state", "city", "clinic", "condition", "guide")


@dataclass(frozen=True)
class ServedSite:
    """A built site being served: ``url`` (no trailing slash, like ``[site] base_url``),
    ``folder``, the built files, and ``project``, the copy of the project it was built from."""

    url: str
    folder: Path
    project: Path

    def page(self, path: str) -> str:
        """The URL of a site path (``/ca/escondido/``)."""
        return self.url + path

    def paths(self, kind: str) -> list[str]:
        """The site paths of every page of a kind (:data:`PAGE_KINDS`), largest file first:
        the page with the most content is the hardest case of its kind."""
        pages = [p for p in self.folder.rglob("index.html") if _kind(p, self.folder) == kind]
        pages.sort(key=lambda p: (-p.stat().st_size, p.as_posix()))
        return [_site_path(p.parent.relative_to(self.folder)) for p in pages]

    def largest(self, kind: str) -> str:
        """The path of the largest page of a kind."""
        paths = self.paths(kind)
        assert paths, f"{self.folder}: no {kind} page"
        return paths[0]


def _site_path(folder: Path) -> str:
    """``/ca/escondido/`` for the folder ``ca/escondido``, ``/`` for the site's own."""
    return "/" if not folder.parts else f"/{folder.as_posix()}/"


def _kind(page: Path, folder: Path) -> str | None:
    """What page ``folder/<path>/index.html`` is, from its path (site/urls.py's scheme)."""
    parts = page.parent.relative_to(folder).parts
    if not parts:
        return "home"
    if parts[0] in ("clinics", "conditions", "guide"):
        return {"clinics": "clinic", "conditions": "condition", "guide": "guide"}[parts[0]]
    if len(parts[0]) == 2 and len(parts) <= 2:
        return "state" if len(parts) == 1 else "city"
    return None  # a city's further pages (/ca/los-angeles/page/2/), a redirect


class SiteServer:
    """The ``served_site`` factory: builds and serves each (project, base path) once."""

    def __init__(self, base: Path, stack: ExitStack) -> None:
        self.base = base
        self.stack = stack
        self.sites: dict[tuple[Path, str | None], ServedSite] = {}

    def __call__(self, project: Path, *, base_path: str | None = None) -> ServedSite:
        key = (project.resolve(), base_path)
        if key not in self.sites:
            self.sites[key] = self._build(project, base_path)
        return self.sites[key]

    def _build(self, project: Path, base_path: str | None) -> ServedSite:
        work = self.base / f"site-{len(self.sites) + 1}"
        copy = work / "project"
        shutil.copytree(project, copy, ignore=NOT_COPIED)
        if base_path is not None:
            _set_base_path(copy / "kdirectory.toml", base_path)
        out = work / "site"
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
            served = self.stack.enter_context(serve(copy, out))
        return ServedSite(served.url, out, copy)


def _set_base_path(settings: Path, base_path: str) -> None:
    """Give the ``base_url`` of the settings file ``settings`` the path ``base_path``."""
    text = settings.read_text(encoding="utf-8")
    old = tomllib.loads(text)["site"]["base_url"]
    parts = urlsplit(old)
    new = f"{parts.scheme}://{parts.netloc}/{base_path.strip('/')}".rstrip("/")
    line = re.compile(r'^(base_url\s*=\s*)"' + re.escape(old) + '"', re.MULTILINE)
    text, found = line.subn(lambda m: f'{m[1]}"{new}"', text)
    assert found == 1, f"{settings}: no base_url line to change"
    settings.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """``served_site(project, base_path=None) -> ServedSite``: see the module's docstring."""
    with ExitStack() as stack:
        yield SiteServer(tmp_path_factory.mktemp("served"), stack)


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's demo project (kdirectory.toml, data/clinics/)."""
    return ProjectFactory(tmp_path_factory.mktemp("demo"))(demo=True)


@pytest.fixture(scope="session")
def demo_site(served_site: SiteServer, demo_project: Path) -> ServedSite:
    """The demo project, at the base path of its ``base_url`` (none)."""
    return served_site(demo_project)


@pytest.fixture(scope="session")
def directory_site(served_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> ServedSite:
    """A generated directory of 200 clinics across the contiguous states (seed 0)."""
    project = tmp_path_factory.mktemp("generated")
    generate_project(project, SYNTHETIC_CLINICS, seed=SYNTHETIC_SEED)
    return served_site(project)


@pytest.fixture(scope="session")
def brand_site(served_site: SiteServer) -> ServedSite:
    """The brand example, examples/harbor-ketamine-care."""
    return served_site(BRAND_EXAMPLE)


@pytest.fixture(scope="session")
def city_site(served_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> ServedSite:
    """A generated directory of 200 clinics in New York state (seed 0), whose largest city
    has more than one page of clinics."""
    project = tmp_path_factory.mktemp("new-york")
    generate_project(project, SYNTHETIC_CLINICS, seed=SYNTHETIC_SEED, states=["NY"])
    return served_site(project)


@pytest.fixture(scope="session")
def reference() -> Callable[[ServedSite], Reference]:
    """``reference(site)``: the :class:`~tests.browser.reference.Reference` of a served
    site's project (read once per session), what the tests expect of its pages."""
    read: dict[Path, Reference] = {}

    def of(site: ServedSite) -> Reference:
        if site.project not in read:
            read[site.project] = Reference(site.project, BUILD_DAY)
        return read[site.project]

    return of


def chromium_path() -> str:
    path = os.environ.get("CHROME_PATH") or CHROMIUM
    if not Path(path).is_file():
        pytest.fail(
            f"no Chromium at {path}: install Debian's chromium (apt-get install chromium) or "
            "set CHROME_PATH to a Chromium or Chrome binary. The browser tests never download "
            "one (no `playwright install`).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
    yield browser
    browser.close()


@pytest.fixture
def watch() -> PageWatch:
    """What went wrong in this test's pages; checked after the test (see below)."""
    return PageWatch()


@pytest.fixture
def context(browser: Browser, watch: PageWatch) -> Iterator[BrowserContext]:
    """A fresh browser profile for each test: a phone's viewport, US English, UTC."""
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="UTC")
    watch.attach(context)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """After a test that used a watched page passes, fail it if its pages had a problem the
    test did not allow (a failure of the test itself, not an error in teardown)."""
    result = yield
    watch = getattr(item, "funcargs", {}).get("watch")
    if isinstance(watch, PageWatch):
        problems = watch.problems()
        if problems:
            pytest.fail(
                f"{len(problems)} problem(s) in the browser:\n  " + "\n  ".join(problems),
                pytrace=False,
            )
    return result

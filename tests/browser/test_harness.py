"""The harness itself: the server answers as a static host and sends files as they are on
disk, the watch reports every kind of problem (so a clean page means something), and the
clock and location helpers do what they say.

The pages of these tests are written into the output folder of a small site once it is
built and served: the server sends whatever the folder holds."""

from __future__ import annotations

import datetime as dt
import http.client
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from kdirectory.preview.inject import SCRIPT_ID
from tests.browser.browsing import PageWatch, freeze_clock, set_location, tab_to, visit
from tests.browser.serving import serve
from tests.helpers import DEMO_CONFIG, GOOD_RECORD, ProjectFactory

BROKEN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Broken</title>
<link rel="icon" href="data:,">
<script>console.error("said so"); setTimeout(() => { throw new Error("boom"); });</script>
</head><body><main><h1>Broken</h1>
<img src="missing.png" alt="">
<img src="http://192.0.2.1/tracker.png" alt="">
<a href="#top">only link</a>
</main></body></html>
"""

OK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fine</title><link rel="icon" href="data:,">
</head><body><main><h1>Fine</h1><a href="#top">the only link</a></main></body></html>
"""


NOT_FOUND_PAGE = "<!doctype html><title>Not here</title>"


@dataclass(frozen=True)
class Planted:
    url: str
    """The site's address: ``http://127.0.0.1:PORT/base``."""
    folder: Path


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    """A one-clinic site built for https://directory.example/base and served as published,
    with the pages above written into its folder."""
    settings = DEMO_CONFIG.replace(
        'base_url = "https://directory.example"', 'base_url = "https://directory.example/base"'
    )
    root = ProjectFactory(tmp_path_factory.mktemp("harness"))(
        {"harbor.yaml": GOOD_RECORD}, settings
    )
    site = root / "site"
    with serve(root, site) as served:
        for name, text in {"broken": BROKEN_PAGE, "ok": OK_PAGE}.items():
            (site / name).mkdir()
            (site / name / "index.html").write_text(text, encoding="utf-8")
        (site / "404.html").write_text(NOT_FOUND_PAGE, encoding="utf-8")
        yield Planted(served.url, site)


def fetch(url: str) -> tuple[int, str | None, bytes]:
    """(status, Location, body) of a GET, redirects not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read()
    finally:
        connection.close()


def test_the_server_answers_as_a_static_host(planted: Planted) -> None:
    url = planted.url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/base", url), url
    assert fetch(url + "/broken/")[0] == 200
    assert fetch(url + "/broken")[:2] == (302, "/base/broken/")
    assert fetch(url)[:2] == (302, "/base/")
    status, _, body = fetch(url + "/nowhere/")
    assert (status, body) == (404, NOT_FOUND_PAGE.encode())
    origin = url.removesuffix("/base")
    assert fetch(origin + "/broken/")[0] == 404  # outside the base path
    assert fetch(url + "/../broken/index.html")[0] == 404


def test_the_server_sends_pages_as_published(planted: Planted) -> None:
    """No reload script in the pages, built or not (tests/preview has the rest)."""
    assert fetch(planted.url + "/broken/")[2] == BROKEN_PAGE.encode()
    home = fetch(planted.url + "/")[2]
    assert home == (planted.folder / "index.html").read_bytes()
    assert SCRIPT_ID.encode() not in home


def test_the_watch_reports_every_problem(planted: Planted, browser: Browser) -> None:
    watch = PageWatch()
    context = browser.new_context()
    url = planted.url
    try:
        watch.attach(context)
        page = context.new_page()
        with page.expect_event("pageerror"):  # thrown after load
            visit(page, url + "/broken/")
    finally:
        context.close()
    problems = watch.problems()
    assert any(p.startswith("console error: said so") for p in problems), problems
    assert any(p.startswith("uncaught exception: ") and "boom" in p for p in problems), problems
    assert f"failed request: {url}/broken/missing.png: HTTP 404" in problems, problems
    assert "request to another host (blocked): http://192.0.2.1/tracker.png" in problems
    assert len([p for p in problems if "missing.png" in p]) == 2  # the answer, the console


def test_an_allowed_failure_is_no_problem(planted: Planted, browser: Browser) -> None:
    watch = PageWatch()
    context = browser.new_context()
    try:
        watch.attach(context)
        page = context.new_page()
        watch.allow(planted.url + "/nowhere/", 404)
        visit(page, planted.url + "/nowhere/", status=404)
        assert page.title() == "Not here"
    finally:
        context.close()
    assert watch.problems() == []


def test_tab_to_fails_when_nothing_matches(page: Page, planted: Planted) -> None:
    visit(page, planted.url + "/ok/")
    assert tab_to(page, "main a") == 1
    with pytest.raises(AssertionError, match=r"Tab never reached 'a\.call'"):
        tab_to(page, "a.call")


def test_freeze_clock(page: Page) -> None:
    when = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
    freeze_clock(page, when)
    page.set_content("<p>now</p>")
    assert page.evaluate("() => new Date().toISOString()") == "2026-11-30T18:00:00.000Z"
    pacific = page.evaluate(
        "() => new Intl.DateTimeFormat('en-US', {timeZone: 'America/Los_Angeles', "
        "weekday: 'long', hour: 'numeric'}).format(new Date())"
    )
    assert pacific == "Monday 10 AM"
    with pytest.raises(ValueError, match="time zone"):
        freeze_clock(page, dt.datetime(2026, 11, 30, 18, 0))


def test_set_location(page: Page, planted: Planted) -> None:
    """A page served over http from 127.0.0.1 (a secure context) asks for the position and
    gets the one set."""
    set_location(page, 33.1192, -117.0864)
    visit(page, planted.url + "/ok/")
    position = page.evaluate(
        """() => new Promise((resolve, reject) => navigator.geolocation.getCurrentPosition(
            p => resolve([p.coords.latitude, p.coords.longitude]), e => reject(e.message)))"""
    )
    assert position == [33.1192, -117.0864]

"""The harness itself: the server answers as a static host, the watch reports every kind of
problem (so a clean page means something), and the clock and location helpers do what
they say."""

from __future__ import annotations

import datetime as dt
import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.browsing import PageWatch, freeze_clock, set_location, tab_to, visit
from tests.browser.serving import serve

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


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "broken").mkdir(parents=True)
    (site / "broken" / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    (site / "ok").mkdir()
    (site / "ok" / "index.html").write_text(OK_PAGE, encoding="utf-8")
    (site / "404.html").write_text("<!doctype html><title>Not here</title>", encoding="utf-8")
    return site


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


def test_the_server_answers_as_a_static_host(folder: Path) -> None:
    with serve(folder, "/base/") as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/base", url), url
        assert fetch(url + "/broken/")[0] == 200
        assert fetch(url + "/broken/")[2] == BROKEN_PAGE.encode()
        assert fetch(url + "/broken")[:2] == (301, "/base/broken/")
        assert fetch(url)[:2] == (301, "/base/")
        status, _, body = fetch(url + "/nowhere/")
        assert (status, body) == (404, (folder / "404.html").read_bytes())
        origin = url.removesuffix("/base")
        assert fetch(origin + "/broken/")[0] == 404  # outside the base path
        assert fetch(url + "/../broken/index.html")[0] == 404


def test_the_watch_reports_every_problem(folder: Path, browser: Browser) -> None:
    watch = PageWatch()
    context = browser.new_context()
    try:
        watch.attach(context)
        page = context.new_page()
        with serve(folder) as url, page.expect_event("pageerror"):  # thrown after load
            visit(page, url + "/broken/")
    finally:
        context.close()
    problems = watch.problems()
    assert any(p.startswith("console error: said so") for p in problems), problems
    assert any(p.startswith("uncaught exception: ") and "boom" in p for p in problems), problems
    assert f"failed request: {url}/broken/missing.png: HTTP 404" in problems, problems
    assert "request to another host (blocked): http://192.0.2.1/tracker.png" in problems
    assert len([p for p in problems if "missing.png" in p]) == 2  # the answer, the console


def test_an_allowed_failure_is_no_problem(folder: Path, browser: Browser) -> None:
    watch = PageWatch()
    context = browser.new_context()
    try:
        watch.attach(context)
        page = context.new_page()
        with serve(folder) as url:
            watch.allow(url + "/nowhere/", 404)
            visit(page, url + "/nowhere/", status=404)
            assert page.title() == "Not here"
    finally:
        context.close()
    assert watch.problems() == []


def test_tab_to_fails_when_nothing_matches(page: Page, folder: Path) -> None:
    with serve(folder) as url:
        visit(page, url + "/ok/")
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


def test_set_location(page: Page, folder: Path) -> None:
    """A page served over http from 127.0.0.1 (a secure context) asks for the position and
    gets the one set."""
    with serve(folder) as url:
        set_location(page, 33.1192, -117.0864)
        visit(page, url + "/ok/")
        position = page.evaluate(
            """() => new Promise((resolve, reject) => navigator.geolocation.getCurrentPosition(
                p => resolve([p.coords.latitude, p.coords.longitude]), e => reject(e.message)))"""
        )
    assert position == [33.1192, -117.0864]

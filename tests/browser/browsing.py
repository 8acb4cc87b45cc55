"""What the browser tests do with a page: watch it for errors, visit, tab, freeze its clock,
give it a position, save a screenshot. Fixtures are in conftest.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    ViewportSize,
)

from tests.browser.serving import HOST
from tests.helpers import REPO

SCREENSHOTS = REPO / "build" / "artifacts" / "screenshots"
"""Where screenshots go; CI keeps ``build/artifacts/``."""

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
VIEWPORTS = {"390x844": PHONE, "1366x900": DESKTOP}


@dataclass
class PageWatch:
    """Everything that went wrong while a page was open: console errors, uncaught exceptions,
    requests that failed or were answered 400 or above, and requests to any host but
    127.0.0.1 (blocked, so nothing leaves the machine).

    ``attach`` it to a context before opening pages; :meth:`allow` a failure a test causes on
    purpose (the 404 page) before causing it; :meth:`problems` lists the rest. The ``page``
    fixture fails its test when a problem is left (see conftest.py). :meth:`allow_stream`
    a stream that stays open (the event stream of ``kdirectory serve``).
    """

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    allowed: dict[str, int] = field(default_factory=dict)
    streams: set[str] = field(default_factory=set)

    def attach(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)
        context.on("page", self.watch_page)
        for page in context.pages:
            self.watch_page(page)

    def watch_page(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    def allow(self, url: str, status: int) -> None:
        """``url`` is expected to answer ``status`` (400 or above): neither the answer nor
        the console's "Failed to load resource" about it is a problem."""
        self.allowed[url] = status

    def allow_stream(self, url: str) -> None:
        """``url`` is a stream the page keeps open (server-sent events): that it is cut when
        the page reloads or the server goes away is no problem."""
        self.streams.add(url)

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"uncaught exception: {text}" for text in self.page_errors),
            *(f"failed request: {text}" for text in self.failed_requests),
            *(f"request to another host (blocked): {url}" for url in self.foreign_requests),
        ]

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == HOST:
            route.continue_()
        else:
            self.foreign_requests.append(url)
            route.abort("blockedbyclient")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and where in self.allowed:
            return
        self.console_errors.append(f"{message.text} ({where or 'no location'})")

    def _finished(self, request: Request) -> None:
        response = request.response()
        if response is None or response.status < 400:
            return
        if self.allowed.get(request.url) == response.status:
            return
        self.failed_requests.append(f"{request.url}: HTTP {response.status}")

    def _failed(self, request: Request) -> None:
        # ERR_ABORTED: the browser cancelled the request, as it cancels what a page is still
        # loading (its favicon, say) when the test moves on to the next page.
        if request.url in self.streams or request.url in self.foreign_requests:
            return
        if request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.url}: {request.failure}")


def visit(page: Page, url: str, status: int = 200) -> Response:
    """Open ``url``, wait for its load event and then for every request the page made by
    then to end (answered and read, or failed): events, not a quiet period. The page must
    answer ``status``."""
    started: list[Request] = []

    def record(request: Request) -> None:
        started.append(request)

    page.on("request", record)
    try:
        response = page.goto(url)
    finally:
        page.remove_listener("request", record)
    for request in started:
        answer = request.response()  # waits for the answer, or None once the request failed
        if answer is not None:
            answer.finished()
    assert response is not None, f"{url}: no response"
    assert response.status == status, f"{url}: HTTP {response.status}, expected {status}"
    return response


def focused(page: Page) -> dict[str, Any]:
    """The focused element: its tag, ``href``, class, text and whether it is inside main."""
    result: dict[str, Any] = page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el ? el.tagName.toLowerCase() : null,
                href: el && el.getAttribute("href"),
                cls: el && el.getAttribute("class"),
                text: el ? (el.textContent || "").trim().slice(0, 80) : null,
                inMain: !!(el && el.closest("main")),
            };
        }"""
    )
    return result


def tab_to(page: Page, selector: str, limit: int = 200) -> int:
    """Press Tab from where the focus is until an element matching ``selector`` has it; the
    number of presses. Fails when the focus comes back to where it started, or after
    ``limit`` presses, without reaching one."""
    is_target = "sel => !!document.activeElement && document.activeElement.matches(sel)"
    seen: list[str] = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(is_target, selector):
            return presses
        here = focused(page)
        seen.append(f"{here['tag']} {here['href'] or here['text']!r}")
        if presses > 1 and here["tag"] in (None, "body"):
            break  # wrapped round to the browser's own controls
    raise AssertionError(
        f"{page.url}: Tab never reached {selector!r}; focus went to: " + ", ".join(seen[:60])
    )


def freeze_clock(page: Page, when: dt.datetime) -> None:
    """The page's clock (``Date``, ``Intl``) reads ``when`` (aware) from now on, whatever
    the machine's; call before :func:`visit` so the page's scripts see it from the start.
    Timers still run."""
    if when.tzinfo is None:
        raise ValueError(f"{when}: give a time zone (the page's clock is absolute)")
    page.clock.set_fixed_time(when)


def set_location(page: Page, latitude: float, longitude: float, accuracy: float = 50) -> None:
    """The browser grants the page's origin the geolocation permission and reports this
    position (what a phone would after the visitor says yes)."""
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(
        {"latitude": latitude, "longitude": longitude, "accuracy": accuracy}
    )


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``build/artifacts/screenshots/<name>-<width>x<height>.png``."""
    viewport = page.viewport_size
    assert viewport is not None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{viewport['width']}x{viewport['height']}.png"
    page.screenshot(path=path, full_page=True, animations="disabled")
    return path

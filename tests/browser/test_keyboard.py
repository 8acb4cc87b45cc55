"""Keyboard only: from the top of a page, Tab reaches the skip link first, and the skip link
moves the focus to ``main`` (so the next Tab is inside it); the crisis line and the call to action can be reached
with Tab, and show where the focus is."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import focused, tab_to, visit
from tests.browser.conftest import ServedSite
from tests.browser.test_pages import BRAND_PAGES

CRISIS_LINE = 'a[href="tel:988"]'
CALL_TO_ACTION = "main a.call, main .cta a"
"""A clinic's call link on directory pages; the booking and call buttons on brand pages."""

# (site fixture, page kind or brand path, has a call to action)
PAGES = [
    ("directory_site", "home", False),
    ("directory_site", "city", True),
    ("directory_site", "clinic", True),
    ("directory_site", "condition", False),
    *(("brand_site", path, True) for path in BRAND_PAGES.values()),
]
IDS = [f"{site.split('_')[0]}:{where}" for site, where, _ in PAGES]

FIRST_IN_MAIN = """() => {
    const main = document.querySelector("main");
    const candidates = main.querySelectorAll(
        "a[href], button, input, select, textarea, summary, [tabindex]");
    for (const el of candidates) {
        if (el.tabIndex < 0 || el.disabled || !el.checkVisibility()) continue;
        return el === document.activeElement;
    }
    return false;
}"""

FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return {
        onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
            && box.top < window.innerHeight && box.left < window.innerWidth,
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    };
}"""


def open_page(page: Page, site: ServedSite, where: str) -> None:
    visit(page, site.page(where if where.startswith("/") else site.largest(where)))


def assert_focus_shown(page: Page, what: str) -> None:
    shown = page.evaluate(FOCUS_SHOWN)
    assert shown["onScreen"], f"{page.url}: the focused {what} is off the screen"
    assert shown["outline"], f"{page.url}: the focused {what} has no focus outline"


@pytest.mark.parametrize(("site_name", "where", "has_cta"), PAGES, ids=IDS)
def test_the_skip_link_comes_first_and_leads_into_main(
    request: pytest.FixtureRequest, page: Page, site_name: str, where: str, has_cta: bool
) -> None:
    open_page(page, request.getfixturevalue(site_name), where)
    assert page.evaluate("() => document.getElementById('main')?.tagName") == "MAIN"
    page.keyboard.press("Tab")
    first = focused(page)
    assert (first["tag"], first["href"]) == ("a", "#main"), f"first Tab: {first}"
    assert_focus_shown(page, "skip link")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    assert page.evaluate("() => document.activeElement.id") == "main", (
        f"{page.url}: the skip link did not move the focus to main"
    )
    page.keyboard.press("Tab")
    assert page.evaluate(FIRST_IN_MAIN), (
        f"{page.url}: after the skip link, Tab went to {focused(page)}, not to the first "
        "control in main"
    )


@pytest.mark.parametrize(("site_name", "where", "has_cta"), PAGES, ids=IDS)
def test_the_crisis_line_is_reachable_by_keyboard(
    request: pytest.FixtureRequest, page: Page, site_name: str, where: str, has_cta: bool
) -> None:
    open_page(page, request.getfixturevalue(site_name), where)
    tab_to(page, CRISIS_LINE)
    assert_focus_shown(page, "crisis line link")


@pytest.mark.parametrize(
    ("site_name", "where", "has_cta"),
    [p for p in PAGES if p[2]],
    ids=[i for i, p in zip(IDS, PAGES, strict=True) if p[2]],
)
def test_the_call_to_action_is_reachable_by_keyboard(
    request: pytest.FixtureRequest, page: Page, site_name: str, where: str, has_cta: bool
) -> None:
    open_page(page, request.getfixturevalue(site_name), where)
    assert page.locator(CALL_TO_ACTION).count(), f"{page.url}: no call to action"
    tab_to(page, CALL_TO_ACTION)
    assert_focus_shown(page, "call to action")

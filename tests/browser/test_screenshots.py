"""Screenshots of the main pages on a phone (390x844) and a laptop (1366x900), whole pages,
saved to build/artifacts/screenshots/ for people to look at (CI keeps that folder). Each
page must fit its width: nothing may make the page scroll sideways.

The page's clock is frozen at Monday 2026-11-30, 10:00 in California (the day the sites are
built for), so the screenshots of one commit are the same from run to run.
"""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import VIEWPORTS, freeze_clock, screenshot, visit
from tests.browser.conftest import ServedSite
from tests.browser.test_pages import BRAND_PAGES

NOW = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# (screenshot name, site fixture, page kind or brand path)
SHOTS = [
    ("directory-home", "directory_site", "home"),
    ("directory-city", "directory_site", "city"),
    ("directory-clinic", "directory_site", "clinic"),
    ("brand-home", "brand_site", BRAND_PAGES["home"]),
    ("brand-city", "brand_site", BRAND_PAGES["city"]),
    ("brand-service-area", "brand_site", BRAND_PAGES["service area"]),
]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize(("name", "site_name", "where"), SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshot(
    request: pytest.FixtureRequest, page: Page, name: str, site_name: str, where: str, viewport: str
) -> None:
    site: ServedSite = request.getfixturevalue(site_name)
    size = VIEWPORTS[viewport]
    page.set_viewport_size(size)
    freeze_clock(page, NOW)
    visit(page, site.page(where if where.startswith("/") else site.largest(where)))
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= size["width"], (
        f"{page.url} at {viewport}: the page is {page_width} px wide and scrolls sideways"
    )
    path = screenshot(page, name)
    width, height = png_size(path.read_bytes())
    assert width == size["width"], f"{path}: {width} px wide"
    assert height >= size["height"], f"{path}: {height} px high"

"""Every kind of page loads in Chromium with no console error, no uncaught exception, no
failed request and no request to any host but 127.0.0.1 (the ``page`` fixture fails a test
that leaves one), and shows its page: a title and one heading in ``main``.

The directory's pages are taken from the demo and from a generated directory of 200
clinics (the largest page of each kind: the most clinics, the longest lists); the brand's
from examples/harbor-ketamine-care.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import PageWatch, visit
from tests.browser.conftest import PAGE_KINDS, ServedSite, SiteServer

BRAND_PAGES = {
    "home": "/",
    "city": "/ca/escondido/",  # a city with a location
    "service area": "/ca/vista/",  # a city its locations serve (no location in it)
    "location": "/clinics/harbor-ketamine-care-san-diego/",
}
BASE_PATH = "/ketamine-directory"


def assert_shows_a_page(page: Page) -> None:
    assert page.title().strip(), f"{page.url}: no title"
    headings = page.locator("main h1")
    assert headings.count() == 1, f"{page.url}: {headings.count()} h1 in main"
    assert headings.first.is_visible(), f"{page.url}: the h1 is not visible"
    assert headings.first.inner_text().strip(), f"{page.url}: empty h1"


@pytest.mark.parametrize("kind", PAGE_KINDS)
@pytest.mark.parametrize("site_name", ["demo_site", "directory_site"])
def test_each_kind_of_directory_page_loads_cleanly(
    request: pytest.FixtureRequest, page: Page, site_name: str, kind: str
) -> None:
    site: ServedSite = request.getfixturevalue(site_name)
    visit(page, site.page(site.largest(kind)))
    assert_shows_a_page(page)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_the_directory_loads_cleanly_under_a_base_path(
    served_site: SiteServer, demo_project: Path, page: Page, kind: str
) -> None:
    """Built for https://host/ketamine-directory and served there: every link, script and
    icon a page loads is under that path (the server answers 404 anywhere else)."""
    site = served_site(demo_project, base_path=BASE_PATH)
    assert site.url.endswith(BASE_PATH)
    url = site.page(site.largest(kind))
    visit(page, url)
    assert_shows_a_page(page)
    assert page.url == url


@pytest.mark.parametrize("kind", list(BRAND_PAGES))
def test_each_kind_of_brand_page_loads_cleanly(
    brand_site: ServedSite, page: Page, kind: str
) -> None:
    visit(page, brand_site.page(BRAND_PAGES[kind]))
    assert_shows_a_page(page)


def test_the_brand_pages_are_the_kinds_named_here(brand_site: ServedSite) -> None:
    """The example's Escondido page is a location's city page (its address and hours), the
    Vista page a service-area page (distances from Vista to the serving locations)."""
    escondido = (brand_site.folder / "ca" / "escondido" / "index.html").read_text("utf-8")
    vista = (brand_site.folder / "ca" / "vista" / "index.html").read_text("utf-8")
    assert 'id="hours-harbor-ketamine-care-escondido"' in escondido
    assert 'id="from-here"' in vista
    assert 'id="from-here"' not in escondido
    assert (brand_site.folder / BRAND_PAGES["location"].strip("/") / "index.html").is_file()


@pytest.mark.parametrize("kind", ["condition", "guide"])
def test_brand_condition_and_guide_pages_load_cleanly(
    brand_site: ServedSite, page: Page, kind: str
) -> None:
    visit(page, brand_site.page(brand_site.largest(kind)))
    assert_shows_a_page(page)


@pytest.mark.parametrize("site_name", ["demo_site", "brand_site"])
def test_a_missing_page_shows_the_404_page(
    request: pytest.FixtureRequest, page: Page, watch: PageWatch, site_name: str
) -> None:
    """Three folders deep, so that a relative link or script on the 404 page would fail."""
    site: ServedSite = request.getfixturevalue(site_name)
    url = site.page("/no/such/page/")
    watch.allow(url, 404)
    visit(page, url, status=404)
    assert_shows_a_page(page)
    not_found = (site.folder / "404.html").read_text("utf-8")
    assert f"<title>{page.title()}</title>" in not_found.replace("&#39;", "'")

"""A city's list of clinics in Chromium: its pages, followed by their links without
JavaScript, hold every clinic located in the city once, nearest the city centre first; the
filters of its pages keep exactly the cards whose records have what a box asks for, and say
how many.

The site is a generated directory of 200 clinics in New York state, whose largest city has
several pages; what each page should hold is computed from the records
(:mod:`tests.browser.reference`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from geopy.distance import geodesic
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kdirectory.site.places import City
from tests.browser.browsing import DESKTOP, PHONE, PageWatch, freeze_clock, screenshot, visit
from tests.browser.conftest import ServedSite
from tests.browser.reference import Reference
from tests.browser.test_finder import base_path
from tests.browser.test_screenshots import NOW as SCREENSHOT_TIME

GetReference = Callable[[ServedSite], Reference]
PER_PAGE = 25
"""Clinics a city page lists (the rest go to its further pages)."""
FILTER_NAMES = ("accepting", "spravato", "insurance", "weekends")

CARDS = """() => [...document.querySelectorAll("li.card")].map(card => ({
    slug: card.id.replace(/^clinic-/, ""),
    shown: card.checkVisibility(),
}))"""


def largest_city(ref: Reference) -> City:
    city = max(ref.model.cities.values(), key=lambda c: (len(c.clinics), c.slug))
    assert len(city.clinics) > 2 * PER_PAGE, f"{city.label}: {len(city.clinics)} clinics"
    return city


def located(ref: Reference, city: City) -> list[str]:
    """The city's clinics with a street address and a position (the others have no
    distance from its centre)."""
    return [
        s for s in city.clinics if not ref.clinics[s].is_service_area and s in ref.model.locations
    ]


def miles_from_centre(ref: Reference, city: City, slug: str) -> float:
    """On the WGS84 ellipsoid, as the distances city pages state (the finder's great
    circle differs by up to half a percent, enough to swap two clinics)."""
    assert city.point is not None
    point = ref.model.locations[slug].point
    return float(geodesic((city.point.lat, city.point.lon), (point.lat, point.lon)).miles)


@pytest.fixture
def no_script(browser: Browser, watch: PageWatch) -> Iterator[BrowserContext]:
    """A browser profile with JavaScript off, watched like the others."""
    context = browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=False)
    watch.attach(context)
    yield context
    context.close()


def test_the_pages_of_a_city_list_each_of_its_clinics_once_nearest_first(
    city_site: ServedSite, reference: GetReference, no_script: BrowserContext
) -> None:
    ref = reference(city_site)
    city = largest_city(ref)
    page = no_script.new_page()
    visit(page, city_site.page(city.path))
    pages = -(-len(city.clinics) // PER_PAGE)
    paths = [city.path, *(f"{city.path}page/{n}/" for n in range(2, pages + 1))]
    prefix = base_path(city_site)
    listed: list[str] = []
    number = 1
    while True:
        nav = page.locator("nav.pages")
        numbers = nav.locator("ol a")
        expect(numbers).to_have_count(pages)
        current = nav.locator('ol a[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_have_text(str(number))
        hrefs = [link.get_attribute("href") for link in numbers.all()]
        assert hrefs == [prefix + path for path in paths], number
        cards = page.locator("h2#clinics ~ ul.cards").first.locator("> li.card")
        on_page = [card.get_attribute("id") for card in cards.all()]
        expect_count = min(PER_PAGE, len(city.clinics) - (number - 1) * PER_PAGE)
        assert len(on_page) == expect_count, (number, len(on_page))
        listed += [card.removeprefix("clinic-") for card in on_page if card]
        following = nav.locator('a[rel="next"]')
        if not following.count():
            break
        with page.expect_navigation():
            following.click()
        number += 1
        assert page.url == city_site.page(paths[number - 1])
    assert number == pages
    assert len(listed) == len(set(listed)) == len(city.clinics)
    assert set(listed) == set(city.clinics)
    placed = located(ref, city)
    assert set(listed[: len(placed)]) == set(placed)  # those with a position first
    distances = [miles_from_centre(ref, city, s) for s in listed[: len(placed)]]
    for before, after in itertools.pairwise(distances):
        assert before <= after + 1e-9, distances
    names = [ref.model.views[s].name for s in listed[len(placed) :]]
    assert names == sorted(names), names
    back = page.locator('nav.pages ol a:text-is("1")')
    with page.expect_navigation():
        back.click()
    assert page.url == city_site.page(city.path)


def cards(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(CARDS)
    return found


def offered(ref: Reference, slugs: list[str]) -> list[str]:
    """The filters a page of these cards offers: those at least one of its cards has."""
    return [name for name in FILTER_NAMES if any(ref.has(s, name) for s in slugs)]


def check_filters(page: Page, ref: Reference) -> None:
    """Each box alone, then every pair: exactly the cards whose records have all that is
    checked are shown, the status gives the counts, and clearing restores every card."""
    every = cards(page)
    slugs = [c["slug"] for c in every]
    assert all(c["shown"] for c in every)
    names = offered(ref, slugs)
    boxes = page.locator("#filters input[type=checkbox]")
    assert [b.get_attribute("name") for b in boxes.all()] == names
    status = page.locator("#filters-status")
    for combination in [*((n,) for n in names), *itertools.combinations(names, 2)]:
        for name in combination:
            page.locator(f'#filters input[name="{name}"]').check()
        wanted = [s for s in slugs if all(ref.has(s, n) for n in combination)]
        if wanted:
            said = f"Showing {len(wanted)} of {len(slugs)} clinics on this page"
        else:
            said = "No clinic on this page matches; clear a filter"
        expect(status).to_have_text(said)
        shown = [c["slug"] for c in cards(page) if c["shown"]]
        assert shown == wanted, combination
        for name in combination:
            page.locator(f'#filters input[name="{name}"]').uncheck()
        expect(status).to_have_text("")
        assert all(c["shown"] for c in cards(page)), combination


@pytest.mark.parametrize("number", [1, 2])
def test_the_filters_keep_the_cards_that_have_what_is_asked(
    city_site: ServedSite, reference: GetReference, page: Page, number: int
) -> None:
    ref = reference(city_site)
    city = largest_city(ref)
    visit(page, city_site.page(city.path if number == 1 else f"{city.path}page/{number}/"))
    expect(page.locator("#filters")).to_be_visible()
    check_filters(page, ref)


def test_a_filter_that_empties_a_list_hides_it_with_its_heading(
    city_site: ServedSite, reference: GetReference, page: Page
) -> None:
    """On the first page, the lists after the city's own (serving, nearby) go with their
    headings when none of their cards is left."""
    ref = reference(city_site)
    city = largest_city(ref)
    visit(page, city_site.page(city.path))
    lists = page.locator("ul.cards:has(li.card)")
    for name in offered(ref, [c["slug"] for c in cards(page)]):
        page.locator(f'#filters input[name="{name}"]').check()
        for index in range(lists.count()):
            listed = lists.nth(index)
            slugs = [
                (c.get_attribute("id") or "").removeprefix("clinic-")
                for c in listed.locator("> li.card").all()
            ]
            kept = [s for s in slugs if ref.has(s, name)]
            heading = listed.locator("xpath=preceding-sibling::h2[1]")
            if kept:
                expect(listed).to_be_visible()
                expect(heading).to_be_visible()
            else:
                expect(listed).to_be_hidden()
                expect(heading).to_be_hidden()
        page.locator(f'#filters input[name="{name}"]').uncheck()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_screenshot_of_a_paginated_city_page_with_a_filter(
    city_site: ServedSite, reference: GetReference, page: Page, size: Any
) -> None:
    ref = reference(city_site)
    city = largest_city(ref)
    page.set_viewport_size(size)
    freeze_clock(page, SCREENSHOT_TIME)
    visit(page, city_site.page(city.path))
    first = page.locator("#filters input[type=checkbox]").first
    first.check()
    expect(page.locator("#filters-status")).not_to_have_text("")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= size["width"], f"the page is {width} px wide and scrolls sideways"
    screenshot(page, "directory-city-filters")

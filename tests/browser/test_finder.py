"""The finder of the home page in Chromium: a ZIP code, a town in its common forms or the
visitor's position gives the nearest clinics with a street address, nearest first, at the
distances a haversine computed here gives (rounded as the page rounds them), and apart the
clinics with no street address that serve the place; what it cannot place it says, with
spellings that work when chosen; the results are announced in the live region and reached
by keyboard alone.

Every expectation is computed from the site's project (:mod:`tests.browser.reference`),
never written here: the ZIP codes are those of clinics' own addresses and of the cities
they serve, the towns those of clinics.
"""

from __future__ import annotations

import itertools
import shutil
import tomllib
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from kdirectory.record.gazetteer import all_zips, city_info, zip_info
from kdirectory.site.places import City, service_area_city
from tests.browser.browsing import (
    DESKTOP,
    PHONE,
    freeze_clock,
    screenshot,
    set_location,
    tab_to,
    visit,
)
from tests.browser.conftest import BRAND_EXAMPLE, NOT_COPIED, ServedSite, SiteServer
from tests.browser.reference import (
    COORDINATE_SLACK_MILES,
    NEAREST,
    Origin,
    Reference,
    distance_texts,
)
from tests.browser.test_screenshots import NOW as SCREENSHOT_TIME

GetReference = Callable[[ServedSite], Reference]

RESULTS = """() => {
    const item = li => {
        const link = li.querySelector("h3 a"), where = li.querySelector("p.meta");
        const open = li.querySelector(".finder-open");
        return {
            slug: li.getAttribute("data-clinic-slug"),
            miles: li.getAttribute("data-distance-miles"),
            open: li.getAttribute("data-open"),
            accepting: li.getAttribute("data-accepting"),
            spravato: li.getAttribute("data-spravato"),
            name: link.textContent,
            href: link.getAttribute("href"),
            city: where.querySelector("a").getAttribute("href"),
            where: where.textContent,
            openText: open ? open.textContent : null,
        };
    };
    const heading = document.getElementById("finder-heading");
    return {
        heading: heading ? heading.textContent : null,
        nearest: [...document.querySelectorAll("#finder-nearest > li")].map(item),
        serving: [...document.querySelectorAll("#finder-serving > li")].map(item),
        suggestions: [...document.querySelectorAll("button.finder-suggestion")].map(
            b => b.getAttribute("data-query")),
    };
}"""


def base_path(site: ServedSite) -> str:
    """The path the site's links start with: ``""`` at the root of its host."""
    after_host = site.url.split("://", 1)[1]
    return "/" + after_host.partition("/")[2] if "/" in after_host else ""


def open_finder(page: Page, site: ServedSite) -> None:
    visit(page, site.page("/"))
    expect(page.locator("#finder")).to_be_visible()


def search(page: Page, text: str, status: str) -> dict[str, Any]:
    """Type ``text`` in the finder, press Enter, and wait until the live region says
    ``status`` (a status never said is the test's failure); what the results show. The
    region is emptied first, so that an answer worded as the last one is waited for too."""
    page.locator("#finder-status").evaluate("region => { region.textContent = ''; }")
    box = page.locator("#finder-query")
    box.fill(text)
    box.press("Enter")
    expect(page.locator("#finder-status")).to_have_text(status)
    results: dict[str, Any] = page.evaluate(RESULTS)
    return results


def check_results(site: ServedSite, ref: Reference, origin: Origin, shown: dict[str, Any]) -> None:
    """The results are the clinics nearest ``origin`` in order, each at its distance, then
    apart those that serve its city; names and links as the site's."""
    prefix = base_path(site)
    ranked = ref.ranked(origin.lat, origin.lon)
    miles = {r.slug: r.miles for r in ranked}
    nearest = shown["nearest"]
    count = min(NEAREST, len(ranked))
    assert len(nearest) == count, (origin.label, [i["slug"] for i in nearest])
    assert shown["heading"] == (
        f"Clinics nearest {origin.label}" if count else f"Clinics for {origin.label}"
    )
    slack = COORDINATE_SLACK_MILES
    for item in nearest:
        slug = item["slug"]
        assert slug in miles, f"{slug}: not a clinic the finder may rank"
        here = miles[slug]
        assert abs(float(item["miles"]) - here) <= slack + 0.05, (slug, item["miles"], here)
        said = item["where"].rpartition(" \u00b7 ")[2]
        assert said in distance_texts(here), (slug, said, here)
        check_item(site, ref, item, prefix)
    distances = [miles[i["slug"]] for i in nearest]
    for before, after in itertools.pairwise(distances):
        assert before <= after + 2 * slack, f"{origin.label}: out of order: {distances}"
    if nearest:
        listed = {i["slug"] for i in nearest}
        farthest = max(distances)
        left_out = [r for r in ranked if r.slug not in listed and r.miles < farthest - 2 * slack]
        assert not left_out, f"{origin.label}: nearer clinics left out: {left_out}"
    serving = shown["serving"]
    assert [i["slug"] for i in serving] == ref.serving(origin.city), origin.label
    for item in serving:
        assert item["miles"] is None
        check_item(site, ref, item, prefix)


def check_item(site: ServedSite, ref: Reference, item: dict[str, Any], prefix: str) -> None:
    """A result's name, links and facts are its record's."""
    slug = item["slug"]
    clinic, view = ref.clinics[slug], ref.model.views[slug]
    assert item["name"] == view.name
    assert item["href"] == prefix + f"/clinics/{slug}/"
    city = ref.city(clinic.address.city, clinic.address.region)
    assert city is not None
    assert item["city"] == prefix + city.path
    assert item["where"].startswith(city.label)
    accepting = clinic.accepting_new_patients
    assert item["accepting"] == {True: "yes", False: "no", None: "unknown"}[accepting]
    assert item["spravato"] == ("yes" if ref.has(slug, "spravato") else "no")


# --- the places searched, chosen from the records ----------------------------------------


def own_zips(ref: Reference) -> list[str]:
    """The ZIP codes of two clinics' own addresses, in different states: the first clinic
    (by slug) the finder ranks, and the first of another state."""
    found: dict[str, str] = {}
    for slug in ref.finder_slugs:
        address = ref.clinics[slug].address
        zip5 = address.zip5
        if zip5 and zip_info(zip5) is not None and address.region not in found:
            found[address.region] = zip5
        if len(found) == 2:
            break
    return list(found.values())


def served_place(ref: Reference) -> tuple[str, City, str]:
    """A ZIP code of a city that a clinic with no street address lists in its service
    area (and not its own city): the ZIP code, the city and the clinic."""
    for slug in sorted(ref.finder_all):
        clinic = ref.clinics[slug]
        if not clinic.is_service_area:
            continue
        home = ref.city(clinic.address.city, clinic.address.region)
        for entry in clinic.service_area:
            name, region = service_area_city(entry, clinic.address.region)
            city, info = ref.city(name, region), city_info(name, region)
            if city is None or info is None or city is home:
                continue
            for zip5 in info.zips:
                found = zip_info(zip5)
                if found is None or found.kind != "STANDARD":
                    continue
                if ref.city(found.city, found.state) is city:
                    return zip5, city, slug
    raise AssertionError("no clinic with a service area in this site")


def named_city(ref: Reference) -> City:
    """A city with a clinic whose one-word name no other city page has: typed alone, it
    can only mean that city."""
    names = Counter(page.name.lower() for page in ref.model.cities.values())
    for slug in ref.finder_slugs:
        address = ref.clinics[slug].address
        city = ref.city(address.city, address.region)
        if (
            city is not None
            and city.point is not None
            and city.name.isalpha()
            and len(city.name) >= 6
            and names[city.name.lower()] == 1
        ):
            return city
    raise AssertionError("no city with a one-word name of its own")


# --- searches ------------------------------------------------------------------------------


def test_a_zip_code_of_a_clinic_lists_the_nearest_clinics(
    directory_site: ServedSite, reference: GetReference, page: Page
) -> None:
    ref = reference(directory_site)
    open_finder(page, directory_site)
    zips = own_zips(ref)
    assert len(zips) == 2
    for zip5 in zips:
        origin = ref.zip_origin(zip5)
        shown = search(page, zip5, ref.status(origin))
        check_results(directory_site, ref, origin, shown)
    plus_four = zips[0] + "-1234"
    origin = ref.zip_origin(zips[0])
    check_results(directory_site, ref, origin, search(page, plus_four, ref.status(origin)))


def test_a_zip_code_of_a_served_city_lists_the_clinics_that_serve_it_apart(
    directory_site: ServedSite, reference: GetReference, page: Page
) -> None:
    ref = reference(directory_site)
    zip5, city, serving = served_place(ref)
    origin = ref.zip_origin(zip5)
    assert origin.city is city
    assert serving in ref.serving(city)
    open_finder(page, directory_site)
    shown = search(page, zip5, ref.status(origin))
    check_results(directory_site, ref, origin, shown)
    heading = page.locator("#finder-serving-heading")
    expect(heading).to_have_text("Clinics that serve your area")
    assert page.locator(f'#finder-serving li[data-clinic-slug="{serving}"]').count() == 1


@pytest.mark.parametrize("form", ["{name}", "{lower}, {state}", "{name} {STATE}"])
def test_a_town_in_any_common_form_lists_the_clinics_nearest_it(
    directory_site: ServedSite, reference: GetReference, page: Page, form: str
) -> None:
    ref = reference(directory_site)
    city = named_city(ref)
    typed = form.format(
        name=city.name, lower=city.name.lower(), state=city.region.lower(), STATE=city.region
    )
    origin = ref.city_origin(city)
    open_finder(page, directory_site)
    shown = search(page, typed, ref.status(origin))
    check_results(directory_site, ref, origin, shown)


def test_an_unknown_zip_code_is_said_so(
    directory_site: ServedSite, reference: GetReference, page: Page
) -> None:
    """A real ZIP code of a state the site does not cover (the first standard ZIP code of
    a state with no city page)."""
    ref = reference(directory_site)
    covered = {city.region for city in ref.model.cities.values()}
    outside = next(info.zip5 for info in all_zips() if info.state not in covered)
    open_finder(page, directory_site)
    shown = search(
        page,
        outside,
        f"ZIP code {outside} is not one this finder can place. Try a nearby ZIP code or a "
        "city name.",
    )
    assert shown["heading"] is None and not shown["nearest"]


def test_a_misspelt_town_offers_spellings_that_work(
    directory_site: ServedSite, reference: GetReference, page: Page
) -> None:
    ref = reference(directory_site)
    city = named_city(ref)
    wrong = city.name[:-2] + city.name[-1] + city.name[-2]  # the last two letters swapped
    assert wrong.lower() != city.name.lower()
    open_finder(page, directory_site)
    shown = search(page, wrong, f"No match for \u201c{wrong}\u201d. Did you mean one of these?")
    assert city.label in shown["suggestions"], shown["suggestions"]
    page.locator(f'#finder-suggestions button[data-query="{city.label}"]').click()
    origin = ref.city_origin(city)
    expect(page.locator("#finder-status")).to_have_text(ref.status(origin))
    check_results(directory_site, ref, origin, page.evaluate(RESULTS))
    expect(page.locator("#finder-heading")).to_be_focused()
    expect(page.locator("#finder-query")).to_have_value(city.label)


# --- "Use my location" ---------------------------------------------------------------------


def test_use_my_location_ranks_from_the_position(
    directory_site: ServedSite, reference: GetReference, page: Page
) -> None:
    """The position is half a mile north of a city that a clinic with no street address
    serves, so that city's serving clinics are listed too."""
    ref = reference(directory_site)
    _, city, serving = served_place(ref)
    assert city.point is not None
    origin = ref.position_origin(city.point.lat + 0.007, city.point.lon)
    assert origin.city is city
    set_location(page, origin.lat, origin.lon)
    open_finder(page, directory_site)
    page.locator("#finder-locate").click()
    expect(page.locator("#finder-status")).to_have_text(ref.status(origin))
    shown = page.evaluate(RESULTS)
    check_results(directory_site, ref, origin, shown)
    assert serving in [i["slug"] for i in shown["serving"]]


def test_a_refused_position_is_said_plainly(
    directory_site: ServedSite, context: BrowserContext, page: Page
) -> None:
    context.clear_permissions()
    open_finder(page, directory_site)
    page.locator("#finder-locate").click()
    expect(page.locator("#finder-status")).to_have_text(
        "This browser is not allowing the page to use your location. Type a ZIP code or city "
        "instead."
    )
    assert page.evaluate(RESULTS)["nearest"] == []


# --- announcing and the keyboard -----------------------------------------------------------


def test_the_results_are_announced_in_the_live_region(
    directory_site: ServedSite, reference: GetReference, page: Page
) -> None:
    ref = reference(directory_site)
    zip5 = own_zips(ref)[0]
    origin = ref.zip_origin(zip5)
    open_finder(page, directory_site)
    region = page.get_by_role("status")
    assert region.count() == 1  # the finder's only (a home page has no filters)
    assert region.get_attribute("aria-live") == "polite"
    assert region.get_attribute("id") == "finder-status"
    search(page, zip5, ref.status(origin))
    expect(region).to_have_text(ref.status(origin))
    results = page.get_by_role("region", name="Clinics found")
    expect(results.get_by_role("status")).to_have_text(ref.status(origin))


def test_keyboard_only_search_and_follow_a_result(
    directory_site: ServedSite, reference: GetReference, page: Page
) -> None:
    ref = reference(directory_site)
    zip5 = own_zips(ref)[0]
    origin = ref.zip_origin(zip5)
    visit(page, directory_site.page("/"))
    tab_to(page, "#finder-query")
    page.keyboard.type(zip5)
    page.keyboard.press("Enter")
    expect(page.locator("#finder-status")).to_have_text(ref.status(origin))
    first = page.evaluate(RESULTS)["nearest"][0]
    tab_to(page, "#finder-nearest a")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == first["href"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == directory_site.url.removesuffix(base_path(directory_site)) + first["href"]
    expect(page.locator("main h1")).to_have_text(ref.model.views[first["slug"]].name)


# --- the brand example ---------------------------------------------------------------------


def test_the_brand_finder_ranks_the_brands_locations(
    brand_site: ServedSite, reference: GetReference, page: Page
) -> None:
    """From a ZIP code of the city the locations serve (Vista in the example)."""
    ref = reference(brand_site)
    cities = {
        service_area_city(entry, clinic.address.region)
        for clinic in ref.clinics.values()
        for entry in clinic.service_area
    }
    name, region = sorted(cities)[0]
    info = city_info(name, region)
    assert info is not None
    zip5 = next(z for z in info.zips if (i := zip_info(z)) is not None and i.kind == "STANDARD")
    origin = ref.zip_origin(zip5)
    open_finder(page, brand_site)
    shown = search(page, zip5, ref.status(origin))
    check_results(brand_site, ref, origin, shown)
    assert {i["slug"] for i in shown["nearest"]} == set(ref.finder_slugs)


# --- screenshots ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_screenshot_of_the_finders_results(
    directory_site: ServedSite, reference: GetReference, page: Page, size: Any
) -> None:
    ref = reference(directory_site)
    zip5, _, _ = served_place(ref)
    origin = ref.zip_origin(zip5)
    page.set_viewport_size(size)
    freeze_clock(page, SCREENSHOT_TIME)
    open_finder(page, directory_site)
    search(page, zip5, ref.status(origin))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= size["width"], f"the page is {width} px wide and scrolls sideways"
    screenshot(page, "directory-finder")


# --- colours -------------------------------------------------------------------------------

BRAND_PRIMARY = "#5b21b6"
"""A primary colour for the brand example unlike the theme's own, so that buttons in it can
only come from the brand's settings."""
BUTTONS = ("#finder-form button[type=submit]", "#finder-locate")
STYLE = "(el, name) => getComputedStyle(el).getPropertyValue(name).trim()"


def rgb(colour: str) -> str:
    """``#5b21b6`` as a browser computes it: ``rgb(91, 33, 182)``."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.fixture(scope="module")
def purple_brand(served_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> ServedSite:
    """The brand example with :data:`BRAND_PRIMARY` as its primary colour."""
    project = tmp_path_factory.mktemp("purple") / "project"
    shutil.copytree(BRAND_EXAMPLE, project, ignore=NOT_COPIED)
    settings = project / "kdirectory.toml"
    text = settings.read_text(encoding="utf-8")
    primary = tomllib.loads(text)["brand"]["colors"]["primary"]
    settings.write_text(text.replace(f'primary = "{primary}"', f'primary = "{BRAND_PRIMARY}"'))
    assert tomllib.loads(settings.read_text())["brand"]["colors"]["primary"] == BRAND_PRIMARY
    return served_site(project)


def test_the_brand_finders_buttons_wear_the_brand_colour(
    purple_brand: ServedSite, page: Page
) -> None:
    open_finder(page, purple_brand)
    header = page.locator(".site-header")
    for selector in BUTTONS:
        button = page.locator(selector)
        assert button.evaluate(STYLE, "background-color") == rgb(BRAND_PRIMARY), selector
        assert button.evaluate(STYLE, "color") == header.evaluate(STYLE, "color"), selector


def test_directory_pages_carry_no_brand_colour(directory_site: ServedSite, page: Page) -> None:
    open_finder(page, directory_site)
    assert "--brand-" not in page.content()
    root = page.locator(":root")
    assert root.evaluate(STYLE, "--brand-primary") == ""
    accent = root.evaluate(STYLE, "--accent")
    for selector in BUTTONS:
        assert page.locator(selector).evaluate(STYLE, "background-color") == rgb(accent)

""" "Open now" at frozen moments, in the clinic's own time zone: the badge of its page, the
badge of its card on its city page and what the finder says of it all agree with what the
test computes from the record (its week, split shifts and special hours), whatever the
zone of the browser (UTC here).

The clinics are chosen from the records: in the generated directory, one in
America/Los_Angeles and one in America/New_York, each with a special closed day on a day
its week would be open (where one has a split shift, that one); in the brand example, the
location with both. The moments are computed from their hours: inside a shift, between the
two shifts of a day, before the first, after the last, and on the closed day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browsing import freeze_clock, visit
from tests.browser.conftest import BUILD_DAY, ServedSite
from tests.browser.reference import Reference
from tests.browser.test_finder import open_finder, search

GetReference = Callable[[ServedSite], Reference]
ZONES = ("America/Los_Angeles", "America/New_York")


@dataclass(frozen=True)
class Moment:
    what: str
    when: dt.datetime
    expected: str


def closed_specials(ref: Reference, slug: str) -> list[dt.date]:
    """The clinic's special closed days, after the build day, on which its week has it
    open: the days only its special hours close."""
    clinic = ref.clinics[slug]
    days = []
    for special in clinic.special_hours:
        if not special.closed or special.date <= BUILD_DAY or clinic.hours is None:
            continue
        weekday = dict(clinic.hours.days())[special.date.strftime("%A").lower()]
        if weekday:
            days.append(special.date)
    return days


def has_split(ref: Reference, slug: str) -> bool:
    hours = ref.clinics[slug].hours
    return hours is not None and any(s and len(s) > 1 for _, s in hours.days())


def choose(ref: Reference, zone: str) -> str:
    """The first clinic (by slug) in ``zone`` the finder lists with a special closed day,
    one with a split shift too when there is one."""
    candidates = [
        slug
        for slug in ref.finder_slugs
        if ref.timezone(slug) == zone and closed_specials(ref, slug)
    ]
    assert candidates, f"no clinic in {zone} with a special closed day"
    return next((s for s in candidates if has_split(ref, s)), candidates[0])


def moments(ref: Reference, slug: str) -> list[Moment]:
    """The moments to check for a clinic, each with what its badge should say then."""
    found: list[Moment] = []
    closed = closed_specials(ref, slug)
    day = BUILD_DAY + dt.timedelta(days=7)
    while not ref.shifts_on(slug, day) or day in closed:
        day += dt.timedelta(days=1)
    shifts = ref.shifts_on(slug, day)
    assert shifts
    first, last = shifts[0], shifts[-1]

    def add(what: str, on: dt.date, minute: int) -> None:
        when = ref.at(slug, on, minute)
        expected = ref.open_text(slug, when)
        assert expected is not None, (slug, what)
        found.append(Moment(what, when, expected))

    add("inside the first shift", day, (first.opens + first.closes) // 2)
    if len(shifts) > 1:
        add("between two shifts", day, (shifts[0].closes + shifts[1].opens) // 2)
        assert found[-1].expected.startswith("Closed now \u00b7 opens today at ")
    if first.opens >= 60:
        add("before opening", day, first.opens - 60)
        assert found[-1].expected.startswith("Closed now \u00b7 opens today at ")
    if last.closes <= 1440 - 60:
        add("after closing", day, last.closes + 30)
        assert found[-1].expected.startswith("Closed now")
    assert found[0].expected == "Open now"
    special = closed[0]
    week = ref.shifts_on(slug, special - dt.timedelta(days=7))  # the same weekday, no special
    assert week
    add("on a special closed day", special, (week[0].opens + week[0].closes) // 2)
    assert found[-1].expected.startswith("Closed now")
    return found


def badge(page: Page, selector: str) -> str:
    element = page.locator(selector)
    expect(element).to_have_count(1)
    expect(element).to_be_visible()
    return element.inner_text()


@pytest.mark.parametrize("zone", ZONES)
def test_badges_and_the_finder_say_what_the_hours_say(
    directory_site: ServedSite, reference: GetReference, page: Page, zone: str
) -> None:
    ref = reference(directory_site)
    slug = choose(ref, zone)
    clinic = ref.clinics[slug]
    city = ref.city(clinic.address.city, clinic.address.region)
    assert city is not None and clinic.address.zip5
    origin = ref.zip_origin(clinic.address.zip5)
    checked = []
    for moment in moments(ref, slug):
        freeze_clock(page, moment.when)
        visit(page, directory_site.page(f"/clinics/{slug}/"))
        on_page = badge(page, 'section[aria-labelledby="hours-heading"] .open-now')
        visit(page, directory_site.page(city.path))
        on_card = badge(page, f"#clinic-{slug} .open-now")
        open_finder(page, directory_site)
        search(page, clinic.address.zip5, ref.status(origin))
        item = page.locator(f'#finder-nearest li[data-clinic-slug="{slug}"]')
        expect(item).to_have_count(1)
        in_finder = item.locator(".finder-open").inner_text()
        state = item.get_attribute("data-open")
        said = (moment.what, on_page, on_card, in_finder, state)
        wanted = (moment.what, *[moment.expected] * 3)
        wanted += ("open" if moment.expected == "Open now" else "closed",)
        assert said == wanted, f"{slug} at {moment.when.isoformat()}"
        checked.append(moment.what)
    assert "on a special closed day" in checked


BRAND_BADGES = {
    "location page": ("/clinics/{slug}/", 'section[aria-labelledby="hours-{slug}"] .open-now'),
    "city page": ("{city}", 'section[aria-labelledby="hours-{slug}"] .open-now'),
    "home page card": ("/", "#location-{slug} .open-now"),
}


def test_the_brand_badges_and_finder_say_what_the_hours_say(
    brand_site: ServedSite, reference: GetReference, page: Page
) -> None:
    ref = reference(brand_site)
    slug = next(s for s in ref.finder_slugs if closed_specials(ref, s) and has_split(ref, s))
    clinic = ref.clinics[slug]
    city = ref.city(clinic.address.city, clinic.address.region)
    assert city is not None and clinic.address.zip5
    origin = ref.zip_origin(clinic.address.zip5)
    for moment in moments(ref, slug):
        freeze_clock(page, moment.when)
        said = {}
        for name, (path, selector) in BRAND_BADGES.items():
            visit(page, brand_site.page(path.format(slug=slug, city=city.path)))
            said[name] = badge(page, selector.format(slug=slug))
        open_finder(page, brand_site)
        search(page, clinic.address.zip5, ref.status(origin))
        item = page.locator(f'#finder-nearest li[data-clinic-slug="{slug}"] .finder-open')
        said["finder"] = item.inner_text()
        assert said == dict.fromkeys(said, moment.expected), (moment.what, moment.when)

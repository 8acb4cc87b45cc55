"""Big lists stay readable: a city with more clinics than one page lists continues on
``/nv/las-vegas/page/2/`` and on, nearest the city center first; the clinics that serve a
city and those nearby are bounded, with the rest a link away; state pages list cities,
the home page the states and the biggest cities; city pages offer filters that match the
records. Everything is recounted here from the records (positions from the geocoding
stage, distances with geopy), not from the code that wrote the pages.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter, deque
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import lxml.html
import pytest
from geopy.distance import geodesic

from kdirectory import load_directory
from kdirectory.geocoding.types import Point
from kdirectory.record.model import Clinic
from kdirectory.record.slugs import slugify
from kdirectory.site import plan, urls
from kdirectory.site.build import render_site
from kdirectory.site.facts import NEARBY_LIMIT, SERVING_LIMIT
from kdirectory.site.places import Locator
from kdirectory.site.plan import CLINICS_PER_PAGE
from kdirectory.testing.synthetic import generate_records, project_config
from tests.helpers import ProjectFactory
from tests.site.pages import SITEMAP_NS, Site, built_site
from tests.site.test_truth import headline, located_in, serves

SPRAVATO = "esketamine-nasal-spray"
MILES = 25.0  # [build] nearby_miles of the generated projects (the default)
PAGE = re.compile(r"^(?P<region>[a-z]{2})/(?P<city>[^/]+)/(?:page/(?P<number>\d+)/)?index\.html$")


def text(element: Any) -> str:
    return " ".join(element.text_content().split())


@dataclass
class Parsed:
    """One built page as lxml reads it."""

    name: str
    doc: Any

    @cached_property
    def graph(self) -> list[dict[str, Any]]:
        script = self.doc.xpath("//script[@type='application/ld+json']")
        return json.loads(script[0].text)["@graph"] if script else []

    def node(self, kind: str, suffix: str = "") -> dict[str, Any] | None:
        return next(
            (n for n in self.graph if n["@type"] == kind and n["@id"].endswith(suffix)), None
        )

    def cards(self, heading: str) -> list[str]:
        """The slugs of the cards in the list under ``<h2 id=heading>``, in order."""
        lists = self.doc.xpath(f"//h2[@id='{heading}']/following-sibling::ul[1]")
        if not lists:
            return []
        return [li.get("id").removeprefix("clinic-") for li in lists[0].xpath("li[@class='card']")]

    @property
    def canonical(self) -> str:
        return str(self.doc.xpath("//link[@rel='canonical']/@href")[0])

    @property
    def title(self) -> str:
        return self.doc.findtext(".//title") or ""

    @property
    def description(self) -> str:
        return str(self.doc.xpath("//meta[@name='description']/@content")[0])

    @property
    def facts(self) -> dict[str, str]:
        return {
            text(row.xpath("th")[0]): text(row.xpath("td")[0])
            for row in self.doc.xpath("//table[@class='facts']//tr")
        }

    def links(self) -> list[str]:
        return [str(href) for href in self.doc.xpath("//a/@href")]


class Built:
    """A built generated project, its records, and where they are (the geocoding stage's
    answer, which the pages start from)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.clinics: list[Clinic] = list(site.clinics.values())
        locator = Locator(site.root)
        self.located: dict[str, Point] = {}
        for clinic in self.clinics:
            found = locator.clinic(clinic)
            if found is not None:
                assert clinic.slug is not None
                self.located[clinic.slug] = found.point
        self.locator = locator
        self.pages: dict[str, Parsed] = {
            path.relative_to(site.out).as_posix(): Parsed(
                path.relative_to(site.out).as_posix(), lxml.html.parse(str(path)).getroot()
            )
            for path in sorted(site.out.rglob("*.html"))
        }

    def city_pages(self) -> dict[tuple[str, str], list[Parsed]]:
        """Every city's pages, first page first."""
        found: dict[tuple[str, str], list[tuple[int, Parsed]]] = {}
        for name, page in self.pages.items():
            match = PAGE.match(name)
            if match:
                key = (match["region"].upper(), match["city"])
                found.setdefault(key, []).append((int(match["number"] or 1), page))
        return {key: [p for _, p in sorted(pages)] for key, pages in found.items()}

    def city_name(self, first: Parsed) -> str:
        crumbs = next(n for n in first.graph if n["@type"] == "BreadcrumbList")
        return str(crumbs["itemListElement"][2]["name"])

    def centre(self, region: str, name: str) -> Point:
        point = self.locator.city(name, region)
        if point is not None:
            return point
        points = [
            self.located[c.slug] for c in self.clinics if located_in(c, region, name)
            if c.slug in self.located
        ]  # fmt: skip
        return Point(
            sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points)
        )

    def miles(self, a: Point, b: Point) -> float:
        return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).miles)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """150 generated clinics in Nevada: Las Vegas has 85 (four pages), Henderson is served
    by more clinics than its page shows, most cities have clinics nearby."""
    root = ProjectFactory(tmp_path_factory.mktemp("nevada"))(
        {
            f"c{n:04d}.yaml": record
            for n, record in enumerate(generate_records(150, seed=5, states=["NV"]))
        },
        project_config(),
    )
    return Built(built_site(root, root / "site"))


def located_clinics(built: Built, region: str, name: str) -> list[Clinic]:
    return [c for c in built.clinics if located_in(c, region, name)]


def serving_clinics(built: Built, region: str, name: str) -> list[Clinic]:
    return [
        c for c in built.clinics
        if not located_in(c, region, name) and serves(c, region, name)
    ]  # fmt: skip


# --- one city, many pages --------------------------------------------------------------------------


def test_every_located_clinic_is_on_exactly_one_page_of_its_city(built: Built) -> None:
    cities = built.city_pages()
    assert len(cities[("NV", "las-vegas")]) > 2
    for (region, _), pages in cities.items():
        name = built.city_name(pages[0])
        expected = sorted(str(c.slug) for c in located_clinics(built, region, name))
        shown = [slug for page in pages for slug in page.cards("clinics")]
        assert sorted(shown) == expected, pages[0].name
        assert len(pages) == max(1, math.ceil(len(expected) / CLINICS_PER_PAGE))
        sizes = [len(page.cards("clinics")) for page in pages]
        assert all(size == CLINICS_PER_PAGE for size in sizes[:-1]), sizes
        assert 0 < sizes[-1] <= CLINICS_PER_PAGE or not expected


def test_each_city_lists_its_clinics_nearest_the_city_center_first(built: Built) -> None:
    records = {c.slug: c for c in built.clinics}
    for (region, _), pages in built.city_pages().items():
        name = built.city_name(pages[0])
        centre = built.centre(region, name)
        order = [slug for page in pages for slug in page.cards("clinics")]
        placed = [s for s in order if s in built.located and records[s].address.street is not None]
        unplaced = [s for s in order if s not in placed]
        assert order == placed + unplaced, pages[0].name  # the placed ones come first
        distances = [built.miles(centre, built.located[s]) for s in placed]
        assert distances == sorted(distances), pages[0].name
        names = [records[s].name.casefold() for s in unplaced]
        assert names == sorted(names), pages[0].name
        total = len(order)
        for number, page in enumerate(pages, start=1):
            first = (number - 1) * CLINICS_PER_PAGE + 1
            last = min(number * CLINICS_PER_PAGE, total)
            status = page.doc.xpath("//h2[@id='clinics']/following-sibling::p[1]")
            then = f", then {len(unplaced)} with no known location" if unplaced else ""
            order_words = (
                "nearest the city center first" + then if placed else "in alphabetical order"
            )
            if len(pages) > 1:
                assert (
                    text(status[0]) == f"Showing clinics {first}–{last} of {total}, {order_words}."
                )
            elif total > 1:
                assert text(status[0]) == order_words[0].upper() + order_words[1:] + "."


def test_the_pages_of_a_city_link_each_other_with_plain_links(built: Built) -> None:
    base = built.site.base
    sitemap = ET.fromstring((built.site.out / "sitemap.xml").read_bytes())
    listed = {loc.text for loc in sitemap.iter(f"{SITEMAP_NS}loc")}
    pages = built.city_pages()[("NV", "las-vegas")]
    paths = ["/nv/las-vegas/"] + [f"/nv/las-vegas/page/{n}/" for n in range(2, len(pages) + 1)]
    for number, (page, path) in enumerate(zip(pages, paths, strict=True), start=1):
        assert page.canonical == base + path
        assert page.canonical in listed
        assert not page.doc.xpath("//meta[@name='robots']")
        (nav,) = page.doc.xpath("//main//nav[@class='pages']")
        assert nav.get("aria-label") == "Pages of the clinics in Las Vegas"
        numbered = nav.xpath(".//ol/li/a")
        assert [a.get("href") for a in numbered] == paths
        assert [text(a) for a in numbered] == [str(n) for n in range(1, len(paths) + 1)]
        assert [a.get("aria-current") for a in numbered] == [
            "page" if n == number else None for n in range(1, len(paths) + 1)
        ]
        previous = nav.xpath(".//a[@rel='prev']/@href")
        following = nav.xpath(".//a[@rel='next']/@href")
        assert previous == ([paths[number - 2]] if number > 1 else [])
        assert following == ([paths[number]] if number < len(paths) else [])
        if number > 1:
            assert page.title.startswith("Ketamine Therapy in Las Vegas, NV — page")
            assert f"page {number} of {len(paths)}" in page.title
            assert page.description.startswith(f"Page {number} of {len(paths)}: clinics ")
            crumbs = next(n for n in page.graph if n["@type"] == "BreadcrumbList")
            assert crumbs["itemListElement"][-1] == {
                "@type": "ListItem", "position": 4, "name": f"Page {number}", "item": base + path,
            }  # fmt: skip
    titles = Counter(
        p.title for p in built.pages.values() if not p.doc.xpath("//meta[@name='robots']")
    )
    descriptions = Counter(
        p.description for p in built.pages.values() if not p.doc.xpath("//meta[@name='robots']")
    )
    assert [t for t, n in titles.items() if n > 1] == []
    assert [d for d, n in descriptions.items() if n > 1] == []


def test_the_first_page_keeps_the_overview_and_later_pages_a_short_intro(built: Built) -> None:
    first, *later = built.city_pages()[("NV", "las-vegas")]
    assert first.facts["Clinics located in Las Vegas"] == "85"
    assert first.doc.xpath("//h2[@id='faq']") and first.doc.xpath(
        "//section[@aria-labelledby='guide-heading']"
    )
    records = {c.slug: c for c in built.clinics}
    for page in later:
        assert page.facts == {}
        assert not page.doc.xpath("//h2[@id='faq'] | //h2[@id='serving'] | //h2[@id='nearby']")
        assert page.node("FAQPage") is None
        shown = [records[s] for s in page.cards("clinics")]
        lede = text(page.doc.xpath("//p[@class='lede']")[0])
        assert lede.startswith("This page lists clinics ")
        assert lede.endswith(f": {headline(shown)}."), lede
        first_page = page.doc.xpath("//p[@class='lede']/following-sibling::p[1]/a/@href")
        assert first_page == ["/nv/las-vegas/"]


def test_each_page_s_item_list_is_the_clinics_it_lists(built: Built) -> None:
    base = built.site.base
    for pages in built.city_pages().values():
        for page in pages:
            shown = page.cards("clinics") + page.cards("serving")
            items = page.node("ItemList")
            listed = [i["url"] for i in items["itemListElement"]] if items else []
            assert listed == [f"{base}/clinics/{slug}/" for slug in shown], page.name
            assert (items["numberOfItems"] if items else 0) == len(shown)


# --- bounded lists, and where the rest are ----------------------------------------------------------


def elsewhere(page: Parsed, heading: str) -> dict[str, int]:
    """The city links after the cards of a section: city page path -> clinics counted."""
    found = {}
    section = f"preceding-sibling::h2[1][@id='{heading}']"
    for li in page.doc.xpath(f"//main/ul[@class='cols'][{section}]/li"):
        (link,) = li.xpath("a")
        found[link.get("href")] = int(text(li).rsplit("(", 1)[1].rstrip(")").replace(",", ""))
    return found


def city_path(clinic: Clinic) -> str:
    return f"/{clinic.address.region.lower()}/{slugify(clinic.address.city, fallback='city')}/"


def test_clinics_serving_a_city_are_bounded_and_the_rest_linked_by_city(built: Built) -> None:
    seen_more = False
    for (region, _), (first, *_) in built.city_pages().items():
        name = built.city_name(first)
        serving = serving_clinics(built, region, name)
        shown = first.cards("serving")
        assert len(shown) == min(len(serving), SERVING_LIMIT), first.name
        assert set(shown) <= {c.slug for c in serving}
        rest = [c for c in serving if c.slug not in shown]
        if rest:
            seen_more = True
            # Nearest the centre first: no clinic left out is based nearer than one shown.
            centre = built.centre(region, name)
            far = max(built.miles(centre, built.located[s]) for s in shown if s in built.located)
            assert all(
                built.miles(centre, built.located[c.slug]) >= far - 1e-9
                for c in rest if c.slug in built.located
            )  # fmt: skip
        assert elsewhere(first, "serving") == dict(Counter(city_path(c) for c in rest)), first.name
        assert first.facts.get(f"Clinics based elsewhere that serve {name}") == str(len(serving))
    assert seen_more


def test_nearby_clinics_are_recounted_bounded_and_the_rest_linked_by_city(built: Built) -> None:
    seen_more = False
    for (region, _), (first, *_) in built.city_pages().items():
        name = built.city_name(first)
        listed = {c.slug for c in located_clinics(built, region, name)}
        listed |= {c.slug for c in serving_clinics(built, region, name)}
        centre = built.centre(region, name)
        near = sorted(
            (built.miles(centre, point), slug)
            for slug, point in built.located.items()
            if slug not in listed and built.miles(centre, point) <= MILES
        )
        assert first.facts["Other clinics within 25 miles"] == f"{len(near):,}", first.name
        cards = first.cards("nearby")
        if not near:
            continue
        assert len(cards) == min(len(near), NEARBY_LIMIT)
        assert cards == [slug for _, slug in near[: len(cards)]]
        records = {c.slug: c for c in built.clinics}
        rest = Counter(city_path(records[slug]) for _, slug in near[len(cards) :])
        linked = elsewhere(first, "nearby")
        if rest:
            seen_more = True
        assert set(linked) <= set(rest) and all(linked[p] == rest[p] for p in linked)
        unlinked = len(rest) - len(linked)
        said = text(first.doc.xpath("//h2[@id='nearby']/following-sibling::*")[0])
        if len(cards) < len(near):
            assert said.startswith(f"{len(near)} other clinics are within 25 miles")
        if unlinked:
            more = first.doc.xpath("//p[contains(., 'every city is listed on its state')]")
            assert text(more[0]).startswith(f"{unlinked} more cit")
    assert seen_more


# --- filters -----------------------------------------------------------------------------------------


def traits(clinic: Clinic) -> set[str]:
    """The filters a record matches, recounted: as the city page's facts table counts."""
    found = set()
    if clinic.accepting_new_patients is True:
        found.add("accepting")
    if SPRAVATO in clinic.therapies:
        found.add("spravato")
    if clinic.insurance:
        found.add("insurance")
    if clinic.hours is not None and (clinic.hours.saturday or clinic.hours.sunday):
        found.add("weekends")
    return found


def test_card_filter_attributes_are_recounted_from_the_records(built: Built) -> None:
    records = {c.slug: c for c in built.clinics}
    seen: Counter[str] = Counter()
    for pages in built.city_pages().values():
        for page in pages:
            for card in page.doc.xpath("//main//li[@class='card']"):
                slug = card.get("id").removeprefix("clinic-")
                marked = {k.removeprefix("data-") for k in card.attrib if k.startswith("data-")}
                assert marked == traits(records[slug]), (page.name, slug)
                assert all(card.get(f"data-{m}") == "" for m in marked)
                seen.update(marked)
    assert set(seen) == {"accepting", "spravato", "insurance", "weekends"}


def test_the_filter_form_offers_what_the_page_s_clinics_have(built: Built) -> None:
    records = {c.slug: c for c in built.clinics}
    labels = {
        "accepting": "Accepting new patients",
        "spravato": "Spravato (esketamine)",
        "insurance": "Takes insurance",
        "weekends": "Open on weekends",
    }
    for pages in built.city_pages().values():
        for page in pages:
            cards = [
                c.get("id").removeprefix("clinic-")
                for c in page.doc.xpath("//main//li[@class='card']")
            ]
            present = set().union(*(traits(records[s]) for s in cards))
            forms = page.doc.xpath("//form[@id='filters']")
            if not present:
                assert forms == [], page.name
                continue
            (form,) = forms
            assert form.getparent().tag == "main"
            assert form.get("class") == "filters" and form.get("hidden") is not None
            assert text(form.xpath("fieldset/legend")[0]) == "Narrow this list"
            boxes = form.xpath("fieldset//input[@type='checkbox']")
            assert {b.get("name") for b in boxes} == present, page.name
            for box in boxes:
                assert text(box.getparent()) == labels[box.get("name")]
            (status,) = form.xpath(".//p[@id='filters-status']")
            assert (status.get("role"), status.get("aria-live")) == ("status", "polite")
            # Before the lists: nothing the form narrows comes before it.
            assert not form.xpath("preceding::li[@class='card']")


# --- states, home, conditions, and how far a clinic is from the home page ---------------------------


def test_a_state_page_lists_every_city_with_its_count(built: Built) -> None:
    state = built.pages["nv/index.html"]
    shown = {}
    for li in state.doc.xpath("//h2[@id='cities']/following-sibling::ul[1]/li"):
        (link,) = li.xpath("a")
        shown[link.get("href")] = text(li).removeprefix(text(link)).strip()
    expected = {}
    for (region, slug), (first, *_) in built.city_pages().items():
        name = built.city_name(first)
        located = len(located_clinics(built, region, name))
        serving = len(serving_clinics(built, region, name))
        said = (
            f"({located} clinic{'' if located == 1 else 's'})"
            if located
            else f"(served by {serving})"
        )
        expected[f"/{region.lower()}/{slug}/"] = said
    assert shown == expected
    # 150 clinics: more than a state page names; the cities lead to them.
    assert len(built.clinics) > plan.STATE_NAMES_LIMIT
    assert not state.doc.xpath("//h2[@id='clinics']")
    items = state.node("ItemList", "#cities")
    assert items is not None
    assert [i["url"] for i in items["itemListElement"]] == [
        built.site.base + path for path in shown
    ]


def test_the_home_page_lists_the_cities_with_the_most_clinics(built: Built) -> None:
    home = built.pages["index.html"]
    cities = built.city_pages()
    assert len(cities) > plan.HOME_CITIES_LIMIT
    links = home.doc.xpath("//h2[@id='cities']/following-sibling::ul[1]/li/a/@href")
    assert len(links) == plan.HOME_CITIES_LIMIT
    counts = {
        f"/{region.lower()}/{slug}/": len(located_clinics(built, region, built.city_name(pages[0])))
        for (region, slug), pages in cities.items()
    }
    least_shown = min(counts[path] for path in links)
    assert all(count <= least_shown for path, count in counts.items() if path not in links)
    assert text(home.doc.xpath("//h2[@id='cities']")[0]) == "Cities with the most clinics"
    assert home.doc.xpath("//h2[@id='states']/following-sibling::ul[1]/li/a/@href") == ["/nv/"]


def test_every_clinic_is_a_few_plain_links_from_the_home_page(built: Built) -> None:
    depth = {"index.html": 0}
    queue = deque(["index.html"])
    while queue:
        name = queue.popleft()
        for href in built.pages[name].links():
            if not href.startswith("/") or href.startswith("//"):
                continue
            target = href.split("#")[0].lstrip("/")
            target = target + "index.html" if target == "" or target.endswith("/") else target
            if target in built.pages and target not in depth:
                depth[target] = depth[name] + 1
                queue.append(target)
    for clinic in built.clinics:
        assert depth.get(f"clinics/{clinic.slug}/index.html", 99) <= 4, clinic.slug


def test_a_condition_listed_by_many_clinics_lists_states_with_counts(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = list(generate_records(40, seed=9, states=["NV", "UT"]))
    root = make_project(
        {f"c{n:02d}.yaml": record for n, record in enumerate(records)}, project_config()
    )
    directory = load_directory(root)
    listing = Counter(c.address.region for c in directory.clinics if "depression" in c.conditions)
    assert sum(listing.values()) > 5
    monkeypatch.setattr(plan, "CONDITION_NAMES_LIMIT", 5)
    _, files = render_site(directory, directory.config)
    doc = lxml.html.fromstring(files["conditions/depression/index.html"])
    items = doc.xpath("//h2[@id='clinics']/following-sibling::ul[1]/li")
    names = {"NV": "Nevada", "UT": "Utah"}
    assert [text(li) for li in items] == [
        f"{names[code]} ({listing[code]} clinic{'' if listing[code] == 1 else 's'})"
        for code in sorted(listing, key=names.__getitem__)
    ]
    assert not doc.xpath("//main//a[starts-with(@href, '/clinics/')]")
    # Under the limit every clinic is named, by state.
    monkeypatch.setattr(plan, "CONDITION_NAMES_LIMIT", 300)
    _, files = render_site(directory, directory.config)
    doc = lxml.html.fromstring(files["conditions/depression/index.html"])
    named = doc.xpath("//main//a[starts-with(@href, '/clinics/')]")
    assert len(named) == sum(listing.values())


def test_a_state_with_few_clinics_names_each_of_them(make_project: ProjectFactory) -> None:
    records = list(generate_records(12, seed=4, states=["UT"]))
    root = make_project(
        {f"c{n:02d}.yaml": record for n, record in enumerate(records)}, project_config()
    )
    directory = load_directory(root)
    _, files = render_site(directory, directory.config)
    doc = lxml.html.fromstring(files["ut/index.html"])
    named = doc.xpath("//h2[@id='clinics']/following-sibling::ul[1]/li/a/@href")
    assert sorted(named) == sorted(f"/clinics/{c.slug}/" for c in directory.clinics)
    graph = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)["@graph"]
    (items,) = [n for n in graph if n["@type"] == "ItemList"]
    assert items["numberOfItems"] == len(directory.clinics)


def test_page_paths_of_a_city_list() -> None:
    assert urls.city_page("CA", "los-angeles", 1) == "/ca/los-angeles/"
    assert urls.city_page("CA", "los-angeles", 2) == "/ca/los-angeles/page/2/"
    assert urls.city_page("CA", "los-angeles", 17) == "/ca/los-angeles/page/17/"

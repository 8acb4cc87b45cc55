"""A brand site (``[site] kind = "brand"``), built from examples/harbor-ketamine-care: its
pages, what each says, its JSON-LD, its theme, and the golden tree in tests/golden/brand.

The example's special hours are in December 2026 and January 2027, so every build here is
made for 30 November 2026 (``SOURCE_DATE_EPOCH``); after an intended change to the brand
pages, regenerate the golden tree with `nox -s golden`.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from geopy.distance import geodesic
from PIL import Image

from kdirectory import check_site, load_directory
from kdirectory.record.gazetteer import city_info
from kdirectory.site.build import BuildResult, build_site
from tests.helpers import REPO, snapshot

EXAMPLE = REPO / "examples" / "harbor-ketamine-care"
GOLDEN = REPO / "tests" / "golden" / "brand"
BUILD_DATE = "1795996800"
"""2026-11-30 00:00 UTC, the date every brand build here is made for."""
BASE = "https://harborketamine.example"
ORG = f"{BASE}/#organization"
CITY_PAGES = {
    "ca/escondido/index.html": ("Escondido", "harbor-ketamine-care-escondido"),
    "ca/carlsbad/index.html": ("Carlsbad", "harbor-ketamine-care-carlsbad"),
    "ca/san-diego/index.html": ("San Diego", "harbor-ketamine-care-san-diego"),
}
LISTED_CONDITIONS = {
    "chronic-pain",
    "crps",
    "depression",
    "generalized-anxiety",
    "postpartum-depression",
    "ptsd",
    "suicidal-ideation",
    "treatment-resistant-depression",
}
GUIDES = {
    "choosing-a-clinic",
    "cost-and-insurance",
    "safety",
    "what-is-ketamine-therapy",
    "what-to-expect",
}


@pytest.fixture(scope="module")
def build_date() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILD_DATE)
        yield


def build_copy(base: Path, change: dict[str, str] | None = None) -> tuple[Path, BuildResult]:
    """The example copied to ``base / "project"`` (files of ``change`` written over it), built
    into ``base / "site"``."""
    root = base / "project"
    shutil.copytree(EXAMPLE, root)
    for name, text in (change or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    out = base / "site"
    return out, build_site(load_directory(root), out)


@pytest.fixture(scope="module")
def brand_site(tmp_path_factory: pytest.TempPathFactory, build_date: None) -> Path:
    out, result = build_copy(tmp_path_factory.mktemp("brand"))
    assert result.noindex == [], result.noindex
    return out


def page(site: Path, name: str) -> Any:
    return lxml.html.fromstring((site / name).read_bytes())


def text_of(element: Any) -> str:
    return " ".join(" ".join(element.itertext()).split())


def graph(site: Path, name: str) -> list[dict[str, Any]]:
    (script,) = page(site, name).xpath('//script[@type="application/ld+json"]')
    nodes: list[dict[str, Any]] = json.loads(script.text)["@graph"]
    return nodes


def typed(nodes: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [n for n in nodes if n.get("@type") == kind]


def pages_of(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


# --- the pages -------------------------------------------------------------------------------


def test_the_brand_site_has_its_pages_and_no_state_pages(brand_site: Path) -> None:
    expected = {
        "index.html",
        "404.html",
        *CITY_PAGES,
        "ca/vista/index.html",
        *(f"clinics/{slug}/index.html" for _, slug in CITY_PAGES.values()),
        *(f"conditions/{slug}/index.html" for slug in LISTED_CONDITIONS),
        *(f"guide/{slug}/index.html" for slug in GUIDES),
    }
    assert pages_of(brand_site) == expected
    assert not (brand_site / "ca" / "index.html").exists()
    for name in expected:
        links = page(brand_site, name).xpath("//a/@href")
        assert "/ca/" not in links, name
    assert "Browse by state" not in (brand_site / "index.html").read_text("utf-8")


def test_the_check_finds_no_error(brand_site: Path) -> None:
    report = check_site(brand_site, base_url=BASE)
    assert report.errors == [], [p.format() for p in report.errors]


def test_the_home_page_says_who_the_brand_is_and_leads_with_its_call_to_action(
    brand_site: Path,
) -> None:
    home = page(brand_site, "index.html")
    assert home.findtext(".//title") == "Harbor Ketamine Care: Ketamine Therapy in California"
    (h1,) = home.xpath("//h1")
    assert text_of(h1).startswith("Harbor Ketamine Care: ketamine therapy in")
    cta = h1.getnext().xpath('.//p[@class="cta"]//a/@href')
    assert cta == ["https://book.harborketamine.example/", "tel:+16195550100"]
    main = text_of(home.find(".//main"))
    for city, slug in CITY_PAGES.values():
        assert f"Harbor Ketamine Care {city}" in main
        assert f"/clinics/{slug}/" in home.xpath("//main//a/@href")
    assert {"tel:+17605550141", "tel:+17605550162", "tel:+16195550187"} <= set(
        home.xpath("//a/@href")
    )
    conditions = {
        href.split("/")[2] for href in home.xpath("//main//a/@href") if "/conditions/" in href
    }
    assert conditions == LISTED_CONDITIONS
    cities = set(home.xpath('//h2[@id="cities"]/following-sibling::ul[1]//a/@href'))
    assert cities == {"/ca/carlsbad/", "/ca/escondido/", "/ca/san-diego/", "/ca/vista/"}


@pytest.mark.parametrize("name", sorted(CITY_PAGES))
def test_a_city_page_gives_the_location_and_its_call_to_action(brand_site: Path, name: str) -> None:
    city, slug = CITY_PAGES[name]
    record = load_directory(EXAMPLE).clinics
    (clinic,) = [c for c in record if c.address.city == city]
    html = page(brand_site, name)
    assert html.findtext(".//title") == f"Ketamine Therapy in {city}, CA | Harbor Ketamine Care"
    (h1,) = html.xpath("//h1")
    assert text_of(h1) == f"Ketamine therapy in {city}, CA"
    # The call to action comes right after the heading: above the fold on a phone.
    cta = h1.getnext().xpath('.//p[@class="cta"]//a')
    assert clinic.phone is not None
    booking = clinic.booking_url or "https://book.harborketamine.example/"
    assert [a.get("href") for a in cta] == [booking, clinic.phone.tel_uri]
    assert all("button" in a.get("class") for a in cta)
    main = text_of(html.find(".//main"))
    address = clinic.address
    assert f"{address.street} {address.unit} {address.city}, CA {address.postal_code}" in main
    assert clinic.phone.national in main
    rows = {text_of(tr[0]): text_of(tr[1]) for tr in html.xpath('//table[@class="hours"]/tbody/tr')}
    assert clinic.hours is not None
    assert set(rows) == {day.capitalize() for day, _ in clinic.hours.days()}
    split = [day for day, shifts in clinic.hours.days() if shifts and len(shifts) > 1]
    assert split, "each example location has a split shift"
    assert all(", " in rows[day.capitalize()] for day in split)
    for special in clinic.special_hours:
        assert html.xpath(f'//time[@datetime="{special.date.isoformat()}"]')
    flat = " ".join(html.find(".//main").text_content().split())
    for provider in clinic.providers:
        assert f"{provider.name}, {provider.credentials}" in flat
        assert provider.role is not None and provider.role in main
        if provider.bio:
            assert provider.bio in main
    assert "Individual experiences; results vary." in main
    for testimonial in clinic.testimonials:
        assert testimonial.quote in main
    assert "988" in main
    assert html.xpath('//a[contains(@href, "google.com/maps")]')
    assert html.xpath('//a[@href="/guide/what-to-expect/"]')
    assert "Medically reviewed by" in text_of(html.find(".//footer"))
    questions = [text_of(h3) for h3 in html.xpath('//h2[@id="faq"]/following-sibling::h3')]
    assert f"Where is Harbor Ketamine Care in {city}?" in questions
    faq = typed(graph(brand_site, name), "FAQPage")[0]["mainEntity"]
    assert [q["name"] for q in faq] == questions
    assert f"/clinics/{slug}/" in html.xpath("//a/@href")
    # The location's block names its JSON-LD node, which check compares with what it shows.
    (node,) = typed(graph(brand_site, name), "MedicalClinic")
    assert html.xpath("//main//@data-jsonld-id") == [node["@id"]]


def test_a_service_area_page_gives_each_serving_location_with_its_distance(
    brand_site: Path,
) -> None:
    html = page(brand_site, "ca/vista/index.html")
    assert html.findtext(".//title") == "Ketamine Therapy near Vista, CA | Harbor Ketamine Care"
    (h1,) = html.xpath("//h1")
    assert text_of(h1) == "Ketamine therapy near Vista, CA"
    assert h1.getnext().xpath('.//p[@class="cta"]//a[starts-with(@href, "tel:")]')
    vista = city_info("Vista", "CA")
    assert vista is not None
    distances = {}
    for clinic in load_directory(EXAMPLE).clinics:
        if "Vista" in clinic.service_area:
            assert clinic.geo is not None
            miles = geodesic((vista.lat, vista.lon), (clinic.geo.lat, clinic.geo.lon)).miles
            distances[clinic.name] = miles
    assert set(distances) == {"Harbor Ketamine Care Escondido", "Harbor Ketamine Care Carlsbad"}
    cards = html.xpath('//h2[@id="serving"]/following-sibling::ul[1]/li')
    shown = [text_of(card.find(".//h3")) for card in cards]
    assert shown == sorted(distances, key=distances.__getitem__), "nearest first"
    for card in cards:
        miles = distances[text_of(card.find(".//h3"))]
        said = f"{miles:.1f}" if miles < 10 else f"{miles:.0f}"
        assert f"About {said} miles from Vista" in text_of(card)
        assert "Hours:" in text_of(card)
        assert card.xpath('.//a[starts-with(@href, "tel:")]')


def test_condition_pages_exist_only_for_listed_conditions_and_list_the_locations(
    brand_site: Path,
) -> None:
    assert not (brand_site / "conditions" / "migraine").exists()
    html = page(brand_site, "conditions/ptsd/index.html")
    assert html.findtext(".//title") == (
        "Ketamine Therapy for Post-traumatic stress disorder (PTSD)"
    )
    treating = {c.slug for c in load_directory(EXAMPLE).clinics if "ptsd" in c.conditions}
    listed = {
        href.split("/")[2] for href in html.xpath("//main//h3/a/@href") if "/clinics/" in href
    }
    assert listed == treating
    depression = page(brand_site, "conditions/depression/index.html")
    assert depression.findtext(".//title") == (
        "Ketamine Therapy for Depression at Harbor Ketamine Care"
    )


def test_location_pages_have_the_call_to_action_and_breadcrumbs_home_city_location(
    brand_site: Path,
) -> None:
    html = page(brand_site, "clinics/harbor-ketamine-care-escondido/index.html")
    (h1,) = html.xpath("//h1")
    assert text_of(h1) == "Harbor Ketamine Care Escondido"
    hrefs = h1.getnext().xpath('.//p[@class="cta"]//a/@href')
    assert hrefs == ["https://book.harborketamine.example/escondido", "tel:+17605550141"]
    crumbs = html.xpath('//ol[@class="breadcrumbs"]/li')
    assert [text_of(li) for li in crumbs] == ["Home", "Escondido", "Harbor Ketamine Care Escondido"]
    external = [
        h for h in html.xpath("//main//a/@href") if h.startswith("http") and "example" not in h
    ]
    assert all("google.com/maps" in h or "988lifeline.org" in h for h in external), external


# --- JSON-LD ---------------------------------------------------------------------------------


def test_no_page_turns_testimonials_into_reviews_or_ratings(brand_site: Path) -> None:
    for path in brand_site.rglob("*.html"):
        text = path.read_text("utf-8")
        assert "Review" not in "".join(re.findall(r'"@type":"[^"]*"', text)), path
        assert "AggregateRating" not in text and "reviewRating" not in text, path


def test_the_brand_is_one_medical_organization_that_every_location_is_part_of(
    brand_site: Path,
) -> None:
    (org,) = typed(graph(brand_site, "index.html"), "MedicalOrganization")
    logo = org["logo"]
    assert re.fullmatch(rf"{BASE}/assets/logo-[0-9a-f]{{8}}\.svg", logo)
    assert (brand_site / logo.removeprefix(BASE + "/")).read_bytes() == (
        EXAMPLE / "assets" / "logo.svg"
    ).read_bytes()
    assert org == {
        "@type": "MedicalOrganization",
        "@id": ORG,
        "name": "Harbor Ketamine Care",
        "url": "https://harborketamine.example",
        "logo": logo,
        "telephone": "+16195550100",
        "department": [
            {"@id": f"{BASE}/clinics/{slug}/#clinic"}
            for slug in sorted(slug for _, slug in CITY_PAGES.values())
        ],
    }
    for name in [*CITY_PAGES, *(f"clinics/{s}/index.html" for _, s in CITY_PAGES.values())]:
        clinics = typed(graph(brand_site, name), "MedicalClinic")
        assert clinics, name
        for node in clinics:
            assert node["parentOrganization"] == {"@id": ORG}, name
            assert node["url"].startswith(BASE + "/clinics/"), name


def test_physicians_practise_at_the_location_and_other_clinicians_are_people(
    brand_site: Path,
) -> None:
    nodes = graph(brand_site, "clinics/harbor-ketamine-care-escondido/index.html")
    clinic_id = f"{BASE}/clinics/harbor-ketamine-care-escondido/#clinic"
    (physician,) = typed(nodes, "IndividualPhysician")
    assert physician["name"] == "Dana Whitfield"
    assert physician["practicesAt"] == {"@id": clinic_id}
    assert physician["identifier"]["value"] == "1234567893"
    (person,) = typed(nodes, "Person")
    assert person["name"] == "Luis Ortega"
    assert person["jobTitle"] == "Psychiatric nurse practitioner"
    assert person["hasCredential"] == [
        {"@type": "EducationalOccupationalCredential", "credentialCategory": "NP"}
    ]
    assert person["worksFor"] == {"@id": clinic_id}
    san_diego = graph(brand_site, "ca/san-diego/index.html")
    assert [n["name"] for n in typed(san_diego, "IndividualPhysician")] == ["Marcus Bell"]  # DO
    assert [n["name"] for n in typed(san_diego, "Person")] == ["Hannah Cho"]  # LCSW


# --- the theme -------------------------------------------------------------------------------


def test_every_page_has_the_brand_colours_and_logo(brand_site: Path) -> None:
    for name in pages_of(brand_site):
        html = page(brand_site, name)
        styles = " ".join(s.text or "" for s in html.xpath("//style"))
        assert ":root{--brand-primary:#0b5563;--brand-on-primary:#ffffff;" in styles, name
        assert "--brand-accent:#9a3412;" in styles, name
        (logo,) = html.xpath('//header//img[@class="logo"]')
        assert logo.get("alt") == "Harbor Ketamine Care"
        assert logo.get("height") == "40"
        assert logo.get("width") == str(round(40 * 200 / 48))


def test_a_directory_page_has_no_brand_styles(built_demo: tuple[Path, Path]) -> None:
    _, site = built_demo
    text = (site / "index.html").read_text("utf-8")
    assert "--brand-primary" not in text and 'class="logo"' not in text


# --- variations ------------------------------------------------------------------------------


def test_two_locations_in_one_city_share_one_city_page(tmp_path: Path, build_date: None) -> None:
    second = (EXAMPLE / "data" / "clinics" / "san-diego.yaml").read_text("utf-8")
    second = (
        second.replace("Harbor Ketamine Care San Diego", "Harbor Ketamine Care La Jolla")
        .replace("3900 Fifth Ave", "7910 Girard Ave")
        .replace('"92103"', '"92037"')
        .replace("geo: {lat: 32.74937, lon: -117.16052}", "geo: {lat: 32.84622, lon: -117.27412}")
        .replace("(619) 555-0187", "(858) 555-0119")
        .replace("book.harborketamine.example/san-diego", "book.harborketamine.example/la-jolla")
    )
    out, result = build_copy(tmp_path, {"data/clinics/la-jolla.yaml": second})
    assert result.check is not None and result.check.errors == []
    html = page(out, "ca/san-diego/index.html")
    names = [text_of(h2) for h2 in html.xpath('//section[@class="location"]/h2')]
    assert names == ["Harbor Ketamine Care La Jolla", "Harbor Ketamine Care San Diego"]
    slugs = ("harbor-ketamine-care-la-jolla", "harbor-ketamine-care-san-diego")
    for slug in slugs:
        assert (out / "clinics" / slug / "index.html").is_file()
    clinics = typed(graph(out, "ca/san-diego/index.html"), "MedicalClinic")
    assert len(clinics) == 2
    # Each location's section names its node, which check compares with what it shows.
    marked = html.xpath('//section[@class="location"]/@data-jsonld-id')
    assert marked == [f"{BASE}/clinics/{slug}/#clinic" for slug in sorted(slugs)]
    assert sorted(marked) == sorted(node["@id"] for node in clinics)
    assert "tel:+18585550119" in html.xpath("//a/@href")
    assert html.findtext(".//title") == "Ketamine Therapy in San Diego, CA | Harbor Ketamine Care"


def test_without_a_booking_link_or_main_line_the_home_page_calls_the_first_location(
    tmp_path: Path, build_date: None
) -> None:
    config = (EXAMPLE / "kdirectory.toml").read_text("utf-8")
    config = re.sub(r"(?m)^(phone|booking_url) = .*\n", "", config)
    out, _ = build_copy(tmp_path, {"kdirectory.toml": config})
    (h1,) = page(out, "index.html").xpath("//h1")
    assert h1.getnext().xpath('.//p[@class="cta"]//a/@href') == ["tel:+17605550162"]


# --- the golden tree -------------------------------------------------------------------------


PHOTOS = "assets/photos/"
"""Encoded photos: their names come from the source and the settings, their bytes from
Pillow's encoders, which may change between Pillow versions."""


def _without_photo_bytes(files: dict[str, bytes]) -> dict[str, bytes]:
    """A snapshot with each encoded photo as its pixel size and the manifest without their
    hashes, so that the golden tree holds across Pillow versions; pages name the photos, so
    any change in which photos are made or how they are named still shows."""
    kept: dict[str, bytes] = {}
    for name, data in files.items():
        if name.startswith(PHOTOS):
            with Image.open(io.BytesIO(data)) as image:
                kept[name] = f"{image.format} {image.size}".encode()
        elif name == ".kdirectory-manifest.json":
            manifest = json.loads(data)
            manifest["files"] = {
                k: v for k, v in manifest["files"].items() if not k.startswith(PHOTOS)
            }
            kept[name] = json.dumps(manifest, sort_keys=True).encode()
        else:
            kept[name] = data
    return kept


def test_the_brand_example_matches_the_golden_tree(tmp_path: Path, build_date: None) -> None:
    out = tmp_path / "site"
    build_site(load_directory(shutil.copytree(EXAMPLE, tmp_path / "project")), out)
    built, golden = _without_photo_bytes(snapshot(out)), _without_photo_bytes(snapshot(GOLDEN))
    assert sorted(built) == sorted(golden), "pages added or removed: run `nox -s golden`"
    changed = [name for name in built if built[name] != golden[name]]
    assert not changed, f"pages differ from the golden tree: {changed[:10]} (run `nox -s golden`)"


def test_a_location_page_shows_the_location_photos(tmp_path: Path, build_date: None) -> None:
    out = tmp_path / "site"
    result = build_site(load_directory(shutil.copytree(EXAMPLE, tmp_path / "project")), out)
    assert result.check is not None and result.check.errors == []
    html = page(out, "clinics/harbor-ketamine-care-carlsbad/index.html")
    (img,) = html.xpath("//main//img")
    assert img.get("alt") == "Illustration in the brand's colours: teal waves under an orange sun"
    assert img.get("width") and img.get("height")
    with Image.open(out / img.get("src").lstrip("/")) as shown:
        assert not shown.getexif() and "exif" not in shown.info
    (clinic,) = typed(
        graph(out, "clinics/harbor-ketamine-care-carlsbad/index.html"), "MedicalClinic"
    )
    assert all(url.startswith(f"{BASE}/assets/photos/") for url in clinic["image"])

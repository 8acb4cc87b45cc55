"""What a crawler reads from every page of the demo and of a generated directory: JSON-LD
that parses, passes the schema.org vocabulary and states only what the page shows (name,
address, phone, hours, breadcrumbs, FAQ, lists), and a complete head (one h1, language,
canonical URL, title and description of a useful length and unique, robots and sitemap)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

from kdirectory.check.schemaorg import check_jsonld
from kdirectory.record.model import Clinic
from tests.site.pages import SITEMAP_NS, PageParser, Site, page_path

# --- JSON-LD as a crawler reads it ----------------------------------------------------------------


def twelve_hour(hhmm: str) -> set[str]:
    """``13:30`` -> {``1:30 PM``}; the ways the page may show a JSON-LD time."""
    hours, minutes = (int(x) for x in hhmm.split(":"))
    if (hours, minutes) == (0, 0):
        return {"midnight"}
    if (hours, minutes) == (12, 0):
        return {"noon"}
    shown = {f"{(hours - 1) % 12 + 1}:{minutes:02d} {'AM' if hours < 12 else 'PM'}"}
    if (hours, minutes) == (23, 59):
        shown.add("midnight")  # JSON-LD writes a 24:00 close as 23:59
    return shown


def shift_matches(text: str, spec: dict[str, Any]) -> bool:
    opens, closes = text.split(" – ")
    return opens in twelve_hour(spec["opens"]) and closes in twelve_hour(spec["closes"])


def check_hours(parsed: PageParser, clinic: dict[str, Any], where: str) -> None:
    rows = {cells[0]: cells[1] for cells in parsed.hours if len(cells) == 2}
    rows.pop("Day", None)
    by_day: dict[str, list[dict[str, Any]]] = {}
    for spec in clinic.get("openingHoursSpecification", []):
        day = spec["dayOfWeek"].removeprefix("https://schema.org/")
        by_day.setdefault(day, []).append(spec)
    for day, specs in by_day.items():
        assert day in rows, f"{where}: {day} is in JSON-LD but not in the hours table"
        shown = rows[day]
        if shown == "Open 24 hours":
            assert [(s["opens"], s["closes"]) for s in specs] == [("00:00", "23:59")], where
            continue
        parts = shown.split(", ")
        assert len(parts) == len(specs), f"{where}: {day}: {shown!r} vs {specs}"
        for part, spec in zip(parts, specs, strict=True):
            assert shift_matches(part, spec), f"{where}: {day}: {part!r} vs {spec}"
    for day, shown in rows.items():
        if shown == "Closed":
            assert day not in by_day, where
        else:
            assert day in by_day, f"{where}: {day} {shown!r} is shown but not in JSON-LD"


def check_clinic_page(parsed: PageParser, graph: list[dict[str, Any]], record: Clinic) -> None:
    where = record.slug or record.name
    (clinic,) = [n for n in graph if n["@type"] == "MedicalClinic"]
    # Google's required LocalBusiness fields.
    assert clinic["name"] == record.name == parsed.h1[0]
    address = clinic["address"]
    assert address["@type"] == "PostalAddress"
    text = parsed.text
    # NAP: the address parts are on the page.
    for part in address.get("streetAddress", "").split(", "):
        assert " ".join(part.split()) in text, f"{where}: {part!r}"
    assert f"{address['addressLocality']}, {address['addressRegion']}" in text, where
    if "postalCode" in address:
        assert address["postalCode"] in text, where
    # The phone: JSON-LD has the clinic's own number (never the tracking one), in E.164, and
    # it is the number of the page's "Phone:" link.
    phone_links = [
        (href, shown)
        for href, shown in parsed.links
        if href.startswith("tel:") and href not in ("tel:988", "tel:911")
    ]
    if record.phone is None:
        assert "telephone" not in clinic, where
        assert "No phone number is listed" in text, where
    else:
        assert clinic["telephone"] == record.phone.e164, where
        assert re.fullmatch(r"\+1\d{10}", clinic["telephone"]), where
        own = [
            (href, shown)
            for href, shown in phone_links
            if href.removeprefix("tel:").split(";")[0] == clinic["telephone"]
            and not shown.startswith("Call ")
        ]
        assert own, f"{where}: no tel: link for {clinic['telephone']} in {phone_links}"
        digits = re.sub(r"\D", "", own[0][1].split(" ext.")[0])
        assert "+1" + digits == clinic["telephone"], where
        assert f"Phone: {own[0][1]}" in text, where
        if record.tracking_phone is not None and record.tracking_phone != record.phone:
            assert clinic["telephone"] != record.tracking_phone.e164, where
            # The page's own call button (the first) dials the tracking number.
            call = [h for h, s in phone_links if s.startswith("Call ")]
            assert call[0] == record.tracking_phone.tel_uri, where
    if "url" in clinic:
        assert clinic["url"] in [href for href, _ in parsed.links], where
    check_hours(parsed, clinic, where)
    for special in clinic.get("specialOpeningHoursSpecification", []):
        assert parsed.find("time", datetime=special["validFrom"]), where
    # geo only for coordinates entered by hand (no geocodes.json in these projects).
    if record.geo is None:
        assert "geo" not in clinic, where
    else:
        assert clinic["geo"]["latitude"] == round(record.geo.lat, 6), where
        assert clinic["geo"]["longitude"] == round(record.geo.lon, 6), where


def test_every_json_ld_block_parses_and_passes_the_vocabulary(any_site: Site) -> None:
    problems = []
    for name, parsed in any_site.pages().items():
        docs = parsed.jsonld()
        assert len(docs) == (0 if name == "404.html" else 1), name
        for doc in docs:
            assert doc["@context"] == "https://schema.org"
            problems += [f"{name}: {issue.path}: {issue.message}" for issue in check_jsonld(doc)]
    assert problems == []


def test_json_ld_facts_are_the_visible_facts(any_site: Site) -> None:
    pages = any_site.pages()
    seen = set()
    for name, parsed in pages.items():
        if name == "404.html":
            continue
        (doc,) = parsed.jsonld()
        graph = doc["@graph"]
        # The page node names the page's own URL; breadcrumbs and FAQ are on the page.
        (page_node,) = [n for n in graph if n["@type"] in ("MedicalWebPage", "WebPage")]
        assert page_node["url"] == any_site.base + page_path(name), name
        for node in graph:
            if node["@type"] == "BreadcrumbList":
                crumbs = [item["name"] for item in node["itemListElement"]]
                assert " ".join(crumbs[1:]) in parsed.text, name
            if node["@type"] == "FAQPage":
                for question in node["mainEntity"]:
                    assert " ".join(question["name"].split()) in parsed.text, name
                    answer = question["acceptedAnswer"]["text"]
                    assert " ".join(answer.split()) in parsed.text, name
            if node["@type"] == "ItemList":
                for item in node["itemListElement"]:
                    target = item["url"].removeprefix(any_site.base).lstrip("/") + "index.html"
                    assert target in pages, f"{name}: {item['url']}"
                    assert item["name"] in parsed.text, name
        if name.startswith("clinics/"):
            slug = name.split("/")[1]
            check_clinic_page(parsed, graph, any_site.clinics[slug])
            seen.add(slug)
    assert seen == set(any_site.clinics)


def test_clinic_specialties_in_json_ld_are_on_the_page(generated_site: Site) -> None:
    from kdirectory.record import vocabulary

    names = {entry.schema_url: entry.name for entry in vocabulary.specialties().values()}
    hidden = []
    for slug, record in generated_site.clinics.items():
        parsed = generated_site.pages()[f"clinics/{slug}/index.html"]
        (doc,) = parsed.jsonld()
        (clinic,) = [n for n in doc["@graph"] if n["@type"] == "MedicalClinic"]
        assert len(clinic.get("medicalSpecialty", [])) == len(record.specialties)
        hidden += [
            f"{slug}: {names[url]}"
            for url in clinic.get("medicalSpecialty", [])
            if names[url] not in parsed.text
        ]
    assert hidden == []


# --- the head of every page -----------------------------------------------------------------------


TITLE_RANGE = (30, 60)
DESCRIPTION_RANGE = (70, 160)


def test_every_page_has_a_complete_head(any_site: Site) -> None:
    pages = any_site.pages()
    sitemap = ET.fromstring((any_site.out / "sitemap.xml").read_bytes())
    assert sitemap.tag == f"{SITEMAP_NS}urlset"
    listed = [loc.text for loc in sitemap.iter(f"{SITEMAP_NS}loc")]
    assert len(listed) == len(set(listed))
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for name, parsed in pages.items():
        assert len(parsed.find("h1")) == 1, name
        (html,) = parsed.find("html")
        assert html.get("lang") == "en-US", name
        assert parsed.meta("viewport") == ["width=device-width, initial-scale=1"], name
        (canonical,) = parsed.find("link", rel="canonical")
        href = canonical.get("href") or ""
        assert urlsplit(href).scheme == "https" and urlsplit(href).netloc, name
        assert href == any_site.base + page_path(name), name
        assert parsed.find("meta", property="og:url")[0].get("content") == href, name
        title = parsed.title
        assert TITLE_RANGE[0] <= len(title) <= TITLE_RANGE[1], f"{name}: {title!r}"
        (description,) = parsed.meta("description")
        low, high = DESCRIPTION_RANGE
        assert low <= len(description) <= high, f"{name}: {description!r}"
        assert title not in titles, f"{name} and {titles.get(title)} share the title {title!r}"
        titles[title] = name
        assert description not in descriptions, f"{name}, {descriptions.get(description)}"
        descriptions[description] = name
        noindex = "noindex" in " ".join(parsed.meta("robots"))
        if name == "404.html":
            assert noindex
            assert href not in listed
        else:
            assert not noindex, name
            assert href in listed, name
    assert sorted(listed) == sorted(any_site.base + page_path(n) for n in pages if n != "404.html")
    robots = (any_site.out / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {any_site.base}/sitemap.xml" in robots.splitlines()

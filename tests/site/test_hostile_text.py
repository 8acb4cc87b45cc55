"""Hostile text in records cannot break out of a page: HTML, JSON-LD, the KML and the
finder's index keep every character of it as text, and record Markdown shows no remote image
and vouches for no link."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kdirectory import load_directory, validate
from kdirectory.check.schemaorg import check_jsonld
from kdirectory.site.templating import markdown_to_html
from tests.helpers import DEMO_CONFIG, GOOD_RECORD, VISTA, ProjectFactory
from tests.site.pages import Site, build, built_site

NASTY = "<script>alert(1)</script> </script><!-- \"dq\" 'sq' {{ 7*7 }} {% raw %}"
NASTY_NAME = f"Clínica São José 🌿 {NASTY} مرحبا שלום"
NASTY_URL = 'https://clinic.example/?q="><script>alert(1)</script>'
NASTY_RECORD: dict[str, Any] = {
    "name": NASTY_NAME,
    "brand": "Brand </script><!-- \"B\" 'b'",
    "url": NASTY_URL,
    "phone": "(760) 555-0142",
    "email": "o'brien@clinic.example",
    "address": {
        "street": '1200 O\'Brien "Main" St',
        "unit": "Suite <b>2</b>",
        "city": "Escondido",
        "region": "CA",
        "postal_code": "92025",
    },
    "service_area": ["Vista"],
    "hours": {"monday": ["09:00-12:00", "13:00-18:00"], "sunday": "closed"},
    "special_hours": [{"date": date(2026, 12, 25), "closed": True, "note": f"Xmas {NASTY}"}],
    "conditions": ["depression"],
    "therapies": ["iv-ketamine-infusion"],
    "insurance": [f"Aetna {NASTY}"],
    "price_range": '$400–$700 "per" <b>infusion</b>',
    "providers": [
        {"name": f"José O'Brien {NASTY}", "credentials": "MD</script><!--", "role": "مدير طبي"}
    ],
    "description": (
        f"We are {NASTY}. [Click me](javascript:alert(1)) and <img src=x onerror=alert(1)>.\n\n"
        "שלום עולם, مرحبا بالعالم, 🌿 Clínica São José."
    ),
}


@pytest.fixture(scope="module")
def nasty_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    make_project = ProjectFactory(tmp_path_factory.mktemp("nasty"))
    root = make_project({"nasty.yaml": NASTY_RECORD, "good.yaml": VISTA}, DEMO_CONFIG)
    report = validate(load_directory(root))
    assert report.errors == [], [p.format() for p in report.errors]
    return built_site(root, root / "site")


def test_a_javascript_url_is_rejected_by_the_validator(make_project: ProjectFactory) -> None:
    root = make_project(
        {"a.yaml": GOOD_RECORD.replace("https://harbor.example/", "javascript:alert(1)")}
    )
    report = validate(load_directory(root))
    assert [p.field for p in report.errors] == ["url"]


def test_hostile_text_cannot_break_out_of_the_page(nasty_site: Site) -> None:
    pages = nasty_site.pages()
    nasty_slug = next(s for s, c in nasty_site.clinics.items() if c.name == NASTY_NAME)
    clinic_file = f"clinics/{nasty_slug}/index.html"
    assert clinic_file in pages
    for name, parsed in pages.items():
        raw = (nasty_site.out / name).read_text(encoding="utf-8")
        assert "<script>alert" not in raw.lower(), name
        assert "<!--" not in raw, name
        assert "<img" not in raw, name
        # site.js (and on the home page the finder's, with the line showing the finder), plus
        # the JSON-LD block
        home = name == "index.html"
        sources = ["/assets/finder.js", "/assets/site.js"] if home else ["/assets/site.js"]
        expected = 1 if name == "404.html" else 1 + len(sources) + home
        assert len(re.findall(r"<script\b", raw, re.IGNORECASE)) == expected, name
        assert [a.get("src") for a, _ in parsed.scripts if a.get("src")] == sources, name
        assert not [h for h, _ in parsed.links if h.strip().lower().startswith("javascript:")]
        for doc in parsed.jsonld():
            assert check_jsonld(doc) == [], name
    page = pages[clinic_file]
    assert page.h1 == [NASTY_NAME]
    assert "{{ 7*7 }}" in page.h1[0] and "{% raw %}" in page.h1[0]
    (doc,) = page.jsonld()
    clinic = next(n for n in doc["@graph"] if n["@type"] == "MedicalClinic")
    assert clinic["name"] == NASTY_NAME
    assert clinic["url"] == NASTY_URL
    assert clinic["parentOrganization"]["name"] == NASTY_RECORD["brand"]
    assert clinic["address"]["streetAddress"] == '1200 O\'Brien "Main" St, Suite <b>2</b>'
    # Attributes and text come back exactly as written, quotes and all.
    assert (NASTY_URL, 'clinic.example/?q="><script>alert(1)</script>') in page.links
    assert ("mailto:o'brien@clinic.example", "o'brien@clinic.example") in page.links
    for text in (
        f"José O'Brien {NASTY}, MD</script><!-- (مدير طبي)",
        f"Aetna {NASTY}",
        '$400–$700 "per" <b>infusion</b>',
        f"Xmas {NASTY}: Closed",
        '1200 O\'Brien "Main" St Suite <b>2</b> Escondido, CA 92025',
        "שלום עולם, مرحبا بالعالم, 🌿 Clínica São José.",
        "{{ 7*7 }}",
    ):
        assert " ".join(text.split()) in page.text, text
    assert "Click me" in page.text
    # The other pages that show the name show it as text too.
    for name in ("ca/escondido/index.html", "ca/vista/index.html", "ca/index.html"):
        assert NASTY_NAME in pages[name].text, name
    # Non-HTML files: the KML and the finder's index parse and keep the name.
    kml = ET.fromstring((nasty_site.out / "locations.kml").read_bytes())
    names = [e.text for e in kml.iter("{http://www.opengis.net/kml/2.2}name")]
    assert NASTY_NAME in names
    index = json.loads((nasty_site.out / "finder" / "index.json").read_text(encoding="utf-8"))
    assert NASTY_NAME in index["c"][1] + index["a"][1]


def test_clinic_brand_in_json_ld_is_on_the_page(nasty_site: Site) -> None:
    (slug,) = [s for s, c in nasty_site.clinics.items() if c.name == NASTY_NAME]
    parsed = nasty_site.pages()[f"clinics/{slug}/index.html"]
    (doc,) = parsed.jsonld()
    (clinic,) = [n for n in doc["@graph"] if n["@type"] == "MedicalClinic"]
    assert clinic["parentOrganization"]["name"] == NASTY_RECORD["brand"]
    assert NASTY_RECORD["brand"] in parsed.text


# --- record Markdown ------------------------------------------------------------------------------


def test_record_markdown_shows_no_remote_image_and_vouches_for_no_link() -> None:
    html = markdown_to_html(
        "See ![pixel](https://tracker.example/p.gif) and [our offer](https://spam.example), "
        "[a file](ftp://files.example/x), [local](/admin), "
        "[call](tel:+17605550123), [mail](mailto:front@clinic.example).",
        record=True,
    )
    assert "<img" not in html and "tracker.example" not in html
    assert "pixel" in html
    assert '<a href="https://spam.example" rel="nofollow ugc noopener">our offer</a>' in html
    assert "ftp://" not in html and 'href="/admin"' not in html
    assert 'href="tel:+17605550123" rel="nofollow ugc noopener"' in html
    assert 'href="mailto:front@clinic.example" rel="nofollow ugc noopener"' in html
    # The theme's own prose keeps its links as written.
    assert markdown_to_html("[988](tel:988)") == '<p><a href="tel:988">988</a></p>\n'


def test_a_clinic_page_shows_the_description_safely(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    record = GOOD_RECORD + 'description: "Hello ![x](https://tracker.example/p.gif)"\n'
    (root / "data" / "clinics" / "harbor.yaml").write_text(record, "utf-8")
    build(root, tmp_path / "site")
    page = (tmp_path / "site" / "clinics" / "harbor-ketamine-clinic" / "index.html").read_text()
    assert "tracker.example" not in page

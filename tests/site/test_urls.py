"""Where pages live: base_url (refused with the setting named when it is not a site's
address, kept in a normal form, and moving canonicals, sitemaps, links and the finder's
index), sitemaps split past the limit, and slugs that never make two clinics one page."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.cli import app
from kdirectory.exceptions import BuildError, ConfigError, ValidationFailedError
from kdirectory.record.config import parse_base_url
from kdirectory.record.directory import Entry
from kdirectory.site.build import build_site, render_site
from kdirectory.site.plan import Page
from kdirectory.site.site_files import sitemaps
from tests.helpers import DEMO_CONFIG, GOOD_RECORD, VISTA, ProjectFactory, snapshot
from tests.site.pages import SITEMAP_NS, PageParser, build, page_path

runner = CliRunner()


# --- base_url -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://x.example\nDisallow: /",
        "https://x.example/ ",
        "https://x.example/?a=1",
        "https://x.example/#top",
        "http://",
        "https://",
        "ftp://x.example",
        "https://user:secret@x.example",
        "https://x.example/a/../b",
    ],
)
def test_a_bad_base_url_is_a_usage_error_naming_the_setting(
    make_project: ProjectFactory, tmp_path: Path, value: str
) -> None:
    with pytest.raises(ValueError, match=r"https://directory\.example|credentials"):
        parse_base_url(value)
    root = make_project(demo=True)
    config = (root / "kdirectory.toml").read_text("utf-8")
    (root / "kdirectory.toml").write_text(
        config.replace('"https://directory.example"', json.dumps(value)), "utf-8"
    )
    from_config = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "a")])
    assert from_config.exit_code == 2, from_config.output
    assert "site.base_url" in from_config.stderr
    assert "internal error" not in from_config.output
    with pytest.raises(ConfigError):
        load_directory(root)
    (root / "kdirectory.toml").write_text(config, "utf-8")
    option = runner.invoke(
        app, ["build", str(root), "--out", str(tmp_path / "b"), "--base-url", value]
    )
    assert option.exit_code == 2, option.output
    assert "--base-url" in option.output
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("https://Clinics.Example/", "https://clinics.example"),
        ("https://agency.example/clinics/", "https://agency.example/clinics"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
    ],
)
def test_good_base_urls_are_kept_in_a_normal_form(value: str, parsed: str) -> None:
    assert parse_base_url(value) == parsed


def test_base_url_option_moves_canonicals_sitemap_and_links(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    base = "https://other.example/sub"
    result = runner.invoke(app, ["build", str(root), "--out", str(out), "--base-url", base + "/"])
    assert result.exit_code == 0, result.output
    files = snapshot(out)
    for name, data in files.items():
        assert b"directory.example" not in data, name
    for path in sorted(out.rglob("*.html")):
        name = path.relative_to(out).as_posix()
        parsed = PageParser(path.read_text(encoding="utf-8"))
        (canonical,) = parsed.find("link", rel="canonical")
        assert canonical.get("href") == base + page_path(name), name
        for tag, attrs in parsed.tags:
            for key in ("href", "src", "data-index"):
                value = attrs.get(key) or ""
                if value.startswith("/"):
                    assert value.startswith("/sub/"), f"{name}: <{tag} {key}={value!r}>"
        for doc in parsed.jsonld():
            ids = re.findall(r'"(?:@id|url|item)": *"(https?://[^"]+)"', json.dumps(doc))
            assert ids and all(i.startswith(base + "/") for i in ids), name
    sitemap = ET.fromstring(files["sitemap.xml"])
    locs = [loc.text or "" for loc in sitemap.iter(f"{SITEMAP_NS}loc")]
    assert locs and all(loc.startswith(base + "/") for loc in locs)
    assert f"Sitemap: {base}/sitemap.xml" in files["robots.txt"].decode().splitlines()


def test_finder_index_urls_follow_the_base_url_path(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    build(root, out, base_url="https://other.example/sub")
    index = json.loads((out / "finder" / "index.json").read_text(encoding="utf-8"))
    assert index["p"][2]
    for path in [*index["p"][2], *index["u"].values()]:
        assert path.startswith("/sub/"), path


# --- sitemaps past the limit ----------------------------------------------------------------------


BASE = "https://directory.example"


def fake_page(n: int, *, indexable: bool = True, lastmod: date | None = None) -> Page:
    path = f"/ca/city-{n}/"
    return Page(
        path=path,
        template="city.html",
        kind="city",
        title=f"City {n}",
        description="A page",
        heading=f"City {n}",
        canonical=BASE + path,
        breadcrumbs=[],
        jsonld=None,
        lastmod=lastmod,
        indexable=indexable,
    )


def urls_of(text: str) -> list[str]:
    root = ET.fromstring(text)
    assert root.tag == f"{SITEMAP_NS}urlset"
    return [loc.text or "" for loc in root.iter(f"{SITEMAP_NS}loc")]


def test_sitemap_index_past_the_limit() -> None:
    indexable = [fake_page(n, lastmod=date(2026, 1, n) if n != 7 else None) for n in range(1, 8)]
    hidden = [fake_page(100, indexable=False), fake_page(101, indexable=False)]
    pages = [*indexable[:2], hidden[0], *indexable[2:5], hidden[1], *indexable[5:]]
    files = sitemaps(pages, BASE, limit=3)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    entries = index.findall(f"{SITEMAP_NS}sitemap")
    assert [e.findtext(f"{SITEMAP_NS}loc") for e in entries] == [
        f"{BASE}/sitemap-{n}.xml" for n in (1, 2, 3)
    ]
    assert [e.findtext(f"{SITEMAP_NS}lastmod") for e in entries] == [
        "2026-01-03",
        "2026-01-06",
        None,  # its only page has no lastmod
    ]
    chunks = [urls_of(files[f"sitemap-{n}.xml"]) for n in (1, 2, 3)]
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert [url for chunk in chunks for url in chunk] == [p.canonical for p in indexable]
    for page in hidden:
        assert all(page.canonical not in text for text in files.values())


def test_sitemap_at_the_limit_is_a_single_urlset() -> None:
    pages = [fake_page(n) for n in range(1, 4)] + [fake_page(9, indexable=False)]
    files = sitemaps(pages, BASE, limit=3)
    assert list(files) == ["sitemap.xml"]
    assert urls_of(files["sitemap.xml"]) == [p.canonical for p in pages[:3]]
    assert urls_of(sitemaps([], BASE, limit=3)["sitemap.xml"]) == []


# --- slug collisions ------------------------------------------------------------------------------


def test_explicit_slugs_that_collide_stop_the_build(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    other = VISTA.replace("Harbor Ketamine Clinic", "Vista Mind Clinic").replace("0123", "0124")
    root = make_project(
        {"a.yaml": "slug: harbor\n" + GOOD_RECORD, "b.yaml": "slug: harbor\n" + other},
        config=DEMO_CONFIG,
    )
    report = validate(load_directory(root))
    assert [(p.file, p.rule) for p in report.errors] == [
        ("data/clinics/b.yaml", "directory.slug_collision")
    ]
    assert "already used by data/clinics/a.yaml" in report.errors[0].message
    out = tmp_path / "site"
    with pytest.raises(ValidationFailedError):
        build(root, out)
    assert not out.exists()


def test_same_name_in_two_cities_gets_city_slugs(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(
        {"a.yaml": GOOD_RECORD, "b.yaml": VISTA.replace("0123", "0124")},
        config=DEMO_CONFIG,
    )
    out = tmp_path / "site"
    build(root, out)
    clinics = sorted(p.name for p in (out / "clinics").iterdir())
    assert clinics == ["harbor-ketamine-clinic-escondido", "harbor-ketamine-clinic-vista"]


def test_same_name_in_one_city_is_a_slug_collision(make_project: ProjectFactory) -> None:
    second = GOOD_RECORD.replace("1200 N Main St", "455 W Grand Ave").replace("0123", "0124")
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": second})
    report = validate(load_directory(root))
    assert "directory.slug_collision" in [p.rule for p in report.errors]


def test_two_clinics_with_one_slug_never_silently_become_one_page(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(
        {"a.yaml": GOOD_RECORD, "b.yaml": VISTA.replace("Harbor", "Tidewater")},
        config=DEMO_CONFIG,
    )
    directory = load_directory(root)
    first, second = directory.entries
    clash = second.clinic.model_copy(update={"slug": first.clinic.slug})
    directory.entries = [first, Entry(clash, second.source)]
    with pytest.raises((BuildError, ValidationFailedError)):
        render_site(directory, directory.config)
    with pytest.raises((BuildError, ValidationFailedError)):
        build_site(directory, tmp_path / "site")

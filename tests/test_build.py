"""Building the site.

Deterministic, incremental and atomic output; an interrupted build that leaves the last good
site; hostile record text that cannot break out of HTML or JSON-LD; structured data read the
way a crawler reads it and compared with the visible page; the head of every page; sitemaps;
slug collisions; and the ``build`` command.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory._output import STAGING
from kdirectory.check.schemaorg import check_jsonld
from kdirectory.cli import app
from kdirectory.exceptions import ValidationFailedError
from kdirectory.record.directory import Entry
from kdirectory.record.model import Clinic
from kdirectory.site.build import MANIFEST, BuildError, BuildResult, build_site, render_site
from kdirectory.site.plan import Page
from kdirectory.site.site_files import sitemaps
from kdirectory.testing.synthetic import generate_project
from tests.helpers import DEMO_CONFIG, GOOD_RECORD, VISTA, ProjectFactory, snapshot

runner = CliRunner()

GENERATED_CLINICS = 200
GENERATED_SEED = 7
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TITLE_RANGE = (30, 60)
DESCRIPTION_RANGE = (70, 160)


# --- helpers -----------------------------------------------------------------------------------


def build(root: Path, out: Path, **kwargs: Any) -> BuildResult:
    return build_site(load_directory(root), out, **kwargs)


def staging_of(out: Path) -> Path:
    return out / STAGING


def page_path(relative: str) -> str:
    """``ca/escondido/index.html`` -> ``/ca/escondido/``; ``404.html`` -> ``/404.html``."""
    if relative == "index.html":
        return "/"
    if relative.endswith("/index.html"):
        return "/" + relative.removesuffix("index.html")
    return "/" + relative


def run_cli(*args: str, seed: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed} if seed is not None else None
    return subprocess.run(
        [sys.executable, "-m", "kdirectory", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )


class PageParser(HTMLParser):
    """What a crawler reads from one page: tags, title, h1s, scripts, links, the hours table
    and the visible text (body text outside scripts and styles), entities decoded."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self.h1: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.links: list[tuple[str, str]] = []
        self.hours: list[list[str]] = []
        self._text: list[str] = []
        self._script: tuple[dict[str, str | None], list[str]] | None = None
        self._anchor: tuple[str, list[str]] | None = None
        self._in = {"title": False, "h1": False, "style": False, "body": False}
        self._hours_table = False
        self._cell = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if self._in["body"]:
            self._text.append(" ")
        if tag == "script":
            self._script = (attributes, [])
        elif tag in self._in:
            self._in[tag] = True
            if tag == "h1":
                self.h1.append("")
        elif tag == "a":
            self._anchor = (attributes.get("href") or "", [])
        elif tag == "table" and "hours" in (attributes.get("class") or "").split():
            self._hours_table = True
        elif tag == "tr" and self._hours_table:
            self.hours.append([])
        elif tag in ("th", "td") and self._hours_table and self.hours:
            self.hours[-1].append("")
            self._cell = True

    def handle_endtag(self, tag: str) -> None:
        if self._in["body"]:
            self._text.append(" ")
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None
        elif tag in self._in:
            self._in[tag] = False
        elif tag == "a" and self._anchor is not None:
            self.links.append((self._anchor[0], "".join(self._anchor[1])))
            self._anchor = None
        elif tag == "table":
            self._hours_table = False
        elif tag in ("th", "td"):
            self._cell = False

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
            return
        if self._in["style"]:
            return
        if self._in["title"]:
            self.title += data
            return
        if self._in["h1"]:
            self.h1[-1] += data
        if self._anchor is not None:
            self._anchor[1].append(data)
        if self._cell:
            self.hours[-1][-1] += data
        if self._in["body"]:
            self._text.append(data)

    @cached_property
    def text(self) -> str:
        """The visible text with whitespace collapsed."""
        return " ".join("".join(self._text).split())

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def meta(self, name: str) -> list[str]:
        return [a.get("content") or "" for a in self.find("meta", name=name)]

    def jsonld(self) -> list[Any]:
        return [
            json.loads(body)
            for attrs, body in self.scripts
            if attrs.get("type") == "application/ld+json"
        ]


@dataclass
class Site:
    """A built site and what went into it."""

    root: Path
    out: Path
    base: str
    clinics: dict[str, Clinic]
    parsed: dict[str, PageParser] = field(default_factory=dict)

    def pages(self) -> dict[str, PageParser]:
        if not self.parsed:
            for path in sorted(self.out.rglob("*.html")):
                text = path.read_text(encoding="utf-8")
                self.parsed[path.relative_to(self.out).as_posix()] = PageParser(text)
        return self.parsed


def built_site(root: Path, out: Path) -> Site:
    directory = load_directory(root)
    build_site(directory, out)
    clinics = {c.slug: c for c in directory.clinics if c.slug}
    return Site(root, out, directory.config.site.base_url, clinics)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The demo directory, built once; tests must not change it."""
    root = ProjectFactory(tmp_path_factory.mktemp("demo"))(demo=True)
    return built_site(root, root / "site")


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A generated directory of 200 clinics, built once; tests must not change it."""
    root = tmp_path_factory.mktemp("generated") / "project"
    generate_project(root, GENERATED_CLINICS, seed=GENERATED_SEED)
    return built_site(root, root / "site")


@pytest.fixture(params=["demo", "generated"])
def any_site(request: pytest.FixtureRequest) -> Site:
    site: Site = request.getfixturevalue(f"{request.param}_site")
    return site


# --- 1. determinism ------------------------------------------------------------------------------


def test_two_builds_of_the_same_input_are_byte_identical(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    first, second = tmp_path / "out-a", tmp_path / "elsewhere" / "out-b"
    build(root, first)
    build(root, second)
    a, b = snapshot(first), snapshot(second)
    assert MANIFEST in a
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    # The same records in another project folder give the same site too: no paths leak in.
    moved = make_project(demo=True, at="moved/project")
    third = tmp_path / "out-c"
    build(moved, third)
    assert snapshot(third) == a
    assert all(str(tmp_path).encode() not in data for data in a.values())


@pytest.mark.slow
def test_a_build_in_another_interpreter_with_another_hash_seed_is_identical(
    demo_site: Site, tmp_path: Path
) -> None:
    """Set and dict iteration order (which follows the hash seed) must not reach the output."""
    out = tmp_path / "site"
    seed = str(int(os.environ.get("PYTHONHASHSEED", "0") or "0") + 4242)
    done = run_cli("build", str(demo_site.root), "--out", str(out), seed=seed)
    assert done.returncode == 0, done.stderr
    assert snapshot(out) == snapshot(demo_site.out)


# --- 2. incremental ------------------------------------------------------------------------------


def test_no_op_rebuild_reports_nothing_written(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    first = build(root, out)
    assert first.written == first.files > 0
    assert (first.unchanged, first.removed) == (0, 0)
    before = snapshot(out)
    second = build(root, out)
    assert (second.written, second.unchanged, second.removed) == (0, second.files, 0)
    assert second.files == first.files and second.pages == first.pages
    assert second.kept == []
    assert snapshot(out) == before
    assert second.summary().startswith(f"built {second.pages} pages ({second.files} files)")
    assert f"0 written, {second.files} unchanged, 0 removed" in second.summary()


def test_changing_one_record_rewrites_only_the_pages_that_show_it(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    before = snapshot(out)
    record = root / "data" / "clinics" / "ketamine-clinics-of-los-angeles.yaml"
    record.write_text(
        record.read_text(encoding="utf-8") + 'hours:\n  monday: "09:00-17:00"\n', encoding="utf-8"
    )
    result = build(root, out)
    after = snapshot(out)
    changed = {name for name in after if name != MANIFEST and before.get(name) != after.get(name)}
    assert result.written == len(changed)
    assert 0 < result.written < result.files
    assert result.unchanged == result.files - result.written
    assert result.removed == 0
    assert "clinics/ketamine-clinics-of-los-angeles/index.html" in changed
    assert "clinics/bff-medical-wellness-clinic/index.html" not in changed
    assert not any(name.startswith("conditions/") for name in changed)
    assert "Monday" in after["clinics/ketamine-clinics-of-los-angeles/index.html"].decode()


def test_deleting_a_clinic_removes_its_pages_and_counts_them(built_demo: tuple[Path, Path]) -> None:
    root, out = built_demo
    before = snapshot(out)
    (root / "data" / "clinics" / "bff-medical-wellness-clinic.yaml").unlink()
    result = build(root, out)
    after = snapshot(out)
    gone = set(before) - set(after)
    assert gone == {"clinics/bff-medical-wellness-clinic/index.html", "ca/escondido/index.html"}
    assert result.removed == len(gone)
    manifest = json.loads(after[MANIFEST])["files"]
    assert sorted(manifest) == sorted(set(after) - {MANIFEST})
    assert not (out / "clinics" / "bff-medical-wellness-clinic").exists()


def test_no_op_rebuild_leaves_unchanged_files_untouched_on_disk(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    page = out / "ca" / "index.html"
    past = time.time_ns() - 3_600 * 10**9
    os.utime(page, ns=(past, past))
    result = build(root, out)
    assert result.written == 0
    # What rsync, CDN uploaders and caches look at: an unchanged page keeps its mtime.
    assert page.stat().st_mtime_ns == past


# --- 3. atomic, and never lose a file kdirectory did not create -----------------------------------


def test_refuses_a_non_empty_folder_it_did_not_build(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "public"
    (out / "notes").mkdir(parents=True)
    (out / "index.html").write_text("<p>my own site</p>", encoding="utf-8")
    (out / "notes" / "todo.txt").write_bytes(b"\x00\x01 keep me")
    before = snapshot(out)
    with pytest.raises(BuildError, match=re.escape(MANIFEST)):
        build(root, out)
    assert snapshot(out) == before
    assert not staging_of(out).exists()
    # A damaged manifest is no manifest: still refused, still untouched.
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(BuildError):
        build(root, out)
    assert snapshot(out) == before


def test_an_empty_folder_is_fine_and_a_file_is_refused(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(root, empty).written > 0
    not_a_folder = tmp_path / "site.txt"
    not_a_folder.write_text("hello", encoding="utf-8")
    with pytest.raises(BuildError, match="is a file"):
        build(root, not_a_folder)
    assert not_a_folder.read_text(encoding="utf-8") == "hello"


def test_user_files_in_a_built_folder_are_kept(built_demo: tuple[Path, Path]) -> None:
    root, out = built_demo
    mine = {
        "CNAME": b"clinics.example\n",
        ".well-known/security.txt": b"Contact: mailto:security@clinics.example\n",
        # inside a folder whose kdirectory page is about to be removed
        "clinics/bff-medical-wellness-clinic/photo.jpg": b"\xff\xd8\xff\xe0 not really",
    }
    for name, data in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    (root / "data" / "clinics" / "bff-medical-wellness-clinic.yaml").unlink()
    result = build(root, out)
    # A folder with no page in it counts once, however much it holds.
    entries = [".well-known", "CNAME", "clinics/bff-medical-wellness-clinic"]
    assert result.kept == entries
    assert {name: (out / name).read_bytes() for name in mine} == mine
    assert not (out / "clinics" / "bff-medical-wellness-clinic" / "index.html").exists()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert not set(mine) & set(manifest)
    again = build(root, out)
    assert again.kept == entries
    assert again.written == 0
    assert {name: (out / name).read_bytes() for name in mine} == mine


def test_a_user_file_on_the_path_of_a_new_page_is_not_silently_replaced(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    custom = out / "ca" / "vista" / "index.html"
    custom.parent.mkdir(parents=True)
    custom.write_text("<h1>Our hand-written Vista page</h1>", encoding="utf-8")
    (root / "data" / "clinics" / "vista.yaml").write_text(VISTA, encoding="utf-8")
    with contextlib.suppress(BuildError):  # refusing, naming the file, is one right answer
        build(root, out)
    assert custom.read_text(encoding="utf-8") == "<h1>Our hand-written Vista page</h1>"


def test_invalid_records_leave_the_previous_site_byte_identical(
    built_demo: tuple[Path, Path],
) -> None:
    root, out = built_demo
    (out / "CNAME").write_bytes(b"clinics.example\n")
    before = snapshot(out)
    bad = GOOD_RECORD.replace('"(760) 555-0123"', '"555-1234"')
    (root / "data" / "clinics" / "bad.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationFailedError) as caught:
        build(root, out)
    assert "cannot build" in str(caught.value)
    assert [p.rule for p in caught.value.report.errors] != []  # type: ignore[attr-defined]
    assert snapshot(out) == before
    assert not staging_of(out).exists()


# --- 4. Ctrl-C --------------------------------------------------------------------------------------

# Imports first, then says "ready" on stderr: a signal sent after that lands inside the command
# (where Ctrl-C must become a message and an exit code), never inside Python's own start-up.
CLI_WITH_READY = (
    "import signal, sys\n"
    # A shell that starts the tests in the background ignores SIGINT, and children inherit
    # that: take Ctrl-C back, as an interactive terminal would deliver it.
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from kdirectory.cli import app\n"
    "sys.stderr.write('ready\\n')\n"
    "sys.stderr.flush()\n"
    "app()\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["while publishing", "while rendering"])
def test_ctrl_c_leaves_the_last_good_site(
    generated_site: Site, tmp_path: Path, moment: str
) -> None:
    out = tmp_path / "site"
    shutil.copytree(generated_site.out, out)
    before = snapshot(out)
    assert before == snapshot(generated_site.out)
    # The interrupted build would change every page: it moves the site to another base URL.
    command = [
        sys.executable, "-c", CLI_WITH_READY,
        "build", str(generated_site.root), "--out", str(out),
        "--base-url", "https://interrupted.example",
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None
        assert process.stderr.readline() == "ready\n"
        if moment == "while publishing":
            deadline = time.monotonic() + 300
            while not staging_of(out).exists() and process.poll() is None:
                assert time.monotonic() < deadline, "the build never started publishing"
                time.sleep(0.002)
        else:
            time.sleep(0.5)
        assert process.poll() is None, "the build finished before it could be interrupted"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert "interrupted" in stderr
    assert "built" not in stdout
    assert snapshot(out) == before  # every file, the manifest too
    if moment == "while rendering":
        return
    # A normal build afterwards succeeds and clears what the interrupted one left behind.
    result = build(generated_site.root, out)
    assert (result.written, result.removed) == (0, 0)
    assert snapshot(out) == before
    assert not staging_of(out).exists()


# --- 5. hostile text in records -----------------------------------------------------------------

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
        expected = 1 if name == "404.html" else 2  # site.js, plus the JSON-LD block
        assert len(re.findall(r"<script\b", raw, re.IGNORECASE)) == expected, name
        assert [a.get("src") for a, _ in parsed.scripts if a.get("src")] == ["/assets/site.js"], (
            name
        )
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
    json.loads((nasty_site.out / "search-index.json").read_text(encoding="utf-8"))


# --- 6. JSON-LD as a crawler reads it -----------------------------------------------------------


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


def test_clinic_brand_in_json_ld_is_on_the_page(nasty_site: Site) -> None:
    (slug,) = [s for s, c in nasty_site.clinics.items() if c.name == NASTY_NAME]
    parsed = nasty_site.pages()[f"clinics/{slug}/index.html"]
    (doc,) = parsed.jsonld()
    (clinic,) = [n for n in doc["@graph"] if n["@type"] == "MedicalClinic"]
    assert clinic["parentOrganization"]["name"] == NASTY_RECORD["brand"]
    assert NASTY_RECORD["brand"] in parsed.text


# --- 7. the head of every page ----------------------------------------------------------------


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
    index = json.loads((out / "search-index.json").read_text(encoding="utf-8"))
    assert index["cities"]
    for city in index["cities"]:
        assert city["url"].startswith("/sub/"), city


# --- 8. sitemaps past the limit ---------------------------------------------------------------

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


# --- 9. slug collisions ---------------------------------------------------------------------------


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


# --- 10. the build command ----------------------------------------------------------------------


def test_build_command_prints_a_summary(make_project: ProjectFactory, tmp_path: Path) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    match = re.search(
        r"^built (\d+) pages \((\d+) files\) in .+: (\d+) written, 0 unchanged, 0 removed, "
        r"0 record warnings, checked: 0 errors, \d+ warnings, [\d.]+ s$",
        result.stdout,
        re.MULTILINE,
    )
    assert match, result.stdout
    assert int(match[1]) == len(list(out.rglob("*.html")))
    assert int(match[2]) == int(match[3]) == len(snapshot(out)) - 1  # all but the manifest
    (out / "CNAME").write_text("clinics.example\n", encoding="utf-8")
    again = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "kept CNAME (not created by kdirectory)" in again.stderr
    assert ": 0 written, " in again.stdout


def test_build_command_with_a_bad_record_exits_one_without_writing(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD.replace('"(760) 555-0123"', '"555-1234"')})
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0].startswith('data/clinics/a.yaml:3: phone: "555-1234"')
    assert "error: cannot build" in result.stderr
    assert "built" not in result.stdout
    assert not out.exists()

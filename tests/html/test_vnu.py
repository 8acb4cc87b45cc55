"""Every page of the demo site, of a generated directory and of a site with redirects is valid
HTML (Nu Html Checker).

The checker is the real ``vnu.jar`` from the npm package ``vnu-jar``, pinned in the
repository's ``package.json``: run ``npm ci`` once (``nox -s html`` does), or point
``KDIRECTORY_VNU_JAR`` at a ``vnu.jar``. It needs Java 17 or later on ``PATH``. A missing
checker fails these tests rather than skipping them, so CI cannot pass without checking.

vnu runs once per site over the whole output folder, with:

- ``--errors-only``: warnings and info messages are advice, not validity errors;
- ``--no-langdetect``: language detection only ever emits warnings (dropped by
  ``--errors-only``) and takes about half of the checker's time;
- ``--skip-non-html``: only pages; sitemaps, the KML, JSON and the SVG favicon are not HTML;
- ``--verbose``: vnu lists every file it checked on stdout, so the test can prove that it
  checked every page (vnu exits 0 with no messages for a folder it cannot find).

CSS: the theme stylesheet is inlined into a ``<style>`` element of every page, and vnu checks
``<style>`` elements and ``style`` attributes as part of the HTML. ``--also-check-css`` only
adds standalone ``*.css`` files, of which the site has none, and in vnu 26.9.27 it shifts
every HTML message one line up, so it is not used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from kdirectory.record.validate import load_directory
from kdirectory.site.build import build_site
from kdirectory.testing.synthetic import generate_project
from tests.helpers import GOOD_RECORD, REPO, ProjectFactory

VNU_JAR_ENV = "KDIRECTORY_VNU_JAR"
DEFAULT_VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_OPTIONS = ("--format", "json", "--errors-only", "--no-langdetect", "--skip-non-html")
VNU_TIMEOUT = 900  # seconds; a 200-clinic site takes well under a minute
SYNTHETIC_CLINICS = 200
SYNTHETIC_SEED = 0
MAX_SHOWN = 50

INSTALL_HINT = (
    "Install the Nu Html Checker pinned in package.json by running `npm ci` in the repository "
    "root (or run `nox -s html`, which does), or set KDIRECTORY_VNU_JAR to the path of a "
    "vnu.jar. The checker needs Java 17+ on PATH."
)


def find_vnu_jar() -> Path:
    """The checker's jar: ``$KDIRECTORY_VNU_JAR``, else the one ``npm ci`` installs."""
    configured = os.environ.get(VNU_JAR_ENV)
    if configured:
        jar = Path(configured).expanduser()
        if not jar.is_file():
            pytest.fail(f"{VNU_JAR_ENV}={configured}: no such file. {INSTALL_HINT}", pytrace=False)
        return jar
    if not DEFAULT_VNU_JAR.is_file():
        pytest.fail(
            f"vnu.jar not found at {DEFAULT_VNU_JAR} and {VNU_JAR_ENV} is not set. {INSTALL_HINT}",
            pytrace=False,
        )
    return DEFAULT_VNU_JAR


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail(f"no `java` on PATH. {INSTALL_HINT}", pytrace=False)
    return java


def run_vnu(folder: Path) -> tuple[str, list[dict[str, Any]], set[Path]]:
    """Check every HTML file under ``folder`` in one vnu run.

    Returns vnu's version, its messages and the files it says it checked.
    """
    command = [find_java(), "-jar", str(find_vnu_jar()), *VNU_OPTIONS, "--verbose", str(folder)]
    result = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", timeout=VNU_TIMEOUT, check=False
    )
    # JSON goes to stderr, the checked files to stdout. The JVM may print notes (such as
    # "Picked up JAVA_TOOL_OPTIONS") before the JSON document, so decode from its start.
    start = result.stderr.find('{"')
    try:
        report, _ = json.JSONDecoder().raw_decode(result.stderr[start:]) if start >= 0 else ({}, 0)
    except json.JSONDecodeError:
        report = {}
    if "messages" not in report:
        pytest.fail(
            f"vnu gave no JSON report (exit {result.returncode}): {' '.join(command)}\n"
            f"stdout:\n{result.stdout[-2000:]}\nstderr:\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    messages = [m for m in report["messages"] if m.get("type") in {"error", "non-document-error"}]
    if result.returncode != 0 and not messages:
        pytest.fail(
            f"vnu exited {result.returncode} without reporting an error:\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    checked = {Path(line).resolve() for line in result.stdout.splitlines() if line.strip()}
    return str(report.get("version", "?")), messages, checked


def location(message: dict[str, Any], root: Path) -> str:
    """``page:line:col`` of a vnu message, the page relative to the site root."""
    url = message.get("url")
    if not url:
        return "<vnu>"
    path = Path(unquote(urlparse(url).path)) if url.startswith("file:") else Path(url)
    try:
        page = path.resolve().relative_to(root).as_posix()
    except ValueError:
        page = str(path)
    line, column = position(message)
    return f"{page}:{line}:{column}"


def position(message: dict[str, Any]) -> tuple[int, int]:
    """Where a vnu message starts; vnu leaves out ``firstLine`` when it equals ``lastLine``."""
    line = message.get("firstLine", message.get("lastLine", 0))
    return line, message.get("firstColumn", message.get("lastColumn", 0))


def describe(messages: list[dict[str, Any]], root: Path, pages: int, version: str) -> str:
    """The failure report: distinct messages with counts, then the first errors in full."""
    messages = sorted(messages, key=lambda m: (m.get("url", ""), position(m)))
    flagged = {location(m, root).split(":", 1)[0] for m in messages}
    distinct = Counter(m.get("message", "").strip() for m in messages)
    lines = [
        f"vnu {version}: {len(messages)} errors in {len(flagged)} of {pages} pages, "
        f"{len(distinct)} distinct messages:"
    ]
    lines += [f"  {count:5d} x {text}" for text, count in distinct.most_common()]
    lines.append(f"first {min(MAX_SHOWN, len(messages))}:")
    lines += [f"{location(m, root)}: {m.get('message', '').strip()}" for m in messages[:MAX_SHOWN]]
    if len(messages) > MAX_SHOWN:
        lines.append(f"... and {len(messages) - MAX_SHOWN} more")
    return "\n".join(lines)


def assert_valid_html(site: Path) -> None:
    root = site.resolve()
    pages = {p.resolve() for p in root.rglob("*.html")}
    assert pages, f"{site}: the build wrote no HTML pages"
    version, messages, checked = run_vnu(root)
    unchecked = sorted(p.relative_to(root).as_posix() for p in pages - checked)
    assert not unchecked, f"vnu {version} did not check {len(unchecked)} pages: {unchecked[:10]}"
    assert not messages, describe(messages, root, len(pages), version)


def test_the_demo_site_is_valid_html(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(load_directory(REPO), site)
    assert_valid_html(site)


def test_a_generated_directory_is_valid_html(tmp_path: Path) -> None:
    project, site = tmp_path / "project", tmp_path / "site"
    generate_project(project, SYNTHETIC_CLINICS, seed=SYNTHETIC_SEED)
    result = build_site(load_directory(project), site)
    assert result.pages > SYNTHETIC_CLINICS, result.summary()
    assert_valid_html(site)


def test_redirect_pages_are_valid_html(make_project: ProjectFactory, tmp_path: Path) -> None:
    """A site built twice with a clinic renamed in between: the page left at the old path
    (templates/redirect.html) is checked with the others."""
    root = make_project({"harbor.yaml": GOOD_RECORD})
    site = tmp_path / "site"
    build_site(load_directory(root), site)
    renamed = GOOD_RECORD.replace("Harbor Ketamine Clinic", "Harbor Ketamine Center")
    (root / "data" / "clinics" / "harbor.yaml").write_text(renamed, encoding="utf-8")
    result = build_site(load_directory(root), site)
    assert list(result.redirects) == ["/clinics/harbor-ketamine-clinic/"], result.summary()
    assert_valid_html(site)


def test_the_brand_example_is_valid_html(tmp_path: Path) -> None:
    """The brand site of examples/harbor-ketamine-care (templates/brand/)."""
    site = tmp_path / "site"
    build_site(load_directory(REPO / "examples" / "harbor-ketamine-care"), site)
    assert_valid_html(site)


def test_vnu_reports_an_invalid_page(tmp_path: Path) -> None:
    """The harness itself: a broken page fails, with its errors located and parsed."""
    site = tmp_path / "site"
    (site / "clinics" / "broken").mkdir(parents=True)
    (site / "clinics" / "broken" / "index.html").write_text(
        '<!doctype html>\n<html lang="en">\n<head><title>Broken</title>\n'
        "<style>p { colr: red }</style></head>\n"
        '<body>\n<img src="a.png">\n<a href="a b">x</a>\n</body>\n</html>\n',
        encoding="utf-8",
    )
    (site / "robots.txt").write_text("not html <", encoding="utf-8")
    _, messages, checked = run_vnu(site.resolve())
    assert checked == {(site / "clinics" / "broken" / "index.html").resolve()}
    found = sorted(
        (location(m, site.resolve()).rsplit(":", 1)[0], m["message"].split(":")[0].split(",")[0])
        for m in messages
    )
    assert found == [
        ("clinics/broken/index.html:4", "CSS"),
        ("clinics/broken/index.html:6", "An “img” element must have an “alt” attribute"),
        ("clinics/broken/index.html:7", "Bad value “a b” for attribute “href” on element “a”"),
    ], found
    report = describe(messages, site.resolve(), 1, "test")
    assert "\nclinics/broken/index.html:6:1: An “img” element must have" in report, report

"""Pages stay readable at any size: at 10,000 generated clinics, and on the import of a real
public facility list (161 clinics in Los Angeles), no page is over 150 KB of HTML, long city
lists continue on further pages, and every clinic page is at most four plain links from the
home page.

Run by ``nox -s slow`` (``pytest tests/scale``); each test renders a whole site.
"""

from __future__ import annotations

import math
import re
from collections import deque
from pathlib import Path

import lxml.html
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.record.validate import load_directory
from kdirectory.site.build import render_site
from kdirectory.site.plan import CLINICS_PER_PAGE
from kdirectory.testing.synthetic import generate_project
from tests.helpers import FACILITIES_CSV

BUDGET = 150_000
"""The most bytes of HTML one page may have."""
LINKS_FROM_HOME = 4
"""Home, state, city (or a further page of it), clinic."""

runner = CliRunner()
_HREF = re.compile(rb'<a [^>]*?href="(/[^"#]*)')
_CARD = re.compile(rb'<li class="card" id="clinic-')


def rendered(root: Path) -> dict[str, bytes]:
    directory = load_directory(root)
    _, files = render_site(directory, directory.config)
    return files


def largest(files: dict[str, bytes], n: int = 5) -> list[tuple[str, int]]:
    sizes = [(name, len(data)) for name, data in files.items() if name.endswith(".html")]
    return sorted(sizes, key=lambda item: (-item[1], item[0]))[:n]


def links_from_home(files: dict[str, bytes]) -> dict[str, int]:
    """How many links each page is from the home page, following plain ``<a href>``s."""
    depth = {"index.html": 0}
    queue = deque(["index.html"])
    while queue:
        name = queue.popleft()
        for href in _HREF.findall(files[name]):
            target = href.decode().lstrip("/")
            if target == "" or target.endswith("/"):
                target += "index.html"
            if target in files and target.endswith(".html") and target not in depth:
                depth[target] = depth[name] + 1
                queue.append(target)
    return depth


def assert_readable(files: dict[str, bytes]) -> None:
    over = [(name, size) for name, size in largest(files, 20) if size > BUDGET]
    assert over == [], over
    depth = links_from_home(files)
    clinics = [name for name in files if name.startswith("clinics/") and name.endswith(".html")]
    far = [name for name in clinics if depth.get(name, math.inf) > LINKS_FROM_HOME]
    assert far == [], far[:10]


def test_no_page_is_over_the_budget_at_10_000_clinics(tmp_path: Path) -> None:
    generate_project(tmp_path, 10_000, seed=1)
    files = rendered(tmp_path)
    print("largest pages:", ", ".join(f"{name} {size:,} B" for name, size in largest(files)))
    assert_readable(files)
    further = [name for name in files if "/page/" in name and name.endswith("/index.html")]
    assert further, "no city of 10,000 clinics has more than one page"
    for name in further:
        assert len(_CARD.findall(files[name])) <= CLINICS_PER_PAGE, name


def test_the_los_angeles_pages_of_a_real_list_are_short(tmp_path: Path) -> None:
    root = tmp_path / "real"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    for example in (root / "data" / "clinics").iterdir():
        example.unlink()
    imported = runner.invoke(app, ["import", str(FACILITIES_CSV), "--into", str(root)])
    assert imported.exit_code in (0, 1), imported.output  # 1: some rows rejected
    files = rendered(root)
    print("largest pages:", ", ".join(f"{name} {size:,} B" for name, size in largest(files)))
    assert_readable(files)
    pages = sorted(
        (name for name in files if re.fullmatch(r"ca/los-angeles/(page/\d+/)?index\.html", name)),
        key=lambda name: (len(name), name),
    )
    docs = [lxml.html.fromstring(files[name]) for name in pages]
    cells = docs[0].xpath("//th[text()='Clinics located in Los Angeles']/following-sibling::td")
    located = int(cells[0].text_content().replace(",", ""))
    listed = [
        len(doc.xpath("//h2[@id='clinics']/following-sibling::ul[1]/li[@class='card']"))
        for doc in docs
    ]
    assert located > CLINICS_PER_PAGE
    assert len(pages) == math.ceil(located / CLINICS_PER_PAGE)
    assert listed[:-1] == [CLINICS_PER_PAGE] * (len(pages) - 1)
    assert sum(listed) == located

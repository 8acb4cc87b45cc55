"""Rebuilding on change: what the preview watches, what a page is told, and how a build that
fails leaves the last good site served with its error over every page."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kdirectory import build_site, load_directory
from kdirectory.exceptions import ProjectNotFoundError
from kdirectory.preview import Build, Preview
from kdirectory.preview.inject import BANNER_ID, SCRIPT_ID
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory
from tests.preview.client import EventStream, request
from tests.preview.conftest import Served, ServeProject, config

RECORD = "data/clinics/harbor.yaml"
PAGE = "/clinics/clinics/harbor-ketamine-clinic/"
DESCRIBED = GOOD_RECORD + 'description: "Quiet rooms and a team that explains each step."\n'
BROKEN = GOOD_RECORD.replace('"(760) 555-0123"', '"760-555-01"')
BROKEN_LINE = 'data/clinics/harbor.yaml:3: phone: "760-555-01" is not a valid US phone number'
BANNER = f'<div id="{BANNER_ID}"'


@pytest.fixture
def served(make_project: ProjectFactory, serve_project: ServeProject) -> Served:
    served = serve_project(make_project({"harbor.yaml": GOOD_RECORD}, config()))
    assert served.first.ok, served.first.lines
    return served


def token(served: Served) -> str:
    site = served.preview.view().site
    assert site is not None
    return site.token


def test_a_changed_record_is_rebuilt_and_open_pages_reload(served: Served) -> None:
    first = token(served)
    events = EventStream(served.port)
    try:
        assert events.next() == ("ok", first)  # the state, as the page connects
        assert "Quiet rooms" not in request(served.port, PAGE).text
        served.write(RECORD, DESCRIBED)
        build = served.next_build(served.first)
        assert build.ok and build.changed == (RECORD,)
        assert events.next() == ("reload", token(served))
    finally:
        events.close()
    assert token(served) != first
    answer = request(served.port, PAGE)
    assert answer.status == 200 and "Quiet rooms and a team" in answer.text
    assert served.builds == [served.first, build]  # the listener heard of both, in order


def test_a_broken_record_leaves_the_last_site_served_with_its_error_over_every_page(
    served: Served,
) -> None:
    before = (served.site / "index.html").read_bytes()
    events = EventStream(served.port)
    try:
        assert events.next()[0] == "ok"
        served.write(RECORD, BROKEN)
        broken = served.next_build()
        assert not broken.ok and broken.result is None
        assert any(line.startswith(BROKEN_LINE) for line in broken.lines), broken.lines
        assert broken.lines[-1].startswith("error: cannot build: ")  # as `build` prints it
        assert events.next_error() == list(broken.lines)

        for path in ("/clinics/", PAGE, "/clinics/no-such-page/"):
            answer = request(served.port, path)
            assert answer.status == (404 if "no-such" in path else 200)
            assert answer.text.count(BANNER) == 1, path
            assert BROKEN_LINE in answer.text
            assert f'id="{SCRIPT_ID}"' in answer.text
        home = request(served.port, "/clinics/").body
        assert home.startswith(before.split(b"</body>")[0])  # the last good site
        assert (served.site / "index.html").read_bytes() == before  # nothing written
        assert (
            request(served.port, "/clinics/robots.txt").body
            == (served.site / "robots.txt").read_bytes()
        )

        served.write(RECORD, GOOD_RECORD)
        fixed = served.next_build(broken)
        assert fixed.ok
        assert events.next() == ("reload", token(served))
    finally:
        events.close()
    assert BANNER not in request(served.port, "/clinics/").text
    events = EventStream(served.port)  # a page opened now is told all is well
    try:
        assert events.next() == ("ok", token(served))
    finally:
        events.close()


def test_a_template_folder_made_while_serving_is_built_and_watched(
    served: Served, tmp_path: Path
) -> None:
    made = tmp_path / "theme"
    made.mkdir()
    (made / "home.html").write_text(
        "{% extends 'default:home.html' %}\n{% block content %}\n{% if %}{% endblock %}\n",
        encoding="utf-8",
    )
    made.rename(served.root / "templates")  # the whole folder appears at once
    broken = served.next_build()
    assert broken.changed == ("templates",)
    assert not broken.ok
    assert broken.lines[0].startswith("error: ")
    assert "templates/home.html:3: template syntax error" in broken.lines[0]
    assert BANNER in request(served.port, "/clinics/").text

    served.write("templates/home.html", "{% extends 'default:home.html' %}\n")
    fixed = served.next_build(broken)
    assert fixed.ok and fixed.changed == ("templates/home.html",)
    assert BANNER not in request(served.port, "/clinics/").text


def test_new_settings_move_the_site_to_its_new_base_path(served: Served) -> None:
    served.write("kdirectory.toml", config("https://example.org/directory"))
    build = served.next_build()
    assert build.ok and build.changed == ("kdirectory.toml",)
    assert served.server.url == f"http://127.0.0.1:{served.port}/directory/"
    assert request(served.port, "/directory/").status == 200
    assert request(served.port, "/").headers["location"] == "/directory/"
    assert request(served.port, "/clinics/").status == 404


def test_broken_settings_are_shown_and_the_last_site_stays(served: Served) -> None:
    served.write("kdirectory.toml", config() + "[site\n")
    build = served.next_build()
    assert not build.ok
    assert build.lines[0].startswith("error: ")
    assert "kdirectory.toml: not valid TOML" in build.lines[0]
    answer = request(served.port, "/clinics/")
    assert answer.status == 200 and answer.text.count(BANNER) == 1
    assert "not valid TOML" in answer.text


def test_a_project_that_never_built_shows_its_error_at_every_address(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    served = serve_project(make_project({"harbor.yaml": BROKEN}, config()))
    assert not served.first.ok
    assert served.preview.view().site is None
    for path in ("/clinics/", "/", "/anything"):
        answer = request(served.port, path)
        assert answer.status == 503
        assert BROKEN_LINE in answer.text and f'id="{SCRIPT_ID}"' in answer.text
    events = EventStream(served.port)
    try:
        assert any(line.startswith(BROKEN_LINE) for line in events.next_error())
        served.write(RECORD, GOOD_RECORD)
        assert served.next_build().ok
        assert events.next() == ("reload", token(served))
    finally:
        events.close()
    assert request(served.port, "/clinics/").status == 200


def test_the_site_an_earlier_build_published_is_served_when_the_first_build_fails(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD}, config())
    build_site(load_directory(root))
    (root / RECORD).write_text(BROKEN, encoding="utf-8")
    served = serve_project(root)
    assert not served.first.ok
    answer = request(served.port, "/clinics/")
    assert answer.status == 200 and answer.text.count(BANNER) == 1


def test_changes_made_during_a_build_become_one_rebuild(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    held = threading.Event()
    go_on = threading.Event()

    def hold_the_second(build: Build) -> None:
        if build.number == 2:  # the rebuild thread waits here: no build can start
            held.set()
            assert go_on.wait(timeout=60)

    served = serve_project(
        make_project({"harbor.yaml": GOOD_RECORD}, config()), on_build=hold_the_second
    )
    try:
        served.write(RECORD, DESCRIBED)
        assert held.wait(timeout=60)
        names = ["data/clinics/vista.yaml", "data/clinics/third.yaml", "data/geocodes.json"]
        served.write(names[0], VISTA)
        served.write(names[1], VISTA.replace("Harbor Ketamine", "Third Street Ketamine"))
        served.write(names[2], '{"version": 1, "clinics": {}}\n')
        for name in names:
            served.preview.wait_for_change(name, timeout=60)
    finally:
        go_on.set()
    coalesced = served.preview.wait_for_build(after=2, timeout=60)
    assert coalesced.changed == tuple(sorted(names))


def test_only_what_the_build_reads_starts_a_build(
    make_project: ProjectFactory, serve_project: ServeProject, tmp_path: Path
) -> None:
    from PIL import Image

    root = make_project(
        {
            "harbor.yaml": GOOD_RECORD
            + "photos:\n  - file: pictures/lobby.jpg\n    alt: Reception area with armchairs\n"
        },
        config(),
    )
    (root / "pictures").mkdir()
    Image.new("RGB", (64, 48), (90, 140, 200)).save(root / "pictures" / "lobby.jpg")
    served = serve_project(root)
    assert served.first.ok, served.first.lines
    (root / "README.md").write_text("notes\n", encoding="utf-8")
    (root / "data" / "clinics" / ".harbor.yaml.swp").write_bytes(b"swap")
    (root / "data" / "clinics" / "harbor.yaml~").write_text(GOOD_RECORD, encoding="utf-8")
    (root / "data" / "notes.txt").write_text("notes\n", encoding="utf-8")
    (root / "pictures" / "unused.jpg").write_bytes(b"not named by any record")
    (root / "site" / "extra.html").write_text("<p>mine</p>\n", encoding="utf-8")
    (root / ".kdirectory").mkdir(exist_ok=True)
    (root / ".kdirectory" / "scratch").write_text("cache\n", encoding="utf-8")

    picture = tmp_path / "lobby.jpg"
    Image.new("RGB", (80, 60), (200, 90, 40)).save(picture)
    picture.replace(root / "pictures" / "lobby.jpg")
    build = served.next_build()
    assert build.changed == ("pictures/lobby.jpg",)  # nothing written before it counted
    assert build.ok
    for name in ("README.md", "data/notes.txt", "pictures/unused.jpg", "site/extra.html"):
        assert served.preview.changes_seen(name) == 0


def test_stopping_ends_every_open_pages_stream(served: Served) -> None:
    events = EventStream(served.port)
    try:
        assert events.next()[0] == "ok"
        served.preview.stop()
        with pytest.raises(EOFError):
            events.next()
    finally:
        events.close()


def test_a_folder_that_is_no_project_is_refused(tmp_path: Path) -> None:
    preview = Preview(tmp_path / "nothing-here")
    with pytest.raises(ProjectNotFoundError, match="no data/clinics/ folder"):
        preview.start()

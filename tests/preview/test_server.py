"""The preview server: the site at its base path, the right types, 404s, redirects, nothing
outside the output folder, and its script in the HTML it sends but never on disk."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from kdirectory.preview import Preview, PreviewServer, ServeError
from kdirectory.preview.inject import BANNER_ID, SCRIPT_ID
from kdirectory.preview.server import content_type
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory
from tests.preview.client import request
from tests.preview.conftest import Served, ServeProject, config, serving

SECRET = "# not for the web: 7f3a9c"
"""A line of the project's kdirectory.toml, which no request may ever read."""
PHOTO_RECORD = (
    GOOD_RECORD
    + "photos:\n  - file: photos/lobby.jpg\n    alt: Reception area with two armchairs\n"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One project with a photo, served for every test of this module (none changes it),
    with two links planted in its output folder: one out of it, one within."""
    make_project = ProjectFactory(tmp_path_factory.mktemp("served"))
    root = make_project(
        {"harbor.yaml": PHOTO_RECORD, "vista.yaml": VISTA}, config() + SECRET + "\n"
    )
    (root / "photos").mkdir()
    Image.new("RGB", (64, 48), (90, 140, 200)).save(root / "photos" / "lobby.jpg")
    with serving() as start:
        served = start(root)
        assert served.first.ok, served.first.lines
        site = served.site
        (site / "out").symlink_to(root, target_is_directory=True)
        (site / "settings.toml").symlink_to(root / "kdirectory.toml")
        (site / "escondido").symlink_to(site / "ca" / "escondido")
        for suffix in ("json", "kml", "xml", "webp", "svg"):
            (site / "extra").mkdir(exist_ok=True)
            (site / "extra" / f"file.{suffix}").write_bytes(b"<x/>")
        yield served


def test_the_site_is_served_at_the_path_of_its_base_url(served: Served) -> None:
    assert served.server.url == f"http://127.0.0.1:{served.port}/clinics/"
    home = request(served.port, "/clinics/")
    assert home.status == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert home.headers["cache-control"] == "no-store"
    assert int(home.headers["content-length"]) == len(home.body)
    assert home.body.startswith((served.site / "index.html").read_bytes().split(b"</body>")[0])
    assert 'href="/clinics/ca/escondido/"' in home.text  # links start at the base path
    city = request(served.port, "/clinics/ca/escondido/")
    assert city.status == 200 and "Escondido" in city.text


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/", "/clinics/"),
        ("/clinics", "/clinics/"),
        ("/clinics/ca/escondido", "/clinics/ca/escondido/"),
        ("/clinics/ca/escondido?x=1", "/clinics/ca/escondido/?x=1"),
    ],
)
def test_the_root_and_folders_without_their_slash_redirect(
    served: Served, path: str, location: str
) -> None:
    answer = request(served.port, path)
    assert (answer.status, answer.headers["location"]) == (302, location)


@pytest.mark.parametrize(
    "path", ["/clinics/no-such-page/", "/clinics/ca/nowhere", "/elsewhere/", "/index.html"]
)
def test_a_missing_page_is_the_sites_404_page_with_status_404(served: Served, path: str) -> None:
    answer = request(served.port, path)
    assert answer.status == 404
    on_disk = (served.site / "404.html").read_text(encoding="utf-8")
    assert answer.text.startswith(on_disk.split("</body>")[0])
    assert f'id="{SCRIPT_ID}"' in answer.text


def test_a_folder_without_a_page_is_a_404_not_a_listing(served: Served) -> None:
    assert (served.site / "assets").is_dir() and not (
        served.site / "assets" / "index.html"
    ).exists()
    for path in ("/clinics/assets/", "/clinics/assets"):
        answer = request(served.port, path)
        assert answer.status == 404
        on_disk = (served.site / "404.html").read_text(encoding="utf-8")
        assert answer.text.startswith(on_disk.split("</body>")[0])


def test_every_kind_of_file_goes_with_its_type(served: Served) -> None:
    site = served.site
    built = {
        "robots.txt": "text/plain; charset=utf-8",
        "sitemap.xml": "application/xml",
        "locations.kml": "application/vnd.google-earth.kml+xml",
        "favicon.svg": "image/svg+xml",
        "assets/site.js": "text/javascript; charset=utf-8",
        _one(site, "assets/photos/*.webp"): "image/webp",
        _one(site, "assets/photos/*.jpg"): "image/jpeg",
    }
    added = {
        "extra/file.json": "application/json",
        "extra/file.kml": "application/vnd.google-earth.kml+xml",
        "extra/file.xml": "application/xml",
        "extra/file.webp": "image/webp",
        "extra/file.svg": "image/svg+xml",
    }
    for name, kind in {**built, **added}.items():
        answer = request(served.port, f"/clinics/{name}")
        assert answer.status == 200, name
        assert answer.headers["content-type"] == kind, name
        assert answer.body == (site / name).read_bytes(), name  # nothing added to non-HTML
    assert content_type(Path("_redirects")) == "text/plain; charset=utf-8"
    assert content_type(Path("x.bin")) == "application/octet-stream"


def _one(site: Path, pattern: str) -> str:
    return next(site.glob(pattern)).relative_to(site).as_posix()


def test_head_answers_like_get_without_the_body(served: Served) -> None:
    got = request(served.port, "/clinics/robots.txt")
    head = request(served.port, "/clinics/robots.txt", "HEAD")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == got.headers["content-length"]


def test_the_script_is_in_every_html_answer_and_in_no_file_on_disk(served: Served) -> None:
    for path in (
        "/clinics/",
        "/clinics/ca/escondido/",
        "/clinics/clinics/harbor-ketamine-clinic-escondido/",
    ):
        answer = request(served.port, path)
        assert answer.status == 200, path
        assert answer.text.count(f'id="{SCRIPT_ID}"') == 1
        assert answer.text.rstrip().endswith("</html>")  # before </body>, not after the page
        assert f'id="{BANNER_ID}"' not in answer.text  # the build succeeded: no error to show
    for folder, _, names in os.walk(served.site):  # links are not followed
        for name in names:
            data = (Path(folder) / name).read_bytes()
            assert SCRIPT_ID.encode() not in data and b"__kdirectory" not in data, name


@pytest.mark.parametrize(
    "path",
    [
        "/clinics/../kdirectory.toml",
        "/clinics/%2e%2e/kdirectory.toml",
        "/clinics/%2E%2E%2Fkdirectory.toml",
        "/clinics/ca/..%2f..%2fkdirectory.toml",
        "/clinics/ca/%2e%2e/%2e%2e/kdirectory.toml",
        "/clinics/./../kdirectory.toml",
        "/clinics//etc/passwd",
        "/clinics/%2fetc%2fpasswd",
        "/clinics/ca\\..\\..\\kdirectory.toml",
        "/clinics/.kdirectory-manifest.json",
        "/clinics/.kdirectory-lock",
        "/clinics/%ff%fe",
        "/clinics/ca%00/",
        "/clinics/out/kdirectory.toml",
        "/clinics/settings.toml",
        "/clinics/out/",
    ],
)
def test_no_path_leaves_the_output_folder(served: Served, path: str) -> None:
    answer = request(served.port, path)
    assert answer.status == 404, path
    assert SECRET.encode() not in answer.body
    assert b"[site]" not in answer.body


def test_a_link_inside_the_output_folder_is_followed(served: Served) -> None:
    answer = request(served.port, "/clinics/escondido/")
    assert answer.status == 200 and "Escondido" in answer.text


def test_the_servers_own_paths_are_reserved(served: Served) -> None:
    assert request(served.port, "/__kdirectory/nothing").status == 404
    assert request(served.port, "/__kdirectory/events", "HEAD").status == 404


def test_a_site_at_the_root_of_its_host_is_served_at_the_root(
    make_project: ProjectFactory, serve_project: ServeProject
) -> None:
    served = serve_project(
        make_project({"harbor.yaml": GOOD_RECORD}, config("https://example.org"))
    )
    assert served.server.url == f"http://127.0.0.1:{served.port}/"
    assert request(served.port, "/").status == 200
    assert request(served.port, "/ca/escondido/").status == 200
    assert request(served.port, "/ca/").status == 200


def test_a_port_in_use_is_refused_with_a_way_out(make_project: ProjectFactory) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with pytest.raises(ServeError) as raised:
            PreviewServer(Preview(make_project({"harbor.yaml": GOOD_RECORD})), "127.0.0.1", port)
    finally:
        taken.close()
    message = str(raised.value)
    assert f"127.0.0.1:{port} is already in use" in message
    assert "--port" in message and "--port 0" in message


def test_an_address_not_of_this_machine_is_refused(make_project: ProjectFactory) -> None:
    with pytest.raises(ServeError, match="--host"):
        PreviewServer(Preview(make_project({"harbor.yaml": GOOD_RECORD})), "192.0.2.1", 0)

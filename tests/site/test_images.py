"""Clinic photos as responsive images: the widths each photo is made at (never wider than
itself), WebP with a JPEG or PNG fallback, the camera's orientation applied and every piece
of metadata (the GPS position above all) gone, names that change with the content, a cache
that spares a rebuild any encoding, the picture partial's markup, and errors that name the
file. The images are made here, with Pillow."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import ExifTags, Image, ImageCms, ImageDraw

from kdirectory import load_directory
from kdirectory.check import check_site
from kdirectory.exceptions import BuildError
from kdirectory.site import images
from kdirectory.site.images import (
    CACHE_DIR,
    WIDTHS,
    Photos,
    Picture,
    photo_files,
    variant_widths,
)
from kdirectory.site.templating import make_environment
from tests.helpers import GOOD_RECORD, ProjectFactory
from tests.site.pages import build

GPS_PHOTO = "photos/waiting-room.jpg"
"""2000×1500 as stored, EXIF orientation 6 (turn 90° clockwise): 1500×2000 upright."""
ALPHA_PHOTO = "photos/sign.png"
"""300×200 with a transparent border."""
NAME = re.compile(
    r"^assets/photos/(?P<stem>[a-z0-9-]+)-(?P<hash>[0-9a-f]{8})-(?P<width>\d+)\.(webp|jpg|png)$"
)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="33,7.2N"/></rdf:RDF></x:xmpmeta>'
)


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 7.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (117.0, 5.0, 9.0)
    return exif


def write_gps_photo(path: Path) -> None:
    """A camera's photo as stored: the top half red, the bottom half blue, lying on its
    side (orientation 6), with GPS tags, XMP and an sRGB colour profile."""
    image = Image.new("RGB", (2000, 1500), (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 1999, 749), fill=(255, 0, 0))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90, exif=_gps_exif(), xmp=XMP, icc_profile=srgb)


def write_alpha_photo(path: Path) -> None:
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((20, 20, 279, 179), fill=(20, 120, 60, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")


def write_small(path: Path, *, pixel: tuple[int, int, int] = (200, 200, 200)) -> None:
    """A 64×48 PNG with no transparency; ``pixel`` is the colour of its top-left pixel."""
    image = Image.new("RGB", (64, 48), (90, 140, 200))
    image.putpixel((0, 0), pixel)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("photos")
    write_gps_photo(root / GPS_PHOTO)
    write_alpha_photo(root / ALPHA_PHOTO)
    return root


@pytest.fixture(scope="module")
def gps_picture(project: Path) -> Picture:
    return Photos(project, cache=None).picture(GPS_PHOTO, "The waiting room", "Our waiting room")


@pytest.fixture(scope="module")
def alpha_picture(project: Path) -> Picture:
    return Photos(project, cache=None).picture(ALPHA_PHOTO, "The clinic's sign")


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def widths(picture: Picture, kind: str) -> list[int]:
    return sorted(v.width for v in picture.variants if v.type == kind)


# --- widths and formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (4000, (480, 800, 1200, 1600)),
        (1600, (480, 800, 1200, 1600)),
        (1500, (480, 800, 1200, 1500)),
        (1000, (480, 800, 1000)),
        (800, (480, 800)),
        (300, (300,)),
    ],
)
def test_photos_are_made_at_the_steps_up_to_their_own_width(
    width: int, expected: tuple[int, ...]
) -> None:
    assert variant_widths(width) == expected
    assert max(variant_widths(width)) <= width


def test_a_photo_comes_as_webp_and_jpeg_at_every_width_it_has(gps_picture: Picture) -> None:
    # Upright the photo is 1500 wide: no 1600 (never upscaled), and 1500 itself.
    assert widths(gps_picture, "image/webp") == [480, 800, 1200, 1500]
    assert widths(gps_picture, "image/jpeg") == [480, 800, 1200, 1500]
    assert {v.type for v in gps_picture.variants} == {"image/webp", "image/jpeg"}
    for variant in gps_picture.variants:
        image = opened(variant.data)
        assert image.format == {"image/webp": "WEBP", "image/jpeg": "JPEG"}[variant.type]
        assert image.size == (variant.width, variant.height)
        assert image.mode == "RGB"


def test_the_camera_orientation_is_applied(gps_picture: Picture) -> None:
    """Stored 2000×1500 with red on top; turned 90° clockwise, red is on the right."""
    largest = gps_picture.largest
    assert (largest.width, largest.height) == (1500, 2000)
    image = opened(largest.data).convert("RGB")
    left, right = image.getpixel((100, 1000)), image.getpixel((1400, 1000))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[2] > 200 and left[0] < 60  # blue
    assert right[0] > 200 and right[2] < 60  # red
    for variant in gps_picture.variants:
        assert variant.height == round(2000 * variant.width / 1500)


def test_no_metadata_survives_least_of_all_the_gps_position(
    project: Path, gps_picture: Picture
) -> None:
    with Image.open(project / GPS_PHOTO) as source:
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it says where it was taken
        assert "xmp" in source.info and "icc_profile" in source.info
    for variant in gps_picture.variants:
        image = opened(variant.data)
        assert len(image.getexif()) == 0, variant.path
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile"} & set(image.info), (
            variant.path
        )
        assert b"Exif\x00\x00" not in variant.data
        assert b"adobe:ns:meta" not in variant.data
        assert b"33,7.2N" not in variant.data


def test_a_webp_photo_loses_its_metadata_too(tmp_path: Path) -> None:
    image = Image.new("RGB", (640, 480), (10, 200, 30))
    (tmp_path / "photos").mkdir()
    image.save(tmp_path / "photos" / "door.webp", "WEBP", exif=_gps_exif(), xmp=XMP)
    picture = Photos(tmp_path, cache=None).picture("photos/door.webp", "The door")
    assert widths(picture, "image/jpeg") == [480]  # orientation 6: upright, 480 by 640
    assert (picture.width, picture.height) == (480, 640)
    for variant in picture.variants:
        found = opened(variant.data)
        assert len(found.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile"} & set(found.info)


def test_a_photo_with_transparency_keeps_it_in_webp_and_png(alpha_picture: Picture) -> None:
    assert widths(alpha_picture, "image/webp") == [300]  # smaller than every step: itself
    assert widths(alpha_picture, "image/png") == [300]
    assert not [v for v in alpha_picture.variants if v.type == "image/jpeg"]
    for variant in alpha_picture.variants:
        image = opened(variant.data)
        assert image.mode == "RGBA", variant.type
        assert image.size == (300, 200)
        assert image.getpixel((2, 2)) == (0, 0, 0, 0) or image.getchannel("A").getpixel((2, 2)) == 0
        assert image.getchannel("A").getpixel((150, 100)) == 255
    assert alpha_picture.src.endswith("-300.png")


def test_a_png_whose_pixels_are_all_opaque_falls_back_to_jpeg(tmp_path: Path) -> None:
    image = Image.new("RGBA", (500, 400), (250, 240, 200, 255))
    (tmp_path / "photos").mkdir()
    image.save(tmp_path / "photos" / "opaque.png")
    picture = Photos(tmp_path, cache=None).picture("photos/opaque.png", "A wall")
    assert {v.type for v in picture.variants} == {"image/webp", "image/jpeg"}
    assert opened(picture.largest.data).mode == "RGB"


# --- names, URLs and files ------------------------------------------------------------------------


def test_names_follow_the_content(tmp_path: Path) -> None:
    write_small(tmp_path / "a" / "Front Desk.png")
    write_small(tmp_path / "b" / "Front Desk.png")
    write_small(tmp_path / "c" / "Front Desk.png", pixel=(201, 200, 200))  # one pixel differs
    photos = Photos(tmp_path, cache=None)
    first, same, changed = (photos.picture(f"{d}/Front Desk.png", "Desk") for d in "abc")
    names = [v.path for v in first.variants]
    assert names == [v.path for v in same.variants]
    assert not set(names) & {v.path for v in changed.variants}
    for name in names:
        match = NAME.match(name)
        assert match, name
        assert match["stem"] == "front-desk"
        assert match["width"] == "64"
    assert len({NAME.match(n)["hash"] for n in names}) == 1  # type: ignore[index]


def test_urls_start_with_the_path_of_the_base_url(project: Path) -> None:
    picture = Photos(project, "/directory/", cache=None).picture(ALPHA_PHOTO, "Sign")
    urls = [picture.src, *picture.srcset.split(", "), *picture.sources[0].srcset.split(", ")]
    assert all(u.startswith("/directory/assets/photos/") for u in urls), urls
    assert picture.srcset == f"{picture.src} 300w"


def test_srcset_lists_every_width_once_in_order(gps_picture: Picture) -> None:
    (source,) = gps_picture.sources
    assert source.type == "image/webp"
    assert [int(p.split()[1][:-1]) for p in source.srcset.split(", ")] == [480, 800, 1200, 1500]
    assert [int(p.split()[1][:-1]) for p in gps_picture.srcset.split(", ")] == [
        480,
        800,
        1200,
        1500,
    ]
    assert gps_picture.src.endswith("-800.jpg")
    assert (gps_picture.width, gps_picture.height) == (800, 1067)
    # Shown 800 CSS pixels wide at most: the 1500 variant is for screens of 2 pixels per one.
    assert gps_picture.sizes == "(min-width: 832px) 800px, calc(100vw - 2rem)"


def test_a_small_photo_is_shown_at_its_own_width(alpha_picture: Picture) -> None:
    assert (alpha_picture.width, alpha_picture.height) == (300, 200)
    assert alpha_picture.sizes == "(min-width: 332px) 300px, calc(100vw - 2rem)"


def test_photo_files_hold_every_variant_once(gps_picture: Picture, alpha_picture: Picture) -> None:
    files = photo_files([gps_picture, alpha_picture, gps_picture])
    assert sorted(files) == sorted(v.path for p in (gps_picture, alpha_picture) for v in p.variants)
    assert len(files) == 8 + 2
    assert all(files[v.path] == v.data for v in gps_picture.variants)


# --- the cache ------------------------------------------------------------------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the encoder is called for."""
    calls: list[str] = []
    encode = images.encode_photo

    def counting(data: bytes, file: str) -> tuple[images._Encoded, ...]:
        calls.append(file)
        return encode(data, file)

    monkeypatch.setattr(images, "encode_photo", counting)
    return calls


def test_a_rebuild_with_the_same_photos_encodes_nothing(tmp_path: Path, counted: list[str]) -> None:
    write_alpha_photo(tmp_path / ALPHA_PHOTO)
    write_small(tmp_path / "photos" / "desk.png")
    first = Photos(tmp_path)
    made = first.pictures([_Photo(ALPHA_PHOTO), _Photo("photos/desk.png"), _Photo(ALPHA_PHOTO)])
    assert counted == [ALPHA_PHOTO, "photos/desk.png"]  # a photo used twice: encoded once
    assert (first.encoded, first.reused) == (2, 0)
    assert len(list((tmp_path / CACHE_DIR).iterdir())) == 2

    counted.clear()
    second = Photos(tmp_path)
    again = second.pictures([_Photo(ALPHA_PHOTO), _Photo("photos/desk.png")])
    assert counted == []
    assert (second.encoded, second.reused) == (0, 2)
    assert photo_files(again) == photo_files(made)


def test_a_changed_photo_or_a_damaged_cache_is_encoded_again(
    tmp_path: Path, counted: list[str]
) -> None:
    write_small(tmp_path / "photos" / "desk.png")
    before = Photos(tmp_path).picture("photos/desk.png", "Desk")
    write_small(tmp_path / "photos" / "desk.png", pixel=(0, 0, 0))
    after = Photos(tmp_path).picture("photos/desk.png", "Desk")
    assert len(counted) == 2
    assert before.src != after.src
    for entry in (tmp_path / CACHE_DIR).iterdir():
        (entry / "64.webp").write_bytes(b"not what was cached")
    again = Photos(tmp_path)
    assert again.picture("photos/desk.png", "Desk").src == after.src
    assert (again.encoded, len(counted)) == (1, 3)


def test_the_cache_is_in_the_project_folder_that_kdirectory_keeps_for_itself() -> None:
    assert CACHE_DIR.parts[0] == ".kdirectory"


# --- the partial ----------------------------------------------------------------------------------


def render_pictures(*pictures: Picture) -> lxml_html.HtmlElement:
    env = make_environment()
    template = env.from_string(
        '{% for picture in pictures %}{% include "partials/picture.html" %}{% endfor %}'
    )
    return lxml_html.fragment_fromstring(template.render(pictures=pictures), create_parent="div")


def test_the_partial_shows_a_picture_with_its_size_alt_and_sources(
    project: Path,
) -> None:
    photos = Photos(project, cache=None)
    first, second = photos.pictures(
        [
            _Photo(GPS_PHOTO, 'The "quiet" room <2nd floor>', "Our waiting room & desk"),
            _Photo(ALPHA_PHOTO, "The clinic's sign"),
        ]
    )
    root = render_pictures(first, second)
    figures = root.findall("figure")
    assert len(figures) == 2
    for figure, picture in zip(figures, (first, second), strict=True):
        # libxml2 parses HTML 4, where <source> is not empty: read what is inside <picture>.
        sources = figure.findall(".//source")
        assert [(s.get("type"), s.get("srcset"), s.get("sizes")) for s in sources] == [
            ("image/webp", picture.sources[0].srcset, picture.sizes)
        ]
        img = figure.find(".//img")
        assert img is not None
        assert img.get("src") == picture.src
        assert img.get("srcset") == picture.srcset
        assert img.get("sizes") == picture.sizes
        assert img.get("width") == str(picture.width)
        assert img.get("height") == str(picture.height)
        assert img.get("alt") == picture.alt
    eager, lazy = (figure.find(".//img") for figure in figures)
    assert eager is not None and lazy is not None
    assert (eager.get("loading"), eager.get("fetchpriority")) == ("eager", "high")
    assert (lazy.get("loading"), lazy.get("decoding"), lazy.get("fetchpriority")) == (
        "lazy",
        "async",
        None,
    )
    assert eager.get("alt") == 'The "quiet" room <2nd floor>'
    captions = [figure.findtext("figcaption") for figure in figures]
    assert captions == ["Our waiting room & desk", None]


# --- errors ---------------------------------------------------------------------------------------


def test_a_truncated_photo_is_an_error_naming_it(tmp_path: Path) -> None:
    write_gps_photo(tmp_path / "full.jpg")
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cut.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(BuildError, match=r'photo "photos/cut\.jpg" cannot be read as an image'):
        Photos(tmp_path).picture("photos/cut.jpg", "Cut")
    assert not (tmp_path / CACHE_DIR).exists()


def test_a_truncated_png_is_an_error_naming_it(tmp_path: Path) -> None:
    write_alpha_photo(tmp_path / "whole.png")
    data = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(BuildError, match=r'photo "cut\.png" cannot be read'):
        Photos(tmp_path).picture("cut.png", "Cut")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!doctype html><title>Not a photo</title>", "cannot be read as an image"),
        (b"", "cannot be read as an image"),
        (None, "cannot be read .*exists"),
    ],
    ids=["a web page", "empty", "missing"],
)
def test_a_file_that_is_no_image_is_an_error_naming_it(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "front.jpg").write_bytes(content)
    with pytest.raises(BuildError, match=rf'photo "front\.jpg" {message}'):
        Photos(tmp_path).picture("front.jpg", "Front")


def test_a_photo_outside_the_project_is_refused(tmp_path: Path) -> None:
    write_small(tmp_path / "elsewhere.png")
    (tmp_path / "project").mkdir()
    with pytest.raises(BuildError, match=r'photo "\.\./elsewhere\.png" is not inside the project'):
        Photos(tmp_path / "project").picture("../elsewhere.png", "Elsewhere")


@pytest.fixture
def low_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A pixel limit of 10,000, so that small images stand in for decompression bombs."""
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 10_000)
    before = Image.MAX_IMAGE_PIXELS
    yield 10_000
    assert before == Image.MAX_IMAGE_PIXELS  # Pillow's own limit is given back


@pytest.mark.parametrize(
    "size",
    [(150, 100), (300, 200)],
    ids=["over the limit (Pillow warns)", "over twice the limit (Pillow refuses)"],
)
def test_a_photo_over_the_pixel_limit_is_an_error_naming_it(
    tmp_path: Path, low_pixel_limit: int, size: tuple[int, int]
) -> None:
    Image.new("RGB", size, (1, 2, 3)).save(tmp_path / "huge.jpg")
    with pytest.raises(BuildError, match=r'photo "huge\.jpg" has more than 10,000 pixels'):
        Photos(tmp_path).picture("huge.jpg", "Huge")


def test_a_photo_at_the_pixel_limit_is_fine(tmp_path: Path, low_pixel_limit: int) -> None:
    Image.new("RGB", (100, 100), (1, 2, 3)).save(tmp_path / "edge.jpg")
    assert Photos(tmp_path).picture("edge.jpg", "Edge").width == 100


def test_the_pixel_limit_is_set_explicitly() -> None:
    assert images.MAX_IMAGE_PIXELS == 50_000_000
    assert WIDTHS[-1] * WIDTHS[-1] < images.MAX_IMAGE_PIXELS


# --- a clinic's page -------------------------------------------------------------------------------

PHOTOS = """\
photos:
  - file: photos/waiting-room.jpg
    alt: The waiting room, with armchairs by a window
    caption: Our waiting room
  - file: photos/sign.png
    alt: The clinic's sign at the entrance
"""


def _site_file(out: Path, url: str) -> Path:
    assert url.startswith("/assets/photos/"), url
    return out / url.lstrip("/")


def test_a_clinic_with_photos_shows_them_and_the_site_passes_the_check(
    make_project: ProjectFactory, tmp_path: Path, counted: list[str]
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD + PHOTOS}, demo=True)
    write_gps_photo(root / GPS_PHOTO)
    write_alpha_photo(root / ALPHA_PHOTO)
    out = tmp_path / "site"
    result = build(root, out)  # the build runs `kdirectory check` on the staged site
    assert result.check is not None and result.check.ok()
    assert check_site(out).ok()
    assert counted == [GPS_PHOTO, ALPHA_PHOTO]

    (harbor,) = [
        c for c in load_directory(root).clinics if c.name == GOOD_RECORD.split("\n")[0][6:]
    ]
    page = lxml_html.parse(str(out / "clinics" / str(harbor.slug) / "index.html")).getroot()
    pictures = page.findall(".//main//picture")
    assert len(pictures) == 2
    first, second = (p.find(".//img") for p in pictures)
    assert first is not None and second is not None
    assert (first.get("loading"), first.get("fetchpriority")) == ("eager", "high")
    assert (second.get("loading"), second.get("decoding")) == ("lazy", "async")
    assert first.get("alt") == "The waiting room, with armchairs by a window"
    assert [f.findtext("figcaption") for f in page.findall(".//main//figure")] == [
        "Our waiting room",
        None,
    ]
    urls = [first.get("src") or "", second.get("src") or ""]
    for element in page.findall(".//main//picture//*"):
        urls += [part.split()[0] for part in (element.get("srcset") or "").split(", ") if part]
    assert len(set(urls)) == 2 * 4 + 2  # every variant of both photos, each file once
    for url in urls:
        found = _site_file(out, url)
        assert found.is_file(), url
        assert b"Exif" not in found.read_bytes()
    assert len(list((out / "assets" / "photos").iterdir())) == 10

    (clinic,) = [
        node
        for script in page.findall(".//script[@type='application/ld+json']")
        for node in json.loads(script.text or "")["@graph"]
        if node.get("@type") == "MedicalClinic"
    ]
    base = load_directory(root).config.site.base_url
    widest = [next(u for u in urls if u.endswith(end)) for end in ("-1500.jpg", "-300.png")]
    assert clinic["image"] == [base + url for url in widest]  # in the order of the record

    counted.clear()
    again = build(root, out)
    assert counted == []  # unchanged photos: nothing encoded
    assert again.written == 0


def test_a_broken_photo_stops_the_build_naming_it(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project({"harbor.yaml": GOOD_RECORD + PHOTOS}, demo=True)
    write_gps_photo(root / "whole.jpg")
    (root / "photos").mkdir()
    (root / GPS_PHOTO).write_bytes((root / "whole.jpg").read_bytes()[:5000])
    write_alpha_photo(root / ALPHA_PHOTO)
    with pytest.raises(BuildError, match=r'photo "photos/waiting-room\.jpg" cannot be read'):
        build(root, tmp_path / "site")
    assert not (tmp_path / "site" / "index.html").exists()


class _Photo:
    """A record's photo, as the pipeline reads it."""

    def __init__(self, file: str, alt: str = "A photo", caption: str | None = None) -> None:
        self.file = file
        self.alt = alt
        self.caption = caption

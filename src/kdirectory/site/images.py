"""Clinic photos as responsive images: resized, re-encoded, stripped of metadata, cached.

A photo a record names (a JPEG, PNG or WebP file of the project) becomes a few *variants*:
the same picture at several widths (:data:`WIDTHS`, never wider than the photo itself), each
as WebP and as a fallback every browser shows (JPEG, or PNG when the photo has transparent
parts). The camera's orientation is applied first, colours are converted to sRGB, and then
nothing of the original file's metadata is kept: no EXIF (where a phone writes the GPS
position the photo was taken at), no XMP, no colour profile.

Each variant is named by the photo's content and the settings it was made with
(``assets/photos/<name>-<hash>-<width>.<ext>``), so a web server may let browsers cache it
forever: a changed photo gets a new name. Encoding is slow, so the variants are also kept in
the project (:data:`CACHE_DIR`) by the same key: a build whose photos did not change
encodes nothing.

Templates get a :class:`Picture` (``partials/picture.html`` shows one); the build writes
:func:`photo_files` with the rest of the site. Pillow is imported when a photo is first
encoded, so commands that build nothing do not load it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import struct
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kdirectory._atomic import atomic_write_bytes
from kdirectory.exceptions import BuildError
from kdirectory.record.photos import MAX_PHOTO_PIXELS
from kdirectory.record.slugs import slugify

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "CACHE_DIR",
    "MAX_IMAGE_PIXELS",
    "OUTPUT_DIR",
    "WIDTHS",
    "Photo",
    "Photos",
    "Picture",
    "Source",
    "Variant",
    "photo_files",
]

WIDTHS = (480, 800, 1200, 1600)
"""The widths, in pixels, each photo is made at: a phone (one or two pixels per CSS pixel),
a tablet, and the widest a photo is shown (800 CSS pixels) on a screen of two pixels each.
A width above the photo's own is left out; the photo's own width is added when it is below
the widest step, so the sharpest variant is the photo itself."""
FALLBACK_WIDTH = 800
"""The width of an ``<img>``'s ``src`` variant, whose ``width`` and ``height`` the page
gives the image: a photo is shown at most 800 CSS pixels wide (narrower on a narrower
screen), and the 1600-pixel variant serves it on screens of two pixels per CSS pixel."""
WEBP_OPTIONS: dict[str, Any] = {"quality": 80, "method": 6}
"""WebP at quality 80 looks like the JPEG at well under its size; method 6 is the slowest
and smallest (about 15% slower than the default 4), affordable because each photo is
encoded once (the cache)."""
JPEG_OPTIONS: dict[str, Any] = {
    "quality": 82,
    "optimize": True,
    "progressive": True,
    "subsampling": "4:2:0",
}
"""JPEG at quality 82 with optimised Huffman tables, progressive (a blurred whole first);
chroma subsampled as in almost every photo on the web."""
PNG_OPTIONS: dict[str, Any] = {"optimize": True}
"""Lossless, for photos with transparent parts, which JPEG cannot hold."""
SETTINGS_VERSION = 1
"""Raise it when the pipeline changes how it draws pixels (resampling, colour), so that
cached variants and published names made the old way are replaced."""
MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS
"""The most pixels a photo may have, the limit `validate` checks (50 megapixels); a file
that claims more (a decompression bomb: a few kilobytes that unpack to gigabytes) stops the
build before it is decoded (one of 50 megapixels takes about 150 MB to decode). Pillow's
own limit is set to this number while a photo is read."""
CACHE_DIR = Path(".kdirectory") / "images"
"""Where encoded variants are kept, relative to the project (beside the geocoding cache):
one folder per photo and settings (``<key>/``), which may be deleted at any time."""
OUTPUT_DIR = "assets/photos"
"""Where the variants are written in the site."""

_PIPELINE = {
    "version": SETTINGS_VERSION,
    "widths": WIDTHS,
    "webp": WEBP_OPTIONS,
    "jpeg": JPEG_OPTIONS,
    "png": PNG_OPTIONS,
    "colour": "sRGB",
}
_SETTINGS_KEY = json.dumps(_PIPELINE, sort_keys=True).encode("utf-8")
_INDEX = "variants.json"
_SUFFIX = {"image/webp": "webp", "image/jpeg": "jpg", "image/png": "png"}
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)
"""What Pillow raises for a file it cannot decode (truncated, corrupt, not an image)."""


class Photo(Protocol):
    """A photo as a record lists it."""

    @property
    def file(self) -> str:
        """The image file, relative to the project folder."""

    @property
    def alt(self) -> str:
        """What the photo shows, for readers who cannot see it."""

    @property
    def caption(self) -> str | None:
        """Text shown under the photo."""


@dataclass(frozen=True)
class Variant:
    """One encoded file of a photo: one width, one format."""

    path: str
    """Where it is written in the site: ``assets/photos/<name>-<hash>-<width>.<ext>``."""
    url: str
    """Its URL path on the site (with the path of ``base_url`` in front)."""
    type: str
    """Its media type: ``image/webp``, ``image/jpeg`` or ``image/png``."""
    width: int
    height: int
    data: bytes = field(repr=False, compare=False)


@dataclass(frozen=True)
class Source:
    """A ``<source>`` of a ``<picture>``: a format and its variants."""

    type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    """A photo as a template shows it (``partials/picture.html``)."""

    sources: tuple[Source, ...]
    """The WebP variants, for browsers that take them (all current ones)."""
    src: str
    """The fallback variant nearest :data:`FALLBACK_WIDTH` wide, for ``<img src>``."""
    srcset: str
    """Every fallback (JPEG or PNG) variant, for ``<img srcset>``."""
    sizes: str
    """How wide the photo is shown, for the browser to choose a variant before it lays the
    page out: ``width`` CSS pixels, or the screen less the page's margins when narrower."""
    width: int
    """The intrinsic width of ``src``; with ``height``, the photo's shape, so the page does
    not move when it loads."""
    height: int
    alt: str
    caption: str | None
    eager: bool
    """The first photo of a page: loaded at once, with high priority; the others load
    lazily, when the reader scrolls near them."""
    variants: tuple[Variant, ...] = field(repr=False)
    """Every file of the photo, for :func:`photo_files`."""

    @property
    def largest(self) -> Variant:
        """The widest fallback (JPEG or PNG) variant, for the JSON-LD ``image``."""
        return max((v for v in self.variants if v.type != "image/webp"), key=lambda v: v.width)


@dataclass(frozen=True)
class _Encoded:
    """A variant's bytes before it is named."""

    type: str
    width: int
    height: int
    data: bytes


def variant_widths(width: int) -> tuple[int, ...]:
    """The widths a photo ``width`` pixels wide is made at: the steps of :data:`WIDTHS` up
    to its width, and its own width when it is narrower than the widest step."""
    steps = [step for step in WIDTHS if step <= width]
    if width < WIDTHS[-1] and width not in steps:
        steps.append(width)
    return tuple(steps)


def photo_key(data: bytes) -> str:
    """The key of a photo's variants: the SHA-256 of the pipeline's settings and the
    photo's bytes, as hex. It names the cache folder, and its start names the files."""
    return hashlib.sha256(_SETTINGS_KEY + b"\n" + data).hexdigest()


class Photos:
    """Makes a build's pictures, and remembers them for :func:`photo_files`.

    ``root`` is the project folder, which photo paths start from and which holds the cache
    (:data:`CACHE_DIR`; ``cache=None`` keeps none). ``url_prefix`` is the path of the site's
    ``base_url`` (``""`` or ``/directory``), put in front of every URL. A photo named by
    several records is read and encoded once per build.
    """

    def __init__(
        self,
        root: Path,
        url_prefix: str = "",
        *,
        cache: Path | None = CACHE_DIR,
    ) -> None:
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")
        self.cache = None if cache is None else root / cache
        self.made: list[Picture] = []
        """Every picture made, in order."""
        self.encoded = 0
        """Photos encoded by this build (not found in the cache)."""
        self.reused = 0
        """Photos whose variants came from the cache."""
        self._done: dict[str, tuple[str, tuple[_Encoded, ...]]] = {}

    def pictures(self, photos: Iterable[Photo]) -> tuple[Picture, ...]:
        """The pictures of one page, in order: the first eager, the others lazy."""
        return tuple(
            self.picture(photo.file, photo.alt, photo.caption, eager=number == 0)
            for number, photo in enumerate(photos)
        )

    def picture(
        self, file: str, alt: str, caption: str | None = None, *, eager: bool = False
    ) -> Picture:
        """The picture of the photo ``file`` (a path relative to the project folder).

        Raises:
            BuildError: the file cannot be read, is not an image Pillow can decode (a
                truncated or corrupt file), has more than :data:`MAX_IMAGE_PIXELS` pixels,
                or has a colour profile that cannot be applied; the message names the file.
        """
        key, encoded = self._variants(file)
        variants = tuple(self._named(file, key, e) for e in encoded)
        picture = _picture(variants, alt, caption, eager=eager)
        self.made.append(picture)
        return picture

    def _variants(self, file: str) -> tuple[str, tuple[_Encoded, ...]]:
        if file in self._done:
            return self._done[file]
        data = _read_source(self.root, file)
        key = photo_key(data)
        found = self._from_cache(key)
        if found is None:
            found = encode_photo(data, file)
            self.encoded += 1
            self._to_cache(key, found)
        else:
            self.reused += 1
        self._done[file] = (key, found)
        return key, found

    def _named(self, file: str, key: str, encoded: _Encoded) -> Variant:
        stem = slugify(Path(file).stem, fallback="photo")
        path = f"{OUTPUT_DIR}/{stem}-{key[:8]}-{encoded.width}.{_SUFFIX[encoded.type]}"
        return Variant(
            path=path,
            url=f"{self.url_prefix}/{path}",
            type=encoded.type,
            width=encoded.width,
            height=encoded.height,
            data=encoded.data,
        )

    def _from_cache(self, key: str) -> tuple[_Encoded, ...] | None:
        """The variants cached under ``key``, or None when there are none or they do not
        match their index (a half-written or damaged entry is encoded again)."""
        if self.cache is None:
            return None
        folder = self.cache / key
        try:
            index = json.loads((folder / _INDEX).read_text(encoding="utf-8"))
            found = []
            for entry in index["variants"]:
                data = (folder / str(entry["file"])).read_bytes()
                if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                    return None
                kind, width, height = str(entry["type"]), int(entry["width"]), int(entry["height"])
                if kind not in _SUFFIX:
                    return None
                found.append(_Encoded(kind, width, height, data))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return tuple(found) or None

    def _to_cache(self, key: str, encoded: tuple[_Encoded, ...]) -> None:
        """Keep ``encoded`` under ``key``: the files first, the index last, so an entry
        whose index can be read is whole. A cache that cannot be written is skipped: the
        build goes on, and encodes the photo again next time."""
        if self.cache is None:
            return
        folder = self.cache / key
        entries = []
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            for item in encoded:
                name = f"{item.width}.{_SUFFIX[item.type]}"
                atomic_write_bytes(folder / name, item.data)
                entries.append(
                    {
                        "file": name,
                        "type": item.type,
                        "width": item.width,
                        "height": item.height,
                        "sha256": hashlib.sha256(item.data).hexdigest(),
                    }
                )
            index = json.dumps({"variants": entries}, indent=1) + "\n"
            atomic_write_bytes(folder / _INDEX, index.encode("utf-8"))


def photo_files(pictures: Iterable[Picture]) -> dict[str, bytes]:
    """Every variant of ``pictures``, as the build writes them: ``{path in the site: bytes}``.

    Raises:
        BuildError: two different photos would be written to one path (their names and the
            start of their hashes are the same).
    """
    files: dict[str, bytes] = {}
    for picture in pictures:
        for variant in picture.variants:
            known = files.setdefault(variant.path, variant.data)
            if known != variant.data:
                raise BuildError(
                    f"two different photos would be written to {variant.path}; "
                    "rename one of the files"
                )
    return files


def _picture(
    variants: tuple[Variant, ...], alt: str, caption: str | None, *, eager: bool
) -> Picture:
    webp = [v for v in variants if v.type == "image/webp"]
    fallback = sorted((v for v in variants if v.type != "image/webp"), key=lambda v: v.width)
    src = next((v for v in fallback if v.width >= FALLBACK_WIDTH), fallback[-1])
    return Picture(
        sources=(Source("image/webp", _srcset(webp)),),
        src=src.url,
        srcset=_srcset(fallback),
        sizes=f"(min-width: {src.width + 32}px) {src.width}px, calc(100vw - 2rem)",
        width=src.width,
        height=src.height,
        alt=alt,
        caption=caption or None,
        eager=eager,
        variants=variants,
    )


def _srcset(variants: Iterable[Variant]) -> str:
    return ", ".join(f"{v.url} {v.width}w" for v in sorted(variants, key=lambda v: v.width))


def _read_source(root: Path, file: str) -> bytes:
    """The bytes of the photo ``file``, a path inside the project folder ``root`` (records
    are validated before a build; this refuses a path that leads out all the same)."""
    base = root.resolve()
    try:
        path = (base / file).resolve()
        if not path.is_relative_to(base):
            raise BuildError(
                f'photo "{file}" is not inside the project folder; copy it into the project '
                "and give its path from there"
            )
        return path.read_bytes()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop before Python 3.13
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BuildError(
            f'photo "{file}" cannot be read ({reason}); check that it exists in the project '
            "and is readable"
        ) from None


# --- encoding -------------------------------------------------------------------------------------


def encode_photo(data: bytes, file: str) -> tuple[_Encoded, ...]:
    """Every variant of the photo whose file (``file``, named in errors) holds ``data``:
    oriented, in sRGB, without metadata, at :func:`variant_widths`, as WebP and as JPEG
    (PNG when it has transparent parts), widest first.

    Raises:
        BuildError: as :meth:`Photos.picture`.
    """
    from PIL import Image  # noqa: PLC0415 - Pillow is loaded only when a photo is encoded

    base = _prepared(_decoded(data, file), file)
    alpha = base.mode == "RGBA"
    fallback = "image/png" if alpha else "image/jpeg"
    out: list[_Encoded] = []
    for width in sorted(variant_widths(base.width), reverse=True):
        height = max(1, round(base.height * width / base.width))
        sized = base
        if width != base.width:
            sized = base.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        sized.info.clear()
        for kind in ("image/webp", fallback):
            out.append(_Encoded(kind, width, height, _encode(sized, kind)))
    return tuple(out)


@contextlib.contextmanager
def _pixel_limit(file: str) -> Iterator[None]:
    """Pillow's decompression-bomb limit set to :data:`MAX_IMAGE_PIXELS`, and its warning
    (above the limit; Pillow raises only above twice it) made an error naming ``file``."""
    from PIL import Image  # noqa: PLC0415

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise BuildError(
            f'photo "{file}" has more than {MAX_IMAGE_PIXELS:,} pixels, the most a photo may '
            "have; export a smaller version (2,000 pixels wide is plenty for a page)"
        ) from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _decoded(data: bytes, file: str) -> Image.Image:
    """The image in ``data``, decoded whole (a truncated file fails here, not later)."""
    from PIL import Image  # noqa: PLC0415

    with _pixel_limit(file):
        try:
            image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
            image.load()
        except Image.DecompressionBombError:
            raise
        except _READ_ERRORS as exc:
            raise BuildError(
                f'photo "{file}" cannot be read as an image ({_reason(exc)}): the file is '
                "damaged, cut short or not a JPEG, PNG or WebP image; open it in an image "
                "editor and export it again"
            ) from None
    return image


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{text[:120]}" if text else type(exc).__name__


def _prepared(image: Image.Image, file: str) -> Image.Image:
    """``image`` turned upright (its EXIF orientation), in sRGB, as RGB or RGBA (RGBA only
    when some pixel is not fully opaque), with no metadata left in ``info``."""
    from PIL import ImageOps  # noqa: PLC0415

    try:
        upright = ImageOps.exif_transpose(image)
    except _READ_ERRORS as exc:  # a damaged EXIF block
        raise BuildError(
            f'photo "{file}" has EXIF data that cannot be read ({_reason(exc)}); open it in '
            "an image editor and export it again"
        ) from None
    if upright.mode.startswith("I"):  # 16-bit grey (PNG): to 8 bits, not clipped to white
        upright = upright.convert("I").point(lambda value: value / 256).convert("L")
    profile = image.info.get("icc_profile")
    alpha = _alpha_of(upright)
    rgb = _to_srgb(upright, profile, file) if profile else upright.convert("RGB")
    if alpha is not None:
        rgb.putalpha(alpha)
    rgb.info.clear()
    return rgb


def _alpha_of(image: Image.Image) -> Image.Image | None:
    """The alpha channel of ``image`` when some pixel is not fully opaque, else None."""
    has_alpha = image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or ("transparency" in image.info)
    if not has_alpha:
        return None
    alpha = image.convert("RGBA").getchannel("A")
    low, _ = alpha.getextrema()
    return alpha if isinstance(low, int) and low < 255 else None


def _to_srgb(image: Image.Image, profile: bytes, file: str) -> Image.Image:
    """``image`` converted from the colour profile it carries to sRGB, as RGB."""
    from PIL import ImageCms  # noqa: PLC0415

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        space = source.profile.xcolor_space.strip()
    except (OSError, ValueError, TypeError, ImageCms.PyCMSError) as exc:
        raise BuildError(
            f'photo "{file}" has a colour profile that cannot be read ({_reason(exc)}); '
            "export it again in sRGB"
        ) from None
    mode = {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}.get(space)
    if mode is None:
        raise BuildError(
            f'photo "{file}" has a colour profile for {space or "unknown"} colours; '
            "export it again in sRGB"
        )
    try:
        converted = ImageCms.profileToProfile(
            image.convert(mode),
            source,
            ImageCms.createProfile("sRGB"),
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGB",
        )
    except (OSError, ValueError, ImageCms.PyCMSError) as exc:
        raise BuildError(
            f'photo "{file}": its colour profile cannot be applied ({_reason(exc)}); '
            "export it again in sRGB"
        ) from None
    assert converted is not None  # not in place: a new image
    return converted


def _encode(image: Image.Image, kind: str) -> bytes:
    """``image`` (with nothing in ``info``) encoded as ``kind``, without metadata."""
    buffer = io.BytesIO()
    if kind == "image/webp":
        image.save(buffer, "WEBP", **WEBP_OPTIONS)
    elif kind == "image/jpeg":
        image.save(buffer, "JPEG", **JPEG_OPTIONS)
    else:
        image.save(buffer, "PNG", **PNG_OPTIONS)
    return buffer.getvalue()

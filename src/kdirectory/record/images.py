"""Image files a project names (a record's photos, the brand's logo): where they are, and
what kind of image they hold, by their content.

:func:`project_file` resolves a path written in a record or in ``kdirectory.toml`` inside
the project and refuses one that leads out of it (absolute, ``..``, a link that points
outside). :func:`image_kind` reads the first bytes of a file: a file named ``.jpg`` that
holds a web page is no photo, and a PNG named ``.jpg`` would be served with the wrong
type; a JPEG, PNG or WebP image is then opened with Pillow, as the site will open it, and
its data verified (a damaged or truncated file is refused).

No kdirectory import: ``record/config.py`` checks the logo with it.
"""

from __future__ import annotations

import re
import stat
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

ImageKind = Literal["jpeg", "png", "webp", "svg"]
KIND_NAMES: dict[ImageKind, str] = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "svg": "SVG"}
SUFFIXES: dict[str, ImageKind] = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".webp": "webp",
    ".svg": "svg",
}
"""The file name endings of each kind, which decide the type a web server sends."""
MAX_PATH = 500
"""Characters of a path written in a record or in ``kdirectory.toml``."""
_SNIFF_BYTES = 4096
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)
"""What Pillow raises for a file it cannot decode (truncated, corrupt, not an image)."""
_SVG_START = re.compile(
    rb"^(?:\s+|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]",
    re.DOTALL,
)


class ProjectFileError(ValueError):
    """A path that does not name a usable file of the project; ``rule`` says which check
    failed (``outside``, ``missing``, ``too_large``, ``not_image``) and ``fix`` how to fix it."""

    def __init__(
        self,
        rule: Literal["outside", "missing", "too_large", "not_image"],
        message: str,
        fix: str,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class ProjectImage:
    """An image file of the project: where it is, its kind and size."""

    path: Path
    kind: ImageKind
    size: int


def image_kind(head: bytes) -> ImageKind | None:
    """The kind of image whose file starts with ``head`` (a few kilobytes), or ``None``."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if _SVG_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return "svg"
    return None


def _shown(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")


def project_file(root: Path, written: str) -> Path:
    """The file ``written`` (a path relative to the project folder ``root``, with ``/``)
    names, resolved; it need not exist.

    Raises:
        ProjectFileError: (``outside``) the path is absolute, holds ``..``, or leads out
            of the project through a link.
    """
    fix = "copy the file into the project folder and give its path from there"
    if not written.strip():
        raise ProjectFileError("missing", "is empty", "give the file's path in the project")
    if (
        PurePosixPath(written).is_absolute()
        or PureWindowsPath(written).is_absolute()
        or PureWindowsPath(written).drive
        or written.startswith("~")
    ):
        raise ProjectFileError(
            "outside", f'"{_shown(written):.80}" is an absolute path, not one in the project', fix
        )
    if ".." in re.split(r"[/\\]", written):
        raise ProjectFileError(
            "outside", f'"{_shown(written):.80}" climbs out of the project with ".."', fix
        )
    base = root.resolve()
    try:
        path = (base / written).resolve()
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
        raise ProjectFileError(
            "missing", f'"{_shown(written):.80}" is a link that leads back to itself', fix
        ) from None
    if not path.is_relative_to(base):
        raise ProjectFileError(
            "outside",
            f'"{_shown(written):.80}" is a link that leads out of the project (to {path})',
            fix,
        )
    return path


def project_image(
    root: Path,
    written: str,
    kinds: tuple[ImageKind, ...],
    max_bytes: int,
    max_pixels: int | None = None,
) -> ProjectImage:
    """The image ``written`` (a path relative to the project folder ``root``) names, checked:
    in the project, a regular file, at most ``max_bytes``, one of ``kinds`` by its content
    and named with that kind's ending; a JPEG, PNG or WebP image also opens whole, with at
    most ``max_pixels`` pixels (Pillow's own limit when ``None``).

    Raises:
        ProjectFileError: what is wrong and how to fix it.
    """
    path = project_file(root, written)
    shown = _shown(written)
    wanted = ", ".join(KIND_NAMES[kind] for kind in kinds)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ProjectFileError(
            "missing",
            f'"{shown:.80}" does not exist in the project',
            "check the spelling and the folder; paths start at the project folder "
            "(where kdirectory.toml is)",
        ) from None
    except OSError as exc:
        raise ProjectFileError(
            "missing", f'"{shown:.80}" cannot be read ({exc.strerror})', "make it readable"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise ProjectFileError(
            "missing", f'"{shown:.80}" is not a file (a folder?)', "give the path of the image"
        )
    if info.st_size > max_bytes:
        raise ProjectFileError(
            "too_large",
            f'"{shown:.80}" is {info.st_size / 1_000_000:,.1f} MB; at most '
            f"{max_bytes / 1_000_000:,.0f} MB",
            "export a smaller version of the image",
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise ProjectFileError(
            "missing", f'"{shown:.80}" cannot be read ({exc.strerror})', "make it readable"
        ) from None
    kind = image_kind(head)
    if kind is None or kind not in kinds:
        what = "no image" if kind is None else f"a {KIND_NAMES[kind]} image"
        raise ProjectFileError(
            "not_image",
            f'"{shown:.80}" is {what} by its content; a {wanted} image is needed',
            f"export the image as {wanted}",
        )
    named = SUFFIXES.get(path.suffix.lower())
    if named != kind:
        endings = "/".join(s for s, k in SUFFIXES.items() if k == kind)
        raise ProjectFileError(
            "not_image",
            f'"{shown:.80}" holds a {KIND_NAMES[kind]} image but its name does not end in '
            f"{endings}, so a web server would send it as something else",
            f"rename it to end in {endings.split('/')[0]}",
        )
    if kind != "svg":
        _decode(path, kind, shown, max_pixels)
    return ProjectImage(path=path, kind=kind, size=info.st_size)


def _decode(path: Path, kind: ImageKind, shown: str, max_pixels: int | None) -> None:
    """Open the image with Pillow, as the site will to resize it, and verify its data.

    Raises:
        ProjectFileError: the image is damaged or truncated (``not_image``), or has more
            pixels than ``max_pixels`` or than Pillow opens safely (``too_large``).
    """
    from PIL import Image  # noqa: PLC0415 - only when an image is checked

    name = KIND_NAMES[kind]
    fix = "export a smaller version of the image"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[name.upper()]) as image:
                width, height = image.size
                if max_pixels is None or width * height <= max_pixels:
                    image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ProjectFileError(
            "too_large", f'"{shown:.80}" has more pixels than an image is safely opened with', fix
        ) from None
    except _READ_ERRORS as exc:
        reason = "Pillow does not recognise its data" if str(path) in str(exc) else str(exc)
        raise ProjectFileError(
            "not_image",
            f'"{shown:.80}" starts like a {name} image but cannot be read as one ({reason})',
            f"open it in an image editor and export it again as {name}",
        ) from None
    if max_pixels is not None and width * height > max_pixels:
        raise ProjectFileError(
            "too_large",
            f'"{shown:.80}" is {width:,} x {height:,} pixels ({width * height / 1e6:,.1f} '
            f"megapixels); at most {max_pixels / 1e6:,.0f} megapixels",
            fix,
        )

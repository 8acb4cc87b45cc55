"""A record's photos: each file in the project, a JPEG, PNG or WebP image of a sensible
size, and alternative text that describes the photo rather than naming its file.

The files are looked for in the project folder, so these rules run where the project is
known (:func:`kdirectory.record.validate.validate_records`), not on a record alone.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from kdirectory.record.images import ImageKind, ProjectFileError, project_image
from kdirectory.record.model import Clinic, Photo
from kdirectory.record.source import SourceRecord
from kdirectory.report import Problem

MAX_PHOTO_BYTES = 20_000_000
"""A photo straight from a camera is under this; the site makes the sizes pages show."""
MAX_PHOTO_PIXELS = 50_000_000
"""The most pixels a photo may have (50 megapixels: more than the largest phone cameras
take); the site refuses to decode more."""
PHOTO_KINDS: tuple[ImageKind, ...] = ("jpeg", "png", "webp")

_RULE_OF = {
    "outside": "photos.outside_project",
    "missing": "photos.missing",
    "too_large": "photos.too_large",
    "not_image": "photos.not_image",
}
_REDUNDANT_START = re.compile(
    r"^(?:an?\s+|the\s+)?(?:image|photo|photograph|picture|pic)\s+(?:of|showing)\b",
    re.IGNORECASE,
)


def check_photos(clinic: Clinic, source: SourceRecord, root: Path) -> list[Problem]:
    """Every problem of the photos of ``clinic`` (read from ``source``) in the project at
    ``root``: files that are missing, outside the project, too large or not images, and
    alternative text that does not describe the photo."""
    problems: list[Problem] = []
    for index, photo in enumerate(clinic.photos):
        problems += _file_problems(photo, index, source, root)
        problems += _alt_problems(photo, index, source)
    return problems


def _file_problems(photo: Photo, index: int, source: SourceRecord, root: Path) -> list[Problem]:
    try:
        project_image(root, photo.file, PHOTO_KINDS, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS)
    except ProjectFileError as error:
        return [
            source.problem(
                ("photos", index, "file"), error.message, error.fix, rule=_RULE_OF[error.rule]
            )
        ]
    return []


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _alt_problems(photo: Photo, index: int, source: SourceRecord) -> list[Problem]:
    name = PurePosixPath(photo.file.replace("\\", "/")).name
    alt = photo.alt
    loc = ("photos", index, "alt")
    example = 'e.g. "Reception area of the Escondido clinic"'
    if _words(alt) in {_words(name), _words(PurePosixPath(name).stem)}:
        return [
            source.problem(
                loc,
                f'"{alt:.80}" is the file\'s name, which says nothing to someone who cannot '
                "see the photo",
                f"say in one sentence what the photo shows, {example}",
                rule="photos.alt_file_name",
            )
        ]
    start = _REDUNDANT_START.match(alt)
    if start:
        return [
            source.problem(
                loc,
                f'starts with "{start.group(0)}": screen readers already say it is an image',
                f"start with what it shows, {example}",
                rule="photos.alt_redundant",
            )
        ]
    return []

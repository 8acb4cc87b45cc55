"""Tiny real image files (1x1 pixel) and a helper that writes them into a project, for the
tests of a brand's logo and a record's photos."""

from __future__ import annotations

import base64
from pathlib import Path

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPgDk0GAAEyAMReRPmqAAAAAElFTkSuQmCC"
)
WEBP = base64.b64decode(
    "UklGRjYAAABXRUJQVlA4ICoAAACQAQCdASoBAAEAAUAmJaACdLoAA5gA/vaVl8UApHDnf/lK/dl6SdzQAAA="
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00C\x00" + bytes(range(1, 65)) + b"\xff\xd9"
)
"""The start of a JPEG (SOI, JFIF, a quantisation table) and its end: what a sniffer reads."""
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- the brand -->\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" '
    b'height="10" fill="#0b5563"/></svg>\n'
)
HTML = b"<!doctype html><html><body>Not found</body></html>\n"


def put(root: Path, name: str, content: bytes) -> Path:
    """Write ``content`` to ``root/name`` (folders made), and return the path."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path

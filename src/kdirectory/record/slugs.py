"""URL slugs: lowercase ASCII words joined by hyphens, safe as one path segment."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG_LENGTH = 80
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SLUG_RE = re.compile(SLUG_PATTERN)


def slugify(text: str, *, fallback: str = "clinic") -> str:
    """Turn any text into a slug.

    The result is lowercase ASCII letters, digits and single hyphens, never empty, never
    longer than 80 characters, and ``slugify(slugify(x)) == slugify(x)``. It can never hold
    ``/`` or ``..`` nor start with ``-``, so it is safe to join onto an output path.
    """
    ascii_text = unicodedata.normalize("NFKD", text.replace("&", " and ")).encode("ascii", "ignore")
    slug = _NON_ALNUM.sub("-", ascii_text.decode("ascii").lower()).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        cut = slug[:MAX_SLUG_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or fallback


def is_slug(text: str) -> bool:
    """True when ``text`` already is a valid slug."""
    return len(text) <= MAX_SLUG_LENGTH and bool(_SLUG_RE.match(text))

"""The input of the Jinja floor (``floor_jinja.py``): a built site as templates and values.

Every HTML page of the site is cut into its layout and its own values:

- values Jinja escapes as it renders them: the ``lang`` of ``<html>``, the ``<title>`` and
  the ``content`` and ``href`` of every ``<meta>`` and ``<link>`` of the head;
- values inserted whole, already HTML: each JSON-LD script's text, the breadcrumb list and
  the ``<main>`` element's content;
- everything else (the doctype, the inlined stylesheet, the header, the crisis line, the
  footer with its list of states) is template text.

Pages with the same layout share one template, so a site has a handful of them. Every other
file of the site is kept as it is. The floor renders the templates with the values and
writes the files: the same files with the same bytes as the build wrote
(:func:`compare_trees` says how many are identical).
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

INTERNAL = frozenset({".kdirectory-manifest.json", ".kdirectory-lock", ".kdirectory-staging"})
"""Entries of an output folder that belong to publishing, not to the site."""

_HEAD_END = re.compile(r"<style>|</head>")
_ESCAPED = [
    re.compile(r'<html lang="([^"]*)"'),
    re.compile(r"<title>([^<]*)</title>"),
    re.compile(r'<(?:meta|link) [^>]*?(?:content|href)="([^"]*)"'),
]
"""Values Jinja escapes; searched before the stylesheet (or the end of the head)."""
_WHOLE = [
    re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S),
    re.compile(r'<ol class="breadcrumbs">(.*?)</ol>', re.S),
    re.compile(r'<main id="main">(.*?)</main>', re.S),
]
"""Values that are HTML already, inserted whole; searched in the whole page."""


@dataclass
class DumpStats:
    files: int
    pages: int
    templates: int
    bytes: int


def site_files(site: Path) -> list[Path]:
    """Every file of the built site in ``site``, without publishing's own."""
    return sorted(
        path
        for path in site.rglob("*")
        if path.is_file() and path.relative_to(site).parts[0] not in INTERNAL
    )


def _spans(text: str) -> list[tuple[int, int, bool]]:
    """The values of a page: (start, end, escaped) spans in order, not overlapping."""
    head = _HEAD_END.search(text)
    head_end = head.start() if head else 0
    spans: list[tuple[int, int, bool]] = []
    for pattern in _ESCAPED:
        for match in pattern.finditer(text, 0, head_end):
            raw = match.group(1)
            # Escaped only when escaping the plain text gives these bytes back.
            exact = str(escape(html.unescape(raw))) == raw
            spans.append((match.start(1), match.end(1), exact))
    for pattern in _WHOLE:
        spans.extend((m.start(1), m.end(1), False) for m in pattern.finditer(text))
    spans.sort()
    kept: list[tuple[int, int, bool]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


def _literal(text: str) -> str:
    return "{% raw %}" + text + "{% endraw %}" if text else ""


def split_page(text: str) -> tuple[str, list[str]]:
    """A page's layout as Jinja template source, and its values."""
    source: list[str] = []
    values: list[str] = []
    at = 0
    for start, end, escaped in _spans(text):
        source.append(_literal(text[at:start]))
        raw = text[start:end]
        if escaped:
            source.append("{{ v[%d] }}" % len(values))  # noqa: UP031 - Jinja braces
            values.append(html.unescape(raw))
        else:
            source.append("{{ v[%d]|safe }}" % len(values))  # noqa: UP031 - Jinja braces
            values.append(raw)
        at = end
    source.append(_literal(text[at:]))
    return "".join(source), values


def dump_site(site: Path, dest: Path) -> DumpStats:
    """Write the floor's input for the site in ``site`` to ``dest`` (JSON Lines)."""
    templates: dict[str, str] = {}
    lines: list[str] = []
    pages = size = 0
    paths = site_files(site)
    for path in paths:
        name = path.relative_to(site).as_posix()
        data = path.read_bytes()
        size += len(data)
        if name.endswith(".html"):
            source, values = split_page(data.decode("utf-8"))
            template = templates.setdefault(source, f"t{len(templates)}")
            lines.append(json.dumps({"p": name, "t": template, "v": values}))
            pages += 1
            continue
        try:
            lines.append(json.dumps({"p": name, "text": data.decode("utf-8")}))
        except UnicodeDecodeError:
            lines.append(json.dumps({"p": name, "b64": base64.b64encode(data).decode("ascii")}))
    head = {"templates": {name: source for source, name in templates.items()}}
    with dest.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head) + "\n")
        for line in lines:
            out.write(line + "\n")
    return DumpStats(files=len(paths), pages=pages, templates=len(templates), bytes=size)


def compare_trees(site: Path, copy: Path) -> tuple[int, list[str]]:
    """How many files of ``site`` ``copy`` holds byte for byte, and the names of the others
    (missing or different)."""
    same = 0
    different: list[str] = []
    for path in site_files(site):
        name = path.relative_to(site).as_posix()
        other = copy / name
        if other.is_file() and other.read_bytes() == path.read_bytes():
            same += 1
        else:
            different.append(name)
    return same, different

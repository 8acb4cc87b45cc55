"""What the site tests read from a built site: every page parsed as a crawler reads it, and
the build as the tests run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kdirectory import load_directory
from kdirectory._output import STAGING
from kdirectory.record.model import Clinic
from kdirectory.site.build import BuildResult, build_site

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def build(root: Path, out: Path, **kwargs: Any) -> BuildResult:
    """Build the project at ``root`` into ``out``, as ``kdirectory build`` does."""
    return build_site(load_directory(root), out, **kwargs)


def staging_of(out: Path) -> Path:
    """Where a build of ``out`` stages the new site before it is published."""
    return out / STAGING


def page_path(relative: str) -> str:
    """``ca/escondido/index.html`` -> ``/ca/escondido/``; ``404.html`` -> ``/404.html``."""
    if relative == "index.html":
        return "/"
    if relative.endswith("/index.html"):
        return "/" + relative.removesuffix("index.html")
    return "/" + relative


def run_cli(*args: str, seed: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m kdirectory *args`` in a new interpreter (with ``PYTHONHASHSEED=seed``)."""
    env = {**os.environ, "PYTHONHASHSEED": seed} if seed is not None else None
    return subprocess.run(
        [sys.executable, "-m", "kdirectory", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )


class PageParser(HTMLParser):
    """What a crawler reads from one page: tags, title, h1s, scripts, links, the hours table
    and the visible text (body text outside scripts and styles), entities decoded."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self.h1: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.links: list[tuple[str, str]] = []
        self.hours: list[list[str]] = []
        self._text: list[str] = []
        self._script: tuple[dict[str, str | None], list[str]] | None = None
        self._anchor: tuple[str, list[str]] | None = None
        self._in = {"title": False, "h1": False, "style": False, "body": False}
        self._hours_table = False
        self._cell = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if self._in["body"]:
            self._text.append(" ")
        if tag == "script":
            self._script = (attributes, [])
        elif tag in self._in:
            self._in[tag] = True
            if tag == "h1":
                self.h1.append("")
        elif tag == "a":
            self._anchor = (attributes.get("href") or "", [])
        elif tag == "table" and "hours" in (attributes.get("class") or "").split():
            self._hours_table = True
        elif tag == "tr" and self._hours_table:
            self.hours.append([])
        elif tag in ("th", "td") and self._hours_table and self.hours:
            self.hours[-1].append("")
            self._cell = True

    def handle_endtag(self, tag: str) -> None:
        if self._in["body"]:
            self._text.append(" ")
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None
        elif tag in self._in:
            self._in[tag] = False
        elif tag == "a" and self._anchor is not None:
            self.links.append((self._anchor[0], "".join(self._anchor[1])))
            self._anchor = None
        elif tag == "table":
            self._hours_table = False
        elif tag in ("th", "td"):
            self._cell = False

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
            return
        if self._in["style"]:
            return
        if self._in["title"]:
            self.title += data
            return
        if self._in["h1"]:
            self.h1[-1] += data
        if self._anchor is not None:
            self._anchor[1].append(data)
        if self._cell:
            self.hours[-1][-1] += data
        if self._in["body"]:
            self._text.append(data)

    @cached_property
    def text(self) -> str:
        """The visible text with whitespace collapsed."""
        return " ".join("".join(self._text).split())

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def meta(self, name: str) -> list[str]:
        return [a.get("content") or "" for a in self.find("meta", name=name)]

    def jsonld(self) -> list[Any]:
        return [
            json.loads(body)
            for attrs, body in self.scripts
            if attrs.get("type") == "application/ld+json"
        ]


@dataclass
class Site:
    """A built site and what went into it."""

    root: Path
    out: Path
    base: str
    clinics: dict[str, Clinic]
    parsed: dict[str, PageParser] = field(default_factory=dict)

    def pages(self) -> dict[str, PageParser]:
        if not self.parsed:
            for path in sorted(self.out.rglob("*.html")):
                text = path.read_text(encoding="utf-8")
                self.parsed[path.relative_to(self.out).as_posix()] = PageParser(text)
        return self.parsed


def built_site(root: Path, out: Path) -> Site:
    directory = load_directory(root)
    build_site(directory, out)
    clinics = {c.slug: c for c in directory.clinics if c.slug}
    return Site(root, out, directory.config.site.base_url, clinics)

"""The Jinja environment: site templates over the packaged theme, filters, Markdown content.

Template lookup (Pelican/Datasette style): a site's own ``templates/`` first,
then the packaged default theme; ``default:NAME`` always names the packaged one, so an
override can ``{% extends "default:city.html" %}``. Prose partials under ``content/`` are
Markdown, found the same way, so an agency can rewrite any section.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup

from kdirectory.exceptions import KdirectoryError


class TemplateMissingError(KdirectoryError):
    """Raised when a template or content partial is in none of the template folders; the
    message names every folder searched."""


def default_theme_dir() -> Path:
    """The packaged theme: ``kdirectory/templates`` in a wheel, ``templates/`` in a checkout."""
    packaged = Path(str(resources.files("kdirectory"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def make_environment(site_templates: Path | None = None) -> Environment:
    """A Jinja environment with autoescaping, strict undefined names and our filters."""
    theme = FileSystemLoader(str(default_theme_dir()))
    loaders = []
    searched = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(FileSystemLoader(str(site_templates)))
        searched.append(site_templates)
    loaders.append(theme)
    searched.append(default_theme_dir())
    env = Environment(
        loader=ChoiceLoader([PrefixLoader({"default": theme}, delimiter=":"), *loaders]),
        autoescape=select_autoescape(["html", "xml", "kml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    env.globals["searched_folders"] = ", ".join(str(p) for p in searched)
    env.filters["markdown"] = markdown_to_html
    env.filters["jsonld"] = jsonld_script_text
    env.filters["long_date"] = long_date
    env.filters["lower_first"] = lower_first
    rendered: dict[str, Markup] = {}

    def content(name: str) -> Markup:
        if name not in rendered:
            rendered[name] = content_markdown(env, name)
        return rendered[name]

    env.globals["content"] = content
    return env


def long_date(value: date) -> str:
    """``November 1, 2026``"""
    return f"{value:%B} {value.day}, {value.year}"


def lower_first(text: str) -> str:
    """``Treatment-resistant depression`` -> ``treatment-resistant depression``; acronyms
    such as ``PTSD`` and ``OCD`` stay as they are."""
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def get_template_source(env: Environment, name: str) -> str:
    """The text of a template or content file, with a helpful error if none is found."""
    try:
        assert env.loader is not None
        source, _, _ = env.loader.get_source(env, name)
    except TemplateNotFound:
        folders = env.globals.get("searched_folders", "")
        raise TemplateMissingError(f'no template "{name}" in any of: {folders}') from None
    return source


def load_template(env: Environment, name: str) -> Any:
    """``env.get_template`` with an error that names every folder searched."""
    try:
        return env.get_template(name)
    except TemplateNotFound as exc:
        folders = env.globals.get("searched_folders", "")
        missing = exc.name or name
        raise TemplateMissingError(f'no template "{missing}" in any of: {folders}') from None


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt  # noqa: PLC0415 - only builds need it

    # "js-default" is CommonMark with raw HTML disabled: record text can never inject markup.
    return MarkdownIt("js-default", {"typographer": False}).enable("table")


def markdown_to_html(text: str | None, *, shift_headings: int = 0) -> Markup:
    """Render Markdown (raw HTML disabled); ``shift_headings`` demotes ``#`` levels."""
    if not text:
        return Markup("")
    md = _markdown()
    tokens = md.parse(text)
    if shift_headings:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                level = min(6, int(token.tag[1]) + shift_headings)
                token.tag = f"h{level}"
    return Markup(md.renderer.render(tokens, md.options, {}))  # noqa: S704 - html is disabled


def content_markdown(env: Environment, name: str, *, shift_headings: int = 0) -> Markup:
    """A prose partial (``content/NAME.md``) as HTML."""
    return markdown_to_html(
        get_template_source(env, f"content/{name}.md"), shift_headings=shift_headings
    )


def content_yaml(env: Environment, name: str) -> Any:
    """A data partial (``content/NAME.yaml``)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(get_template_source(env, f"content/{name}.yaml"), Loader=loader)  # noqa: S506 - a safe loader


def jsonld_script_text(data: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block that data cannot break out
    of: ``<``, ``>`` and ``&`` are escaped as JSON unicode escapes, so ``</script>`` and
    ``<!--`` in a clinic's name stay text."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - escaped above

"""The Jinja environment: site templates over the packaged theme, filters, Markdown content
and wording files.

Template lookup (Pelican/Datasette style): a site's own ``templates/`` first,
then the packaged default theme; ``default:NAME`` always names the packaged one, so an
override can ``{% extends "default:city.html" %}``. Prose partials under ``content/`` are
Markdown, found the same way, so an agency can rewrite any section.

Every sentence a page says is in a template or a content file. What Python needs as well
(a page's title, description and heading, its FAQ, the names in its JSON-LD) comes from
the macros of ``wording/NAME.txt`` (:class:`Wording`): written once, used by the page, its
``<head>``, its JSON-LD and the uniqueness checks alike, and changed by a theme in one place.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.runtime import Macro
from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it.token import Token

from kdirectory.catalogue.site import DESCRIPTION_LENGTH, TITLE_LENGTH
from kdirectory.exceptions import KdirectoryError, TemplateFailedError


class TemplateMissingError(KdirectoryError):
    """Raised when a template or content partial is in none of the template folders; the
    message names every folder searched."""


def default_theme_dir() -> Path:
    """The packaged theme: ``kdirectory/templates`` in a wheel, ``templates/`` in a checkout."""
    packaged = Path(str(resources.files("kdirectory"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


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
    env.filters["number"] = number
    env.filters["plural"] = plural
    env.filters["join_list"] = join_list
    env.filters["fit_title"] = fit_title
    env.filters["fit_keeping"] = fit_keeping
    env.filters["fit_description"] = fit_description
    rendered: dict[str, Markup] = {}
    data: dict[str, Any] = {}
    books: dict[str, Wording] = {}

    def content(name: str) -> Markup:
        if name not in rendered:
            rendered[name] = content_markdown(env, name)
        return rendered[name]

    def content_data(name: str) -> Any:
        if name not in data:
            data[name] = content_yaml(env, name)
        return data[name]

    def wording_of(name: str) -> Wording:
        if name not in books:
            books[name] = Wording(env, name)
        return books[name]

    env.globals["content"] = content
    env.globals["content_data"] = content_data
    env.globals["wording"] = wording_of
    return env


# --- wording -------------------------------------------------------------------------------


class Wording:
    """The macros of one wording file, ``wording/NAME.txt``, as functions that return text.

    Each macro takes facts (numbers, names, lists, yes or no) and returns a sentence, a
    title or a label as plain text: the files are not autoescaped, and a page escapes the
    text where it prints it, as it escapes any other value. Python calls a macro with
    :meth:`say`; a page template calls it as a method, ``{{ wording("city").intro(...) }}``,
    and gets the same plain text (never markup), so it is escaped exactly once either way.
    """

    def __init__(self, env: Environment, name: str) -> None:
        self.env = env
        self.template = f"wording/{name}.txt"
        with template_errors(env, self.template):
            module = load_template(env, self.template).module
        self.macros: dict[str, Macro] = {
            key: value for key, value in vars(module).items() if isinstance(value, Macro)
        }
        self._said: dict[Hashable, str] = {}

    def say(self, macro: str, /, *args: object, **facts: object) -> str:
        """What macro ``macro`` says about ``args`` and ``facts``.

        Macros are text of their facts alone, so what one says about facts that can be
        remembered (hashable: frozen views, numbers, tuples) is worded once per build: a
        clinic's hours or distance shown on many pages, say.
        """
        key: Hashable = (macro, args, tuple(facts.items()))
        try:
            return self._said[key]
        except KeyError:
            pass
        except TypeError:  # a list or other unhashable fact: word it every time
            key = None
        found = self.macros.get(macro)
        if found is None:
            raise TemplateFailedError(
                f'{self.template}: no macro "{macro}", which the build calls; copy it from '
                f'"default:{self.template}"'
            )
        with template_errors(self.env, self.template):
            text = str(found(*args, **facts))
        if key is not None:
            self._said[key] = text
        return text

    def __getattr__(self, macro: str) -> Callable[..., str]:
        if macro.startswith("_") or macro not in self.__dict__.get("macros", {}):
            raise AttributeError(macro)
        return partial(self.say, macro)


def wording(env: Environment, name: str) -> Wording:
    """The macros of ``wording/NAME.txt`` (loaded once per environment)."""
    found = env.globals["wording"](name)  # type: ignore[operator]
    assert isinstance(found, Wording)
    return found


def content_data(env: Environment, name: str) -> Any:
    """A data partial (``content/NAME.yaml``), read once per environment."""
    return env.globals["content_data"](name)  # type: ignore[operator]


# --- filters -------------------------------------------------------------------------------


def number(n: int) -> str:
    """``2827`` -> ``2,827``"""
    return f"{n:,}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``{{ n | plural("city", "cities") }}``: ``1 city``, ``2,827 cities``; without
    ``many``, ``one`` with an "s"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def join_list(items: Iterable[str], conjunction: str = "and") -> str:
    """``{{ names | join_list }}``: ``A``, ``A and B``, ``A, B, and C`` (plain text, escaped
    where a page prints it)."""
    names = list(items)
    if len(names) <= 2:
        return f" {conjunction} ".join(names)
    return ", ".join(names[:-1]) + f", {conjunction} " + names[-1]


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"


def fit_title(main: str, site_name: str, tail: str) -> str:
    """``main | site name`` when that fits in 30–60 characters, else ``main``; a ``main``
    under 30 is padded with ``| tail``, one over 60 shortened."""
    low, high = TITLE_LENGTH
    for candidate in (f"{main} | {site_name}", main):
        if low <= len(candidate) <= high:
            return candidate
    if len(main) < low:
        return f"{main} | {tail}"[:high]
    return _shorten(main, high)


def fit_keeping(text: str, keep: str, limit: int = TITLE_LENGTH[1]) -> str:
    """``text`` shortened as needed so that `` keep`` still fits at its end (in a title,
    unless ``limit`` says otherwise)."""
    return f"{_shorten(text, limit - len(keep) - 1)} {keep}"


def fit_description(sentences: Iterable[str]) -> str:
    """The first of ``sentences`` that fit in 160 characters (at least 70 when they exist)."""
    low, high = DESCRIPTION_LENGTH
    said = list(sentences)
    text = ""
    for sentence in said:
        candidate = f"{text} {sentence}".strip()
        if len(candidate) > high:
            break
        text = candidate
    if len(text) < low:
        text = _shorten(" ".join(said), high)
    return text


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


def render_page_template(env: Environment, name: str, context: dict[str, Any]) -> str:
    """Render template ``name`` with ``context``; any mistake in a template (the packaged
    theme or a site's override) is a :class:`TemplateFailedError` naming the file, the line
    and the cause, never an internal error.

    Templates are trusted code: a site's overrides run with the build's permissions.
    """
    with template_errors(env, name):
        html = load_template(env, name).render(**context)
    return str(html)


@contextmanager
def template_errors(env: Environment, name: str) -> Iterator[None]:
    """Any mistake in template ``name`` (or what it extends, includes or imports) as a
    :class:`TemplateFailedError` with the file, the line and the cause."""
    try:
        yield
    except TemplateMissingError:
        raise
    except TemplateNotFound as exc:  # a parent or include that is nowhere
        folders = env.globals.get("searched_folders", "")
        where = _template_frame(exc)
        raise TemplateFailedError(
            f'{where or name}: no template "{exc.name}" in any of: {folders}'
        ) from None
    except TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name}:{exc.lineno}"
        raise TemplateFailedError(f"{where}: template syntax error: {exc.message}") from None
    except RecursionError:
        raise TemplateFailedError(
            f"{name}: the template extends or includes itself (directly or through another "
            'template); point {% extends %} at "default:' + name + '" to extend the '
            "packaged original"
        ) from None
    except (TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        where = _template_frame(exc) or name
        raise TemplateFailedError(
            f"{where}: {type(exc).__name__}: {exc} (while rendering {name})"
        ) from None


def _template_frame(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame of ``exc``'s traceback (Jinja rewrites
    tracebacks so that template code shows with its own file and line)."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".kml", ".txt")):
            found = f"{filename}:{line}"
    return found


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


RECORD_LINK_SCHEMES = frozenset({"http", "https", "tel", "mailto"})
RECORD_LINK_REL = "nofollow ugc noopener"


def markdown_to_html(text: str | None, *, shift_headings: int = 0, record: bool = False) -> Markup:
    """Render Markdown (raw HTML disabled); ``shift_headings`` demotes ``#`` levels.

    ``record`` marks text from a clinic record rather than the theme: its images are shown
    as their alt text (no remote image, so no tracking pixel on a health page) and its links
    are kept only for http, https, tel and mailto, with ``rel="nofollow ugc noopener"``
    (the directory vouches for no link a record carries).
    """
    if not text:
        return Markup("")
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        if shift_headings and token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + shift_headings)
            token.tag = f"h{level}"
        if record and token.type == "inline" and token.children:
            token.children = _record_inline(token.children)
    return Markup(md.renderer.render(tokens, md.options, {}))  # noqa: S704 - html is disabled


def _record_inline(children: list[Token]) -> list[Token]:
    from markdown_it.token import Token  # noqa: PLC0415

    kept: list[Token] = []
    dropped_links = 0
    for child in children:
        if child.type == "image":
            kept.append(Token("text", "", 0, content=child.content))
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            scheme = href.split(":", 1)[0].lower() if ":" in href else ""
            if scheme in RECORD_LINK_SCHEMES:
                child.attrSet("rel", RECORD_LINK_REL)
                kept.append(child)
            else:
                dropped_links += 1  # a relative or other link: keep its text only
        elif child.type == "link_close" and dropped_links:
            # Links do not nest in Markdown, so this closes the dropped one.
            dropped_links -= 1
        else:
            kept.append(child)
    return kept


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

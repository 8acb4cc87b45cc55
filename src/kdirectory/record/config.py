"""Site settings from ``kdirectory.toml``.

``[brand]`` (a brand site's own settings) reads its phone as a record's phone is read, and
checks its colours' contrast and its logo file, with the small leaf modules of the record
stage that do that (:mod:`kdirectory.record.phones`, :mod:`kdirectory.record.colors`,
:mod:`kdirectory.record.images`); they import nothing of kdirectory.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn
from urllib.parse import SplitResult, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)

from kdirectory.exceptions import ConfigError
from kdirectory.record import colors
from kdirectory.record.images import ProjectFileError, project_image
from kdirectory.record.phones import Phone, PhoneError, parse_phone

CONFIG_NAME = "kdirectory.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


SiteKind = Literal["directory", "brand"]
"""``directory``: a neutral directory of many clinics; ``brand``: one clinic group's own
site, whose settings are in ``[brand]``."""


class SiteSettings(_Section):
    """``[site]``: what the site is called and where it lives."""

    kind: SiteKind = "directory"
    name: str = "Ketamine Therapy Directory"
    base_url: str = "http://localhost:8000"
    language: str = "en-US"

    @field_validator("language")
    @classmethod
    def _shipped_language(cls, value: str) -> str:
        primary = value.split("-", 1)[0].casefold()
        if primary not in THEME_LANGUAGES:
            shipped = ", ".join(f'"{code}"' for code in sorted(THEME_LANGUAGES))
            msg = (
                f'"{value}": the theme\'s pages are written in English only, so they would be '
                f"published marked as another language; use a tag of a language the theme "
                f'ships ({shipped}, e.g. "en-US")'
            )
            raise ValueError(msg)
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return parse_base_url(value)


def parse_base_url(value: str) -> str:
    """``value`` as a site's base URL: http or https, a host, an optional path; no spaces,
    query, fragment or credentials. Returned without its trailing slash.

    Every canonical link, the sitemap and robots.txt are built from it, so anything else
    (a newline would write ``Disallow: /`` into robots.txt) is refused.

    Raises:
        ValueError: what is wrong, with an example of a good value.
    """
    example = "such as https://directory.example or https://agency.example/clinics"
    shown, parts, port = _split_http_url(value, example)
    if not parts.hostname:
        msg = f'"{shown}" has no host name; give an absolute URL {example}'
        raise ValueError(msg)
    _refuse_credentials(shown, parts)
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        msg = f'"{shown}" has a query (?…) or fragment (#…); give the site\'s root {example}'
        raise ValueError(msg)
    path = parts.path.rstrip("/")
    if "//" in path or any(segment in {".", ".."} for segment in path.split("/")):
        msg = f'"{shown}" has an empty, "." or ".." path segment; give a plain path {example}'
        raise ValueError(msg)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    host = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{host}{path}"


THEME_LANGUAGES = frozenset({"en"})
"""Languages the packaged page text is written in (BCP 47 primary subtags)."""


def parse_web_url(value: str) -> str:
    """``value`` as a link to a web page: http or https, a host with a dot, no spaces,
    control characters or credentials; a path, query and fragment may follow.

    Raises:
        ValueError: what is wrong, with an example of a good value.
    """
    example = "such as https://harborketamine.example/book"
    shown, parts, _ = _split_http_url(value, example)
    if not parts.hostname or "." not in parts.hostname:
        msg = f'"{shown}" has no complete host name; give an absolute URL {example}'
        raise ValueError(msg)
    _refuse_credentials(shown, parts)
    return value


def _split_http_url(value: str, example: str) -> tuple[str, SplitResult, int | None]:
    """``value`` shown with escapes, split, and its port, when it is one http or https URL
    without spaces or control characters; else a ``ValueError`` ending with ``example``."""
    shown = value.encode("unicode_escape").decode("ascii")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        msg = f'"{shown}" contains spaces or control characters; give one URL {example}'
        raise ValueError(msg)
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        msg = f'"{shown}" is not a valid URL ({exc}); give one {example}'
        raise ValueError(msg) from None
    if parts.scheme not in {"http", "https"}:
        msg = f'"{shown}" must start with https:// (or http://); give an absolute URL {example}'
        raise ValueError(msg)
    return shown, parts, port


def _refuse_credentials(shown: str, parts: SplitResult) -> None:
    if parts.username is not None or parts.password is not None:
        msg = f'"{shown}" contains a user name or password; leave credentials out of the URL'
        raise ValueError(msg)


WebUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(parse_web_url)
]


def _phone(value: object) -> Phone:
    if isinstance(value, Phone):
        return value
    if not isinstance(value, str):
        msg = f'must be a phone number in quotes, e.g. "(619) 555-0100", not {value!r:.40}'
        raise ValueError(msg)
    try:
        return parse_phone(value)
    except PhoneError as exc:
        raise ValueError(f"{exc.message} ({exc.fix})") from None


BrandPhone = Annotated[Phone, PlainValidator(_phone), PlainSerializer(str, return_type=str)]
"""A US phone number, read as a record's ``phone`` is (any common form, ext. kept)."""


def _color(value: object) -> str:
    if not isinstance(value, str):
        msg = f'must be a colour written as text in quotes, e.g. "#0b5563", not {value!r:.40}'
        raise ValueError(msg)
    return colors.parse_hex(value)


HexColor = Annotated[str, PlainValidator(_color)]
"""``#rrggbb`` or ``#rgb``, read as lowercase ``#rrggbb``."""


class BrandColors(_Section):
    """``[brand] colors``: the brand's two colours, each checked for WCAG 2.x contrast
    (4.5:1, level AA, for normal text).

    ``primary`` is the background of buttons (the call to action): white text or the
    theme's dark text must reach 4.5:1 on it, and :attr:`on_primary` says which the theme
    writes. ``accent`` colours links on white: it must reach 4.5:1 against white.
    """

    primary: HexColor | None = None
    accent: HexColor | None = None

    @field_validator("primary")
    @classmethod
    def _readable_button_text(cls, value: str | None) -> str | None:
        if value is None or colors.text_color_on(value) is not None:
            return value
        white = colors.format_ratio(colors.contrast_ratio(value, colors.WHITE))
        dark = colors.format_ratio(colors.contrast_ratio(value, colors.DARK_TEXT))
        shade = colors.nearest_passing_background(value)
        suggestion = f': the nearest that passes is "{shade}"' if shade else ""
        msg = (
            f'"{value}" is the background of buttons, but neither white text ({white}) nor '
            f"the theme's dark text {colors.DARK_TEXT} ({dark}) reaches the 4.5:1 contrast "
            f"text needs; use a darker or lighter shade{suggestion}"
        )
        raise ValueError(msg)

    @field_validator("accent")
    @classmethod
    def _readable_links(cls, value: str | None) -> str | None:
        if value is None:
            return value
        ratio = colors.contrast_ratio(value, colors.WHITE)
        if ratio >= colors.MIN_TEXT_CONTRAST:
            return value
        shade = colors.shade_that_passes(value, colors.WHITE, "darker")
        msg = (
            f'"{value}" colours links on white, but reaches only {colors.format_ratio(ratio)} '
            f'against white, under the 4.5:1 text needs; use a darker shade such as "{shade}"'
        )
        raise ValueError(msg)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def on_primary(self) -> str | None:
        """The colour of text on ``primary`` (buttons): white (``#ffffff``) when it reaches
        4.5:1, else the theme's dark text (``#1d2327``); ``None`` without a primary colour
        (the theme's own colours apply)."""
        return colors.text_color_on(self.primary) if self.primary is not None else None


class BrandSettings(_Section):
    """``[brand]``: the clinic group a brand site is for. Required when ``[site] kind`` is
    ``"brand"``, refused otherwise.

    ``logo`` is a path in the project folder; :func:`load_config` checks the file (inside
    the project, an SVG, PNG, JPEG or WebP image by its content).
    """

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    url: WebUrl
    phone: BrandPhone | None = None
    booking_url: WebUrl | None = None
    logo: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
        | None
    ) = None
    colors: BrandColors = Field(default_factory=BrandColors)


class ReviewSettings(_Section):
    """``[review]``: the medical reviewer shown on every health page and in JSON-LD."""

    reviewed_by: str | None = None
    last_reviewed: date | None = None


class GeocoderSettings(_Section):
    """``[geocoder]``: which provider fills in coordinates, and how it identifies itself."""

    provider: str = "offline"
    user_agent: str | None = None
    options: dict[str, str] = Field(default_factory=dict)


class BuildSettings(_Section):
    """``[build]``: where the site is written and how pages are judged."""

    out: str = "site"
    nearby_miles: Annotated[float, Field(gt=0, le=500)] = 25.0
    # A city page whose unique content (1 - its similarity to the most alike other city page,
    # city names set aside) is under this share gets noindex and leaves the sitemap; 0: off.
    uniqueness_threshold: Annotated[float, Field(ge=0, le=1)] = 0.2


def _external_path(value: object) -> str:
    """A path on the site's host that another application serves: ``/book`` (that path) or
    ``/patient-portal/`` (ending in ``/``: everything under it)."""
    example = 'e.g. "/book" for that path or "/patient-portal/" for everything under it'
    if not isinstance(value, str):
        raise ValueError(f"must be a path in quotes ({example}), not {value!r:.40}")
    if not value.startswith("/"):
        raise ValueError(
            f'"{value}" is not a path on the site\'s host: write it from its first "/", '
            f"without the scheme and host ({example})"
        )
    if value.startswith("//"):
        raise ValueError(f'"{value}" starts with "//", which names a host, not a path ({example})')
    if "?" in value or "#" in value:
        cut = re.split(r"[?#]", value, maxsplit=1)[0]
        raise ValueError(
            f'"{value}" has a query (?…) or a fragment (#…), but links are matched by their '
            f'path alone: write "{cut}"'
        )
    if re.search(r"[\s\x00-\x1f\x7f\\]", value):
        raise ValueError(
            f'"{value}" has a space, a backslash or a control character; write the path as '
            'links spell it (a space is "%20")'
        )
    if any(part in (".", "..") for part in value.split("/")):
        raise ValueError(f'"{value}" has a "." or ".." segment; write the path links lead to')
    if value == "/":
        raise ValueError(
            '"/" would put the whole site elsewhere, and no link into it would be checked; '
            f"name only the paths another application serves ({example})"
        )
    return value


ExternalPath = Annotated[str, PlainValidator(_external_path)]
"""A path another application serves on the site's host (``[check] external_paths``)."""


class CheckSettings(_Section):
    """``[check]``: what ``kdirectory check``, and the build's own check, take as given.

    ``external_paths``: paths on the site's own host that another application serves (a
    booking app at ``/book``): links to them are not reported as broken. A path ending in
    ``/`` covers everything under it.
    """

    external_paths: tuple[ExternalPath, ...] = ()

    @field_validator("external_paths", mode="before")
    @classmethod
    def _a_list(cls, value: object) -> object:
        if not isinstance(value, list | tuple):
            raise ValueError(
                f'must be a list of paths, e.g. ["/book", "/patient-portal/"], not {value!r:.40}'
            )
        return value


class SiteConfig(_Section):
    """Everything in ``kdirectory.toml``; every section is optional, except ``[brand]``
    on a brand site (``[site] kind = "brand"``), where it is required."""

    site: SiteSettings = Field(default_factory=SiteSettings)
    brand: BrandSettings | None = None
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    geocoder: GeocoderSettings = Field(default_factory=GeocoderSettings)
    build: BuildSettings = Field(default_factory=BuildSettings)
    check: CheckSettings = Field(default_factory=CheckSettings)

    @model_validator(mode="after")
    def _brand_for_brand_sites(self) -> SiteConfig:
        if self.site.kind == "brand" and self.brand is None:
            _refuse(
                "brand",
                '[site] kind = "brand" needs a [brand] table naming the clinic group; add '
                'one with at least name = "…" and url = "https://…" (kdirectory init --kind '
                "brand writes an example)",
            )
        if self.site.kind == "directory" and self.brand is not None:
            _refuse(
                "brand",
                'a [brand] table is only read on a brand site, and [site] kind is "directory" '
                '(or not set); set kind = "brand" under [site] to build the clinic group\'s '
                "own site, or remove the [brand] table",
            )
        return self


class _SettingError(ValueError):
    """A reason to refuse the settings that is about ``key`` (``brand``), found across
    sections, where pydantic gives no location."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _refuse(key: str, message: str) -> NoReturn:
    raise _SettingError(key, message)


MAX_LOGO_BYTES = 2_000_000
"""A logo is shown small on every page: 2 MB is far more than one needs."""


def load_config(root: Path) -> SiteConfig:
    """Read ``root/kdirectory.toml``; defaults when the file does not exist. A brand's
    logo file is checked here, in the project folder ``root``.

    Raises:
        ConfigError: the file is not valid TOML, a setting has the wrong type or value, or
            the logo is not an image in the project; each message names the file, the key
            and its line, what is wrong and how to fix it.
    """
    path = root / CONFIG_NAME
    if not path.is_file():
        return SiteConfig()
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        config = SiteConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [_error_line(path, text, err) for err in exc.errors(include_url=False)]
        raise ConfigError("\n".join(lines)) from None
    if config.brand is not None and config.brand.logo is not None:
        try:
            project_image(root, config.brand.logo, ("svg", "png", "jpeg", "webp"), MAX_LOGO_BYTES)
        except ProjectFileError as problem:
            key = _key_at(text, ("brand", "logo"))
            raise ConfigError(f"{path}: {key}: {problem.message} ({problem.fix})") from None
    return config


def _error_line(path: Path, text: str, err: Any) -> str:
    """One error of the settings as ``file:line: key: message``."""
    loc = tuple(str(part) for part in err["loc"])
    cause = err.get("ctx", {}).get("error")
    if not loc and isinstance(cause, _SettingError):
        loc = (cause.key,)
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{path}: {_key_at(text, loc)}: {message}" if loc else f"{path}: {message}"


def _key_at(text: str, loc: tuple[str, ...]) -> str:
    """``brand.colors.primary (line 12)``: the key, and where it is written when found."""
    line = key_line(text, loc)
    return f"{'.'.join(loc)} (line {line})" if line else ".".join(loc)


_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\- \"]+?)\s*=")


def key_line(text: str, loc: tuple[str, ...]) -> int | None:
    """The line of ``kdirectory.toml`` (its ``text``) where the key at ``loc``
    (``("brand", "colors", "primary")``) or its nearest parent is written, for messages;
    ``None`` when it cannot be found (a best effort: tables, dotted keys and inline
    tables written on one line)."""
    lines = text.splitlines()
    for depth in range(len(loc), 0, -1):
        wanted = loc[:depth]
        table: tuple[str, ...] = ()
        for number, line in enumerate(lines, start=1):
            header = _TABLE.match(line)
            if header:
                table = tuple(part.strip().strip('"') for part in header.group(1).split("."))
                if table == wanted:
                    return number
                continue
            key = _KEY.match(line)
            if key is None:
                continue
            path = table + tuple(part.strip().strip('"') for part in key.group(1).split("."))
            if path[: len(wanted)] == wanted:
                return number
    return None

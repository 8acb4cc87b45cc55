"""Site settings from ``kdirectory.toml``."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kdirectory.exceptions import ConfigError

CONFIG_NAME = "kdirectory.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteSettings(_Section):
    """``[site]``: what the site is called and where it lives."""

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
    if not parts.hostname:
        msg = f'"{shown}" has no host name; give an absolute URL {example}'
        raise ValueError(msg)
    if parts.username is not None or parts.password is not None:
        msg = f'"{shown}" contains a user name or password; leave credentials out of the URL'
        raise ValueError(msg)
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


class SiteConfig(_Section):
    """Everything in ``kdirectory.toml``; every section is optional."""

    site: SiteSettings = Field(default_factory=SiteSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    geocoder: GeocoderSettings = Field(default_factory=GeocoderSettings)
    build: BuildSettings = Field(default_factory=BuildSettings)


def load_config(root: Path) -> SiteConfig:
    """Read ``root/kdirectory.toml``; defaults when the file does not exist.

    Raises:
        ConfigError: the file is not valid TOML or a setting has the wrong type.
    """
    path = root / CONFIG_NAME
    if not path.is_file():
        return SiteConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return SiteConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_url=False)
        ]
        raise ConfigError("\n".join(lines)) from None

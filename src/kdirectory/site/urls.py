"""The URL scheme of a built site: the one place a page's path is made.

Every path is site-relative, starts and ends with ``/`` (pages are ``folder/index.html``),
and is made of slugs, so it never needs escaping. :func:`absolute` joins one to the site's
``base_url``; :func:`clinic_id` is the JSON-LD ``@id`` every page uses for a clinic.
"""

from __future__ import annotations

HOME = "/"
NOT_FOUND = "/404.html"


def state(code: str) -> str:
    """``/ca/``: a state's page, by its two-letter code."""
    return f"/{code.lower()}/"


def city(region: str, slug: str) -> str:
    """``/ca/escondido/``: a city's page, under its state."""
    return f"{state(region)}{slug}/"


def city_page(region: str, slug: str, number: int) -> str:
    """``/ca/los-angeles/page/2/``: page ``number`` of a city's list of clinics; the first
    page is the city's page itself."""
    if number <= 1:
        return city(region, slug)
    return f"{city(region, slug)}page/{number}/"


def clinic(slug: str) -> str:
    """``/clinics/harbor-ketamine-clinic/``: a clinic's own page."""
    return f"/clinics/{slug}/"


def condition(slug: str) -> str:
    """``/conditions/ptsd/``: a condition's page."""
    return f"/conditions/{slug}/"


def guide(slug: str) -> str:
    """``/guide/what-to-expect/``: an explainer."""
    return f"/guide/{slug}/"


FINDER_INDEX = "/finder/index.json"
"""The finder's index: the clinics it ranks and the city pages, fetched on the first search."""


def finder_zips(prefix: str) -> str:
    """``/finder/zip/920.json``: the ZIP codes that start with ``prefix`` (three digits)."""
    return f"/finder/zip/{prefix}.json"


def finder_places(initial: str) -> str:
    """``/finder/places/de.json``: the gazetteer's place names (no page of their own)
    whose key starts with ``initial`` (letters or digits)."""
    return f"/finder/places/{initial}.json"


def absolute(base_url: str, path: str) -> str:
    """``path`` on the site at ``base_url`` (which has no trailing slash)."""
    return base_url + path


def clinic_id(base_url: str, slug: str) -> str:
    """The JSON-LD ``@id`` of a clinic, the same on every page that refers to it."""
    return f"{absolute(base_url, clinic(slug))}#clinic"

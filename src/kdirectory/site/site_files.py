"""The site's non-HTML files: sitemaps, robots.txt, locations.kml and the finder's data.

The finder (``assets/finder.js``) answers "which clinics are near me?" in the visitor's
browser, from static files under ``/finder/`` (paths: :mod:`kdirectory.site.urls`):

- ``index.json``, fetched on the first search: every clinic it can show and every city
  page. Rows are arrays with shared tables for repeated values (see :func:`finder_index`).
- ``zip/920.json``: the ZIP codes starting ``920``, each with its centre, city and state,
  fetched only when the visitor types a ZIP code. Every standard ZIP code of the states the
  site covers is in one of them, and no other.
- ``places/de.json``: the gazetteer's other place names in those states (USPS city names
  and the other names USPS accepts for a ZIP code) whose key starts with ``de``, so that
  a town with no clinic, "Del Mar", still finds the clinics near it; fetched for a typed
  name.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from kdirectory.record.gazetteer import all_zips
from kdirectory.record.hours import WEEKDAYS
from kdirectory.record.slugs import slugify
from kdirectory.site import urls
from kdirectory.site.places import city_key, service_area_city

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kdirectory.record.hours import Interval
    from kdirectory.site.model import SiteModel
    from kdirectory.site.plan import Page

SITEMAP_LIMIT = 50_000
_XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _urlset(pages: list[Page]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_XMLNS}">']
    for page in pages:
        lastmod = f"<lastmod>{page.lastmod.isoformat()}</lastmod>" if page.lastmod else ""
        lines.append(f"<url><loc>{escape(page.canonical)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemaps(pages: list[Page], base_url: str, limit: int = SITEMAP_LIMIT) -> dict[str, str]:
    """``sitemap.xml`` for the indexable pages; past ``limit`` URLs, a sitemap index over
    ``sitemap-1.xml``, ``sitemap-2.xml``, … (the protocol allows 50,000 URLs per file)."""
    listed = [page for page in pages if page.indexable]
    if len(listed) <= limit:
        return {"sitemap.xml": _urlset(listed)}
    files: dict[str, str] = {}
    index = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_XMLNS}">']
    for number, start in enumerate(range(0, len(listed), limit), start=1):
        chunk = listed[start : start + limit]
        name = f"sitemap-{number}.xml"
        files[name] = _urlset(chunk)
        dates = [p.lastmod for p in chunk if p.lastmod]
        lastmod = f"<lastmod>{max(dates).isoformat()}</lastmod>" if dates else ""
        index.append(f"<sitemap><loc>{escape(base_url)}/{name}</loc>{lastmod}</sitemap>")
    index.append("</sitemapindex>")
    files["sitemap.xml"] = "\n".join(index) + "\n"
    return files


def robots_txt(base_url: str) -> str:
    """Allow everything and point crawlers at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}/sitemap.xml\n"


def locations_kml(model: SiteModel) -> str:
    """A KML placemark per located clinic, for Google My Maps and GIS tools."""
    base = model.config.site.base_url
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2">',
        "<Document>",
        f"<name>{escape(model.config.site.name)}</name>",
    ]
    for slug, location in model.locations.items():
        view = model.views[slug]
        where = ", ".join([*view.street_lines, view.locality])
        lines += [
            "<Placemark>",
            f"<name>{escape(view.name)}</name>",
            f"<address>{escape(where)}</address>",
            f"<description>{escape(base + view.path)}</description>",
            "<ExtendedData>",
            f'<Data name="precision"><value>{escape(location.precision)}</value></Data>',
            "</ExtendedData>",
            f"<Point><coordinates>{location.point.lon:.6f},{location.point.lat:.6f}</coordinates></Point>",
            "</Placemark>",
        ]
    lines += ["</Document>", "</kml>"]
    return "\n".join(lines) + "\n"


FINDER_FORMAT = 1
"""The version of the finder's files; ``index.json`` says it as ``v``."""
ACCEPTING, NOT_ACCEPTING, SPRAVATO = 1, 2, 4
"""The bits of a finder row's flags: accepting new patients (neither bit: not stated), not
accepting, and a therapy that needs Spravato's REMS certification listed."""
COORDINATE_DIGITS = 3
"""Decimals of latitude and longitude in the finder's files: about 100 m, far finer than
the town or ZIP code centres most clinics are placed by."""


class _Table:
    """Distinct values in the order first seen, each known by its index."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._index: dict[str, int] = {}

    def add(self, value: Any) -> int:
        key = json.dumps(value)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.values)
            self.values.append(value)
        return found


def _degrees(value: float) -> float:
    return round(value, COORDINATE_DIGITS)


def _minutes(shifts: Iterable[Interval]) -> list[int]:
    """A day's shifts as ``[opens, closes, opens, closes, …]`` in minutes after midnight
    (closes may be 1440); ``[]`` is closed."""
    return [minute for shift in shifts for minute in (shift.opens, shift.closes)]


def finder_clinic_slugs(model: SiteModel) -> list[str]:
    """The clinics the finder may show: all of them, or on a brand site only the brand's."""
    config = model.config
    brand = config.brand.name if config.site.kind == "brand" and config.brand else None
    return [s for s, c in model.clinics.items() if brand is None or c.brand == brand]


def finder_states(model: SiteModel) -> dict[str, str]:
    """The states the site covers (those with a page of a city), code -> name."""
    return {code: model.states[code].name for code in sorted(model.states)}


def _runs(prefixes: Iterable[str]) -> str:
    """Three-digit ZIP prefixes as runs: ``["850", "851", "852", "855"]`` ->
    ``"850-852 855"``."""
    runs: list[list[int]] = []
    for number in sorted(int(prefix) for prefix in prefixes):
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return " ".join(f"{a:03d}" if a == b else f"{a:03d}-{b:03d}" for a, b in runs)


def finder_index(
    model: SiteModel,
    base_path: str = "",
    *,
    zip_prefixes: Iterable[str] | None = None,
    place_initials: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The finder's index (``/finder/index.json``) as data. Lists of clinics and places are
    stored by column, each column an array, so that gzip finds the repeats:

    - ``v``: :data:`FINDER_FORMAT`; ``u``: path templates, ``{}`` standing for a clinic's
      slug (``clinic``), a ZIP code's first three digits (``zip``) or the first
      :data:`PLACE_SHARD` characters of a :func:`place_key` (``places``); ``k``: the shards
      there are, ``{"zip": "850-853 855 …", "places": "ab ac …"}`` (runs of ZIP prefixes
      written first-last), so that the finder asks for no file that does not exist: by
      default those of :func:`zip_shards` and :func:`place_shards`, else ``zip_prefixes``
      and ``place_initials``; ``s``: the states covered, code -> name;
    - ``z``: time zones; ``d``: day schedules (:func:`_minutes`); ``w``: weeks, Monday
      first, each day an index in ``d`` or -1 when the record does not state that day;
    - ``p``: the city pages, columns ``[names, states, paths, lats, lons]`` (``null``
      coordinates when neither the gazetteer nor a clinic places the city);
    - ``c``: the clinics with a street address and a place, columns
      ``[slugs, names, places, flags, zones, weeks, specials, dlats, dlons]``; ``a``: the
      service-area clinics, ``[slugs, names, places, flags, zones, weeks, specials,
      served]``.

    A clinic's ``place`` is its city, an index in ``p``; ``flags`` are :data:`ACCEPTING`,
    :data:`NOT_ACCEPTING` and :data:`SPRAVATO`; ``zone`` is an index in ``z``; ``week`` an
    index in ``w`` (-1: no hours listed); ``special`` its upcoming special hours,
    ``["2026-12-24", day, "2026-12-25", day, …]`` (``day`` an index in ``d``, a closed date
    the empty day), or ``0``; ``dlat`` and ``dlon`` where it is, in thousandths of a degree
    from its city's centre; ``served`` the indexes in ``p`` of the clinic's own city and the
    cities of its service area.
    """
    places: list[list[Any]] = [[], [], [], [], []]
    place_of: dict[tuple[str, str], int] = {}
    for key in sorted(model.cities):
        city = model.cities[key]
        point = city.point
        place_of[key] = len(place_of)
        centre: list[Any] = [_degrees(point.lat), _degrees(point.lon)] if point else [None, None]
        for column, value in zip(
            places, [city.name, city.region, base_path + city.path, *centre], strict=True
        ):
            column.append(value)
    zones, days, weeks = _Table(), _Table(), _Table()
    located: list[list[Any]] = [[] for _ in range(9)]
    areas: list[list[Any]] = [[] for _ in range(8)]
    for slug in finder_clinic_slugs(model):
        clinic, view = model.clinics[slug], model.views[slug]
        flags = (
            (ACCEPTING if view.accepting_new_patients else 0)
            | (NOT_ACCEPTING if view.accepting_new_patients is False else 0)
            | (SPRAVATO if view.lists_spravato else 0)
        )
        stated = dict(view.hours)
        week = -1
        if stated:
            week = weeks.add(
                [days.add(_minutes(stated[day])) if day in stated else -1 for day in WEEKDAYS]
            )
        special: list[Any] = []
        for date in view.special_hours:
            shifts = [] if date.closed or not date.hours else _minutes(date.hours)
            special += [date.date.isoformat(), days.add(shifts)]
        place = place_of[city_key(clinic.address.region, clinic.address.city)]
        row: list[Any] = [slug, view.name, place, flags, zones.add(view.timezone), week]
        row.append(special or 0)
        location = model.locations.get(slug)
        if clinic.is_service_area:
            served = {place}
            for entry in clinic.service_area:
                name, region = service_area_city(entry, clinic.address.region)
                served.add(place_of[city_key(region, name)])
            row.append(sorted(served))
        elif location is not None:
            centre_lat, centre_lon = places[3][place] or 0.0, places[4][place] or 0.0
            row.append(round((_degrees(location.point.lat) - centre_lat) * 1000))
            row.append(round((_degrees(location.point.lon) - centre_lon) * 1000))
        else:
            continue  # a street address nothing can place: reached by its city page only
        for column, value in zip(areas if clinic.is_service_area else located, row, strict=True):
            column.append(value)
    if zip_prefixes is None:
        zip_prefixes = zip_shards(model.states)
    if place_initials is None:
        place_initials = place_shards(model)
    return {
        "v": FINDER_FORMAT,
        "u": {
            "clinic": base_path + urls.clinic("{}"),
            "zip": base_path + urls.finder_zips("{}"),
            "places": base_path + urls.finder_places("{}"),
        },
        "k": {"zip": _runs(zip_prefixes), "places": " ".join(sorted(place_initials))},
        "s": finder_states(model),
        "z": zones.values,
        "d": days.values,
        "w": weeks.values,
        "p": places,
        "c": located,
        "a": areas,
    }


def zip_shards(states: Iterable[str]) -> dict[str, dict[str, list[Any]]]:
    """Every standard ZIP code of ``states`` by its first three digits:
    ``{"920": {"92025": [lat, lon, "Escondido", "CA"], …}, …}``."""
    wanted = set(states)
    shards: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    for info in all_zips():
        if info.state in wanted:
            entry = [_degrees(info.lat), _degrees(info.lon), info.city, info.state]
            shards[info.zip5[:3]][info.zip5] = entry
    return dict(shards)


PLACE_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
"""Words the finder reads as their usual abbreviation, so "Saint Louis" is "St. Louis"."""
PLACE_SHARD = 2
"""The characters of a place key that name its shard (``de`` for Del Mar)."""


@cache  # the gazetteer's names repeat, ZIP after ZIP
def place_key(name: str) -> str:
    """How the finder compares place names (``assets/finder.js`` makes the same key from
    what the visitor types): the words of the name's slug, with the words of
    :data:`PLACE_ABBREVIATIONS` shortened, run together. ``"Saint Louis"``,
    ``"St. Louis"`` and ``"st louis"`` are all ``"stlouis"``; ``"Del Mar"`` is
    ``"delmar"``."""
    words = slugify(name, fallback="").split("-")
    return "".join(PLACE_ABBREVIATIONS.get(word, word) for word in words)


def place_shards(model: SiteModel) -> dict[str, list[list[Any]]]:
    """The gazetteer's place names in the states the site covers that have no city page,
    by the first :data:`PLACE_SHARD` characters of their :func:`place_key`:
    ``{"de": [["Del Mar", "CA", lat, lon], …]}``.

    A USPS city name is placed at the mean of its ZIP codes' centres; a name USPS only
    accepts for some ZIP codes (a neighbourhood, a village) at the mean of those.
    """
    wanted = set(model.states)
    pages = {(city.region, place_key(city.name)) for city in model.cities.values()}
    primary: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    accepted: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    spellings: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for info in all_zips():
        if info.state not in wanted:
            continue
        key = (info.state, place_key(info.city))
        primary[key].append((info.lat, info.lon))
        counts = spellings[key]
        counts[info.city] = counts.get(info.city, 0) + 1
        for name in info.acceptable_cities:
            other = (info.state, place_key(name))
            accepted[other].append((info.lat, info.lon))
            counts = spellings[other]
            counts[name] = counts.get(name, 0) + 1
    shards: dict[str, list[list[Any]]] = defaultdict(list)
    for key in sorted(spellings):
        if key in pages or not key[1]:
            continue
        points = primary.get(key) or accepted[key]
        counts = spellings[key]
        name = min(counts, key=lambda spelling: (-counts[spelling], spelling))
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        shards[key[1][:PLACE_SHARD]].append([name, key[0], _degrees(lat), _degrees(lon)])
    return dict(shards)


def _json(document: object) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n"


def _output(path: str) -> str:
    return path.lstrip("/")


def finder_files(model: SiteModel, base_path: str = "") -> dict[str, str]:
    """Every file of the finder, by its path in the output folder: the index, the ZIP
    shards and the place shards."""
    zips, places = zip_shards(model.states), place_shards(model)
    index = finder_index(model, base_path, zip_prefixes=zips, place_initials=places)
    files = {_output(urls.FINDER_INDEX): _json(index)}
    for prefix, shard in sorted(zips.items()):
        files[_output(urls.finder_zips(prefix))] = _json(shard)
    for initial, names in sorted(places.items()):
        files[_output(urls.finder_places(initial))] = _json(names)
    return files

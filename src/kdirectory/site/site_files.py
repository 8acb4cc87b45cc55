"""The site's non-HTML files: sitemaps, robots.txt, locations.kml and the finder's index."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from kdirectory.record.gazetteer import all_zips

if TYPE_CHECKING:
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


def search_index(model: SiteModel, base_path: str = "") -> str:
    """The finder's data: every city page with its centre, and the ZIPs of the states served."""
    cities = []
    for city in sorted(model.cities.values(), key=lambda c: (c.region, c.slug)):
        if city.point is None:
            continue
        cities.append({
            "name": city.name, "region": city.region, "url": base_path + city.path,
            "lat": round(city.point.lat, 4), "lon": round(city.point.lon, 4),
            "clinics": len(city.clinics) + len(city.serving),
        })  # fmt: skip
    regions = set(model.states)
    zips = {z.zip5: [round(z.lat, 3), round(z.lon, 3)] for z in all_zips() if z.state in regions}
    document = {"cities": cities, "zips": dict(sorted(zips.items()))}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n"

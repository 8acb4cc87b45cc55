"""The page plan of a brand site (``[site] kind = "brand"``): one clinic group's own website.

The same URLs and pipeline as a directory (:class:`~kdirectory.site.plan.Planner`, whose
page helpers, guide pages and title de-duplication it reuses), with other pages:

- the home page says who the group is, lists its locations and the conditions they list, and
  leads with the call to action (the group's booking link, else its main line, else the
  first location's phone);
- a city page for each city with a location (``/ca/escondido/``): the call to action first,
  then each location's address, hours, treatments, cost, clinicians, testimonials, and a FAQ
  answered from the location's record;
- a service-area page for each city a location serves from elsewhere: the serving locations,
  how far each is from the city, their hours and the call to action;
- a location page for each record (``/clinics/<slug>/``), condition pages only for the
  conditions a location lists, the guide and the 404 page. There are no state pages:
  breadcrumbs go home → city → location.

Every fact is computed from the records; the words are the theme's
(``templates/wording/brand_*.txt``), the pages ``templates/brand/*.html``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kdirectory.geocoding.distance import distance_miles
from kdirectory.record import vocabulary
from kdirectory.record.images import SUFFIXES, project_file
from kdirectory.site import brand_jsonld, jsonld, urls
from kdirectory.site.facts import city_facts
from kdirectory.site.plan import Page, Planner
from kdirectory.site.templating import wording
from kdirectory.site.views import ClinicView, Link

if TYPE_CHECKING:
    from pathlib import Path

    from jinja2 import Environment

    from kdirectory.record.config import SiteConfig
    from kdirectory.record.model import Clinic, Testimonial
    from kdirectory.site.images import Photos
    from kdirectory.site.model import SiteModel
    from kdirectory.site.places import City

LOGO_HEIGHT = 40
"""The height, in CSS pixels, of the logo in the page header."""
LOGO_FOLDER = "/assets"
"""Where the logo is served from (an asset, not a page: its name is its content's hash)."""

BRAND_CITY_FAQ = ("where", "hours", "weekend", "treatments", "spravato", "cost", "new_patients")
"""The questions a brand city page answers about its locations, in order
(``wording/brand_city.txt``: ``where_question``, ``where_answer``, …)."""
SERVICE_AREA_FAQ = ("distance", "hours")
"""The questions a service-area page answers (``wording/brand_service_area.txt``)."""


@dataclass(frozen=True)
class Logo:
    """The brand's logo as the site serves it: its file (named by its content, so browsers
    may cache it for good), and its size in the header."""

    path: str
    """Site path: ``/assets/logo-<hash>.svg``."""
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class BrandTheme:
    """What ``base.html`` shows of the brand on every page: its name, logo and colours."""

    name: str
    url: str
    logo: Logo | None
    primary: str | None
    accent: str | None
    on_primary: str | None


@dataclass(frozen=True)
class CallToAction:
    """What a reader can do now: book online (``booking_url``) and/or call (``tel:``)."""

    booking_url: str | None
    call_display: str | None
    call_uri: str | None

    def __bool__(self) -> bool:
        return bool(self.booking_url or self.call_uri)


@dataclass(frozen=True)
class ProviderView:
    """A clinician as a brand page lists them."""

    name: str
    credentials: str | None
    role: str | None
    bio: str | None
    npi: str | None
    physician: bool


@dataclass(frozen=True)
class LocationView:
    """One location as the brand's pages show it: the clinic view, its call to action, its
    clinicians and testimonials, and the page of its city."""

    c: ClinicView
    cta: CallToAction
    providers: tuple[ProviderView, ...]
    testimonials: tuple[Testimonial, ...]
    city_path: str
    city_name: str
    node_id: str
    """The ``@id`` of its JSON-LD node, which marks what shows it (``data-jsonld-id``)."""
    specialties: tuple[str, ...] = field(default=())


# --- the logo ----------------------------------------------------------------------------------


def brand_logo(root: Path, config: SiteConfig) -> Logo | None:
    """The brand's logo file (``[brand] logo``, checked when the settings were read), named
    by its content; ``None`` without one."""
    brand = config.brand
    if brand is None or brand.logo is None:
        return None
    path = project_file(root, brand.logo)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    kind = SUFFIXES.get(suffix)
    width, height = _svg_size(data) if kind == "svg" else _raster_size(path)
    digest = hashlib.sha256(data).hexdigest()[:8]
    shown_width = max(1, round(LOGO_HEIGHT * width / height)) if width and height else LOGO_HEIGHT
    return Logo(f"{LOGO_FOLDER}/logo-{digest}{suffix}", data, shown_width, LOGO_HEIGHT)


def brand_files(root: Path, config: SiteConfig) -> dict[str, bytes]:
    """The files a brand site serves besides its pages (its logo); none on a directory."""
    logo = brand_logo(root, config) if config.site.kind == "brand" else None
    return {logo.path.lstrip("/"): logo.data} if logo is not None else {}


_SVG_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?svg\b([^>]*)>", re.DOTALL)
_LENGTH = re.compile(rb"""\b(width|height)\s*=\s*["']\s*([\d.]+)\s*(?:px)?\s*["']""")
_VIEWBOX = re.compile(
    rb"""\bviewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)"""
)


def _svg_size(data: bytes) -> tuple[float, float]:
    """An SVG's width and height from its root element (width and height in pixels, else its
    viewBox); (0, 0) when it says neither."""
    tag = _SVG_TAG.search(data)
    if tag is None:
        return 0.0, 0.0
    attributes = tag.group(1)
    sizes = {name.decode(): float(value) for name, value in _LENGTH.findall(attributes)}
    if sizes.get("width") and sizes.get("height"):
        return sizes["width"], sizes["height"]
    box = _VIEWBOX.search(attributes)
    return (float(box.group(1)), float(box.group(2))) if box else (0.0, 0.0)


def _raster_size(path: Path) -> tuple[float, float]:
    from PIL import Image  # noqa: PLC0415 - only a raster logo needs Pillow

    with Image.open(path) as image:
        return float(image.width), float(image.height)


# --- the planner -------------------------------------------------------------------------------


class BrandPlanner(Planner):
    """Builds the pages of a brand site from a :class:`SiteModel` whose settings name a
    ``[brand]``. ``root`` is the project folder (the logo is read from it)."""

    def __init__(
        self,
        model: SiteModel,
        env: Environment,
        photos: Photos | None = None,
        root: Path | None = None,
    ) -> None:
        super().__init__(model, env, photos)
        brand = self.config.brand
        if brand is None:  # settings refuse a brand site without [brand]; a caller's mistake
            raise ValueError("BrandPlanner needs settings with a [brand] table")
        self.brand = brand
        self.brand_name = brand.name
        self.org_id = brand_jsonld.organization_id(self.base)
        self.logo = brand_logo(root, self.config) if root is not None else None
        colors = brand.colors
        self.theme = BrandTheme(
            brand.name, brand.url, self.logo, colors.primary, colors.accent, colors.on_primary
        )
        self._locations: dict[str, LocationView] = {}

    # --- what pages share ----------------------------------------------------------------------

    def location_view(self, slug: str) -> LocationView:
        """The location ``slug`` as brand pages show it (made once)."""
        found = self._locations.get(slug)
        if found is not None:
            return found
        clinic, view = self.model.clinics[slug], self.model.views[slug]
        city = self.model.city_of(slug)
        providers = tuple(
            ProviderView(p.name, p.credentials, p.role, p.bio, p.npi, brand_jsonld.is_physician(p))
            for p in clinic.providers
        )
        specialties = vocabulary.specialties()
        made = LocationView(
            c=view,
            cta=self.location_cta(clinic, view),
            providers=providers,
            testimonials=tuple(t for t in clinic.testimonials if t.consent),
            city_path=city.path,
            city_name=city.name,
            node_id=urls.clinic_id(self.base, slug),
            specialties=tuple(specialties[s].name for s in clinic.specialties),
        )
        self._locations[slug] = made
        return made

    def location_cta(self, clinic: Clinic, view: ClinicView) -> CallToAction:
        """A location's call to action: its own booking link, else the brand's; its phone
        (the call number, a tracking number when the record has one)."""
        return CallToAction(
            clinic.booking_url or self.brand.booking_url, view.call_display, view.call_uri
        )

    def brand_cta(self) -> CallToAction:
        """The brand's call to action: its booking link, and its main line, else the first
        location's phone."""
        phone = self.brand.phone
        if phone is not None:
            return CallToAction(self.brand.booking_url, phone.national, phone.tel_uri)
        for slug in self.model.clinics:
            view = self.model.views[slug]
            if view.call_uri:
                return CallToAction(self.brand.booking_url, view.call_display, view.call_uri)
        return CallToAction(self.brand.booking_url, None, None)

    def logo_url(self) -> str | None:
        return self.url(self.logo.path) if self.logo is not None else None

    def _organization_ref(self) -> dict[str, str]:
        return {"@id": self.org_id}

    def _location_nodes(
        self, slug: str, *, main_entity: bool, view: ClinicView | None = None
    ) -> list[jsonld.Node]:
        clinic = self.model.clinics[slug]
        view = view or self.model.views[slug]
        node = brand_jsonld.location(
            self.config,
            clinic,
            view,
            self.model.locations.get(slug),
            self.payment_labels,
            main_entity=main_entity,
        )
        return [node, *brand_jsonld.providers(self.config, clinic)]

    def _cities(self) -> list[City]:
        return sorted(self.model.cities.values(), key=lambda c: (c.region, c.name))

    def _city_links(self) -> list[dict[str, Any]]:
        return [self._city_link(c) for c in self._cities()]

    # --- the plan ------------------------------------------------------------------------------

    def plan(self) -> list[Page]:
        pages = [self.home()]
        for city in self._cities():
            pages.append(self.city(city) if city.clinics else self.service_area(city))
        pages.extend(self.clinic(slug) for slug in self.model.clinics)
        listed = {c for clinic in self.model.clinics.values() for c in clinic.conditions}
        pages.extend(self.condition(slug) for slug in vocabulary.conditions() if slug in listed)
        pages.extend(self.guide(guide) for guide in self.guides)
        pages.append(self.not_found())
        self.tell_apart(pages)
        for page in pages:
            page.context.setdefault("brand", self.theme)
        return pages

    def home(self) -> Page:
        model = self.model
        say = wording(self.env, "brand_home").say
        locations = [self.location_view(slug) for slug in model.clinics]
        views = [loc.c for loc in locations]
        states = sorted({vocabulary.states()[v.region].name for v in views})
        cities = sorted({v.city for v in views})
        facts = {"brand": self.brand_name, "clinics": views, "cities": cities, "states": states}
        title = say("title", **facts)
        description = say("description", **facts)
        listed = {c for slug in model.clinics for c in model.clinics[slug].conditions}
        conditions = [
            Link(c.name, urls.condition(slug))
            for slug, c in vocabulary.conditions().items()
            if slug in listed
        ]
        therapies = sorted({t for v in views for t in v.therapy_names})
        cta = self.brand_cta()
        url = self.url(urls.HOME)
        clinic_ids = [urls.clinic_id(self.base, slug) for slug in model.clinics]
        graph = jsonld.graph(
            jsonld.website(self.config),
            brand_jsonld.organization(
                self.config,
                logo_url=self.logo_url(),
                telephone=self.brand.phone.e164 if self.brand.phone else None,
                locations=clinic_ids,
            ),
            jsonld.web_page(self.config, url, title, description, self._organization_ref()),
            jsonld.item_list(url, self.base, views, say("list_name", **facts)) if views else None,
            jsonld.faq_page(url, self.home_faq),
        )
        return self._page(
            urls.HOME,
            "brand/home.html",
            "home",
            title=title,
            description=description,
            heading=say("heading", **facts),
            breadcrumbs=[self.home_link],
            jsonld=graph,
            context={
                "locations": locations,
                "cities": self._city_links(),
                "conditions": conditions,
                "therapies": therapies,
                "cta": cta,
                "main_line": self.brand.phone.national if self.brand.phone else None,
                "main_line_uri": self.brand.phone.tel_uri if self.brand.phone else None,
                "guides": self.guide_links,
                "faq": self.home_faq,
                "brand_name": self.brand_name,
            },
            lastmod=model.latest(list(model.clinics)),
        )

    def city(self, city: City) -> Page:
        """A city with at least one location."""
        model = self.model
        say = wording(self.env, "brand_city").say
        facts = city_facts(model, city)
        locations = [self.location_view(slug) for slug in city.clinics]
        serving = self._serving(city)
        nearby = [
            replace(self.location_view(v.slug), c=v)
            for v in facts.nearby
            if v.slug not in city.serving
        ]
        words = {"city": city, "facts": facts, "brand": self.brand_name}
        heading = say("heading", **words)
        title = say("title", **words)
        description = say("description", **words)
        faq = self._faq("brand_city", BRAND_CITY_FAQ, words)
        crumbs = [self.home_link, Link(city.name, city.path)]
        url = self.url(city.path)
        nodes = [n for slug in city.clinics for n in self._location_nodes(slug, main_entity=False)]
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, jsonld.city_place(city)),
            jsonld.breadcrumbs(url, self.base, crumbs),
            *nodes,
            jsonld.item_list(url, self.base, facts.listed, heading),
            jsonld.faq_page(url, faq),
        )
        return self._page(
            city.path,
            "brand/city.html",
            "city",
            title=title,
            description=description,
            heading=heading,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "city": city,
                "facts": facts,
                "locations": locations,
                "serving": serving,
                "nearby": nearby,
                "cta": locations[0].cta if len(locations) == 1 else self.brand_cta(),
                "faq": faq,
                "guides": self.guide_links,
                "expect": self._guide_link("what-to-expect"),
                "brand_name": self.brand_name,
            },
            lastmod=model.latest([*city.clinics, *city.serving]),
            indexable=facts.noindex_reason is None,
            noindex_reason=facts.noindex_reason,
        )

    def _serving(self, city: City) -> list[LocationView]:
        """The locations that list ``city`` in their service area, nearest first, each with
        its straight-line distance from the city's centre."""
        found = []
        for slug in city.serving:
            location = self.model.locations.get(slug)
            view = self.model.views[slug]
            if city.point is not None and location is not None:
                miles = distance_miles(city.point, location.point)
                view = view.at_distance(miles, city.name, approximate=not location.is_precise)
            found.append(replace(self.location_view(slug), c=view))
        return sorted(
            found, key=lambda loc: (loc.c.distance is None, getattr(loc.c.distance, "miles", 0))
        )

    def service_area(self, city: City) -> Page:
        """A city no location is in, that locations serve from elsewhere."""
        model = self.model
        say = wording(self.env, "brand_service_area").say
        facts = city_facts(model, city)
        serving = self._serving(city)
        words = {"city": city, "serving": serving, "brand": self.brand_name}
        heading = say("heading", **words)
        title = say("title", **words)
        description = say("description", **words)
        faq = self._faq("brand_service_area", SERVICE_AREA_FAQ, words)
        crumbs = [self.home_link, Link(city.name, city.path)]
        url = self.url(city.path)
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, jsonld.city_place(city)),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.item_list(url, self.base, [loc.c for loc in serving], heading),
            jsonld.faq_page(url, faq),
        )
        return self._page(
            city.path,
            "brand/service_area.html",
            "city",
            title=title,
            description=description,
            heading=heading,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "city": city,
                "facts": facts,
                "serving": serving,
                "cta": serving[0].cta if serving else self.brand_cta(),
                "faq": faq,
                "guides": self.guide_links,
                "expect": self._guide_link("what-to-expect"),
                "brand_name": self.brand_name,
            },
            lastmod=model.latest(city.serving),
            indexable=facts.noindex_reason is None,
            noindex_reason=facts.noindex_reason,
        )

    def _faq(
        self, book: str, topics: tuple[str, ...], words: dict[str, Any]
    ) -> list[dict[str, str]]:
        """The questions of ``topics`` that ``wording/<book>.txt`` can answer from these facts
        (a macro ``<topic>_asked`` may say a question does not apply)."""
        say = wording(self.env, book)
        items = []
        for topic in topics:
            if f"{topic}_asked" in say.macros and say.say(f"{topic}_asked", **words) != "yes":
                continue
            items.append(
                {
                    "question": say.say(f"{topic}_question", **words),
                    "answer": say.say(f"{topic}_answer", **words),
                }
            )
        return items

    def _guide_link(self, slug: str) -> Link | None:
        return next((Link(g.name, g.path) for g in self.guides if g.slug == slug), None)

    def clinic(self, slug: str) -> Page:
        """A location's own page."""
        model = self.model
        say = wording(self.env, "brand_location").say
        clinic = model.clinics[slug]
        location = self.location_view(slug)
        view = location.c
        if self.photos is not None and clinic.photos:
            view = replace(view, photos=self.photos.pictures(clinic.photos))
            location = replace(location, c=view)
        city = model.city_of(slug)
        words = {"c": view, "repeats": self._name_repeats(view), "brand": self.brand_name}
        title = say("title", **words)
        description = say("description", c=view, brand=self.brand_name)
        crumbs = [self.home_link, Link(city.name, city.path), Link(view.name, view.path)]
        url = self.url(view.path)
        clinic_id = urls.clinic_id(self.base, slug)
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, {"@id": clinic_id}),
            jsonld.breadcrumbs(url, self.base, crumbs),
            *self._location_nodes(slug, main_entity=True, view=view),
        )
        others = [self.location_view(s) for s in model.clinics if s != slug]
        return self._page(
            view.path,
            "brand/location.html",
            "clinic",
            title=title,
            description=description,
            heading=view.name,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "loc": location,
                "c": view,
                "cta": location.cta,
                "city": city,
                "others": others,
                "brand_name": self.brand_name,
            },
            lastmod=model.latest([slug]),
        )

    def condition(self, slug: str) -> Page:
        model = self.model
        say = wording(self.env, "brand_condition").say
        condition = vocabulary.conditions()[slug]
        text = self.condition_texts.get(slug, {})
        listing = [s for s, c in model.clinics.items() if slug in c.conditions]
        locations = sorted(
            (self.location_view(s) for s in listing), key=lambda loc: (loc.c.city, loc.c.name)
        )
        path = urls.condition(slug)
        written = text.get("summary")
        words = {"condition": condition, "brand": self.brand_name}
        title = say("title", **words)
        description = say(
            "description", **words, written=written, clinics=[loc.c for loc in locations]
        )
        crumbs = [self.home_link, Link(condition.name, path)]
        graph, view = self._condition_parts(slug, listing, title, description, crumbs)
        return self._page(
            path,
            "brand/condition.html",
            "condition",
            title=title,
            description=description,
            heading=say("heading", **words),
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "condition": view,
                "locations": locations,
                "cta": self.brand_cta(),
                "brand_name": self.brand_name,
            },
            lastmod=max(
                (d for d in (self.config.review.last_reviewed, model.latest(listing)) if d),
                default=None,
            ),
        )

    def explainer(self, slug: str) -> str:
        """A guide page's text as a clinic group's own site says it
        (``content/explainer/brand/SLUG.md``, where the directory's words would not fit, such
        as "a listing in this directory"), else the directory's."""
        own = f"explainer/brand/{slug}"
        return own if f"content/{own}.md" in self.env.list_templates() else super().explainer(slug)

    def not_found(self) -> Page:
        say = wording(self.env, "brand_not_found").say
        return self._page(
            urls.NOT_FOUND,
            "brand/404.html",
            "404",
            title=say("title", brand=self.brand_name),
            description=say("description", brand=self.brand_name),
            heading=say("heading"),
            breadcrumbs=[self.home_link],
            jsonld=None,
            context={"cities": self._city_links(), "cta": self.brand_cta()},
            indexable=False,
            health=False,
            noindex_reason="error page",
        )


def planner_for(model: SiteModel, env: Environment, photos: Photos | None, root: Path) -> Planner:
    """The planner of the site's kind: a :class:`BrandPlanner` on a brand site, else the
    directory's :class:`Planner`."""
    if model.config.site.kind == "brand":
        return BrandPlanner(model, env, photos, root)
    return Planner(model, env, photos)


__all__ = [
    "BrandPlanner",
    "BrandTheme",
    "CallToAction",
    "LocationView",
    "Logo",
    "ProviderView",
    "brand_files",
    "brand_logo",
    "planner_for",
]

"""The page plan: every page of the site, with its path, title, description, breadcrumbs,
JSON-LD and template context (DESIGN.md §5–§7). Rendering is a separate step (``build``).

Titles are fitted to 30–60 characters and descriptions to 70–160, the ranges search
engines show in full and the quality gate checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from kdirectory import jsonld, vocabulary
from kdirectory.city_facts import city_facts
from kdirectory.templating import lower_first
from kdirectory.views import Link, counted

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jinja2 import Environment

    from kdirectory.places import City
    from kdirectory.site_model import SiteModel, StateGroup

TITLE_RANGE = (30, 60)
DESCRIPTION_RANGE = (70, 160)
TITLE_TAIL = "Ketamine Therapy Directory"
HOME = Link("Home", "/")


@dataclass
class Page:
    """One HTML page to render."""

    path: str
    template: str
    kind: str
    title: str
    description: str
    heading: str
    canonical: str
    breadcrumbs: list[Link]
    jsonld: dict[str, Any] | None
    context: dict[str, Any] = field(default_factory=dict)
    lastmod: date | None = None
    indexable: bool = True
    health: bool = True
    noindex_reason: str | None = None

    @property
    def output(self) -> str:
        """The file the page is written to, relative to the site root."""
        if self.path.endswith(".html"):
            return self.path.lstrip("/")
        return self.path.lstrip("/") + "index.html"


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"


def _newest(dates: Iterable[date | None]) -> date | None:
    return max((d for d in dates if d is not None), default=None)


def fit_title(main: str, site_name: str) -> str:
    """``main | site name`` when that fits in 60 characters, else ``main`` padded to 30."""
    low, high = TITLE_RANGE
    for candidate in (f"{main} | {site_name}", main):
        if low <= len(candidate) <= high:
            return candidate
    if len(main) < low:
        return f"{main} | {TITLE_TAIL}"[:high]
    return _shorten(main, high)


def fit_description(*sentences: str) -> str:
    """The first sentences that fit in 160 characters (at least 70 when they exist)."""
    low, high = DESCRIPTION_RANGE
    text = ""
    for sentence in sentences:
        candidate = f"{text} {sentence}".strip()
        if len(candidate) > high:
            break
        text = candidate
    if len(text) < low:
        text = _shorten(" ".join(sentences), high)
    return text


class Planner:
    """Builds the :class:`Page` list from a :class:`SiteModel`."""

    def __init__(self, model: SiteModel, env: Environment) -> None:
        self.model = model
        self.env = env
        self.config = model.config
        self.base = model.config.site.base_url
        self.site_name = model.config.site.name
        from kdirectory.templating import content_yaml  # noqa: PLC0415 - cycle-free late import

        self.condition_texts: dict[str, dict[str, str]] = content_yaml(env, "conditions") or {}
        self.home_faq: list[dict[str, str]] = content_yaml(env, "faq") or []

    def url(self, path: str) -> str:
        return self.base + path

    def plan(self) -> list[Page]:
        pages = [self.home()]
        for state in sorted(self.model.states.values(), key=lambda s: s.name):
            pages.append(self.state(state))
            pages.extend(self.city(city) for city in state.cities)
        pages.extend(self.clinic(slug) for slug in self.model.clinics)
        pages.extend(self.condition(slug) for slug in vocabulary.conditions())
        pages.append(self.not_found())
        return pages

    def _page(self, path: str, template: str, kind: str, **fields: Any) -> Page:
        return Page(path=path, template=template, kind=kind, canonical=self.url(path), **fields)

    def home(self) -> Page:
        model = self.model
        n_clinics, n_cities = len(model.clinics), len(model.cities)
        title = fit_title(f"Ketamine Therapy Clinics: {self.site_name}", TITLE_TAIL)
        description = fit_description(
            f"Find ketamine therapy clinics by state and city: {n_clinics} listed clinics "
            f"and {n_cities} city pages.",
            "Addresses, phone numbers, hours and treatments, with careful information on safety.",
        )
        states = [self._state_link(s) for s in sorted(model.states.values(), key=lambda s: s.name)]
        cities = [
            self._city_link(c)
            for _, c in sorted(model.cities.items(), key=lambda i: (i[1].name, i[0]))
        ]
        conditions = [
            Link(c.name, f"/conditions/{slug}/") for slug, c in vocabulary.conditions().items()
        ]
        intro = (
            f"This directory lists {counted(n_clinics, 'clinic')} offering ketamine therapy, "
            f"with a page for each of the {counted(n_cities, 'city', 'cities')} they are in or "
            "serve. Listings come from the clinics' own published information; the directory "
            "does not rank or endorse any clinic."
        )
        graph = jsonld.graph(
            jsonld.website(self.config),
            jsonld.organization(self.config),
            jsonld.web_page(self.config, self.url("/"), title, description, None),
            jsonld.faq_page(self.url("/"), self.home_faq),
        )
        return self._page(
            "/",
            "home.html",
            "home",
            title=title,
            description=description,
            heading="Find ketamine therapy clinics near you",
            breadcrumbs=[HOME],
            jsonld=graph,
            context={
                "intro": intro,
                "states": states,
                "cities": cities,
                "conditions": conditions,
                "faq": self.home_faq,
            },
            lastmod=model.latest(list(model.clinics)),
        )

    def _state_link(self, state: StateGroup) -> dict[str, Any]:
        n = len(state.clinics)
        return {
            "name": state.name,
            "path": state.path,
            "count_text": f"{n} {'clinic' if n == 1 else 'clinics'}",
        }

    def _city_link(self, city: City) -> dict[str, Any]:
        n, m = len(city.clinics), len(city.serving)
        text = f"{n} {'clinic' if n == 1 else 'clinics'}" if n else f"served by {m}"
        return {"name": city.name, "region": city.region, "path": city.path, "count_text": text}

    def state(self, state: StateGroup) -> Page:
        model = self.model
        clinics = sorted((model.views[s] for s in state.clinics), key=lambda v: (v.city, v.name))
        n = len(clinics)
        title = fit_title(f"Ketamine Therapy in {state.name}", self.site_name)
        description = fit_description(
            f"{n} ketamine therapy {'clinic' if n == 1 else 'clinics'} listed in {state.name}, "
            f"across {len(state.cities)} city pages.",
            "Compare addresses, phone numbers, hours and treatments, and read what to ask "
            "before you book.",
        )
        crumbs = [HOME, Link(state.name, state.path)]
        cities = [self._city_link(c) for c in sorted(state.cities, key=lambda c: c.name)]
        neighbours = (
            [
                self._state_link(model.states[code])
                for code in vocabulary.states()[state.code].neighbors
                if code in model.states
            ]
            if state.code in vocabulary.states()
            else []
        )
        therapies = sorted({t for v in clinics for t in v.therapy_names})
        facts = [
            ("Clinics listed", str(n)),
            ("City pages", str(len(state.cities))),
            ("Treatments listed", ", ".join(therapies) if therapies else "None listed yet"),
        ]
        intro = (
            f"{counted(n, 'clinic')} in {state.name} {'is' if n == 1 else 'are'} listed here, "
            f"with pages for {counted(len(state.cities), 'city', 'cities')}. Choose a city to see "
            "each clinic's address, hours, treatments and the clinics nearby."
        )
        url = self.url(state.path)
        graph = jsonld.graph(
            jsonld.web_page(
                self.config, url, title, description, {"@type": "State", "name": state.name}
            ),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.item_list(url, self.base, clinics, f"Ketamine therapy clinics in {state.name}")
            if clinics
            else None,
        )
        return self._page(
            state.path,
            "state.html",
            "state",
            title=title,
            description=description,
            heading=f"Ketamine therapy in {state.name}",
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "state": state,
                "intro": intro,
                "cities": cities,
                "clinics": clinics,
                "facts": facts,
                "neighbors": neighbours,
            },
            lastmod=model.latest(state.clinics),
        )

    def city(self, city: City) -> Page:
        model = self.model
        state = model.states[city.region]
        facts = city_facts(model, city)
        listed = facts.local + facts.serving
        if city.is_service_area_only:
            main, heading = (
                f"Ketamine Therapy near {city.label}",
                f"Ketamine therapy near {city.label}",
            )
        else:
            main, heading = f"Ketamine Therapy in {city.label}", f"Ketamine therapy in {city.label}"
        title = fit_title(main, self.site_name)
        n = len(listed)
        first = f"{n} ketamine therapy {'clinic' if n == 1 else 'clinics'} for {city.label}" + (
            f", {len(facts.nearby)} more within {model.config.build.nearby_miles:.0f} miles."
            if facts.nearby
            else "."
        )
        description = fit_description(
            first,
            "Addresses, phone numbers, hours and treatments, with distances and answers to "
            "common questions.",
            "Listings come from each clinic's own information.",
        )
        crumbs = [HOME, Link(state.name, state.path), Link(city.name, city.path)]
        url = self.url(city.path)
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, jsonld.city_place(city)),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.item_list(url, self.base, listed, heading) if listed else None,
            jsonld.faq_page(url, facts.faq),
        )
        slugs = [*city.clinics, *city.serving]
        return self._page(
            city.path,
            "city.html",
            "city",
            title=title,
            description=description,
            heading=heading,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "city": city,
                "intro": facts.intro,
                "local": facts.local,
                "serving": facts.serving,
                "nearby": facts.nearby,
                "nearest_outside": facts.nearest_outside,
                "facts": facts.facts,
                "faq": facts.faq,
                "nearby_miles": model.config.build.nearby_miles,
            },
            lastmod=model.latest(slugs),
        )

    def clinic(self, slug: str) -> Page:
        model = self.model
        clinic, view = model.clinics[slug], model.views[slug]
        city = model.city_of(slug)
        state = model.states[city.region]
        preposition = "serving" if view.is_service_area else "in"
        title = fit_title(f"{view.name}, {view.locality}", self.site_name)
        services = ", ".join(view.therapy_names[:2]) or "ketamine therapy"
        description = fit_description(
            f"{view.name}: {services} {preposition} {view.locality}.",
            "Contact details, opening hours, conditions listed and nearby clinics.",
            "Details come from the clinic's own information.",
        )
        crumbs = [
            HOME,
            Link(state.name, state.path),
            Link(city.name, city.path),
            Link(view.name, view.path),
        ]
        nearby = []
        location = model.locations.get(slug)
        if location is not None:
            for found in model.index.nearest(
                location.point, 4, model.config.build.nearby_miles, exclude=slug
            ):
                nearby.append(model.views[found.key].at_distance(found.miles, view.name))
        url = self.url(view.path)
        clinic_id = jsonld.clinic_id(self.base, slug)
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, {"@id": clinic_id}),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.medical_clinic(self.config, clinic, view, location),
        )
        return self._page(
            view.path,
            "clinic.html",
            "clinic",
            title=title,
            description=description,
            heading=view.name,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={"c": view, "nearby": nearby},
            lastmod=model.latest([slug]),
        )

    def condition(self, slug: str) -> Page:
        from kdirectory.templating import content_markdown  # noqa: PLC0415

        model = self.model
        condition = vocabulary.conditions()[slug]
        text = self.condition_texts.get(slug, {})
        listing = [s for s, c in model.clinics.items() if slug in c.conditions]
        by_state = []
        for state in sorted(model.states.values(), key=lambda s: s.name):
            views = sorted(
                (model.views[s] for s in listing if s in state.clinics),
                key=lambda v: (v.city, v.name),
            )
            if views:
                by_state.append({"name": state.name, "path": state.path, "clinics": views})
        path = f"/conditions/{slug}/"
        title = fit_title(f"Ketamine Therapy for {condition.name}", self.site_name)
        summary = (
            text.get("summary")
            or f"What is known about ketamine treatment for {condition.name.lower()}."
        )
        description = fit_description(
            summary, f"{len(listing)} listed clinics name this condition."
        )
        crumbs = [HOME, Link(condition.name, path)]
        url = self.url(path)
        studied = sorted(
            {vocabulary.therapies()[t].name for s in listing for t in model.clinics[s].therapies}
        )
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, {"@id": f"{url}#condition"}),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.medical_condition(url, slug, studied),
        )
        view = {
            "name": condition.name,
            "summary": summary,
            "evidence": text.get("evidence", "Not assessed"),
            "codes": condition.codes,
            "body_html": content_markdown(self.env, f"conditions/{slug}"),
            "therapies": studied,
        }
        return self._page(
            path,
            "condition.html",
            "condition",
            title=title,
            description=description,
            heading=f"Ketamine therapy for {lower_first(condition.name)}",
            breadcrumbs=crumbs,
            jsonld=graph,
            context={"condition": view, "by_state": by_state},
            lastmod=_newest(
                filter(None, [self.config.review.last_reviewed, model.latest(listing)])
            ),
        )

    def not_found(self) -> Page:
        states = [
            self._state_link(s) for s in sorted(self.model.states.values(), key=lambda s: s.name)
        ]
        return self._page(
            "/404.html",
            "404.html",
            "404",
            title=fit_title("Page not found", self.site_name),
            description=fit_description(
                "This page is not in the directory. It may have moved when a listing changed; "
                "start again from the home page or a state page."
            ),
            heading="Page not found",
            breadcrumbs=[HOME],
            jsonld=None,
            context={"states": states},
            indexable=False,
            health=False,
            noindex_reason="error page",
        )

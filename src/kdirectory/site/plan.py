"""The page plan: every page of the site, with its path, title, description, breadcrumbs,
JSON-LD and template context. Rendering is a separate step (``build``).

The plan computes facts; the words are the theme's. Titles, descriptions, headings and FAQ
come from the macros of ``templates/wording/`` (:class:`~kdirectory.site.templating.Wording`),
once per page, so the ``<title>``, the meta description, the JSON-LD and the uniqueness
check below all read the same text. Titles are fitted to 30–60 characters and descriptions
to 70–160, the ranges search engines show in full and the quality gate checks, and are
unique across the site: pages whose first choice would repeat another's are told apart by
what only they have (a clinic's street, unit or ZIP code), then numbered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from kdirectory.catalogue.site import DESCRIPTION_LENGTH, TITLE_LENGTH
from kdirectory.exceptions import TemplateFailedError
from kdirectory.record import vocabulary
from kdirectory.record.fields import PAYMENT_METHODS
from kdirectory.site import jsonld, urls
from kdirectory.site.facts import CityFacts, ListPage, city_facts, count_state, paginate
from kdirectory.site.templating import (
    content_data,
    content_markdown,
    fit_keeping,
    wording,
)
from kdirectory.site.views import FILTERS, ClinicView, Link

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jinja2 import Environment

    from kdirectory.site.images import Photos
    from kdirectory.site.model import SiteModel, StateGroup
    from kdirectory.site.places import City

Unit = tuple[str, ...]
"""A part of the site planned on its own (:meth:`Planner.units`): ``("home",)``,
``("state", "CA")``, ``("city", "CA", "escondido")``, ``("clinic", slug)``,
``("condition", slug)``, ``("guide", slug)`` or ``("404",)``."""

CITY_FAQ = ("count", "spravato", "weekend", "nearest")
"""The questions a city page answers, in order (``wording/city.txt``: ``count_question``,
``count_answer``, …); ``nearest`` only when there is another clinic to name."""

CLINICS_PER_PAGE = 25
"""The clinics located in a city that one page lists; past this, the list continues on
``/ca/los-angeles/page/2/`` and on (the first page keeps the overview, facts and FAQ)."""
STATE_NAMES_LIMIT = 60
"""A state page names each of its clinics when it has at most this many; a larger state
lists its cities only (each city page lists its clinics)."""
HOME_CITIES_LIMIT = 24
"""The home page lists every city up to this many; past it, the cities with the most
clinics (every city is on its state's page)."""
CONDITION_NAMES_LIMIT = 300
"""A condition page names each clinic that lists the condition when there are at most this
many; past it, it lists the states with how many there are in each."""


@dataclass(frozen=True)
class Guide:
    """One page of the guide (``content/guides.yaml``): a long explainer that city pages
    link to instead of repeating."""

    slug: str
    name: str
    description: str

    @property
    def path(self) -> str:
        return urls.guide(self.slug)


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


def read_guides(env: Environment) -> list[Guide]:
    """The guide pages, in order, from ``content/guides.yaml``."""
    entries = content_data(env, "guides") or []
    try:
        return [Guide(str(e["slug"]), str(e["name"]), str(e["description"])) for e in entries]
    except (KeyError, TypeError):
        raise TemplateFailedError(
            "content/guides.yaml: each guide needs a slug, a name and a description"
        ) from None


def read_payment_labels(env: Environment) -> dict[str, str]:
    """What pages and JSON-LD call each payment method (``content/labels.yaml``)."""
    labels = content_data(env, "labels") or {}
    found = labels.get("payment") if isinstance(labels, dict) else None
    missing = [m for m in PAYMENT_METHODS if not isinstance(found, dict) or m not in found]
    if missing:
        raise TemplateFailedError(
            f"content/labels.yaml: payment: no label for {', '.join(missing)}"
        )
    assert isinstance(found, dict)
    return {method: str(found[method]) for method in PAYMENT_METHODS}


def _newest(dates: Iterable[date | None]) -> date | None:
    return max((d for d in dates if d is not None), default=None)


class Planner:
    """Builds the :class:`Page` list from a :class:`SiteModel`. ``photos`` makes the
    clinics' photos into pictures (and keeps their files for the build); without it, no
    page shows a photo."""

    def __init__(self, model: SiteModel, env: Environment, photos: Photos | None = None) -> None:
        self.model = model
        self.env = env
        self.photos = photos
        self.config = model.config
        self.base = model.config.site.base_url
        self.site_name = model.config.site.name
        self.condition_texts: dict[str, dict[str, str]] = content_data(env, "conditions") or {}
        self.home_faq: list[dict[str, str]] = content_data(env, "faq") or []
        self.guides = read_guides(env)
        self.guide_links = [Link(g.name, g.path) for g in self.guides]
        self.payment_labels = read_payment_labels(env)
        self.common = wording(env, "common")
        self.home_link = Link(self.common.say("home_link"), urls.HOME)
        # Names and cities: structure, counted before any part is planned (and its reads
        # noted, see kdirectory.site.plan_memo).
        self._names = Counter(
            (v.name.casefold(), v.locality.casefold()) for v in model.views.values()
        )

    def url(self, path: str) -> str:
        return urls.absolute(self.base, path)

    def _name_repeats(self, view: ClinicView) -> bool:
        """Another clinic of the same city has the same name (branches, programs)."""
        return self._names[view.name.casefold(), view.locality.casefold()] > 1

    def plan(self) -> list[Page]:
        pages = [page for unit in self.units() for page in self.plan_unit(unit)]
        self.tell_apart(pages)
        return pages

    def units(self) -> list[Unit]:
        """The parts of the site, in the order of their pages: each is planned on its own by
        :meth:`plan_unit` (the pages it gives then told apart from all others by
        :meth:`tell_apart`)."""
        keys = {id(city): key for key, city in self.model.cities.items()}
        units: list[Unit] = [("home",)]
        for state in sorted(self.model.states.values(), key=lambda s: s.name):
            units.append(("state", state.code))
            units.extend(("city", *keys[id(city)]) for city in state.cities)
        units.extend(("clinic", slug) for slug in self.model.clinics)
        units.extend(("condition", slug) for slug in vocabulary.conditions())
        units.extend(("guide", guide.slug) for guide in self.guides)
        units.append(("404",))
        return units

    def plan_unit(self, unit: Unit) -> list[Page]:
        """The pages of one of :meth:`units`, before :meth:`tell_apart`."""
        kind, *key = unit
        if kind == "home":
            return [self.home()]
        if kind == "state":
            return [self.state(self.model.states[key[0]])]
        if kind == "city":
            return self.city_pages(self.model.cities[key[0], key[1]])
        if kind == "clinic":
            return [self.clinic(key[0])]
        if kind == "condition":
            return [self.condition(key[0])]
        if kind == "guide":
            return [next(self.guide(g) for g in self.guides if g.slug == key[0])]
        if kind == "404":
            return [self.not_found()]
        raise ValueError(f"no such part of the site: {unit!r}")

    def tell_apart(self, pages: list[Page]) -> None:
        """Number what is still the same after clinics were told apart by their street, unit
        or ZIP code (two records with one name, city and no street): no two indexable pages
        share a title or a description."""
        for attribute, limit in (
            ("title", TITLE_LENGTH[1]),
            ("description", DESCRIPTION_LENGTH[1]),
        ):
            seen: dict[str, int] = {}
            taken = {getattr(p, attribute) for p in pages}
            for page in pages:
                if not page.indexable:
                    continue
                text = getattr(page, attribute)
                seen[text] = seen.get(text, 0) + 1
                number = seen[text]
                while number > 1:
                    candidate = fit_keeping(text, self.common.say("listing", number=number), limit)
                    if candidate not in taken:
                        taken.add(candidate)
                        setattr(page, attribute, candidate)
                        break
                    number += 1

    def _page(self, path: str, template: str, kind: str, **fields: Any) -> Page:
        return Page(path=path, template=template, kind=kind, canonical=self.url(path), **fields)

    def home(self) -> Page:
        model = self.model
        say = wording(self.env, "home").say
        views = [model.views[slug] for slug in model.clinics]
        ketamine = any(v.lists_ketamine for v in views)
        title = say("title", ketamine=ketamine, site_name=self.site_name)
        description = say("description", clinics=views, ketamine=ketamine, cities=len(model.cities))
        states = [self._state_link(s) for s in sorted(model.states.values(), key=lambda s: s.name)]
        everywhere = sorted(model.cities.items(), key=lambda i: (i[1].name, i[0]))
        if len(everywhere) > HOME_CITIES_LIMIT:
            everywhere = sorted(
                everywhere,
                key=lambda i: (-len(i[1].clinics), -len(i[1].serving), i[1].name, i[0]),
            )[:HOME_CITIES_LIMIT]
        cities = [self._city_link(c) for _, c in everywhere]
        conditions = [
            Link(c.name, urls.condition(slug)) for slug, c in vocabulary.conditions().items()
        ]
        graph = jsonld.graph(
            jsonld.website(self.config),
            jsonld.organization(self.config),
            jsonld.web_page(self.config, self.url(urls.HOME), title, description, None),
            jsonld.faq_page(self.url(urls.HOME), self.home_faq),
        )
        return self._page(
            urls.HOME,
            "home.html",
            "home",
            title=title,
            description=description,
            heading=say("heading", ketamine=ketamine),
            breadcrumbs=[self.home_link],
            jsonld=graph,
            context={
                "clinics": views,
                "city_pages": len(model.cities),
                "guides": self.guide_links,
                "states": states,
                "cities": cities,
                "all_cities": len(cities) == len(model.cities),
                "conditions": conditions,
                "faq": self.home_faq,
            },
            lastmod=model.latest(list(model.clinics)),
        )

    def _state_link(self, state: StateGroup) -> dict[str, Any]:
        return {"name": state.name, "path": state.path, "clinics": len(state.clinics)}

    def _city_link(self, city: City) -> dict[str, Any]:
        return {
            "name": city.name,
            "region": city.region,
            "path": city.path,
            "clinics": len(city.clinics),
            "serving": len(city.serving),
        }

    def state(self, state: StateGroup) -> Page:
        model = self.model
        say = wording(self.env, "state").say
        clinics = sorted((model.views[s] for s in state.clinics), key=lambda v: (v.city, v.name))
        counts = count_state(clinics, len(state.cities))
        title = say("title", state=state, counts=counts, site_name=self.site_name)
        description = say("description", state=state, clinics=clinics)
        crumbs = [self.home_link, Link(state.name, state.path)]
        by_name = sorted(state.cities, key=lambda c: (c.name, c.slug))
        cities = [self._city_link(c) for c in by_name]
        named = clinics if len(clinics) <= STATE_NAMES_LIMIT else []
        neighbours = (
            [
                self._state_link(model.states[code])
                for code in vocabulary.states()[state.code].neighbors
                if code in model.states
            ]
            if state.code in vocabulary.states()
            else []
        )
        url = self.url(state.path)
        graph = jsonld.graph(
            jsonld.web_page(
                self.config, url, title, description, {"@type": "State", "name": state.name}
            ),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.item_list(url, self.base, named, say("list_name", state=state))
            if named
            else jsonld.link_list(
                f"{url}#cities",
                self.base,
                [Link(c.label, c.path) for c in by_name],
                say("city_list_name", state=state),
            ),
        )
        return self._page(
            state.path,
            "state.html",
            "state",
            title=title,
            description=description,
            heading=say("heading", state=state, counts=counts),
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "state": state,
                "counts": counts,
                "cities": cities,
                "clinics": clinics,
                "named": named,
                "neighbors": neighbours,
            },
            lastmod=model.latest(state.clinics),
        )

    def city(self, city: City) -> Page:
        """The page of ``city``: the first of :meth:`city_pages`."""
        return self.city_pages(city)[0]

    def city_pages(self, city: City) -> list[Page]:
        """The pages of ``city``: the first with the overview, the clinics that serve it and
        those nearby, its facts and FAQ, and the clinics located in it nearest its centre
        first, :data:`CLINICS_PER_PAGE` a page; then a page for each further
        :data:`CLINICS_PER_PAGE`."""
        facts = city_facts(self.model, city)
        parts = paginate(facts.ordered, CLINICS_PER_PAGE)
        numbers = [
            {"number": part.number, "path": urls.city_page(city.region, city.slug, part.number)}
            for part in parts
        ]
        return [
            self._city_first(city, facts, parts[0], numbers)
            if part.number == 1
            else self._city_more(city, facts, part, numbers)
            for part in parts
        ]

    def _city_list(
        self, city: City, facts: CityFacts, part: ListPage, numbers: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """What every page of a city has: its part of the list, the links between its pages,
        and the filters that apply to the clinics it shows."""
        first = part.number == 1
        cards = [*part.clinics]
        if first:
            cards += [*facts.serving_shown, *facts.nearby]
            cards += [facts.nearest_outside] if facts.nearest_outside else []
        offered = {name for v in cards for name in v.filters}
        index = part.number - 1
        return {
            "city": city,
            "states_by_code": self.model.states,
            "facts": facts,
            "counts": facts.counts,
            "part": part,
            "local": part.clinics,
            "page_links": numbers,
            "previous": numbers[index - 1]["path"] if index > 0 else None,
            "next": numbers[index + 1]["path"] if index + 1 < len(numbers) else None,
            "filters": [name for name in FILTERS if name in offered],
            "nearby_miles": self.model.config.build.nearby_miles,
        }

    def _city_first(
        self, city: City, facts: CityFacts, part: ListPage, numbers: list[dict[str, Any]]
    ) -> Page:
        model = self.model
        say = wording(self.env, "city").say
        state = model.states[city.region]
        miles = model.config.build.nearby_miles
        heading = say("heading", city=city, facts=facts)
        title = say("title", city=city, facts=facts, site_name=self.site_name)
        description = say("description", city=city, facts=facts, miles=miles)
        faq = self._city_faq(city, facts)
        crumbs = [self.home_link, Link(state.name, state.path), Link(city.name, city.path)]
        url = self.url(city.path)
        listed = [*part.clinics, *facts.serving_shown]
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, jsonld.city_place(city)),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.item_list(url, self.base, listed, heading) if listed else None,
            jsonld.faq_page(url, faq),
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
                **self._city_list(city, facts, part, numbers),
                "serving": facts.serving_shown,
                "nearby": facts.nearby,
                "nearest_outside": facts.nearest_outside,
                "faq": faq,
                "guides": self.guide_links,
            },
            lastmod=model.latest(slugs),
            indexable=facts.noindex_reason is None,
            noindex_reason=facts.noindex_reason,
        )

    def _city_more(
        self, city: City, facts: CityFacts, part: ListPage, numbers: list[dict[str, Any]]
    ) -> Page:
        """A further page of a city's clinics: a short introduction and its part of the
        list."""
        model = self.model
        say = wording(self.env, "city").say
        state = model.states[city.region]
        path = numbers[part.number - 1]["path"]
        words = {"city": city, "facts": facts, "part": part}
        heading = say("page_heading", **words)
        title = say("page_title", **words, site_name=self.site_name)
        description = say("page_description", **words)
        crumbs = [
            self.home_link,
            Link(state.name, state.path),
            Link(city.name, city.path),
            Link(say("page_crumb", part=part), path),
        ]
        url = self.url(path)
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, jsonld.city_place(city)),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.item_list(url, self.base, part.clinics, heading),
        )
        return self._page(
            path,
            "city.html",
            "city",
            title=title,
            description=description,
            heading=heading,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                **self._city_list(city, facts, part, numbers),
                "serving": [],
                "nearby": [],
                "nearest_outside": None,
                "faq": [],
                "guides": [],
            },
            lastmod=model.latest([v.slug for v in part.clinics]),
        )

    def _city_faq(self, city: City, facts: CityFacts) -> list[dict[str, str]]:
        """The questions of :data:`CITY_FAQ` this city page can answer, and the answers."""
        say = wording(self.env, "city").say
        topics = [t for t in CITY_FAQ if t != "nearest" or facts.closest is not None]
        return [
            {
                "question": say(f"{topic}_question", city=city, facts=facts),
                "answer": say(f"{topic}_answer", city=city, facts=facts),
            }
            for topic in topics
        ]

    def clinic(self, slug: str) -> Page:
        model = self.model
        say = wording(self.env, "clinic").say
        clinic, view = model.clinics[slug], model.views[slug]
        if self.photos is not None and clinic.photos:
            view = replace(view, photos=self.photos.pictures(clinic.photos))
        city = model.city_of(slug)
        state = model.states[city.region]
        title = say("title", c=view, repeats=self._name_repeats(view), site_name=self.site_name)
        description = say("description", c=view)
        crumbs = [
            self.home_link,
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
                other = model.locations[found.key]
                approximate = not (location.is_precise and other.is_precise)
                nearby.append(
                    model.views[found.key].at_distance(
                        found.miles, view.name, approximate=approximate
                    )
                )
        url = self.url(view.path)
        clinic_id = urls.clinic_id(self.base, slug)
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, {"@id": clinic_id}),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.medical_clinic(self.config, clinic, view, location, self.payment_labels),
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

    def _condition_parts(
        self, slug: str, listing: list[str], title: str, description: str, crumbs: list[Link]
    ) -> tuple[jsonld.Node, dict[str, Any]]:
        """What every condition page has: its JSON-LD (the page, its breadcrumbs, the
        condition with the therapies its ``listing`` of clinics lists) and the condition as
        the template shows it."""
        condition = vocabulary.conditions()[slug]
        text = self.condition_texts.get(slug, {})
        written = text.get("summary")
        url = self.url(urls.condition(slug))
        clinics = self.model.clinics
        studied = sorted(
            {vocabulary.therapies()[t].name for s in listing for t in clinics[s].therapies}
        )
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, {"@id": f"{url}#condition"}),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.medical_condition(url, slug, studied),
        )
        view = {
            "name": condition.name,
            "summary": wording(self.env, "condition").say(
                "summary", condition=condition, written=written
            ),
            "evidence": text.get("evidence"),
            "codes": condition.codes,
            "body_html": content_markdown(self.env, f"conditions/{slug}"),
            "therapies": studied,
        }
        return graph, view

    def condition(self, slug: str) -> Page:
        model = self.model
        say = wording(self.env, "condition").say
        condition = vocabulary.conditions()[slug]
        text = self.condition_texts.get(slug, {})
        listing = [s for s, c in model.clinics.items() if slug in c.conditions]
        by_state = []
        named = len(listing) <= CONDITION_NAMES_LIMIT
        listed = set(listing)
        for state in sorted(model.states.values(), key=lambda s: s.name):
            slugs = [s for s in state.clinics if s in listed]
            if slugs:
                views = (
                    sorted((model.views[s] for s in slugs), key=lambda v: (v.city, v.name))
                    if named
                    else []
                )
                by_state.append(
                    {"name": state.name, "path": state.path, "clinics": views, "count": len(slugs)}
                )
        path = urls.condition(slug)
        written = text.get("summary")
        title = say("title", condition=condition, site_name=self.site_name)
        description = say("description", condition=condition, written=written, clinics=len(listing))
        crumbs = [self.home_link, Link(condition.name, path)]
        graph, view = self._condition_parts(slug, listing, title, description, crumbs)
        return self._page(
            path,
            "condition.html",
            "condition",
            title=title,
            description=description,
            heading=say("heading", condition=condition),
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "condition": view,
                "by_state": by_state,
                "named": named,
                "listing": len(listing),
            },
            lastmod=_newest(
                filter(None, [self.config.review.last_reviewed, model.latest(listing)])
            ),
        )

    def guide(self, guide: Guide) -> Page:
        say = wording(self.env, "guide").say
        url = self.url(guide.path)
        title = say("title", guide=guide, site_name=self.site_name)
        description = say("description", guide=guide)
        crumbs = [self.home_link, Link(guide.name, guide.path)]
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, description, None),
            jsonld.breadcrumbs(url, self.base, crumbs),
        )
        return self._page(
            guide.path,
            "guide.html",
            "guide",
            title=title,
            description=description,
            heading=guide.name,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "body_html": content_markdown(self.env, self.explainer(guide.slug)),
                "others": [link for link in self.guide_links if link.path != guide.path],
            },
            lastmod=self.config.review.last_reviewed,
        )

    def explainer(self, slug: str) -> str:
        """The content file of guide page ``slug`` (``content/explainer/SLUG.md``)."""
        return f"explainer/{slug}"

    def not_found(self) -> Page:
        say = wording(self.env, "not_found").say
        states = [
            self._state_link(s) for s in sorted(self.model.states.values(), key=lambda s: s.name)
        ]
        return self._page(
            urls.NOT_FOUND,
            "404.html",
            "404",
            title=say("title", site_name=self.site_name),
            description=say("description"),
            heading=say("heading"),
            breadcrumbs=[self.home_link],
            jsonld=None,
            context={"states": states},
            indexable=False,
            health=False,
            noindex_reason="error page",
        )

"""The page plan: every page of the site, with its path, title, description, breadcrumbs,
JSON-LD and template context. Rendering is a separate step (``build``).

Titles are fitted to 30–60 characters and descriptions to 70–160, the ranges search
engines show in full and the quality gate checks, and are unique across the site: pages
whose first choice would repeat another's are told apart by what only they have (a
clinic's street, unit or ZIP code).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from kdirectory.record import vocabulary
from kdirectory.site import jsonld
from kdirectory.site.facts import city_facts
from kdirectory.site.templating import lower_first
from kdirectory.site.views import ClinicView, Link, counted, listing_summary

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jinja2 import Environment

    from kdirectory.site.model import SiteModel, StateGroup
    from kdirectory.site.places import City

TITLE_RANGE = (30, 60)
DESCRIPTION_RANGE = (70, 160)
TITLE_TAIL = "Ketamine Therapy Directory"
HOME = Link("Home", "/")


@dataclass(frozen=True)
class Guide:
    """One page of the guide: a long explainer that city pages link to instead of repeating."""

    slug: str
    name: str
    description: str

    @property
    def path(self) -> str:
        return f"/guide/{self.slug}/"


GUIDES = (
    Guide(
        "what-is-ketamine-therapy",
        "What ketamine therapy is",
        "Ketamine is an anesthetic that doctors also use off-label for depression; esketamine "
        "(Spravato) is a nasal spray. What each one is and how it is given.",
    ),
    Guide(
        "what-to-expect",
        "What to expect at a ketamine clinic",
        "The screening before you start, what happens during a session, getting home "
        "afterwards, and the follow-up a careful clinic offers.",
    ),
    Guide(
        "safety",
        "Safety and side effects of ketamine therapy",
        "Common side effects of ketamine and esketamine, who should be careful, how sessions "
        "are monitored, and the risk of misuse, in plain words.",
    ),
    Guide(
        "cost-and-insurance",
        "Cost and insurance for ketamine therapy",
        "Why prices vary between clinics, when insurance may pay for Spravato, self-pay "
        "infusions, and what to ask about cost before you book.",
    ),
    Guide(
        "choosing-a-clinic",
        "Choosing a ketamine clinic",
        "Questions to ask a clinic about who treats you, screening, monitoring during "
        "sessions, emergencies and follow-up before your first visit.",
    ),
)
GUIDE_LINKS = tuple(Link(g.name, g.path) for g in GUIDES)


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


def fit_keeping(text: str, keep: str, limit: int) -> str:
    """``text`` shortened as needed so that `` keep`` still fits at its end."""
    return f"{_shorten(text, limit - len(keep) - 1)} {keep}"


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
        from kdirectory.site.templating import content_yaml  # noqa: PLC0415 - cycle-free late import

        self.condition_texts: dict[str, dict[str, str]] = content_yaml(env, "conditions") or {}
        self.home_faq: list[dict[str, str]] = content_yaml(env, "faq") or []
        self._names: Counter[tuple[str, str]] | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def _name_repeats(self, view: ClinicView) -> bool:
        """Another clinic of the same city has the same name (branches, programs)."""
        if self._names is None:
            self._names = Counter(
                (v.name.casefold(), v.locality.casefold()) for v in self.model.views.values()
            )
        return self._names[view.name.casefold(), view.locality.casefold()] > 1

    def plan(self) -> list[Page]:
        pages = [self.home()]
        for state in sorted(self.model.states.values(), key=lambda s: s.name):
            pages.append(self.state(state))
            pages.extend(self.city(city) for city in state.cities)
        pages.extend(self.clinic(slug) for slug in self.model.clinics)
        pages.extend(self.condition(slug) for slug in vocabulary.conditions())
        pages.extend(self.guide(guide) for guide in GUIDES)
        pages.append(self.not_found())
        self._tell_apart(pages)
        return pages

    def _tell_apart(self, pages: list[Page]) -> None:
        """Number what is still the same after clinics were told apart by their street, unit
        or ZIP code (two records with one name, city and no street): no two indexable pages
        share a title or a description."""
        for attribute, limit in (("title", TITLE_RANGE[1]), ("description", DESCRIPTION_RANGE[1])):
            seen: dict[str, int] = {}
            taken = {getattr(p, attribute) for p in pages}
            for page in pages:
                if not page.indexable:
                    continue
                text = getattr(page, attribute)
                seen[text] = seen.get(text, 0) + 1
                number = seen[text]
                while number > 1:
                    candidate = fit_keeping(text, f"(listing {number})", limit)
                    if candidate not in taken:
                        taken.add(candidate)
                        setattr(page, attribute, candidate)
                        break
                    number += 1

    def _page(self, path: str, template: str, kind: str, **fields: Any) -> Page:
        return Page(path=path, template=template, kind=kind, canonical=self.url(path), **fields)

    def home(self) -> Page:
        model = self.model
        n_cities = len(model.cities)
        views = [model.views[slug] for slug in model.clinics]
        ketamine = any(v.lists_ketamine for v in views)
        topic = "ketamine therapy clinics" if ketamine else "clinics"
        title = fit_title(
            f"{'Ketamine Therapy Clinics' if ketamine else 'Clinic Directory'}: {self.site_name}",
            TITLE_TAIL,
        )
        description = fit_description(
            f"Find {topic} by state and city: {listing_summary(views)}, "
            f"{counted(n_cities, 'city page')}.",
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
            f"The directory has {listing_summary(views)}, with a page for each of the "
            f"{counted(n_cities, 'city', 'cities')} they are in or serve. Listings come from "
            "the clinics' own published information; the directory does not rank or endorse "
            "any clinic."
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
            heading=f"Find {topic} near you",
            breadcrumbs=[HOME],
            jsonld=graph,
            context={
                "intro": intro,
                "guides": GUIDE_LINKS,
                "guide_summary": "",
                "states": states,
                "cities": cities,
                "conditions": conditions,
                "faq": self.home_faq,
            },
            lastmod=model.latest(list(model.clinics)),
        )

    def _state_link(self, state: StateGroup) -> dict[str, Any]:
        return {
            "name": state.name,
            "path": state.path,
            "count_text": counted(len(state.clinics), "clinic"),
        }

    def _city_link(self, city: City) -> dict[str, Any]:
        n, m = len(city.clinics), len(city.serving)
        text = counted(n, "clinic") if n else f"served by {m:,}"
        return {"name": city.name, "region": city.region, "path": city.path, "count_text": text}

    def state(self, state: StateGroup) -> Page:
        model = self.model
        clinics = sorted((model.views[s] for s in state.clinics), key=lambda v: (v.city, v.name))
        n = len(clinics)
        ketamine = any(v.lists_ketamine for v in clinics)
        topic = "Ketamine Therapy" if ketamine else "Clinics"
        title = fit_title(f"{topic} in {state.name}", self.site_name)
        description = fit_description(
            f"{listing_summary(clinics)} in {state.name}, "
            f"across {counted(len(state.cities), 'city page')}.",
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
            ("Clinics listed", f"{n:,}"),
            ("Clinics listing a ketamine therapy", f"{sum(v.lists_ketamine for v in clinics):,}"),
            ("City pages", f"{len(state.cities):,}"),
            (
                "Treatments listed",
                ", ".join(therapies) if therapies else "Not listed by these clinics",
            ),
        ]
        intro = (
            f"The directory has {listing_summary(clinics)} in {state.name}, with pages for "
            f"{counted(len(state.cities), 'city', 'cities')}. Choose a city to see each "
            "clinic's address, hours, treatments and the clinics nearby."
        )
        url = self.url(state.path)
        graph = jsonld.graph(
            jsonld.web_page(
                self.config, url, title, description, {"@type": "State", "name": state.name}
            ),
            jsonld.breadcrumbs(url, self.base, crumbs),
            jsonld.item_list(url, self.base, clinics, f"Clinics in {state.name}")
            if clinics
            else None,
        )
        return self._page(
            state.path,
            "state.html",
            "state",
            title=title,
            description=description,
            heading=f"{topic.capitalize()} in {state.name}",
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
        listed = facts.listed
        topic = "Ketamine therapy" if facts.about_ketamine else "Clinics"
        where = "near" if city.is_service_area_only else "in"
        heading = f"{topic} {where} {city.label}"
        title = fit_title(heading.replace("therapy", "Therapy"), self.site_name)
        nearby = (
            f", {facts.counts.nearby:,} more within {model.config.build.nearby_miles:.0f} miles"
            if facts.nearby
            else ""
        )
        description = fit_description(
            f"{listing_summary(listed)} for {city.label}{nearby}."
            if listed
            else f"No clinic is listed for {city.label}{nearby}.",
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
                "guides": GUIDE_LINKS,
                "guide_summary": facts.guide_summary,
            },
            lastmod=model.latest(slugs),
            indexable=facts.noindex_reason is None,
            noindex_reason=facts.noindex_reason,
        )

    def clinic(self, slug: str) -> Page:
        model = self.model
        clinic, view = model.clinics[slug], model.views[slug]
        city = model.city_of(slug)
        state = model.states[city.region]
        where = view.locality
        if self._name_repeats(view):
            where = f"{view.distinguisher}, {view.locality}"
        title = fit_title(f"{view.name}, {where}", self.site_name)
        if where not in title:  # the name is so long that fitting cut the place off
            title = fit_keeping(view.name, f"– {where}", TITLE_RANGE[1])
        services = (
            ", ".join(view.therapy_names[:2]) if view.lists_ketamine else "therapies not listed"
        )
        place = (
            f"{', '.join(view.street_lines)}, {view.locality}"
            if view.street_lines
            else f"serving {view.locality}"
        )
        description = fit_description(
            f"{view.name}, {place}: {services}.",
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
                other = model.locations[found.key]
                approximate = not (location.is_precise and other.is_precise)
                nearby.append(
                    model.views[found.key].at_distance(
                        found.miles, view.name, approximate=approximate
                    )
                )
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
        from kdirectory.site.templating import content_markdown  # noqa: PLC0415

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

    def guide(self, guide: Guide) -> Page:
        from kdirectory.site.templating import content_markdown  # noqa: PLC0415

        url = self.url(guide.path)
        title = fit_title(guide.name, self.site_name)
        crumbs = [HOME, Link(guide.name, guide.path)]
        graph = jsonld.graph(
            jsonld.web_page(self.config, url, title, guide.description, None),
            jsonld.breadcrumbs(url, self.base, crumbs),
        )
        return self._page(
            guide.path,
            "guide.html",
            "guide",
            title=title,
            description=fit_description(guide.description),
            heading=guide.name,
            breadcrumbs=crumbs,
            jsonld=graph,
            context={
                "body_html": content_markdown(self.env, f"explainer/{guide.slug}"),
                "others": [link for link in GUIDE_LINKS if link.path != guide.path],
            },
            lastmod=self.config.review.last_reviewed,
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

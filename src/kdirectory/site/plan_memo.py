"""Planning a rebuild by what each part of the site read, so that changing one clinic plans
again only the pages that show it, not all of them.

The directory's site is planned part by part (:meth:`~kdirectory.site.plan.Planner.units`:
the home page, a state, a city's pages, a clinic, a condition...). While a part is planned,
the clinics and clinic views it reads are noted (:class:`Reads`). The build keeps, in the
page cache, what each part read and what each of its pages is (everything but what the
page template is given: title, description, path, dates, whether it is indexable, its
fingerprint), with two digests of the inputs:

- the *structure*: everything the site is made from but the :data:`LOCAL_FIELDS` of each
  clinic (phone, description, hours, insurance...): which clinics there are, their names,
  places, conditions and therapies, the settings, templates, dates and other files;
- each clinic's own digest, all its fields.

A rebuild with the same structure plans again only the parts that read a clinic whose
digest changed; every other page is taken as the last build planned it (a *stub*: no
context, its fingerprint known), and kept as it was rendered. The local fields are read
only through the clinics and views a part reads (nothing else on a page is computed from
them), so the pages of the other parts are the same as planning them again would give.
Anything else (a clinic moved, renamed, added or removed; settings, templates, the day)
plans every page, as a cold build does.

A stub whose page cannot be kept (its file was edited in the site, say) or that the
uniqueness gate newly keeps out of search is planned again before it is rendered. Titles
and descriptions are told apart across the whole site: a part planned again whose titles
or descriptions (before that) differ from last time's plans every page.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, ValuesView
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from kdirectory.site.views import Link

if TYPE_CHECKING:
    from kdirectory.site.model import SiteModel
    from kdirectory.site.plan import Page, Planner, Unit

V = TypeVar("V")

LOCAL_FIELDS = frozenset(
    {
        "url",
        "booking_url",
        "phone",
        "tracking_phone",
        "email",
        "hours",
        "special_hours",
        "spravato_rems_certified",
        "accepting_new_patients",
        "insurance",
        "payment",
        "price_range",
        "languages",
        "providers",
        "testimonials",
        "same_as",
        "description",
    }
)
"""The fields of a clinic that a page can show only through that clinic (its record or
its view): changing one plans again only the parts of the site that read the clinic."""

_FORMAT = 1


class ReadLog:
    """The clinics read while one part of the site is planned."""

    def __init__(self) -> None:
        self.reads: set[str] | None = None
        self.everything = False

    def start(self) -> None:
        self.reads, self.everything = set(), False

    def stop(self) -> frozenset[str] | None:
        """What was read since :meth:`start`; ``None``: every clinic."""
        reads, everything = self.reads, self.everything
        self.reads, self.everything = None, False
        return None if everything or reads is None else frozenset(reads)

    def all(self) -> None:
        if self.reads is not None:
            self.everything = True


class Reads(dict[str, V]):
    """The model's clinics or views, noting in ``log`` whose value a part of the site reads.
    Which clinics there are (the keys, ``in``, ``len``) is part of the site's structure
    and is not noted. ``__iter__`` is its own, so that ``dict(reads)`` and ``{**reads}``
    read each value through :meth:`__getitem__`."""

    def __init__(self, data: dict[str, V], log: ReadLog) -> None:
        super().__init__(data)
        self._log = log

    def __getitem__(self, key: str) -> V:
        reads = self._log.reads
        if reads is not None:
            reads.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        reads = self._log.reads
        if reads is not None and key in self:
            reads.add(key)
        return super().get(key, default)

    def values(self) -> ValuesView[V]:  # type: ignore[override]
        self._log.all()
        return super().values()

    def items(self) -> ItemsView[str, V]:  # type: ignore[override]
        self._log.all()
        return super().items()

    def __iter__(self) -> Iterator[str]:
        return super().__iter__()

    def copy(self) -> dict[str, V]:
        self._log.all()
        return dict(super().items())


def watch(model: SiteModel) -> ReadLog:
    """Note from now on which clinics (records and views) of ``model`` each part reads."""
    log = ReadLog()
    model.clinics = Reads(model.clinics, log)
    model.views = Reads(model.views, log)
    return log


@dataclass
class Planning:
    """The planned pages of a site and how each came to be."""

    pages: list[Page]
    units: list[tuple[Unit, frozenset[str] | None, int]]
    """Each part of the site: what it read (``None``: every clinic), how many pages."""
    planned_as: list[tuple[str, str, bool, str | None]]
    """Each page's title and description before they were told apart, and whether it is
    indexable (and why not) before the uniqueness gate."""
    stubs: dict[str, bytes] = field(default_factory=dict)
    """The pages taken from the last build's record (no context), with their fingerprints."""
    finals: dict[str, tuple[bool, str | None, bytes]] = field(default_factory=dict)
    """How the last build published each stub, after the uniqueness gate: indexable, why
    not, and its fingerprint so."""
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The last build's record of each stub, as read."""
    listings: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """What the uniqueness gate ranks each stub by (see
    :func:`~kdirectory.site.thin_pages.listing_of`)."""
    planned: int = 0
    """How many parts were planned (the others were taken from the record)."""


def plan_all(planner: Planner, log: ReadLog) -> Planning:
    """Plan every part of the site, noting what each reads."""
    pages: list[Page] = []
    units: list[tuple[Unit, frozenset[str] | None, int]] = []
    for unit in planner.units():
        log.start()
        found = planner.plan_unit(unit)
        units.append((unit, log.stop(), len(found)))
        pages.extend(found)
    planned_as = [_planned_as(page) for page in pages]
    planner.tell_apart(pages)
    return Planning(pages, units, planned_as, planned=len(units))


def _planned_as(page: Page) -> tuple[str, str, bool, str | None]:
    return page.title, page.description, page.indexable, page.noindex_reason


def _recorded_as(record: dict[str, Any]) -> tuple[str, str, bool, str | None]:
    reason = record["noindex_reason"]
    return (
        str(record["raw_title"]),
        str(record["raw_description"]),
        bool(record["indexable"]),
        None if reason is None else str(reason),
    )


def plan_again(
    planner: Planner, log: ReadLog, memo: dict[str, Any], changed: set[str]
) -> Planning | None:
    """Plan the parts of the site that read a clinic of ``changed``, the others as the last
    build (``memo``: :func:`memo_of`) planned them; ``None`` when that cannot be (the
    record does not fit the parts this site has, or a title changed: plan every part)."""
    units = planner.units()
    kept = memo.get("units")
    if memo.get("format") != _FORMAT or not isinstance(kept, list) or len(kept) != len(units):
        return None
    planning = Planning([], [], [])
    finals: list[tuple[str, str]] = []
    try:
        for unit, (key, reads, records) in zip(units, kept, strict=True):
            if list(unit) != key:
                return None
            recorded = [_recorded_as(record) for record in records]
            if reads is not None and changed.isdisjoint(reads) and _stubbable(records):
                pages = [_stub(record, planning) for record in records]
                planning.units.append((unit, frozenset(reads), len(pages)))
                _register_photos(planner, unit)
            else:
                log.start()
                pages = planner.plan_unit(unit)
                planning.units.append((unit, log.stop(), len(pages)))
                planning.planned += 1
                if [_planned_as(page) for page in pages] != recorded:
                    return None  # told apart anew, say: plan every part
            planning.pages.extend(pages)
            planning.planned_as.extend(recorded)
            finals.extend((r["title"], r["description"]) for r in records)
    except (KeyError, TypeError, ValueError):
        return None
    for page, (title, description) in zip(planning.pages, finals, strict=True):
        page.title, page.description = title, description
    return planning


def settle(planner: Planner, planning: Planning, pages: list[Page]) -> None:
    """Before ``pages`` are rendered again after the uniqueness gate: a stub the gate left
    as the last build published it is kept so (its fingerprint then); the others are
    planned again (:func:`materialize`)."""
    others = set()
    for page in pages:
        final = planning.finals.get(page.output)
        if page.output not in planning.stubs:
            continue
        if final is not None and final[:2] == (page.indexable, page.noindex_reason):
            planning.stubs[page.output] = final[2]
        else:
            others.add(page.output)
    materialize(planner, planning, others)


def materialize(planner: Planner, planning: Planning, outputs: set[str]) -> None:
    """Plan again the parts that hold the stubs ``outputs``, and give those stubs what
    their template is given (their titles and descriptions stay as told apart)."""
    start = 0
    for unit, _, count in planning.units:
        chunk = planning.pages[start : start + count]
        start += count
        if not any(page.output in outputs and page.output in planning.stubs for page in chunk):
            continue
        for stub, page in zip(chunk, planner.plan_unit(unit), strict=True):
            if stub.output in planning.stubs:
                stub.context, stub.jsonld = page.context, page.jsonld
                del planning.stubs[stub.output]
                planning.listings.pop(stub.output, None)


def memo_of(
    planning: Planning, first: dict[str, bytes | None], final: dict[str, bytes | None]
) -> dict[str, Any]:
    """What the next build needs of ``planning`` to plan only what changed: each part, what
    it read, and its pages as planned and as published (``first``: each page's fingerprint
    as the gate compared it; ``final``: as published, after the gate)."""
    from kdirectory.site.thin_pages import listing_of  # noqa: PLC0415 - a cycle otherwise

    units: list[list[Any]] = []
    start = 0
    for unit, reads, count in planning.units:
        records = []
        for page, planned_as in zip(
            planning.pages[start : start + count],
            planning.planned_as[start : start + count],
            strict=True,
        ):
            prints = (first.get(page.output), final.get(page.output))
            record = planning.records.get(page.output)
            if (
                record is not None
                and prints[0] is not None
                and record["fingerprint"] == prints[0].hex()
            ):
                records.append({**record, "final": _final(page, prints[1])})  # as it was
                continue
            listing = planning.listings.get(page.output) or listing_of(page)
            records.append(_record(page, planned_as, prints, listing))
        start += count
        units.append([list(unit), None if reads is None else sorted(reads), records])
    return {"format": _FORMAT, "units": units}


def _record(
    page: Page,
    planned_as: tuple[str, str, bool, str | None],
    prints: tuple[bytes | None, bytes | None],
    listing: tuple[int, int, int],
) -> dict[str, Any]:
    raw_title, raw_description, indexable, noindex_reason = planned_as
    first, final = prints
    return {
        "path": page.path,
        "template": page.template,
        "kind": page.kind,
        "title": page.title,
        "description": page.description,
        "raw_title": raw_title,
        "raw_description": raw_description,
        "heading": page.heading,
        "canonical": page.canonical,
        "breadcrumbs": [[link.name, link.path] for link in page.breadcrumbs],
        "lastmod": None if page.lastmod is None else page.lastmod.isoformat(),
        "indexable": indexable,
        "health": page.health,
        "noindex_reason": noindex_reason,
        "fingerprint": None if first is None else first.hex(),
        "final": _final(page, final),
        "listing": list(listing),
    }


def _final(page: Page, fingerprint: bytes | None) -> list[Any]:
    """How a page was published, after the uniqueness gate."""
    return [page.indexable, page.noindex_reason, None if fingerprint is None else fingerprint.hex()]


def _stubbable(records: list[dict[str, Any]]) -> bool:
    """Every page of a part has a fingerprint (each is then kept, not rendered)."""
    return all(record["fingerprint"] is not None for record in records)


def _stub(record: dict[str, Any], planning: Planning) -> Page:
    from kdirectory.site.plan import Page  # noqa: PLC0415 - a cycle otherwise

    page = Page(
        path=str(record["path"]),
        template=str(record["template"]),
        kind=str(record["kind"]),
        title=str(record["title"]),
        description=str(record["description"]),
        heading=str(record["heading"]),
        canonical=str(record["canonical"]),
        breadcrumbs=[Link(str(name), str(path)) for name, path in record["breadcrumbs"]],
        jsonld=None,
        lastmod=None if record["lastmod"] is None else date.fromisoformat(record["lastmod"]),
        indexable=bool(record["indexable"]),
        health=bool(record["health"]),
        noindex_reason=record["noindex_reason"],
    )
    planning.stubs[page.output] = bytes.fromhex(record["fingerprint"])
    planning.records[page.output] = record
    indexable, reason, final = record["final"]
    if final is not None:
        why = None if reason is None else str(reason)
        planning.finals[page.output] = (bool(indexable), why, bytes.fromhex(final))
    clinics, serving, part = (int(n) for n in record["listing"])
    planning.listings[page.output] = (clinics, serving, part)
    return page


def _register_photos(planner: Planner, unit: Unit) -> None:
    """Make the photos of a clinic whose page is a stub, so that the build has their files
    (from the images cache: a photo is encoded once)."""
    if unit[0] != "clinic" or planner.photos is None:
        return
    clinic = planner.model.clinics[unit[1]]  # between parts: not noted as read
    if clinic.photos:
        planner.photos.pictures(clinic.photos)


__all__ = [
    "LOCAL_FIELDS",
    "Planning",
    "ReadLog",
    "Reads",
    "materialize",
    "memo_of",
    "plan_again",
    "plan_all",
    "settle",
    "watch",
]

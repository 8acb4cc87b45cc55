"""The build's uniqueness gate: a page that is nearly the same page as another, once the
names they are about are set aside, is built with ``noindex`` and left out of the sitemap,
so the site never publishes doorway pages that differ only by a name.

Pages are compared exactly as ``kdirectory check`` compares them (its ``<main>`` as
published, boilerplate included, word 5-shingles, Jaccard), so a site the gate has passed
has no near-duplicate for ``check`` to report. Of a group of look-alikes the most useful page
stays indexable: a state before a city, a city before a clinic, the first page of a city's
list before its further pages, then the one with the most clinics, then the longest.

The gate works from each page's shingles in compact form (sorted 32-bit values, as the
renderer returns them: see :mod:`kdirectory.site.render`), not from its HTML; pairs are
compared on those arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdirectory.check.similarity import near_duplicates

if TYPE_CHECKING:
    import numpy as np

    from kdirectory.site.plan import Page

KIND_RANK = {"home": 0, "state": 1, "city": 2, "condition": 3, "guide": 3, "clinic": 4}


@dataclass(frozen=True)
class ThinPage:
    """A page the gate keeps out of search, and the page it is too close to."""

    page: Page
    twin: Page
    similarity: float
    threshold: float

    @property
    def reason(self) -> str:
        return (
            f"{self.similarity:.0%} alike with {self.twin.path} once page names are set aside: "
            f"unique content {1 - self.similarity:.0%}, under the {self.threshold:.0%} "
            "threshold ([build] uniqueness_threshold)"
        )


def listing_of(page: Page) -> tuple[int, int, int]:
    """What the gate ranks ``page`` by besides its kind: the clinics located in its city or
    state, those serving its city, and which page of a list it is (1 for a page that is
    not part of one)."""
    city = page.context.get("city")
    state = page.context.get("state")
    if city is not None:
        clinics, serving = len(city.clinics), len(city.serving)
    elif state is not None:
        clinics, serving = len(state.clinics), 0
    else:
        clinics = serving = 0
    number = getattr(page.context.get("part"), "number", 1)
    return clinics, serving, number if isinstance(number, int) else 1


def compare_pages(pages: Sequence[Page], threshold: float) -> bool:
    """Whether the gate compares ``pages`` at all (it is on, and there are two to compare):
    the renderer reads the shingles of indexable pages only then."""
    return threshold > 0 and sum(1 for p in pages if p.indexable) >= 2


def thin_pages(
    pages: Sequence[Page],
    shingles: Mapping[str, np.ndarray],
    threshold: float,
    signatures: Mapping[str, np.ndarray] | None = None,
    listings: Mapping[str, tuple[int, int, int]] | None = None,
) -> list[ThinPage]:
    """Indexable pages whose unique content is under ``threshold`` (0–1; 0 turns the gate
    off): 1 minus their similarity to the most alike other indexable page.

    ``shingles`` holds each indexable page's shingles (by output file; sorted ``uint32``,
    see :func:`kdirectory.check.page.page_shingles`), a page lxml could not read left out;
    ``signatures`` their MinHash signatures where they were computed with them;
    ``listings``, what :func:`listing_of` gives for pages planned without their context.
    """
    candidates = {p.output: p for p in pages if p.indexable}
    if not compare_pages(pages, threshold):
        return []
    texts = {output: shingles[output] for output in candidates if output in shingles}
    pairs = near_duplicates(texts, 1 - threshold, signatures)
    listings = listings or {}
    rank = {}
    for output, page in candidates.items():
        clinics, serving, part = listings.get(output) or listing_of(page)
        rank[output] = (
            KIND_RANK.get(page.kind, 5),
            part,
            -clinics,
            -serving,
            -(len(texts[output]) if output in texts else 0),
            output,
        )
    keeper: dict[str, str] = {output: output for output in candidates}

    def find(output: str) -> str:
        while keeper[output] != output:
            keeper[output] = keeper[keeper[output]]
            output = keeper[output]
        return output

    for pair in pairs:
        a, b = find(pair.first), find(pair.second)
        if a != b:
            best, other = sorted((a, b), key=rank.__getitem__)
            keeper[other] = best
    closest: dict[str, tuple[str, float]] = {}
    for pair in pairs:  # most alike first: the first twin seen is the closest
        closest.setdefault(pair.first, (pair.second, pair.similarity))
        closest.setdefault(pair.second, (pair.first, pair.similarity))
    thin = []
    for output in sorted(candidates):
        if find(output) != output:
            twin, similarity = closest[output]
            thin.append(ThinPage(candidates[output], candidates[twin], similarity, threshold))
    return thin

"""The build's uniqueness gate (DESIGN.md §8): a city page that is nearly the same page as
another city's, once the city names are set aside, is built with ``noindex`` and left out
of the sitemap, so the directory never publishes doorway pages that differ only by a name.

A page's *unique content* is 1 minus its Jaccard similarity (word 5-shingles of the page's
own text, shared blocks excluded) to the most similar other city page. Among pages that are
too alike, the one with the most clinics located in its city stays indexable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdirectory.check.page import content_text_of
from kdirectory.similarity import near_duplicates, shingles

if TYPE_CHECKING:
    from kdirectory.plan import Page


@dataclass(frozen=True)
class ThinPage:
    """A city page the gate keeps out of search, and the page it is too close to."""

    page: Page
    twin: Page
    similarity: float
    threshold: float

    @property
    def reason(self) -> str:
        return (
            f"{self.similarity:.0%} alike with {self.twin.path} once city names are set aside: "
            f"unique content {1 - self.similarity:.0%}, under the {self.threshold:.0%} "
            "threshold ([build] uniqueness_threshold)"
        )


def thin_city_pages(
    pages: Sequence[Page], files: Mapping[str, bytes], threshold: float
) -> list[ThinPage]:
    """City pages whose unique content is under ``threshold`` (0–1; 0 turns the gate off)."""
    cities = {p.output: p for p in pages if p.kind == "city" and p.indexable}
    if threshold <= 0 or len(cities) < 2:
        return []
    texts = {
        output: shingles(content_text_of(files[output]), set_aside=(page.context["city"].name,))
        for output, page in cities.items()
    }
    pairs = near_duplicates(texts, 1 - threshold)
    # Keep the best page of each group of look-alikes; noindex the others.
    rank = {
        output: (-len(page.context["city"].clinics), -len(page.context["city"].serving), output)
        for output, page in cities.items()
    }
    keeper: dict[str, str] = {output: output for output in cities}

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
    for output in sorted(cities):
        if find(output) != output:
            twin, similarity = closest[output]
            thin.append(ThinPage(cities[output], cities[twin], similarity, threshold))
    return thin

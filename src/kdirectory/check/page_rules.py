"""Rules about one page on its own: the head, the h1, images, JSON-LD and the claims lint."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from kdirectory.catalogue.site import DESCRIPTION_LENGTH, TITLE_LENGTH
from kdirectory.check.findings import finding
from kdirectory.check.page import PageFacts
from kdirectory.check.structured import jsonld_findings
from kdirectory.record.claims import ClaimFinding, lint_claims
from kdirectory.report import Problem


def page_url(name: str, base_url: str) -> str:
    """The URL a file is served at: ``ca/escondido/index.html`` -> ``<base>/ca/escondido/``."""
    path = name.removesuffix("index.html") if name.endswith("index.html") else name
    return f"{base_url}/{path}"


def page_findings(page: PageFacts, base_url: str | None) -> list[Problem]:
    """Everything wrong with ``page`` that can be seen without looking at other pages."""
    name = page.name
    found: list[Problem] = []
    if page.truncated_at is not None:
        message = (
            "elements nest more than 255 deep here; the HTML parser stops reading at this "
            "point, so the rest of the page was not checked (and crawlers may not read it)"
        )
        found.append(finding(name, "html.unreadable", message, line=page.truncated_at))
    if not (page.lang or "").strip():
        found.append(finding(name, "html.lang", "<html> has no lang attribute"))
    found += _one_text(
        page, page.titles, ("head.title", "head.title-length"), "<title>", TITLE_LENGTH
    )
    found += _one_text(
        page,
        page.descriptions,
        ("head.description", "head.description-length"),
        '<meta name="description">',
        DESCRIPTION_LENGTH,
    )
    if not page.viewport:
        found.append(
            finding(
                name,
                "head.viewport",
                "no viewport meta tag with width=device-width",
                line=page.head_line,
            )
        )
    found += _canonical(page, base_url)
    if len(page.h1) != 1:
        lines = ", ".join(str(line) for _, line in page.h1 if line)
        found.append(
            finding(
                name,
                "html.h1",
                f"{len(page.h1)} h1 elements" + (f" (lines {lines})" if lines else ""),
                line=page.h1[1][1] if len(page.h1) > 1 else None,
            )
        )
    for src, line in page.images_without_alt:
        found.append(finding(name, "html.img-alt", f"<img src={src!r}> has no alt", line=line))
    found += jsonld_findings(page)
    texts = [("title", " ".join(page.titles)), ("meta description", " ".join(page.descriptions))]
    texts += [("page text", page.own_text), *(("page text", t) for t in page.shared_texts)]
    for where, text in texts:
        for claim in _claims(text):
            found.append(finding(name, claim.rule, f"{claim.phrase!r}: {claim.why}", where=where))
    return found


@functools.lru_cache(maxsize=1024)
def _claims(text: str) -> tuple[ClaimFinding, ...]:
    """The claims lint of one text; shared blocks repeat on every page, so cached."""
    return tuple(lint_claims(text))


def _one_text(
    page: PageFacts,
    values: list[str],
    rules: tuple[str, str],
    tag: str,
    length: tuple[int, int],
) -> list[Problem]:
    """One non-empty ``tag`` (the first of ``rules``) of a length in ``length`` (the second)."""
    one, length_rule = rules
    if len(values) != 1 or not values[0]:
        what = "no" if not values else ("an empty" if len(values) == 1 else f"{len(values)}")
        return [finding(page.name, one, f"{what} {tag}", line=page.head_line)]
    low, high = length
    if not low <= len(values[0]) <= high:
        return [
            finding(
                page.name,
                length_rule,
                f"{tag} is {len(values[0])} characters ({low}-{high} wanted): {values[0]!r}",
                line=page.head_line,
            )
        ]
    return []


def _canonical(page: PageFacts, base_url: str | None) -> list[Problem]:
    name = page.name
    if len(page.canonicals) != 1:
        what = "no canonical link" if not page.canonicals else f"{len(page.canonicals)} canonicals"
        return [finding(name, "head.canonical", what, line=page.head_line)]
    href = page.canonicals[0]
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [
            finding(
                name,
                "head.canonical",
                f"canonical {href!r} is not an absolute URL",
                line=page.head_line,
            )
        ]
    if base_url is not None and href != page_url(name, base_url):
        return [
            finding(
                name,
                "head.canonical-self",
                f"canonical is {href}, not this page ({page_url(name, base_url)})",
                line=page.head_line,
            )
        ]
    return []

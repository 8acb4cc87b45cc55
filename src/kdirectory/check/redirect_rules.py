"""Rules about redirects: a redirect page (a ``<meta http-equiv="refresh">`` with a URL, as
the build leaves at a path a page has moved away from) and the ``_redirects`` file that names
the same moves for the hosts that read it.

A redirect page is not content: the rules of titles, descriptions, headings, the canonical
link and the sitemap do not apply to it. What matters is where it sends readers: to a page
of the site that is not itself a redirect, named by its canonical link too, and, when the
site has a ``_redirects`` file, to the same page as its line there.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urljoin, urlsplit

from kdirectory._output import REDIRECTS
from kdirectory.check.findings import finding
from kdirectory.check.page import PageFacts
from kdirectory.check.page_rules import page_url
from kdirectory.check.site_rules import PageSummary, SiteFiles
from kdirectory.report import Problem

PERMANENT = frozenset({"301", "301!", "308", "308!"})
"""The statuses a line of ``_redirects`` may give a moved page (``!``: Netlify's "even if a
file is there")."""
_FIELDS = 3


def redirect_target(page: PageFacts, base_url: str | None) -> str | None:
    """Where a redirect page sends readers, resolved against the page's own address (an
    absolute URL, or a path from the site's root); None when the page is no redirect."""
    if page.refresh is None:
        return None
    return urljoin(page_url(page.name, base_url or ""), page.refresh)


def redirect_page_findings(page: PageFacts, target: str) -> list[Problem]:
    """What is wrong with a redirect page on its own: no lang, or a canonical link that names
    another page than the one it sends readers to."""
    found: list[Problem] = []
    if not (page.lang or "").strip():
        found.append(finding(page.name, "html.lang", "<html> has no lang attribute"))
    if len(page.canonicals) != 1:
        what = "no canonical link" if not page.canonicals else f"{len(page.canonicals)} canonicals"
        found.append(
            finding(
                page.name,
                "links.redirect-target",
                f"a redirect page to {target} with {what}; it needs one, naming {target}",
                line=page.head_line,
            )
        )
    elif not _same_place(page.canonicals[0], target):
        found.append(
            finding(
                page.name,
                "links.redirect-target",
                f"the page redirects to {target} but its canonical link names {page.canonicals[0]}",
                line=page.head_line,
            )
        )
    return found


def redirect_findings(site: SiteFiles, pages: Mapping[str, PageSummary]) -> list[Problem]:
    """Redirect pages that lead nowhere, or to another redirect; and ``_redirects`` lines
    that disagree with the redirect pages."""
    found: list[Problem] = []
    for name, page in pages.items():
        if page.redirect is None:
            continue
        target = site.file_for(page.redirect) if site.is_internal(page.redirect) else None
        if target is None or target not in pages:
            found.append(
                finding(
                    name,
                    "links.redirect-target",
                    f"redirects to {page.redirect}, which is not a page of this site",
                    where=page.redirect,
                )
            )
        elif pages[target].redirect is not None:
            found.append(
                finding(
                    name,
                    "links.redirect-target",
                    f"redirects to {page.redirect}, which redirects again (to "
                    f"{pages[target].redirect}): a chain",
                    where=page.redirect,
                )
            )
    return found + _redirects_file_findings(site, pages)


def _redirects_file_findings(site: SiteFiles, pages: Mapping[str, PageSummary]) -> list[Problem]:
    """Each static line of ``_redirects`` has a redirect page at its old path that leads to
    the same new path, and each redirect page has its line. Rules with a ``*`` or a
    ``:placeholder``, and rules for whole domains, have no page to compare and are skipped."""
    if REDIRECTS not in site.files:
        return []
    text = site.path(REDIRECTS).read_text(encoding="utf-8", errors="replace")
    found: list[Problem] = []
    listed: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields or fields[0].startswith("#") or "*" in fields[0] or ":" in fields[0]:
            continue
        source = fields[0]
        if len(fields) != _FIELDS or fields[2] not in PERMANENT:
            found.append(
                finding(
                    REDIRECTS,
                    "links.redirects-file",
                    f"{raw.strip()!r} is not a permanent redirect of one path "
                    "('/old/path/ /new/path/ 301')",
                    line=number,
                )
            )
            continue
        stub = site.file_for(source) if site.is_internal(source) else None
        page = pages.get(stub) if stub is not None else None
        if stub is None or page is None or page.redirect is None:
            found.append(
                finding(
                    REDIRECTS,
                    "links.redirects-file",
                    f"{source} -> {fields[1]}: there is no redirect page at {source}, so hosts "
                    "that do not read _redirects answer 404 there",
                    line=number,
                    where=source,
                )
            )
            continue
        listed.add(stub)
        if not _same_place(fields[1], page.redirect):
            found.append(
                finding(
                    REDIRECTS,
                    "links.redirects-file",
                    f"{source} leads to {fields[1]} here, but its redirect page {stub} leads "
                    f"to {page.redirect}",
                    line=number,
                    where=source,
                )
            )
    found += [
        finding(
            name,
            "links.redirects-file",
            f"a redirect page (to {page.redirect}) that no line of {REDIRECTS} names, so "
            "hosts that read it do not redirect this path",
        )
        for name, page in sorted(pages.items())
        if page.redirect is not None and name not in listed
    ]
    return found


def _same_place(first: str, second: str) -> bool:
    """Two URLs name the same page: the same path, and the same host when both name one."""
    a, b = urlsplit(first), urlsplit(second)
    same_host = not a.netloc or not b.netloc or a.netloc.lower() == b.netloc.lower()
    return same_host and unquote(a.path) == unquote(b.path)

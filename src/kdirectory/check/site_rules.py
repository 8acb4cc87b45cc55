"""Rules across pages: unique titles and descriptions, internal links and anchors, the
sitemap, robots.txt and near-duplicate pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import numpy as np

from kdirectory.check.findings import finding
from kdirectory.check.page import PageFacts
from kdirectory.check.page_rules import page_url
from kdirectory.check.similarity import near_duplicates
from kdirectory.report import Problem

_SKIPPED_SCHEMES = frozenset({"mailto", "tel", "sms", "javascript", "data", "ftp"})
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True)
class Anchor:
    """A link to ``fragment`` on the site file ``target``."""

    target: str
    fragment: str
    href: str
    line: int | None


@dataclass(frozen=True)
class PageSummary:
    """What the cross-page rules keep of each page (the rest is dropped after page rules)."""

    title: str | None
    description: str | None
    noindex: bool
    anchors: tuple[Anchor, ...]
    """Links with a ``#fragment`` into the site, to check against the target's ids."""
    ids: str
    """The ids on the page, each between NULs (one string a page rather than a set of
    them: most pages are no link's target). See :meth:`has_id`."""
    shingles: np.ndarray
    """The page's shingles (:func:`kdirectory.check.page.page_shingle_array`: sorted
    ``uint32``, 4 bytes each), empty for a redirect page."""
    signature: np.ndarray | None = None
    """The MinHash signature of ``shingles``, computed with them on large sites."""
    redirect: str | None = None
    """Where the page sends readers, when it is a redirect page (see ``redirect_rules``)."""

    @staticmethod
    def joined_ids(ids: Iterable[str]) -> str:
        """``ids`` as :attr:`ids` keeps them (an id never holds a NUL: pages with NULs are
        not read)."""
        return "\0" + "\0".join(ids) + "\0"

    def has_id(self, fragment: str) -> bool:
        """Whether an element of the page has the id ``fragment``."""
        return "\0" not in fragment and f"\0{fragment}\0" in self.ids


class SiteFiles:
    """The files of a built site and how URLs of the site map onto them. The site is in
    ``root``, but for the files ``unchanged``, which are in ``live`` (a new site staged
    over the one it replaces: see :func:`kdirectory.site.publish.publish`)."""

    def __init__(
        self,
        root: Path,
        files: set[str],
        base_url: str | None,
        external_paths: tuple[str, ...] = (),
        live: Path | None = None,
        unchanged: frozenset[str] = frozenset(),
    ) -> None:
        self.root = root
        self.files = files
        self.live = live
        self.unchanged = unchanged if live is not None else frozenset()
        self.base_url = base_url
        # Paths on the site's host that another application serves: a path, or (ending
        # in "/") everything under it.
        self.external_paths = tuple(unquote(path) for path in external_paths)
        base = urlsplit(base_url or "")
        self.netloc = base.netloc
        self.base_path = base.path.rstrip("/")
        self.origin = f"{base.scheme}://{base.netloc}" if base.netloc else "https://site.invalid"

    def path(self, name: str) -> Path:
        """Where the site's file ``name`` is."""
        if name in self.unchanged:
            assert self.live is not None
            return self.live / name
        return self.root / name

    def file_for(self, url: str) -> str | None:
        """The site file a URL of this site is served from, or None (not found / external)."""
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != self.netloc:
            return None
        path = unquote(parts.path)
        if not path.startswith(self.base_path + "/"):
            return None
        name = path[len(self.base_path) + 1 :]
        if name == "" or name.endswith("/"):
            name += "index.html"
        if name in self.files:
            return name
        if f"{name}/index.html" in self.files:  # servers redirect /x to /x/
            return f"{name}/index.html"
        return None

    def is_internal(self, url: str) -> bool:
        parts = urlsplit(url)
        return (not parts.netloc or parts.netloc == self.netloc) and parts.path.startswith(
            self.base_path + "/"
        )

    def is_served_elsewhere(self, url: str) -> bool:
        """The URL's path is one of ``external_paths``, or under one that ends in ``/``
        (``/portal`` is under ``/portal/`` too: servers add the slash)."""
        path = unquote(urlsplit(url).path)
        return any(
            path == served or (served.endswith("/") and f"{path}/".startswith(served))
            for served in self.external_paths
        )


def duplicate_findings(pages: Mapping[str, PageSummary]) -> list[Problem]:
    """Titles and descriptions shared by two or more indexable pages."""
    found: list[Problem] = []
    for attribute, rule in (
        ("title", "head.title-duplicate"),
        ("description", "head.description-duplicate"),
    ):
        owners: dict[str, list[str]] = defaultdict(list)
        for name, page in pages.items():
            value = getattr(page, attribute)
            if value and not page.noindex:
                owners[value].append(name)
        for value, names in owners.items():
            for name in names[1:]:
                found.append(finding(name, rule, f"same {attribute} as {names[0]}: {value!r}"))
    return found


SiteLink = tuple[str, str, str]
"""A link of a page to its own site: the ``href`` as written, the URL it names without the
fragment, and the fragment (empty for none)."""


def site_links(page: PageFacts, site: SiteFiles) -> tuple[SiteLink, ...]:
    """The links of ``page`` to its own site, in document order (one for each ``<a>``):
    what :func:`link_findings` resolves. Depends only on the page and the site's URL."""
    links: list[SiteLink] = []
    here = page_url(page.name, site.base_url or "https://site.invalid")
    known = _known_links(site)
    for href in page.links:
        # Most links are the same on many pages: a root-relative path, a phone number, a
        # URL with its host. What they lead to does not depend on the page: worked out once.
        if href in known:
            link = known[href]
        else:
            link, anywhere = _link(href, here, site)
            if anywhere:
                if len(known) >= _KNOWN_LINKS_KEPT:
                    known.clear()
                known[href] = link
        if link is not None:
            links.append(link)
    return tuple(links)


def _link(href: str, here: str, site: SiteFiles) -> tuple[SiteLink | None, bool]:
    """The link ``href`` on the page at ``here`` as a :data:`SiteLink` (None: not a link
    into the site), and whether it would be the same on any page of the site."""
    if href.startswith("/") and not href.startswith("//"):
        return _site_link(href, site.origin + href, site), True  # no join needed
    parts = urlsplit(href)
    scheme = parts.scheme.lower()
    if scheme in _SKIPPED_SCHEMES or (scheme and scheme not in ("http", "https")):
        return None, True
    return _site_link(href, urljoin(here, href), site), bool(parts.netloc)


_KNOWN_LINKS: dict[tuple[str, str, str], dict[str, SiteLink | None]] = {}
"""For each site URL read in this process, what :func:`site_links` makes of each ``href``
that would be the same on any of its pages (None: not a link into the site)."""
_KNOWN_LINKS_KEPT = 200_000


def _known_links(site: SiteFiles) -> dict[str, SiteLink | None]:
    """The links worked out so far for a site at ``site``'s URL."""
    return _KNOWN_LINKS.setdefault((site.origin, site.netloc, site.base_path), {})


def _site_link(href: str, url: str, site: SiteFiles) -> SiteLink | None:
    """The link ``href`` (the absolute ``url``) as a :data:`SiteLink`; None when it leads
    out of the site."""
    address, _, fragment = url.partition("#")
    return (href, address, fragment) if site.is_internal(address) else None


def link_findings(
    name: str,
    links: Iterable[SiteLink],
    site: SiteFiles,
    resolved: dict[str, str | None],
    line_of: Callable[[str], int | None],
) -> tuple[list[Problem], tuple[Anchor, ...]]:
    """Links of the page ``name`` (:func:`site_links`) to site files that do not exist, and
    its links with a fragment (for :func:`anchor_findings`). ``resolved`` caches URL ->
    file ("" for a path another application serves, None for a broken link) across the
    pages of one run; ``line_of`` gives the line of an ``href`` on the page."""
    found: list[Problem] = []
    anchors: list[Anchor] = []
    for href, address, fragment in links:
        if address not in resolved:
            elsewhere = site.is_served_elsewhere(address)
            resolved[address] = "" if elsewhere else site.file_for(address)
        target = resolved[address]
        if target == "":
            continue  # a path another application serves
        if target is None:
            found.append(
                finding(
                    name,
                    "links.broken",
                    f"link to {href} leads nowhere",
                    line=line_of(href),
                    where=href,
                )
            )
        elif fragment:
            anchors.append(Anchor(target, unquote(fragment), href, line_of(href)))
    return found, tuple(anchors)


def anchor_findings(pages: Mapping[str, PageSummary]) -> list[Problem]:
    """Links to a ``#fragment`` that no element of the target page has as its id."""
    return [
        finding(
            name,
            "links.anchor",
            f"{anchor.href}: no element with id {anchor.fragment!r} on {anchor.target}",
            line=anchor.line,
            where=anchor.href,
        )
        for name, page in pages.items()
        for anchor in page.anchors
        if anchor.target in pages and not pages[anchor.target].has_id(anchor.fragment)
    ]


def sitemap_findings(site: SiteFiles, pages: Mapping[str, PageSummary]) -> list[Problem]:
    """The sitemap lists every indexable page, no noindex page and nothing else."""
    if "sitemap.xml" not in site.files:
        return [finding("sitemap.xml", "sitemap.missing", "the site has no sitemap.xml")]
    listed: dict[str, str] = {}  # URL -> the sitemap file that lists it
    problems: list[Problem] = []
    queue = ["sitemap.xml"]
    seen: set[str] = set()
    unreadable = False
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        try:
            root = ET.parse(site.path(name)).getroot()  # noqa: S314 - our own output, no DTDs
        except (ET.ParseError, OSError) as exc:
            problems.append(
                finding(
                    name,
                    "sitemap.missing",
                    f"cannot read {name}: {exc}; pages were not compared with the sitemap",
                )
            )
            unreadable = True
            continue
        for loc in root.iter(f"{_SITEMAP_NS}loc"):
            url = (loc.text or "").strip()
            if root.tag == f"{_SITEMAP_NS}sitemapindex":
                child = site.file_for(url)
                if child is None:
                    problems.append(
                        finding(
                            name,
                            "sitemap.unknown",
                            f"sitemap index names {url}, which is not in the site",
                        )
                    )
                else:
                    queue.append(child)
            else:
                listed[url] = name
    by_file = {site.file_for(url): (url, where) for url, where in listed.items()}
    for url, where in listed.items():
        target = site.file_for(url)
        if target is None or target not in pages:
            problems.append(
                finding(where, "sitemap.unknown", f"{url} is not a page of the site", where=url)
            )
        elif pages[target].noindex:
            problems.append(
                finding(
                    target,
                    "sitemap.noindex",
                    f"the page is noindex but {where} lists it",
                    where=url,
                )
            )
    if unreadable:  # one finding for the broken file, not one per page it would list
        return problems
    for name, page in pages.items():
        if not page.noindex and name not in by_file:
            problems.append(
                finding(name, "sitemap.unlisted", "an indexable page that no sitemap lists")
            )
    return problems


def robots_findings(site: SiteFiles) -> list[Problem]:
    """robots.txt exists, names the sitemap by absolute URL and does not block everything."""
    if "robots.txt" not in site.files:
        return [finding("robots.txt", "robots.missing", "the site has no robots.txt")]
    text = site.path("robots.txt").read_text(encoding="utf-8", errors="replace")
    found: list[Problem] = []
    sitemaps = []
    agents: list[str] = []  # the user agents of the group being read
    in_rules = False
    for number, raw in enumerate(text.splitlines(), start=1):
        key, _, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "sitemap":
            sitemaps.append((value, number))
        elif key == "user-agent":
            if in_rules:  # a user-agent line after rules starts a new group
                agents, in_rules = [], False
            agents.append(value)
        elif key in ("allow", "disallow"):
            in_rules = True
            if key == "disallow" and value == "/" and "*" in agents:
                found.append(
                    finding(
                        "robots.txt",
                        "robots.blocked",
                        "'Disallow: /' for every crawler hides the whole site",
                        line=number,
                    )
                )
    if not sitemaps:
        found.append(finding("robots.txt", "robots.sitemap", "no 'Sitemap:' line"))
    for url, number in sitemaps:
        if not urlsplit(url).scheme or site.file_for(url) is None:
            found.append(
                finding(
                    "robots.txt",
                    "robots.sitemap",
                    f"Sitemap {url!r} is not an absolute URL of a file in the site",
                    line=number,
                )
            )
    return found


def similarity_findings(pages: Mapping[str, PageSummary], threshold: float) -> list[Problem]:
    """Indexable pages whose own text is at least ``threshold`` alike (shingle Jaccard)."""
    indexable = {name: p.shingles for name, p in pages.items() if not p.noindex}
    signatures = {
        name: p.signature
        for name, p in pages.items()
        if p.signature is not None and name in indexable
    }
    return [
        finding(
            pair.second,
            "content.near-duplicate",
            f"{pair.similarity:.0%} alike with {pair.first} (word 5-shingles, h1 words set aside, "
            "Jaccard)",
            where=pair.first,
        )
        for pair in near_duplicates(indexable, threshold, signatures)
    ]

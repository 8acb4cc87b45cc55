"""Read one built HTML page the way a crawler does: head tags, headings, links, ids, images,
JSON-LD blocks, the elements marked as showing a JSON-LD node, the visible text and the
page's own content text (lxml's C parser)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise

import numpy as np
from lxml.etree import (
    HTMLParser,
    ParserError,
    XMLSyntaxError,
    XPath,
    _Element,
    fromstring,
    strip_elements,
)

from kdirectory.check.similarity import shingle_array, shingles

# lxml.etree's parser, not lxml.html's: plain elements skip a Python class lookup per node.
_PARSER = HTMLParser(encoding="utf-8", remove_comments=True)
_INVISIBLE = ("script", "style", "template", "noscript")
# The text nodes of an element (what itertext() yields, read in one call), and how many
# text nodes come before an element or lie within it: where its text is among them.
_TEXTS = XPath("descendant::text()", smart_strings=False)
_TEXTS_BEFORE = XPath("count(preceding::text())")
_TEXTS_WITHIN = XPath("count(descendant::text())")
NODE_ATTRIBUTE = "data-jsonld-id"
"""The attribute that marks the element showing one JSON-LD node: its value is the node's
``@id`` (a location's card on a page that lists several)."""
_MAIN = XPath("descendant::main[1]")


@dataclass(frozen=True)
class Block:
    """An element marked as showing one JSON-LD node (``data-jsonld-id="<@id>"``), with what
    a reader sees in it: the NAP rules compare that node with this, not with the whole page."""

    node_id: str
    line: int | None
    text: str
    tel_links: list[tuple[str, str]]
    hours: dict[str, str]
    dates: dict[str, str]


@dataclass
class PageFacts:
    """What the rules need from one page. ``name`` is its file, relative to the site."""

    name: str
    lang: str | None = None
    titles: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    canonicals: list[str] = field(default_factory=list)
    viewport: bool = False
    noindex: bool = False
    h1: list[tuple[str, int | None]] = field(default_factory=list)
    images_without_alt: list[tuple[str, int | None]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """Every ``href`` of an ``<a>`` or ``<area>``, stripped, in document order."""
    ids: set[str] = field(default_factory=set)
    jsonld: list[tuple[str, int | None]] = field(default_factory=list)
    text: str = ""
    # The body text outside shared blocks, and the text of each shared block (the same on
    # many pages: the claims lint reads each distinct block once per run).
    own_text: str = ""
    shared_texts: tuple[str, ...] = ()
    content_text: str = ""
    """The text of ``<main>`` as a reader sees it, shared blocks included: what two pages
    are compared on."""
    tel_links: list[tuple[str, str]] = field(default_factory=list)
    hours: dict[str, str] = field(default_factory=dict)
    # <time datetime> values, each with the text right after its first <time> element
    # (a special-hours row: "<time>December 24, 2026</time>: 9:00 AM - noon").
    dates: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, list[Block]] = field(default_factory=dict)
    """The visible elements marked with a JSON-LD node's ``@id``, by that ``@id``."""
    head_line: int | None = None
    source: bytes = b""
    truncated_at: int | None = None
    """The line where elements nest too deeply for the parser, which stops reading there."""
    refresh: str | None = None
    """The URL of a ``<meta http-equiv="refresh">`` that names one: the page is a redirect."""

    def line_of(self, href: str) -> int | None:
        """The line of the first element with this ``href`` (for a finding), if found."""
        return line_of(self.source, href)


def line_of(source: bytes, href: str) -> int | None:
    """The line of the first element with this ``href`` in the page ``source``, if found."""
    for quoted in (f'href="{escape(href)}"', f"href='{escape(href)}'", f"href={href}"):
        at = source.find(quoted.encode())
        if at >= 0:
            return source.count(b"\n", 0, at) + 1
    return None


def read_page(name: str, data: bytes) -> PageFacts | None:
    """Parse ``data``; None when it is not an HTML document lxml can read.

    lxml's HTML parser accepts anything (it wraps binary junk in ``<html><body>``), so a
    file with NUL bytes or that is not UTF-8 (what the build writes) is refused first."""
    if not _is_text(data):
        return None
    try:
        root = fromstring(data, parser=_PARSER)
    except (ParserError, XMLSyntaxError, ValueError):
        return None
    if root is None or root.tag != "html":
        return None
    facts = PageFacts(name, lang=root.get("lang"), source=data)
    facts.truncated_at = next(
        (e.line for e in _PARSER.error_log if "Excessive depth" in e.message), None
    )
    head = root.find("head")
    facts.head_line = head.sourceline if head is not None else None
    marked: list[_Element] = []
    around_invisible: list[_Element] = []
    for element in root.iter():  # one pass over the elements for what is read of them
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in _INVISIBLE and (parent := element.getparent()) is not None:
            around_invisible.append(parent)
        attributes = element.keys()
        if "id" in attributes:
            facts.ids.add(element.get("id") or "")
        if tag == "aside" or not _MARKS.isdisjoint(attributes):
            marked.append(element)
        if tag in _READ:
            _read_element(facts, element, tag, attributes)
    # What is left is read as text, so drop what a reader never sees (the tree is ours).
    strip_elements(root, *_INVISIBLE, with_tail=False)
    for parent in around_invisible:
        _join_texts(parent)
    # The elements marked hidden, as showing a JSON-LD node or as shared (and the asides):
    # which is which, and whether it is still within the body, is told now that the
    # invisible elements are gone, and again once the hidden ones are.
    for hidden in [e for e in marked if e.get("hidden") is not None and _in_body(e)]:
        _drop(hidden)  # what is inside a hidden element is no longer in a body
    blocks = [e for e in marked if e.get(NODE_ATTRIBUTE) is not None and _in_body(e)]
    facts.hours, facts.blocks = _hours_table(root), _blocks(blocks)
    body = root.find("body")
    if body is None:
        return facts
    shared = [
        e
        for e in marked
        if (e.tag == "aside" or e.get("data-shared") is not None)
        and any(ancestor is body for ancestor in e.iterancestors("body"))
    ]
    _read_texts(facts, body, shared)
    return facts


_MARKS = frozenset({"hidden", NODE_ATTRIBUTE, "data-shared"})
"""The attributes of elements that are hidden, show a JSON-LD node or are shared blocks."""
_READ = frozenset({"title", "meta", "link", "h1", "img", "script", "time", "a", "area"})
"""The tags :func:`_read_element` reads."""


def _read_element(facts: PageFacts, element: _Element, tag: str, attributes: list[str]) -> None:
    """What the head tags, headings, images, JSON-LD, dates and links of a page say."""
    if tag in ("a", "area"):
        href = element.get("href")
        if href is not None:
            facts.links.append(href.strip())
            if tag == "a" and href.startswith("tel:"):
                facts.tel_links.append((href, _visible_text(element)))
        if tag == "a" and "name" in attributes:
            facts.ids.add(element.get("name") or "")
    elif tag == "title":
        facts.titles.append(_visible_text(element))
    elif tag == "meta":
        _meta(facts, element)
    elif tag == "link":
        if "canonical" in (element.get("rel") or "").lower().split():
            facts.canonicals.append((element.get("href") or "").strip())
    elif tag == "h1":
        facts.h1.append((_visible_text(element), element.sourceline))
    elif tag == "img":
        if element.get("alt") is None:
            facts.images_without_alt.append((element.get("src") or "", element.sourceline))
    elif tag == "script":
        if (element.get("type") or "").strip().lower() == "application/ld+json":
            facts.jsonld.append((element.text or "", element.sourceline))
    elif tag == "time" and element.get("datetime"):
        facts.dates.setdefault(element.get("datetime") or "", _squash(element.tail or ""))


def _join_texts(element: _Element) -> None:
    """Make one text node of each run of them that stripping elements left in ``element``
    ("a<script></script>b": "a" and "b"), as lxml reads them (``.text``, ``itertext()``),
    for what reads text nodes one by one (XPath)."""
    element.text = element.text
    for child in element:
        child.tail = child.tail


def _in_body(element: _Element) -> bool:
    """Whether the element is within a ``<body>`` of the page (``//body//*``)."""
    return next(element.iterancestors("body"), None) is not None


def _read_texts(facts: PageFacts, body: _Element, shared: list[_Element]) -> None:
    """The texts of the page: of ``<main>``, of each ``shared`` block and of the body
    without them, from one read of the body's text nodes (each element's are a run of them;
    the runs cut them into pieces, each read once)."""
    texts = _TEXTS(body)
    first = _TEXTS_BEFORE(body)

    def run(element: _Element) -> tuple[int, int]:
        start = int(_TEXTS_BEFORE(element) - first)
        return start, start + int(_TEXTS_WITHIN(element))

    found = _MAIN(body)
    main = run(found[0]) if found else (0, len(texts))
    runs = [run(element) for element in shared]
    cuts = sorted({0, len(texts), *main, *(at for one in runs for at in one)})
    pieces = [(start, _words_of(texts[start:end])) for start, end in pairwise(cuts)]

    def within(low: int, high: int) -> str:
        return " ".join(text for start, text in pieces if low <= start < high and text)

    facts.content_text = within(*main)
    facts.shared_texts = tuple(within(*one) for one in runs)
    facts.own_text = " ".join(
        text
        for start, text in pieces
        if text and not any(low <= start < high for low, high in runs)
    )
    facts.text = " ".join((facts.own_text, *facts.shared_texts))


def _words_of(texts: list[str]) -> str:
    """Text nodes as one text: whitespace collapsed, a space between text nodes."""
    return " ".join(" ".join(texts).split())


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _drop(element: _Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    element.tail = None
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + " " + tail
        else:
            parent.text = (parent.text or "") + " " + tail


def _meta(facts: PageFacts, element: _Element) -> None:
    name = (element.get("name") or "").strip().lower()
    content = element.get("content") or ""
    if (element.get("http-equiv") or "").strip().lower() == "refresh":
        if facts.refresh is None:
            facts.refresh = refresh_url(content)
        return
    if name == "description":
        facts.descriptions.append(_squash(content))
    elif name == "viewport" and "width=device-width" in content.replace(" ", ""):
        facts.viewport = True
    elif name in ("robots", "googlebot") and "noindex" in content.lower():
        facts.noindex = True


_REFRESH = re.compile(
    r"\s*\d*(?:\.[\d.]*)?\s*[;,]?\s*(?:url\s*=\s*)?(?P<quote>['\"]?)(?P<url>.*?)(?P=quote)?\s*",
    re.IGNORECASE | re.DOTALL,
)


def refresh_url(content: str) -> str | None:
    """The URL a ``<meta http-equiv="refresh" content="0; url=/new/">`` goes to, as the HTML
    standard reads the content (a delay, then ``url=``, the URL maybe quoted); None for a
    refresh of the page itself."""
    match = _REFRESH.fullmatch(content)
    url = match["url"].strip() if match else ""
    return url or None


def _visible_text(element: _Element) -> str:
    """The element's text, whitespace collapsed, with a space between text nodes."""
    if not len(element):  # most are one text node: the element's own text
        return " ".join((element.text or "").split())
    return _words_of(_TEXTS(element))


def _hours_table(root: _Element) -> dict[str, str]:
    rows: dict[str, str] = {}
    for table in root.iter("table"):
        if "hours" not in (table.get("class") or "").split():
            continue
        for row in table.iter("tr"):
            cells = [_visible_text(cell) for cell in row if cell.tag in ("th", "td")]
            parent = row.getparent()
            if len(cells) == 2 and parent is not None and parent.tag != "thead":
                rows[cells[0]] = cells[1]
    return rows


def _blocks(elements: list[_Element]) -> dict[str, list[Block]]:
    """The elements marked with a JSON-LD node's ``@id``, read as blocks, by that ``@id``."""
    blocks: dict[str, list[Block]] = {}
    for element in elements:
        block = _block(element)
        blocks.setdefault(block.node_id, []).append(block)
    return blocks


def _block(element: _Element) -> Block:
    """What a reader sees in a marked element (hidden and invisible parts already dropped)."""
    dates: dict[str, str] = {}
    for time in element.iter("time"):
        if time.get("datetime"):
            dates.setdefault(time.get("datetime") or "", _squash(time.tail or ""))
    return Block(
        node_id=(element.get(NODE_ATTRIBUTE) or "").strip(),
        line=element.sourceline,
        text=_visible_text(element),
        tel_links=[
            (href, _visible_text(a))
            for a in element.iterdescendants("a")
            if (href := a.get("href")) is not None and href.startswith("tel:")
        ],
        hours=_hours_table(element),
        dates=dates,
    )


def _squash(text: str) -> str:
    return " ".join(text.split())


def page_shingles(facts: PageFacts) -> frozenset[int]:
    """What a page is compared on for near-duplicates: the shingles of its ``<main>`` as
    published, with its own name (its h1) set aside, so pages that differ only by the city
    or clinic they name are alike (doorway pages)."""
    return shingles(facts.content_text, set_aside=[text for text, _ in facts.h1])


def page_shingle_array(facts: PageFacts) -> np.ndarray:
    """:func:`page_shingles` in compact form: a sorted ``uint32`` array of the same values."""
    return shingle_array(facts.content_text, set_aside=[text for text, _ in facts.h1])

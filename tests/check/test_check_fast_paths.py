"""What ``kdirectory check`` does to read a site fast must find what the plain way finds: a
page's texts from its text nodes (not each element read again), the site's files listed with
scandir, JSON-LD properties checked once per shape, near-duplicates confirmed in bulk."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from lxml.etree import XPath, _Element, fromstring, strip_elements

from kdirectory.check import schemaorg, site_rules
from kdirectory.check.page import (
    _INVISIBLE,
    _PARSER,
    NODE_ATTRIBUTE,
    PageFacts,
    _drop,
    read_page,
)
from kdirectory.check.run import _site_files
from kdirectory.check.schemaorg import check_jsonld
from kdirectory.check.similarity import (
    EXACT_PAIRS_UP_TO,
    _lsh_candidates,
    jaccard,
    near_duplicates,
    shingle_array,
    signature,
)
from kdirectory.check.site_rules import SiteFiles, site_links
from tests.check.sites import Built

_HIDDEN = XPath("//body//*[@hidden]")
_SHARED = XPath(".//aside | .//*[@data-shared]")
_BLOCKS = XPath(f"//body//*[@{NODE_ATTRIBUTE}]")


def _visible(element: _Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


Texts = tuple[str, str, tuple[str, ...], str, dict[str, list[tuple[int | None, str]]]]


def texts_read_element_by_element(data: bytes) -> Texts:
    """A page's content text, own text, shared texts, text and JSON-LD blocks, read as a
    reader sees them: each element's text read on its own, each shared block taken out."""
    root = fromstring(data, parser=_PARSER)
    strip_elements(root, *_INVISIBLE, with_tail=False)
    for hidden in _HIDDEN(root):
        _drop(hidden)
    blocks: dict[str, list[tuple[int | None, str]]] = {}
    for element in _BLOCKS(root):
        node = (element.get(NODE_ATTRIBUTE) or "").strip()
        blocks.setdefault(node, []).append((element.sourceline, _visible(element)))
    body = root.find("body")
    assert body is not None
    main = body.find(".//main")
    content = _visible(main if main is not None else body)
    shared = _SHARED(body)
    shared_texts = tuple(_visible(element) for element in shared)
    for element in shared:
        _drop(element)
    own = _visible(body)
    return content, own, shared_texts, " ".join((own, *shared_texts)), blocks


def texts_read(page: PageFacts) -> Texts:
    blocks = {
        node: [(block.line, block.text) for block in found] for node, found in page.blocks.items()
    }
    return page.content_text, page.own_text, page.shared_texts, page.text, blocks


PAGES = {
    "shared blocks in and out of main, one within another": (
        "<header>Site <a href='/'>Home</a></header>text before"
        "<main><h1>Title</h1>lead <b>bold</b> tail<aside>aside <i>one</i></aside> after aside"
        "<div data-shared='1'>outer <p>shared <aside>inner</aside> more</p> end</div>last</main>"
        "between<footer data-shared='f'>footer text</footer>closing"
    ),
    "no main": "<p>one</p><aside>side</aside><p>two</p>",
    "main inside a shared block": "<div data-shared='x'>a<main>m <b>n</b></main>b</div>c",
    "main is shared": "<main data-shared='x'>only <i>this</i></main> rest",
    "hidden and invisible parts": (
        "<main>seen<span hidden>unseen</span> still<script>x()</script><template>t</template>"
        "<aside hidden>gone</aside>kept</main><noscript>ns</noscript>"
    ),
    "empty elements and whitespace": "<main> <p></p>\n<aside> </aside>  <p> a  b </p> </main>",
    "invisible elements within words": (
        "<main>wo<script>x</script>rd <p>a<style>s</style>b<b>c</b>d<noscript>n</noscript>e"
        f"<template>t</template>f</p><div {NODE_ATTRIBUTE}='#w'>x<script>1</script>y<i>z</i>"
        "</div></main>g<script>y</script>h"
    ),
    "marked elements in invisible ones": (
        f"<main>a<template><aside>t</aside><p {NODE_ATTRIBUTE}='#t'>x</p></template>b"
        f"<noscript><div data-shared='1' hidden>n</div></noscript>c</main>"
    ),
    "JSON-LD blocks, hidden and nested": (
        f"<main><div {NODE_ATTRIBUTE}='#a'>A <span {NODE_ATTRIBUTE}=' #b '>B</span></div>"
        f"<div hidden><p {NODE_ATTRIBUTE}='#c'>C</p></div><aside {NODE_ATTRIBUTE}='#a' hidden>"
        f"x</aside><aside {NODE_ATTRIBUTE}='#a'>A again</aside></main>"
    ),
}


@pytest.mark.parametrize("body", PAGES.values(), ids=PAGES.keys())
def test_a_pages_texts_are_those_read_element_by_element(body: str) -> None:
    data = f"<!doctype html><html lang='en'><head><title>T</title></head><body>{body}</body></html>"
    page = read_page("page.html", data.encode())
    assert page is not None
    assert texts_read(page) == texts_read_element_by_element(data.encode())


def test_the_texts_of_every_page_of_built_sites_are_those_read_element_by_element(
    demo: Built, brand: Built
) -> None:
    pages = sorted([*demo.out.rglob("*.html"), *brand.out.rglob("*.html")])
    assert len(pages) > 20
    for path in pages:
        data = path.read_bytes()
        page = read_page(path.name, data)
        assert page is not None
        assert texts_read(page) == texts_read_element_by_element(data)


def test_the_sites_files_are_those_a_recursive_glob_finds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name in ("index.html", ".hidden", "a/b/c.html", "a/.well-known/x.txt", "e/f.txt"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x", "utf-8")
    (site / ".kdirectory-staging" / "old").mkdir(parents=True)
    (site / ".kdirectory-staging" / "old" / "index.html").write_text("x", "utf-8")
    (site / "empty").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.html").write_text("x", "utf-8")
    (site / "linked-folder").symlink_to(elsewhere)
    (site / "linked-file.txt").symlink_to(site / "e" / "f.txt")
    (site / "broken-link").symlink_to(tmp_path / "missing")
    globbed = {
        name
        for path in site.rglob("*")
        if path.is_file()
        and (name := path.relative_to(site).as_posix()).split("/", 1)[0] != ".kdirectory-staging"
    }
    assert _site_files(site) == globbed
    assert "linked-file.txt" in globbed and "index.html" in globbed


CLINIC = {
    "@context": "https://schema.org",
    "@graph": [
        {
            "@type": "MedicalClinic",
            "@id": "https://example.org/#clinic",
            "name": "Harbor",
            "telephone": "+16195550100",
            "address": {"@type": "PostalAddress", "streetAddress": "1 Main St"},
            "openingHoursSpecification": [
                {"@type": "OpeningHoursSpecification", "dayOfWeek": "Monday", "opens": "09:00"}
            ],
            "isAcceptingNewPatients": True,
            "medicalSpecialty": "Anesthesia",
        }
    ],
}


def _variant(path: list[str | int], value: object) -> object:
    doc = json.loads(json.dumps(CLINIC))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


VARIANTS = {
    "a misspelt day": (["@graph", 0, "openingHoursSpecification", 0, "dayOfWeek"], "Mondya"),
    "a number where a boolean goes": (["@graph", 0, "isAcceptingNewPatients"], 3),
    "text where a boolean goes": (["@graph", 0, "isAcceptingNewPatients"], "maybe"),
    "another type": (["@graph", 0, "@type"], "MedicalClinc"),
    "another context": (["@context"], "https://example.org"),
    "a retired member": (["@graph", 0, "medicalSpecialty"], "Dermatologic"),
    "a boolean where text goes": (["@graph", 0, "name"], True),
    "a property of another type": (["@graph", 0, "address", "medicalSpecialty"], "Anesthesia"),
    "a node of the wrong type": (["@graph", 0, "address"], {"@type": "Person", "name": "x"}),
}


@pytest.mark.parametrize("where, value", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_value_the_vocabulary_reads_is_checked_after_a_clean_one_of_its_shape(
    where: list[str | int], value: object
) -> None:
    assert check_jsonld(CLINIC) == []  # its properties are now known clean
    variant = _variant(where, value)
    found = check_jsonld(variant)
    schemaorg._CLEAN.clear()
    assert found == check_jsonld(variant)  # as checked with nothing known
    assert found


def test_values_the_vocabulary_does_not_read_share_the_clean_shape() -> None:
    check_jsonld(CLINIC)
    known = len(schemaorg._CLEAN)
    renamed = _variant(["@graph", 0, "name"], "Another Clinic")
    assert check_jsonld(renamed) == []
    assert len(schemaorg._CLEAN) == known  # nothing new: the shape was known


def test_near_duplicates_confirmed_in_bulk_are_those_of_every_pair() -> None:
    rng = random.Random(7)
    words = [f"w{i}" for i in range(300)]
    base = [rng.choice(words) for _ in range(400)]
    texts = {}
    for number in range(EXACT_PAIRS_UP_TO + 50):
        text = list(base)
        for _ in range(rng.choice([2, 5, 40, 120, 300])):  # near copies and others
            text[rng.randrange(len(text))] = rng.choice(words)
        texts[f"p{number:03}"] = " ".join(text[: rng.randrange(250, 400)])
    arrays = {name: shingle_array(text) for name, text in texts.items()}
    assert len(arrays) > EXACT_PAIRS_UP_TO  # candidates from MinHash, not every pair
    found = near_duplicates(arrays, 0.8)
    # What every candidate pair compared with the plain Jaccard of two sets finds.
    sets = {name: frozenset(array.tolist()) for name, array in arrays.items()}
    names = sorted(sets)
    candidates = _lsh_candidates(names, np.stack([signature(arrays[n]) for n in names]), 0.8)
    expected = sorted(
        (-similarity, a, b)
        for a, b in candidates
        if (similarity := jaccard(sets[a], sets[b])) >= 0.8
    )
    assert len(expected) > 100
    assert [(-p.similarity, p.first, p.second) for p in found] == expected


LINKS = [
    "/a/",
    "b/",
    "https:c/",
    "//directory.example/d/",
    "https://directory.example/e/#f",
    "tel:+16195550100",
    "mailto:x@example.org",
    "https://other.example/",
    "?q=1",
]


def test_links_worked_out_once_are_those_of_each_page(tmp_path: Path) -> None:
    site = SiteFiles(tmp_path, set(), "https://directory.example")
    pages = [PageFacts(name, links=list(LINKS)) for name in ("ca/index.html", "ny/albany/x.html")]
    site_rules._KNOWN_LINKS.clear()
    first, second = (site_links(page, site) for page in pages)  # the second from what is known
    site_rules._KNOWN_LINKS.clear()
    assert site_links(pages[1], site) == second
    site_rules._KNOWN_LINKS.clear()
    assert site_links(pages[0], site) == first
    # Links relative to the page lead elsewhere from each; the others do not.
    assert {link for link in first if link not in second} == {
        ("b/", "https://directory.example/ca/b/", ""),
        ("https:c/", "https://directory.example/ca/c/", ""),
        ("?q=1", "https://directory.example/ca/?q=1", ""),
    }

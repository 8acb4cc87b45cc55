"""What visitors read is the theme's: the text filters, a theme's wording reaching every place
the text is used (page, ``<title>``, JSON-LD), and no sentence left in the site's Python."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest

import kdirectory
from kdirectory.exceptions import TemplateFailedError
from kdirectory.record import vocabulary
from kdirectory.site.templating import (
    default_theme_dir,
    join_list,
    make_environment,
    plural,
    wording,
)
from tests.helpers import GOOD_RECORD, REPO, ProjectFactory

DEMO_CONFIG = (REPO / "kdirectory.toml").read_text("utf-8")
CITY_PAGE = "ca/escondido/index.html"

# --- the filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 clinics"), (1, "1 clinic"), (2, "2 clinics"), (1234, "1,234 clinics")],
)
def test_plural_counts_with_thousands_separators(n: int, expected: str) -> None:
    assert plural(n, "clinic", "clinics") == expected
    template = make_environment().from_string('{{ n | plural("clinic", "clinics") }}')
    assert template.render(n=n) == expected


def test_plural_takes_an_irregular_plural_and_defaults_to_an_s() -> None:
    assert plural(2, "city", "cities") == "2 cities"
    assert plural(1, "city", "cities") == "1 city"
    assert plural(3, "city page") == "3 city pages"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], ""),
        (["A"], "A"),
        (["A", "B"], "A and B"),
        (["A", "B", "C"], "A, B, and C"),
    ],
)
def test_join_list(names: list[str], expected: str) -> None:
    assert join_list(names) == expected
    assert make_environment().from_string("{{ names | join_list }}").render(names=names) == expected


def test_join_list_takes_another_conjunction_and_escapes_once_in_html() -> None:
    assert join_list(["A", "B", "C"], "or") == "A, B, or C"
    html = make_environment().from_string("{{ names | join_list }}").render(names=["A&B", "<C>"])
    assert html == "A&amp;B and &lt;C&gt;"


# --- a theme's wording is used everywhere -----------------------------------------------------


def override(root: Path, name: str, changes: dict[str, str]) -> None:
    """Copy the packaged template ``name`` into the project's ``templates/``, changed."""
    text = (default_theme_dir() / name).read_text("utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    target = root / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")


def city_page(root: Path, out: Path) -> tuple[lxml.html.HtmlElement, list[dict[str, Any]]]:
    kdirectory.build_site(kdirectory.load_directory(root), out)
    doc = lxml.html.fromstring((out / CITY_PAGE).read_bytes())
    graph = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)["@graph"]
    return doc, graph


def node(graph: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(n for n in graph if n["@type"] == kind)


def test_a_theme_rewords_a_city_page_everywhere_it_is_said(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD}, DEMO_CONFIG)
    override(
        root,
        "wording/city.txt",
        {
            '"Ketamine therapy" if facts.about_ketamine': '"Ketamine care" if facts.about_ketamine',
            "How many clinics in this directory serve {{ city.name }}?": (
                "Which clinics of this directory serve {{ city.name }}?"
            ),
        },
    )
    doc, graph = city_page(root, tmp_path / "site")

    heading = "Ketamine care in Escondido, CA"
    assert doc.findtext(".//h1") == heading
    assert doc.findtext(".//title") == heading  # with the site's name it would be too long
    assert node(graph, "MedicalWebPage")["name"] == heading
    assert node(graph, "ItemList")["name"] == heading

    question = "Which clinics of this directory serve Escondido?"
    assert question in [h3.text_content() for h3 in doc.xpath("//h3")]
    assert node(graph, "FAQPage")["mainEntity"][0]["name"] == question


def test_a_theme_rewords_a_sentence_only_the_page_body_says(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD}, DEMO_CONFIG)
    override(root, "wording/city.txt", {"Treatments named by": "Treatments listed by"})
    doc, _ = city_page(root, tmp_path / "site")
    summary = doc.xpath("//section[@aria-labelledby='guide-heading']/p")[0].text_content()
    assert summary.startswith("Treatments listed by the clinics listed for Escondido: ")


def test_wording_is_escaped_once_in_the_page_and_kept_as_is_in_json_ld(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    record = GOOD_RECORD.replace("Harbor Ketamine Clinic", 'Harbor & <Bay> "Care"')
    root = make_project({"a.yaml": record}, DEMO_CONFIG)
    out = tmp_path / "site"
    doc, graph = city_page(root, out)
    html = (out / CITY_PAGE).read_text("utf-8")
    assert "Harbor &amp; &lt;Bay&gt; &#34;Care&#34;" in html
    assert "&amp;amp;" not in html
    answer = node(graph, "FAQPage")["mainEntity"][0]["acceptedAnswer"]["text"]
    assert 'Harbor & <Bay> "Care"' in answer
    assert 'Harbor & <Bay> "Care"' in doc.xpath("//p[@class='lede']")[0].text_content()


def test_a_wording_file_without_a_macro_the_build_needs_names_both(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD}, DEMO_CONFIG)
    override(root, "wording/city.txt", {"{% macro heading(city, facts) %}": "{% macro x() %}"})
    with pytest.raises(
        TemplateFailedError, match=re.escape('wording/city.txt: no macro "heading"')
    ):
        kdirectory.build_site(kdirectory.load_directory(root), tmp_path / "site")


def test_a_labels_file_without_a_payment_method_says_which(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD}, DEMO_CONFIG)
    override(root, "content/labels.yaml", {"  cash: Cash\n": ""})
    with pytest.raises(TemplateFailedError, match=r"payment: no label for cash$"):
        kdirectory.build_site(kdirectory.load_directory(root), tmp_path / "site")


# --- no sentence in the site's Python ---------------------------------------------------------

SITE = REPO / "src" / "kdirectory" / "site"
WORD = re.compile(r"\(?[A-Za-z]+(?:['’-][A-Za-z]+)*[.,;:!?)]*")
"""One word of prose, with the punctuation around it."""

NOT_FOR_VISITORS = {
    ("facts.py", "_thin_reason"): "why a city page is noindex, for the build's report",
    ("thin_pages.py", "reason"): "why a page is noindex, for the build's report",
    ("build.py", "summary"): "the build's report, printed by the command line",
    ("publish.py", "_disk_error"): "what went wrong with the disk, for the exception it returns",
    ("site_files.py", "robots_txt"): "robots.txt directives, read by crawlers",
    ("templating.py", "RECORD_LINK_REL"): "rel tokens of the links in record text",
    ("unchanged.py", "_FORMAT"): "the name of the digest of a build's inputs",
}
"""Text in the site's Python that no visitor reads, by module and function (or constant)."""
NO_VISITOR_TEXT = {
    "page_cache.py": "the page cache's SQL and notices, for whoever runs the build",
    "distance_cache.py": "the distance cache's notices, for whoever runs the build",
    "unchanged.py": "the names of the digests a build keeps",
}
"""Modules of the site's Python none of whose text a visitor reads."""


def prose(node: ast.Constant | ast.JoinedStr) -> str | None:
    """The text of a string constant or f-string with three words or more (``{...}``
    parts count as no word)."""
    parts = [node] if isinstance(node, ast.Constant) else node.values
    if any(isinstance(p, ast.Constant) and not isinstance(p.value, str) for p in parts):
        return None
    text = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in parts)
    words = [token for token in text.split() if WORD.fullmatch(token)]
    return text if len(words) >= 3 else None


def said_in(tree: ast.Module) -> list[tuple[str, int, str]]:
    """(function or constant, line, text) of every string of three words or more that is
    not a docstring or an exception's message."""
    found = []

    def visit(node: ast.AST, owner: str) -> None:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return  # a docstring, of a module, class, function or attribute
        if isinstance(node, ast.Raise) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.endswith(("Error", "Exception"))
        ):
            return  # an exception's message, for whoever runs the build
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            owner = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and not owner:
            owner = node.targets[0].id  # a module's constant
        if isinstance(node, ast.JoinedStr | ast.Constant):
            text = prose(node)
            if text is not None:
                found.append((owner, node.lineno, text))
            return
        for child in ast.iter_child_nodes(node):
            visit(child, owner)

    visit(tree, "")
    return found


def test_the_site_python_holds_no_sentence_a_visitor_reads() -> None:
    found = []
    for path in sorted(SITE.glob("*.py")):
        if path.name in NO_VISITOR_TEXT:
            continue
        for owner, line, text in said_in(ast.parse(path.read_text("utf-8"))):
            if (path.name, owner) not in NOT_FOR_VISITORS:
                found.append(f"{path.name}:{line} ({owner}): {text!r}")
    assert not found, "visitor text belongs in templates/ (wording/, content/):\n" + "\n".join(
        found
    )


def test_the_guard_finds_sentences_in_strings_and_f_strings() -> None:
    code = (
        'def f(n):\n    """A docstring of many words."""\n'
        '    a = "three plain words"\n    b = f"{n} clinics are listed here"\n'
        '    c = f"{n:,} {n}"\n    d = "assets/site.css"\n'
        '    raise ValueError(f"{n} is not a good number")\n'
    )
    said = [text for _, _, text in said_in(ast.parse(code))]
    assert said == ["three plain words", "{} clinics are listed here"]


@pytest.mark.parametrize(
    ("clinics", "sentence"),
    [
        (0, "No listed clinic names this condition."),
        (1, "1 listed clinic names this condition."),
        (2, "2 listed clinics name this condition."),
        (1234, "1,234 listed clinics name this condition."),
    ],
)
def test_a_condition_page_counts_its_clinics_in_agreement(clinics: int, sentence: str) -> None:
    condition = vocabulary.conditions()["ptsd"]
    say = wording(make_environment(None), "condition").say
    assert say("description", condition=condition, written="Short.", clinics=clinics) == (
        f"Short. {sentence}"
    )

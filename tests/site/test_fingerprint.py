"""Page fingerprints: equal for pages rendered from equal values, different as soon as one
value a template could read differs, and none for a value the walk cannot vouch for."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

import kdirectory.record.cache as record_cache
import kdirectory.site.fingerprint as fingerprint_module
from kdirectory.record.cache import fingerprint as code_fingerprint
from kdirectory.site.fingerprint import Fingerprints, salt
from kdirectory.site.plan import Page
from kdirectory.site.templating import make_environment
from kdirectory.site.views import Link


@dataclass(frozen=True)
class Card:
    name: str
    miles: float | None
    tags: frozenset[str] = frozenset()


def page(**context: Any) -> Page:
    return Page(
        path="/ca/escondido/",
        template="city.html",
        kind="city",
        title="Ketamine therapy in Escondido, CA",
        description="Two clinics.",
        heading="Escondido, CA",
        canonical="https://example.com/ca/escondido/",
        breadcrumbs=[Link("Home", "/")],
        jsonld={"@type": "WebPage"},
        context=context,
        lastmod=date(2026, 11, 1),
    )


def fingerprint(value: Page) -> bytes | None:
    return Fingerprints(b"salt").page(value)


def test_equal_values_give_equal_fingerprints_in_any_build() -> None:
    a = page(cards=[Card("Harbor", 2.5, frozenset({"a", "b", "c"}))], count=2)
    b = page(cards=[Card("Harbor", 2.5, frozenset({"c", "b", "a"}))], count=2)
    assert fingerprint(a) == fingerprint(b) is not None
    walker = Fingerprints(b"salt")
    assert walker.page(a) == walker.page(a) == walker.page(b)  # the same build, shared objects


@pytest.mark.parametrize(
    "changed",
    [
        {"cards": [Card("Harbor", 2.6)]},
        {"cards": [Card("Harbor", None)]},
        {"cards": [Card("Harbour", 2.5)]},
        {"cards": [Card("Harbor", 2.5, frozenset({"x"}))]},
        {"cards": [Card("Harbor", 2.5), Card("Harbor", 2.5)]},
        {"cards": (Card("Harbor", 2.5),), "count": 2},
        {"cards": [Card("Harbor", 2.5)], "count": 3},
        {"cards": [Card("Harbor", 2.5)], "count": 2.0},
        {"cards": [Card("Harbor", 2.5)], "count": "2"},
        {"cards": [Card("Harbor", 2.5)], "count": True},
        {"cards": [Card("Harbor", 2.5)], "note": Markup("<b>2</b>")},
        {"cards": [Card("Harbor", 2.5)], "note": "<b>2</b>"},
    ],
)
def test_any_other_value_gives_another_fingerprint(changed: dict[str, Any]) -> None:
    base = page(cards=[Card("Harbor", 2.5)], count=2)
    assert fingerprint(page(**changed)) != fingerprint(base)


def test_the_page_s_own_fields_count() -> None:
    base = page(count=2)
    for other in (
        replace(base, title="Ketamine therapy near Escondido, CA"),
        replace(base, indexable=False),
        replace(base, noindex_reason="alike"),
        replace(base, lastmod=date(2026, 11, 2)),
        replace(base, jsonld={"@type": "CollectionPage"}),
        replace(base, template="state.html"),
    ):
        assert fingerprint(other) != fingerprint(base)


def test_a_value_the_walk_does_not_know_gives_no_fingerprint() -> None:
    assert fingerprint(page(when=object())) is None
    assert fingerprint(page(where=Path("/tmp"))) is None


def test_the_salt_follows_the_templates_and_the_base_path(tmp_path: Path) -> None:
    env = make_environment(tmp_path / "templates")
    first = salt(env, code_fingerprint(), "")
    assert salt(make_environment(tmp_path / "templates"), code_fingerprint(), "") == first
    assert salt(env, code_fingerprint(), "/clinics") != first
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "city.html").write_text("{{ page.title }}", encoding="utf-8")
    assert salt(make_environment(tmp_path / "templates"), code_fingerprint(), "") != first


def test_the_code_fingerprint_follows_every_file_of_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "kdirectory"
    (package / "record").mkdir(parents=True)
    (package / "record" / "cache.py").write_text("# the module\n", encoding="utf-8")
    (package / "site").mkdir()
    (package / "site" / "plan.py").write_text("PAGES = 1\n", encoding="utf-8")
    monkeypatch.setattr(record_cache, "__file__", str(package / "record" / "cache.py"))

    def made() -> str:
        record_cache.package_digest.cache_clear()
        fingerprint_module.code_fingerprint.cache_clear()
        return fingerprint_module.code_fingerprint()

    first = made()
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "plan.cpython-311.pyc").write_bytes(b"compiled")
    assert made() == first  # compiled files are not the source
    (package / "site" / "plan.py").write_text("PAGES = 2\n", encoding="utf-8")
    assert made() != first
    monkeypatch.undo()
    made()

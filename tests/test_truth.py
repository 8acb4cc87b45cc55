"""Every fact a page states is what the records say.

Generated directories (varied by hypothesis: records without therapies, clinics that do or
do not take new patients, no phone, no hours) are rendered, and for every city page each
fact is counted again here, straight from the records and independently of the code that
wrote the page, then compared with the page's visible text and with its JSON-LD.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdirectory import vocabulary
from kdirectory.build import render_site
from kdirectory.models import Clinic
from kdirectory.synthetic import dump_record, generate_records, project_config
from kdirectory.validate import load_directory

SPRAVATO = "esketamine-nasal-spray"  # the vocabulary's slug, spelled out on purpose


def write_project(root: Path, records: list[dict[str, Any]]) -> Path:
    folder = root / "data" / "clinics"
    folder.mkdir(parents=True)
    (root / "kdirectory.toml").write_text(project_config(), encoding="utf-8")
    for index, record in enumerate(records):
        (folder / f"clinic-{index:04d}.yaml").write_text(dump_record(record), encoding="utf-8")
    return root


def varied(records: Iterator[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Records with the gaps real sources have: no therapies, unknown intake, no phone."""
    out = []
    for record in records:
        if rng.random() < 0.35:
            record.pop("therapies", None)
            record.pop("spravato_rems_certified", None)
        choice = rng.random()
        if choice < 0.3:
            record["accepting_new_patients"] = False
        elif choice < 0.6:
            record["accepting_new_patients"] = True
        else:
            record.pop("accepting_new_patients", None)
        if rng.random() < 0.2:
            record.pop("phone", None)
            record.pop("tracking_phone", None)
        if rng.random() < 0.3:
            record.pop("hours", None)
        out.append(record)
    return out


@dataclass
class CityPage:
    path: str
    region: str
    name: str
    title: str
    description: str
    h1: str
    lede: str
    facts: dict[str, str]
    faq: list[tuple[str, str]]
    graph: list[dict[str, Any]]

    def node(self, kind: str) -> dict[str, Any] | None:
        return next((n for n in self.graph if n.get("@type") == kind), None)


def text(element: Any) -> str:
    return " ".join(element.text_content().split())


def read_city_page(path: str, html: bytes) -> CityPage:
    doc = lxml.html.fromstring(html)
    graph = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)["@graph"]
    crumbs = next(n for n in graph if n["@type"] == "BreadcrumbList")["itemListElement"]
    facts = {
        text(row.xpath("th")[0]): text(row.xpath("td")[0])
        for row in doc.xpath("//table[@class='facts']//tr")
    }
    faq = []
    heading = doc.xpath("//h2[@id='faq']")
    if heading:
        for h3 in heading[0].itersiblings():
            if h3.tag == "h2" or h3.tag == "aside" or h3.tag == "section":
                break
            if h3.tag == "h3":
                faq.append((text(h3), text(h3.getnext())))
    return CityPage(
        path=path,
        region=path.split("/")[0].upper(),
        name=crumbs[-1]["name"],
        title=doc.findtext(".//title") or "",
        description=doc.xpath("//meta[@name='description']/@content")[0],
        h1=text(doc.xpath("//h1")[0]),
        lede=text(doc.xpath("//p[@class='lede']")[0]),
        facts=facts,
        faq=faq,
        graph=graph,
    )


def located_in(clinic: Clinic, region: str, name: str) -> bool:
    return clinic.address.region == region and clinic.address.city.casefold() == name.casefold()


def serves(clinic: Clinic, region: str, name: str) -> bool:
    for entry in clinic.service_area:
        city, _, state = entry.partition(",")
        state_code = vocabulary.state_code(state) if state.strip() else clinic.address.region
        if city.strip().casefold() == name.casefold() and state_code == region:
            return True
    return False


def weekend(clinic: Clinic) -> bool:
    if clinic.hours is None:
        return False
    return bool(clinic.hours.saturday) or bool(clinic.hours.sunday)


def of(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,}"


def headline(clinics: list[Clinic]) -> str:
    """The count a headline states, recounted: only a listed therapy counts as ketamine."""
    ketamine = sum(1 for c in clinics if c.therapies)
    other = len(clinics) - ketamine
    if not ketamine:
        return f"{other:,} clinic{'' if other == 1 else 's'} (therapies not listed)"
    text = f"{ketamine:,} clinic{'' if ketamine == 1 else 's'} listing ketamine therapy"
    return text + (f" and {other:,} more with therapies not listed" if other else "")


def assert_city_page_is_true(page: CityPage, clinics: list[Clinic]) -> None:
    located = [c for c in clinics if located_in(c, page.region, page.name)]
    serving = [
        c for c in clinics if not located_in(c, page.region, page.name)
        and serves(c, page.region, page.name)
    ]  # fmt: skip
    listed = located + serving
    n = len(listed)
    ketamine = [c for c in listed if c.therapies]
    spravato = [c for c in listed if SPRAVATO in c.therapies]
    facts = page.facts
    where = page.name
    assert facts[f"Clinics located in {where}"] == f"{len(located):,}", page.path
    assert facts[f"Clinics based elsewhere that serve {where}"] == f"{len(serving):,}"
    assert facts["Clinics listing a ketamine therapy"] == of(len(ketamine), n)
    assert facts["Clinics listing Spravato (esketamine)"] == f"{len(spravato):,}"
    assert facts["Clinics that say they accept new patients"] == of(
        sum(1 for c in listed if c.accepting_new_patients is True), n
    )
    assert facts["Clinics that publish opening hours"] == of(
        sum(1 for c in listed if c.hours is not None and any(s is not None for _, s in c.hours.days())),
        n,
    )
    assert facts["Open on Saturday or Sunday"] == f"{sum(1 for c in listed if weekend(c)):,}"
    assert facts["Clinics with a phone number listed"] == of(
        sum(1 for c in listed if c.phone or c.tracking_phone), n
    )
    therapies = vocabulary.therapies()
    names = sorted({therapies[t].name for c in listed for t in c.therapies})
    assert facts["Treatments listed"] == (", ".join(names) or "Not listed by these clinics")

    # The headline and the description count what they claim.
    if listed:
        assert headline(listed) in page.description, (page.path, page.description)
        for group in (located, serving):
            if group:
                assert headline(group) in page.lede, (page.path, page.lede)
    # Nothing says "ketamine therapy" about a page where no clinic lists one.
    if not ketamine:
        own_title = page.title.split(" | ")[0]  # the site's own name may follow
        for said in (own_title, page.description, page.h1):
            assert "ketamine" not in said.lower(), (page.path, said)
        items = page.node("ItemList")
        assert items is None or "ketamine" not in items["name"].lower()

    # JSON-LD: the list of clinics and the FAQ are the ones the page shows.
    items = page.node("ItemList")
    assert (items["numberOfItems"] if items else 0) == n
    faq = page.node("FAQPage")
    assert faq is not None
    assert [(q["name"], q["acceptedAnswer"]["text"]) for q in faq["mainEntity"]] == page.faq
    answers = dict(page.faq)
    answer = answers[f"Can I get Spravato (esketamine) in {where}?"]
    if spravato:
        certified = sum(1 for c in spravato if c.spravato_rems_certified)
        assert f"{certified:,} of them report" in answer, answer
    else:
        assert answer.startswith(f"None of the clinics listed for {where} lists esketamine")


def assert_clinic_pages_claim_only_listed_therapies(
    files: dict[str, bytes], clinics: list[Clinic]
) -> None:
    for clinic in clinics:
        doc = lxml.html.fromstring(files[f"clinics/{clinic.slug}/index.html"])
        graph = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)["@graph"]
        node = next(n for n in graph if n["@type"] == "MedicalClinic")
        services = [s["name"] for s in node.get("availableService", [])]
        assert sorted(services) == sorted(vocabulary.therapies()[t].name for t in clinic.therapies)
        if not clinic.therapies:
            said = [
                (doc.findtext(".//title") or "").split(" | ")[0],
                doc.xpath("//meta[@name='description']/@content")[0],
                text(doc.xpath("//p[@class='lede']")[0]),
            ]
            # The clinic's own name may say "ketamine"; nothing else may.
            said = [s.replace(clinic.name, "") for s in said]
            assert not any("ketamine" in s.lower() for s in said), said


def city_page_names(files: dict[str, bytes]) -> list[str]:
    return sorted(
        name for name in files
        if name.endswith("/index.html") and len(name.split("/")) == 3
        and len(name.split("/")[0]) == 2
    )  # fmt: skip


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(seed=st.integers(0, 2**16), count=st.integers(3, 45))
def test_every_city_page_fact_is_recounted_from_the_records(seed: int, count: int) -> None:
    records = varied(generate_records(count, seed=seed, states=["CA", "NV"]), random.Random(seed))
    with tempfile.TemporaryDirectory() as folder:
        directory = load_directory(write_project(Path(folder), records))
        assert directory.report.errors == []
        _, files = render_site(directory, directory.config)
    clinics = directory.clinics
    pages = city_page_names(files)
    assert pages
    for name in pages:
        assert_city_page_is_true(read_city_page(name, files[name]), clinics)
    assert_clinic_pages_claim_only_listed_therapies(files, clinics)


def test_the_demo_pages_are_true() -> None:
    from tests.conftest import REPO  # noqa: PLC0415

    directory = load_directory(REPO)
    _, files = render_site(directory, directory.config)
    for name in city_page_names(files):
        assert_city_page_is_true(read_city_page(name, files[name]), directory.clinics)
    assert_clinic_pages_claim_only_listed_therapies(files, directory.clinics)


@pytest.mark.parametrize("spravato", [True, False])
def test_spravato_is_counted_by_its_vocabulary_slug(tmp_path: Path, spravato: bool) -> None:
    record = next(generate_records(1, seed=3, states=["CA"]))
    record["therapies"] = [SPRAVATO] if spravato else ["iv-ketamine-infusion"]
    record["spravato_rems_certified"] = spravato
    directory = load_directory(write_project(tmp_path, [record]))
    _, files = render_site(directory, directory.config)
    (name,) = [n for n in city_page_names(files)]
    page = read_city_page(name, files[name])
    assert page.facts["Clinics listing Spravato (esketamine)"] == ("1" if spravato else "0")
    assert_city_page_is_true(page, directory.clinics)

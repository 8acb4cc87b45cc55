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
from typer.testing import CliRunner

from kdirectory import load_directory, validate
from kdirectory.catalogue import RULES
from kdirectory.cli import app
from kdirectory.exceptions import ConfigError
from kdirectory.record import vocabulary
from kdirectory.record.claims import CLAIM_RULES
from kdirectory.record.model import Clinic
from kdirectory.site.build import build_site, render_site
from kdirectory.site.facts import SERVING_LIMIT
from kdirectory.site.plan import CLINICS_PER_PAGE
from kdirectory.testing.synthetic import generate_records, project_config
from tests.helpers import DEMO_CONFIG, GOOD_RECORD, REPO, VISTA, ProjectFactory

SPRAVATO = "esketamine-nasal-spray"  # the vocabulary's slug, spelled out on purpose
runner = CliRunner()


def generated(make_project: ProjectFactory, records: list[dict[str, Any]]) -> Path:
    """A project of generated records, as the generator writes one (offline geocoder)."""
    files = {f"clinic-{index:04d}.yaml": record for index, record in enumerate(records)}
    return make_project(files, project_config())


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
            if h3.tag in {"h2", "aside", "section"}:
                break
            if h3.tag == "h3":
                faq.append((text(h3), text(h3.getnext())))
    return CityPage(
        path=path,
        region=path.split("/", maxsplit=1)[0].upper(),
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
        sum(
            1
            for c in listed
            if c.hours is not None and any(s is not None for _, s in c.hours.days())
        ),
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

    # JSON-LD: the list of clinics and the FAQ are the ones the page shows (a long list of
    # located clinics continues on further pages; the clinics serving it are bounded).
    items = page.node("ItemList")
    shown = min(len(located), CLINICS_PER_PAGE) + min(len(serving), SERVING_LIMIT)
    assert (items["numberOfItems"] if items else 0) == shown
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
        directory = load_directory(generated(ProjectFactory(Path(folder)), records))
        assert directory.report.errors == []
        _, files = render_site(directory, directory.config)
    clinics = directory.clinics
    pages = city_page_names(files)
    assert pages
    for name in pages:
        assert_city_page_is_true(read_city_page(name, files[name]), clinics)
    assert_clinic_pages_claim_only_listed_therapies(files, clinics)


def test_the_demo_pages_are_true() -> None:
    directory = load_directory(REPO)
    _, files = render_site(directory, directory.config)
    for name in city_page_names(files):
        assert_city_page_is_true(read_city_page(name, files[name]), directory.clinics)
    assert_clinic_pages_claim_only_listed_therapies(files, directory.clinics)


@pytest.mark.parametrize("spravato", [True, False])
def test_spravato_is_counted_by_its_vocabulary_slug(
    make_project: ProjectFactory, spravato: bool
) -> None:
    record = next(generate_records(1, seed=3, states=["CA"]))
    record["therapies"] = [SPRAVATO] if spravato else ["iv-ketamine-infusion"]
    record["spravato_rems_certified"] = spravato
    directory = load_directory(generated(make_project, [record]))
    _, files = render_site(directory, directory.config)
    (name,) = city_page_names(files)
    page = read_city_page(name, files[name])
    assert page.facts["Clinics listing Spravato (esketamine)"] == ("1" if spravato else "0")
    assert_city_page_is_true(page, directory.clinics)


# --- what each record may be said to offer -----------------------------------------------------

NO_THERAPY = GOOD_RECORD.replace("therapies: [iv-ketamine-infusion]\n", "")
GRAND_BRANCH = (
    GOOD_RECORD.replace("1200 N Main St", "455 W Grand Ave").replace("555-0123", "555-0188")
    + "slug: harbor-ketamine-clinic-grand\n"
)
"""A second branch of the fixture clinic in the same city, under the same name."""


def test_a_record_without_therapies_is_a_warning_that_says_what_the_site_will_do(
    make_project: ProjectFactory,
) -> None:
    root = make_project({"x.yaml": NO_THERAPY}, DEMO_CONFIG)
    report = validate(load_directory(root))
    [problem] = [p for p in report.problems if p.rule == "therapies.none"]
    assert problem.severity == "warning"
    assert "therapies not listed" in problem.message
    assert "ketamine-therapy" in (problem.fix or "")


def test_ketamine_therapy_is_a_vocabulary_entry_for_sources_that_name_no_form() -> None:
    generic = vocabulary.therapies()["ketamine-therapy"]
    assert "not stated" in generic.name
    assert not generic.requires_rems


# --- claims stop the build ---------------------------------------------------------------------


def test_an_overclaim_in_a_record_stops_the_build_with_file_line_and_phrase(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    record = GOOD_RECORD + "description: A guaranteed cure for depression with no side effects.\n"
    root = make_project({"x.yaml": record}, DEMO_CONFIG)
    out = tmp_path / "site"
    result = runner.invoke(app, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 1
    for phrase, rule in (
        ("guaranteed", "claims.guarantee"),
        ("cure", "claims.cure"),
        ("no side effects", "claims.no_side_effects"),
    ):
        assert f'data/clinics/x.yaml:16: description: says "{phrase}"' in result.stderr, rule
    assert not out.exists()
    # validate and check share one catalogue entry a claim: an error for both.
    for claim in CLAIM_RULES:
        assert RULES[claim.rule].severity == "error"
        assert set(RULES[claim.rule].stages) == {"validate", "check"}


def test_build_lists_the_records_warnings_first_twenty_and_a_count(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    records = {
        f"c{i}.yaml": NO_THERAPY.replace("Harbor Ketamine Clinic", f"Harbor Clinic {i:02d}")
        .replace("1200 N Main", f"{1200 + i} N Main")
        .replace("555-0123", f"555-01{i:02d}")
        for i in range(23)
    }
    root = make_project(records, DEMO_CONFIG)
    result = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    shown = [line for line in result.stderr.splitlines() if "therapies: lists no therapy" in line]
    assert len(shown) == 20
    assert "… and 3 more warnings (`kdirectory validate` lists them all)" in result.stderr
    assert "23 record warnings" in result.stdout


# --- unique titles, honest small facts ----------------------------------------------------------


def test_branches_with_one_name_in_one_city_get_titles_and_descriptions_of_their_own(
    make_project: ProjectFactory,
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": GRAND_BRANCH}, DEMO_CONFIG)
    directory = load_directory(root)
    pages, files = render_site(directory, directory.config)
    clinic_pages = [p for p in pages if p.kind == "clinic"]
    assert len({p.title for p in clinic_pages}) == 2
    assert len({p.description for p in clinic_pages}) == 2
    titles = sorted(p.title for p in clinic_pages)
    assert "1200 N Main St" in titles[0] or "1200 N Main St" in titles[1]
    assert any("455 W Grand Ave" in t for t in titles)
    city = files["ca/escondido/index.html"].decode()
    assert "1200 N Main St, Suite 210" in city and "455 W Grand Ave, Suite 210" in city


def test_the_closest_other_clinic_is_not_said_to_be_missing_from_the_page(
    make_project: ProjectFactory,
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": VISTA}, DEMO_CONFIG)
    directory = load_directory(root)
    _, files = render_site(directory, directory.config)
    page = read_city_page("ca/vista/index.html", files["ca/vista/index.html"])
    assert "Nearest clinic not listed above" not in files["ca/vista/index.html"].decode()
    assert page.facts["Closest other clinic"].startswith("Harbor Ketamine Clinic (about")


def test_special_hours_that_have_passed_are_not_shown_or_in_json_ld(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = GOOD_RECORD + (
        "special_hours:\n"
        "  - {date: 2026-11-26, closed: true, note: Thanksgiving Day}\n"
        "  - {date: 2026-12-25, closed: true, note: Christmas Day}\n"
    )
    root = make_project({"a.yaml": record}, DEMO_CONFIG)
    directory = load_directory(root)
    noon_nov_29 = "1796040000"  # 2026-11-29 12:00 UTC
    monkeypatch.setenv("SOURCE_DATE_EPOCH", noon_nov_29)
    _, files = render_site(directory, directory.config)
    page = files["clinics/harbor-ketamine-clinic/index.html"].decode()
    assert "Christmas Day" in page and "2026-12-25" in page
    assert "Thanksgiving" not in page and "2026-11-26" not in page
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")  # 2025-11-24: both ahead
    _, files = render_site(directory, directory.config)
    assert "Thanksgiving" in files["clinics/harbor-ketamine-clinic/index.html"].decode()


@pytest.mark.parametrize("language", ["es-US", "fr", "zh-Hans"])
def test_a_language_the_theme_does_not_ship_is_a_config_error(
    make_project: ProjectFactory, language: str
) -> None:
    root = make_project(
        {"a.yaml": GOOD_RECORD},
        DEMO_CONFIG.replace('language = "en-US"', f'language = "{language}"'),
    )
    with pytest.raises(
        ConfigError, match=f'"{language}": the theme\'s pages are written in English'
    ):
        load_directory(root)


def test_a_service_area_page_nobody_can_book_is_noindex_with_its_reason(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    full = GOOD_RECORD + "service_area: [Vista]\naccepting_new_patients: false\n"
    root = make_project({"a.yaml": full}, DEMO_CONFIG)
    result = build_site(load_directory(root), tmp_path / "site")
    reasons = dict(result.noindex)
    assert "/ca/vista/" in reasons
    assert "not accepting new patients" in reasons["/ca/vista/"]
    assert "/ca/escondido/" not in reasons
    # Taking new patients again makes the page worth finding.
    (root / "data" / "clinics" / "a.yaml").write_text(
        full.replace("accepting_new_patients: false", "accepting_new_patients: true"), "utf-8"
    )
    again = build_site(load_directory(root), tmp_path / "site")
    assert "/ca/vista/" not in dict(again.noindex)


def test_city_pages_link_the_guide_instead_of_repeating_it(tmp_path: Path) -> None:
    directory = load_directory(REPO)
    pages, files = render_site(directory, directory.config)
    guides = [p for p in pages if p.kind == "guide"]
    assert len(guides) == 5 and all(p.indexable for p in guides)
    city = files["ca/escondido/index.html"].decode()
    for guide in guides:
        assert f'href="{guide.path}"' in city
    safety = files["guide/safety/index.html"].decode()
    assert "blood pressure" in safety and "blood pressure" not in city
    assert "Treatments named by the clinics listed for Escondido" in city


def test_branches_named_alike_in_one_list_say_which_is_which(make_project: ProjectFactory) -> None:
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": GRAND_BRANCH}, DEMO_CONFIG)
    directory = load_directory(root)
    _, files = render_site(directory, directory.config)
    page = read_city_page("ca/escondido/index.html", files["ca/escondido/index.html"])
    assert "Harbor Ketamine Clinic (1200 N Main St, Suite 210)" in page.lede
    assert "Harbor Ketamine Clinic (455 W Grand Ave, Suite 210)" in page.lede


def test_clinics_placed_only_by_zip_code_are_never_said_to_be_0_miles_apart(
    make_project: ProjectFactory,
) -> None:
    neighbour = (
        GOOD_RECORD.replace("Harbor Ketamine Clinic", "Palomar Mind Care")
        .replace("1200 N Main St", "455 W Grand Ave")
        .replace("555-0123", "555-0188")
    )
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": neighbour}, DEMO_CONFIG)
    directory = load_directory(root)
    _, files = render_site(directory, directory.config)
    page = files["clinics/harbor-ketamine-clinic/index.html"].decode()
    assert "0.0 miles" not in page
    assert "Near Harbor Ketamine Clinic; no exact distance" in page
    # A position given by hand is exact: the distance is stated.
    precise = {
        "a.yaml": GOOD_RECORD + "geo: {lat: 33.12920, lon: -117.08640}\n",
        "b.yaml": neighbour + "geo: {lat: 33.12380, lon: -117.08450}\n",
    }
    root = make_project(precise, DEMO_CONFIG)
    directory = load_directory(root)
    _, files = render_site(directory, directory.config)
    page = files["clinics/harbor-ketamine-clinic/index.html"].decode()
    assert "About 0.4 miles from Harbor Ketamine Clinic" in page

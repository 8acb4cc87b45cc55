"""The finder's files (``/finder/``, from ``site/site_files.py``), recounted from the records:
the index lists every clinic the finder may show exactly once, with what its result says;
service-area clinics carry the cities they serve; a brand site lists only the brand; the
ZIP shards hold every standard ZIP code of the covered states and no other; the place
shards name the gazetteer's towns that have no page; and every path comes from
``site/urls.py``. The size of what a visitor downloads is measured in
``test_finder_size.py``; the script's logic in ``test_finder_js.py``.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kdirectory import load_directory
from kdirectory.record.gazetteer import all_zips
from kdirectory.record.hours import WEEKDAYS
from kdirectory.record.model import Address, Clinic
from kdirectory.site import urls
from kdirectory.site.model import SiteModel, build_model
from kdirectory.site.places import city_key, service_area_city
from kdirectory.site.site_files import (
    ACCEPTING,
    NOT_ACCEPTING,
    PLACE_SHARD,
    SPRAVATO,
    finder_files,
    finder_index,
    place_key,
    place_shards,
    zip_shards,
)
from kdirectory.testing.synthetic import generate_project
from tests.helpers import REPO, ProjectFactory
from tests.site.pages import build

TODAY = date(2026, 11, 30)
"""The build date of these models: the generated records' special hours are around it."""
EXAMPLE = REPO / "examples" / "harbor-ketamine-care"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> SiteModel:
    """A generated directory of 300 clinics in three states, as the build models it."""
    root = tmp_path_factory.mktemp("finder") / "project"
    generate_project(root, 300, seed=11, states=["CA", "AZ", "NV"])
    return build_model(load_directory(root), today=TODAY)


def rows(columns: list[list[Any]]) -> list[list[Any]]:
    """An index table stored by column, as rows."""
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def schedule(index: dict[str, Any], week: int) -> dict[str, list[int]]:
    """A row's week as {day: [opens, closes, …]} for the days it states."""
    if week == -1:
        return {}
    return {
        day: index["d"][entry]
        for day, entry in zip(WEEKDAYS, index["w"][week], strict=True)
        if entry != -1
    }


def minutes(shifts: Any) -> list[int]:
    return [m for shift in shifts for m in (shift.opens, shift.closes)]


def test_every_located_clinic_is_in_the_index_once_with_what_its_result_says(
    generated: SiteModel,
) -> None:
    index = finder_index(generated)
    places = rows(index["p"])
    located = rows(index["c"])
    expected = sorted(
        slug
        for slug, clinic in generated.clinics.items()
        if not clinic.is_service_area and slug in generated.locations
    )
    assert len(expected) > 250
    assert sorted(row[0] for row in located) == expected  # each once
    for slug, name, place, flags, zone, week, special, dlat, dlon in located:
        clinic = generated.clinics[slug]
        assert index["u"]["clinic"].replace("{}", slug) == urls.clinic(slug)
        assert name == clinic.name
        city = generated.cities[city_key(clinic.address.region, clinic.address.city)]
        assert places[place][:3] == [city.name, city.region, city.path]
        accepting = clinic.accepting_new_patients
        assert bool(flags & ACCEPTING) == (accepting is True)
        assert bool(flags & NOT_ACCEPTING) == (accepting is False)
        offers_spravato = "esketamine-nasal-spray" in clinic.therapies
        assert bool(flags & SPRAVATO) == offers_spravato
        assert index["z"][zone] == generated.views[slug].timezone
        stated = (
            {d: minutes(s) for d, s in clinic.hours.days() if s is not None} if clinic.hours else {}
        )
        assert schedule(index, week) == stated
        upcoming = [s for s in clinic.special_hours if s.date >= TODAY]
        assert (special or []) == [
            value
            for s in sorted(upcoming, key=lambda s: s.date)
            for value in (
                s.date.isoformat(),
                index["d"].index([] if s.closed else minutes(s.hours)),
            )
        ]
        point = generated.locations[slug].point
        assert abs(places[place][3] + dlat / 1000 - point.lat) <= 0.0011
        assert abs(places[place][4] + dlon / 1000 - point.lon) <= 0.0011
    # The generator's records exercise what the rows encode.
    assert {row[3] & (ACCEPTING | NOT_ACCEPTING) for row in located} == {0, 1, 2}
    assert any(row[3] & SPRAVATO for row in located)
    assert any(len(d) > 2 for d in index["d"]), "no split shift"
    assert any(row[6] for row in located), "no special hours"
    assert any(-1 in week for week in index["w"]) or any(row[5] == -1 for row in located)


def test_service_area_clinics_carry_the_cities_they_serve(generated: SiteModel) -> None:
    index = finder_index(generated)
    places = rows(index["p"])
    areas = rows(index["a"])
    expected = sorted(s for s, c in generated.clinics.items() if c.is_service_area)
    assert expected and sorted(row[0] for row in areas) == expected
    assert any(len(row[7]) > 1 for row in areas)
    for row in areas:
        clinic = generated.clinics[row[0]]
        served = {(clinic.address.city, clinic.address.region)} | {
            service_area_city(entry, clinic.address.region) for entry in clinic.service_area
        }
        assert sorted({city_key(region, name) for name, region in served}) == sorted(
            city_key(places[i][1], places[i][0]) for i in row[7]
        )


def test_the_places_are_every_city_page_with_its_path_and_centre(generated: SiteModel) -> None:
    index = finder_index(generated, "/sub")
    places = rows(index["p"])
    assert len(places) == len(generated.cities)
    for (name, region, path, lat, lon), city in zip(
        places, (generated.cities[k] for k in sorted(generated.cities)), strict=True
    ):
        assert (name, region, path) == (city.name, city.region, "/sub" + city.path)
        assert city.point is not None
        assert (lat, lon) == (round(city.point.lat, 3), round(city.point.lon, 3))
    # Every city of every clinic and of every service area has a place.
    named = {(c.address.region, c.address.city) for c in generated.clinics.values()} | {
        (region, name)
        for c in generated.clinics.values()
        for name, region in (service_area_city(e, c.address.region) for e in c.service_area)
    }
    keys = {city_key(region, name) for name, region, *_ in places}
    assert {city_key(region, name) for region, name in named} <= keys
    assert index["s"] == {"AZ": "Arizona", "CA": "California", "NV": "Nevada"}


def test_zip_shards_hold_every_zip_code_of_the_covered_states_and_no_other(
    generated: SiteModel,
) -> None:
    shards = zip_shards(generated.states)
    covered = {z.zip5: z for z in all_zips() if z.state in {"AZ", "CA", "NV"}}
    held = {code: entry for shard in shards.values() for code, entry in shard.items()}
    assert held.keys() == covered.keys()
    assert sum(len(shard) for shard in shards.values()) == len(covered)  # no ZIP twice
    for prefix, shard in shards.items():
        assert re.fullmatch(r"\d{3}", prefix)
        assert all(code.startswith(prefix) for code in shard)
    for code, (lat, lon, city, state) in held.items():
        info = covered[code]
        assert (lat, lon, city, state) == (
            round(info.lat, 3),
            round(info.lon, 3),
            info.city,
            info.state,
        )


def test_place_shards_name_the_towns_without_a_page_once(generated: SiteModel) -> None:
    shards = place_shards(generated)
    pages = {(c.region, place_key(c.name)) for c in generated.cities.values()}
    seen: set[tuple[str, str]] = set()
    for initial, places in shards.items():
        assert len(initial) == PLACE_SHARD or len(place_key(places[0][0])) < PLACE_SHARD
        for name, state, _lat, _lon in places:
            key = (state, place_key(name))
            assert key[1].startswith(initial)
            assert state in {"AZ", "CA", "NV"}
            assert key not in pages and key not in seen
            seen.add(key)
    # Every USPS city of the covered states is a page or a gazetteer place.
    usps = {(z.state, place_key(z.city)) for z in all_zips() if z.state in {"AZ", "CA", "NV"}}
    assert usps <= seen | pages
    assert ("CA", "delmar") in seen | pages
    assert place_key("Saint Louis") == place_key("St. Louis") == place_key("st louis") == "stlouis"
    assert place_key("Del Mar") == "delmar"
    assert place_key("Mount Shasta") == "mtshasta"


def test_a_brand_site_index_holds_only_the_brand(tmp_path: Path) -> None:
    directory = load_directory(EXAMPLE)
    other = Clinic(
        name="Another Group Escondido",
        slug="another-group-escondido",
        brand="Another Group",
        address=Address(
            street="100 E Valley Pkwy", city="Escondido", region="CA", postal_code="92025"
        ),
    )
    directory.add(other)
    model = build_model(directory, today=TODAY)
    assert (
        "another-group-escondido" in model.clinics and "another-group-escondido" in model.locations
    )
    index = finder_index(model)
    listed = rows(index["c"]) + rows(index["a"])
    assert {row[0] for row in listed} == {
        slug for slug, c in model.clinics.items() if c.brand == "Harbor Ketamine Care"
    }
    assert len(listed) == 3


def test_the_build_writes_the_finder_and_links_it_from_the_home_page(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = make_project(demo=True)
    out = tmp_path / "site"
    build(root, out, base_url="https://other.example/sub")
    assert not (out / "search-index.json").exists()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert f'data-index="/sub{urls.FINDER_INDEX}"' in home
    assert 'src="/sub/assets/finder.js"' in home
    assert (out / "assets" / "finder.js").is_file()
    index = json.loads((out / urls.FINDER_INDEX.lstrip("/")).read_text(encoding="utf-8"))
    assert index["u"] == {
        "clinic": "/sub" + urls.clinic("{}"),
        "zip": "/sub" + urls.finder_zips("{}"),
        "places": "/sub" + urls.finder_places("{}"),
    }
    assert all(path.startswith("/sub/") for path in index["p"][2])
    assert (out / urls.finder_zips("920").lstrip("/")).is_file()
    assert (out / urls.finder_places("de").lstrip("/")).is_file()
    # The index names every shard there is, and no other: the finder asks for no missing file.
    places = sorted(p.stem for p in (out / "finder" / "places").iterdir())
    assert index["k"]["places"].split() == places
    zips = sorted(p.stem for p in (out / "finder" / "zip").iterdir())
    assert index["k"]["zip"].startswith("900-908 910-928 930-")  # California's, in runs
    runs = [run.split("-") for run in index["k"]["zip"].split()]
    assert [f"{n:03d}" for r in runs for n in range(int(r[0]), int(r[-1]) + 1)] == zips
    # The demo's clinics give no street address: the finder lists them as serving.
    assert index["c"] == [[]] * 9 and len(index["a"][0]) == 2
    for page in out.rglob("*.html"):
        assert "search-index" not in page.read_text(encoding="utf-8"), page
    written = {path.relative_to(out).as_posix() for path in (out / "finder").rglob("*.json")}
    model = build_model(load_directory(root))
    assert written == set(finder_files(model))


def test_the_brand_home_page_has_the_finder_only_with_more_than_one_location(
    tmp_path: Path,
) -> None:
    out = tmp_path / "brand"
    build(EXAMPLE, out)
    assert 'id="finder"' in (out / "index.html").read_text(encoding="utf-8")
    one = tmp_path / "one"
    shutil.copytree(EXAMPLE, one, ignore=shutil.ignore_patterns("site"))
    for name in ("carlsbad.yaml", "san-diego.yaml"):
        (one / "data" / "clinics" / name).unlink()
    build(one, one / "site")
    home = (one / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="finder"' not in home and "finder.js" not in home

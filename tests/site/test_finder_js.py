"""The pure logic of the theme's scripts, run by Node without a page: opening hours
(``assets/site.js``: split shifts, special hours, the next opening, in the clinic's zone),
and the finder's (``assets/finder.js``) reading of what the visitor types, place keys (the
same as ``site_files.place_key`` for every gazetteer name), distances, ranking and spelling
suggestions. Pages and clicks are tested in a browser (tests/browser); these need only
``node`` and are skipped without it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kdirectory import load_directory
from kdirectory.record.gazetteer import all_zips
from kdirectory.site.model import build_model
from kdirectory.site.site_files import finder_index, place_key, place_shards, zip_shards
from tests.helpers import REPO

NODE = shutil.which("node")
ASSETS = REPO / "templates" / "assets"
pytestmark = pytest.mark.skipif(NODE is None, reason="needs node")

LOADER = """
const vm = require("vm"), fs = require("fs");
const context = vm.createContext({});
for (const file of process.argv.slice(1)) {
  vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
}
const kd = context.kdirectory, F = kd.finder, H = kd.hours;
const input = JSON.parse(fs.readFileSync(0, "utf8"));
"""


def run_js(body: str, data: Any = None) -> Any:
    """Run ``body`` after loading site.js and finder.js (``F``: the finder, ``H``: hours,
    ``input``: ``data``); it prints its answer with ``console.log(JSON.stringify(…))``."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", LOADER + body, str(ASSETS / "site.js"), str(ASSETS / "finder.js")],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def at(text: str) -> int:
    """Milliseconds since 1970 of an ISO instant with its offset."""
    return int(datetime.fromisoformat(text).astimezone(UTC).timestamp() * 1000)


# Monday to Friday 9-12 and 1-5, Saturday not stated, Sunday closed.
WEEK = [[540, 720, 780, 1020]] * 5 + [None, []]


OPENING = [
    ("2026-11-30T10:00-08:00", {}, "Open now"),
    ("2026-11-30T12:30-08:00", {}, "Closed now · opens today at 1:00 PM"),
    ("2026-11-30T08:00-08:00", {}, "Closed now · opens today at 9:00 AM"),
    ("2026-11-30T17:00-08:00", {}, "Closed now · opens tomorrow at 9:00 AM"),
    # A special closed date overrides its weekday; the next opening skips it.
    ("2026-11-30T18:00-08:00", {"2026-12-01": []}, "Closed now · opens Wednesday at 9:00 AM"),
    ("2026-12-01T10:00-08:00", {"2026-12-01": []}, "Closed now · opens tomorrow at 9:00 AM"),
    # Special hours replace the day's shifts.
    ("2026-12-01T09:30-08:00", {"2026-12-01": [600, 660]}, "Closed now · opens today at 10:00 AM"),
    ("2026-12-01T10:30-08:00", {"2026-12-01": [600, 660]}, "Open now"),
    (
        "2026-12-01T13:30-08:00",
        {"2026-12-01": [600, 660]},
        "Closed now · opens tomorrow at 9:00 AM",
    ),
    # Friday evening: Saturday's hours are not stated, so the next opening is unknown.
    ("2026-12-04T18:00-08:00", {}, "Closed now"),
    # Saturday itself is not stated: nothing is said. A special date on it is.
    ("2026-12-05T10:00-08:00", {}, None),
    ("2026-12-05T10:00-08:00", {"2026-12-05": [540, 720]}, "Open now"),
    # Sunday is closed; Monday opens.
    ("2026-12-06T10:00-08:00", {}, "Closed now · opens tomorrow at 9:00 AM"),
    # The clinic's own zone, not the visitor's: 10:00 in Los Angeles is 13:00 in New York.
    ("2026-11-30T18:00+00:00", {}, "Open now"),
]
"""(instant, special hours, what the badge says) for :data:`WEEK` in Los Angeles."""


@pytest.fixture(scope="module")
def opening() -> list[str | None]:
    """What the badge says in each case of :data:`OPENING`, from one run of Node."""
    answer: list[str | None] = run_js(
        "console.log(JSON.stringify(input.cases.map(c => H.describe(H.openState("
        "{week: input.week, special: c[1]}, 'America/Los_Angeles', new Date(c[0]))))));",
        {"week": WEEK, "cases": [[at(i), special] for i, special, _ in OPENING]},
    )
    return answer


@pytest.mark.parametrize("case", range(len(OPENING)), ids=[c[0] for c in OPENING])
def test_open_now_honours_split_shifts_and_special_hours(
    opening: list[str | None], case: int
) -> None:
    assert opening[case] == OPENING[case][2]


def test_the_zone_decides_the_day_and_the_hour() -> None:
    # 06:30 UTC on Tuesday is 22:30 on Monday in Los Angeles and 01:30 on Tuesday in New York.
    answer = run_js(
        "const s = {week: input.week, special: {}}, now = new Date(input.now);"
        "console.log(JSON.stringify([H.describe(H.openState(s, 'America/Los_Angeles', now)),"
        " H.describe(H.openState(s, 'America/New_York', now)), H.openState(s, 'Not/AZone', now)]));",
        {"week": WEEK, "now": at("2026-12-01T06:30+00:00")},
    )
    assert answer == [
        "Closed now · opens tomorrow at 9:00 AM",
        "Closed now · opens today at 9:00 AM",
        None,
    ]


def test_badges_read_their_hours_and_special_hours() -> None:
    answer = run_js(
        "console.log(JSON.stringify(H.badgeSchedule(input.hours, input.special)));",
        {
            "hours": json.dumps(
                {
                    "monday": [["09:00", "12:00"], ["13:00", "17:00"]],
                    "sunday": [],
                    "friday": [["20:00", "24:00"]],
                }
            ),
            "special": "2026-12-25 closed;2026-12-24 09:00-12:00,13:00-15:30",
        },
    )
    assert answer == {
        "week": [[540, 720, 780, 1020], None, None, None, [1200, 1440], None, []],
        "special": {"2026-12-25": [], "2026-12-24": [540, 720, 780, 930]},
    }


def test_the_finder_makes_the_place_keys_the_build_makes() -> None:
    names = sorted(
        {z.city for z in all_zips()}
        | {n for z in all_zips() for n in z.acceptable_cities}
        | {
            "Saint Louis",
            "La Cañada Flintridge",
            "Coeur d'Alene",
            "Arroyo & Grande",
            "Ste. Genevieve",
        }
    )
    answer = run_js("console.log(JSON.stringify(input.map(F.placeKey)));", names)
    assert len(answer) == len(names) > 20_000
    assert [n for n, key in zip(names, answer, strict=True) if key != place_key(n)] == []


STATES = {"CA": "California", "MO": "Missouri", "KS": "Kansas", "VA": "Virginia"}


TYPED = [
    ("92025", {"zip": "92025"}),
    (" 92025-1234 ", {"zip": "92025"}),
    ("920251234", {"zip": "92025"}),
    ("9202", {"digits": "9202"}),
    ("  ", None),
    ("Escondido, CA", {"key": "escondido", "state": "CA", "fullKey": "escondidoca"}),
    ("escondido ca", {"key": "escondido", "state": "CA", "fullKey": "escondidoca"}),
    ("ESCONDIDO,ca", {"key": "escondido", "state": "CA", "fullKey": "escondidoca"}),
    ("Escondido California", {"key": "escondido", "state": "CA", "fullKey": "escondidocalifornia"}),
    ("  Del   Mar!! ", {"key": "delmar", "state": None, "fullKey": "delmar"}),
    ("del mar,ca.", {"key": "delmar", "state": "CA", "fullKey": "delmarca"}),
    ("Saint Louis, MO", {"key": "stlouis", "state": "MO", "fullKey": "stlouismo"}),
    ("Kansas City Kansas", {"key": "kansascity", "state": "KS", "fullKey": "kansascitykansas"}),
    ("Virginia", {"key": "virginia", "state": None, "fullKey": "virginia"}),
    ("Yuma, AZ", {"key": "yumaaz", "state": None, "fullKey": "yumaaz"}),
]
"""(what the visitor types, how the finder reads it) with :data:`STATES` covered."""


@pytest.fixture(scope="module")
def typed() -> list[dict[str, Any] | None]:
    """How the finder reads each case of :data:`TYPED`, from one run of Node."""
    answer: list[dict[str, Any] | None] = run_js(
        "console.log(JSON.stringify(input.typed.map(t => F.parseQuery(t, input.states))));",
        {"typed": [t for t, _ in TYPED], "states": STATES},
    )
    for read in answer:
        if read is not None:
            read.pop("text", None)
    return answer


@pytest.mark.parametrize("case", range(len(TYPED)), ids=[repr(t) for t, _ in TYPED])
def test_what_the_visitor_types_is_read_as_a_zip_code_or_a_place(
    typed: list[dict[str, Any] | None], case: int
) -> None:
    assert typed[case] == TYPED[case][1]


@pytest.fixture(scope="module")
def brand() -> dict[str, Any]:
    """The fictional brand's finder index and the place shards it would fetch, as JSON."""
    model = build_model(load_directory(REPO / "examples" / "harbor-ketamine-care"))
    return {"index": finder_index(model), "places": place_shards(model)}


def test_a_town_without_a_page_finds_the_nearest_locations(brand: dict[str, Any]) -> None:
    answer = run_js(
        """
        const index = F.decode(input.index);
        function search(typed) {
          const q = F.parseQuery(typed, index.states);
          const places = index.places.concat(F.decodePlaces(input.places[q.key.slice(0, 2)] || []));
          const found = F.matchPlaces(q, places);
          if (!found.length) return {suggest: F.suggest(q, places, 3).map(p => p.label)};
          const best = found[0];
          return {place: best.label, page: best.page, results: F.nearest(index.clinics, best.lat, best.lon, 10)
            .map(r => [r.clinic.slug, r.clinic.path, r.clinic.place.path, F.distanceText(r.miles)])};
        }
        console.log(JSON.stringify(["Del Mar", "del mar, ca", "Escondido, CA", "escon", "Escondidio",
          "Vista"].map(search)));
        """,
        brand,
    )
    del_mar, del_mar_ca, escondido, escon, typo, vista = answer
    assert del_mar == del_mar_ca
    assert del_mar["place"] == "Del Mar, CA" and del_mar["page"] is False
    assert [r[0] for r in del_mar["results"]] == [
        "harbor-ketamine-care-escondido",
        "harbor-ketamine-care-carlsbad",
        "harbor-ketamine-care-san-diego",
    ]
    assert escondido["place"] == "Escondido, CA" and escondido["page"] is True
    assert escondido["results"][0] == [
        "harbor-ketamine-care-escondido",
        "/clinics/harbor-ketamine-care-escondido/",
        "/ca/escondido/",
        "Under 1 mi",
    ]
    assert escondido["results"][1][3] == "About 16 mi"
    assert escon == escondido
    assert typo == {"suggest": ["Escondido, CA"]}
    assert (
        vista["place"] == "Vista, CA" and vista["results"][0][0] == "harbor-ketamine-care-carlsbad"
    )


def test_service_area_clinics_serve_the_cities_they_list(tmp_path: Path) -> None:
    model = build_model(load_directory(REPO))  # the demo: two service-area clinics
    answer = run_js(
        """
        const index = F.decode(input);
        const served = name => F.servedBy(index, index.places.find(p => p.name === name)).map(c => c.slug);
        console.log(JSON.stringify([served("Escondido"), served("Buena Park"), served("Los Angeles"),
          index.clinics.length, F.pageFor(index, "ESCONDIDO", "CA").path,
          Object.keys(index.shards.zip).sort(), Object.keys(index.shards.places).sort()]));
        """,
        finder_index(model),
    )
    assert answer == [
        ["bff-medical-wellness-clinic"],
        ["ketamine-clinics-of-los-angeles"],
        ["ketamine-clinics-of-los-angeles"],
        0,
        "/ca/escondido/",
        sorted(zip_shards(model.states)),
        sorted(place_shards(model)),
    ]


def test_distances_are_haversine_miles_and_said_roughly() -> None:
    answer = run_js(
        "console.log(JSON.stringify([F.miles(33.1192, -117.0864, 32.7157, -117.1611),"
        " F.distanceText(0.4), F.distanceText(1.4), F.distanceText(26.6),"
        " F.editDistance('escondidio', 'escondido')]));"
    )
    assert answer[0] == pytest.approx(28.2, abs=0.2)
    assert answer[1:] == ["Under 1 mi", "About 1 mi", "About 27 mi", 1]

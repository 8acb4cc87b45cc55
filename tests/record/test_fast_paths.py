"""The quick ways validation takes decide exactly as the slow ones they stand in for: the
JSON Schema's quick yes, US phone numbers in their usual spellings, the pairs of similar
names, the distance of coordinates from their ZIP code, and the shipped gazetteer table."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import yaml
from geopy.distance import geodesic

from kdirectory.record import gazetteer, json_schema, parse, read
from kdirectory.record import validate as validate_module
from kdirectory.record.directory_rules import _similar, _SimilarKeys, name_match_key
from kdirectory.record.phones import Phone, PhoneError, _is_valid, _parse_any, parse_phone
from kdirectory.record.read import RecordReader
from kdirectory.record.rules import MAX_KM_FROM_ZIP, _surely_within
from kdirectory.record.source import SourceRecord
from kdirectory.testing.synthetic import generate_records
from tests.helpers import GOOD_RECORD, ProjectFactory, formatted, validated
from tests.record.test_validate import EDITS, WHOLE_FILES

# --- the JSON Schema's quick yes ------------------------------------------------------------


def schema_errors(data: object) -> list[str]:
    return [error.message for error in validate_module._schema_validator().iter_errors(data)]


ODD_VALUES: list[Any] = [
    None, True, False, 0, 1, 1.0, 2.5, -200.0, 95, "", " ", "x" * 300, "closed",
    "09:00-17:00", "9am", [], ["a", "a"], ["a"], [1, 1], [True, 1], {}, {"x": 1},
    "depression", "US", "CA", float("nan"), [None], "a" * 60, [{}], "2026-01-01", 1e400,
]  # fmt: skip


def paths(value: object, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*at, index))
    return found


def mutated(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``record`` with one to three values replaced, removed or added, at random."""
    data = copy.deepcopy(record)
    for _ in range(rng.randint(1, 3)):
        where = rng.choice([p for p in paths(data) if p])
        parent: Any = data
        for key in where[:-1]:
            parent = parent[key]
        roll = rng.random()
        if roll < 0.1:
            data[rng.choice(["extra", "nme", "slug"])] = rng.choice(ODD_VALUES)
        elif roll < 0.2 and isinstance(parent, dict):
            del parent[where[-1]]
        else:
            parent[where[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return data


def canonical_records(count: int, seed: int) -> list[dict[str, Any]]:
    """Synthetic records as validation sees them (read, then in their canonical form)."""
    records = []
    for data in generate_records(count, seed=seed, brand_fields=True):
        source = SourceRecord(path=Path("x.yaml"), display_path="x.yaml", data=None)
        parse.parse_yaml(yaml.safe_dump(data, sort_keys=False), source)
        assert source.data is not None
        records.append(source.data)
    return records


def test_the_quick_yes_is_never_wrong() -> None:
    """Whenever the quick check says a record passes, the JSON Schema validator finds
    nothing: records changed at random, many thousands of them."""
    rng = random.Random(5)
    records = canonical_records(40, seed=2)
    said_yes = 0
    for _ in range(4000):
        data = mutated(rng.choice(records), rng)
        if json_schema.schema_accepts(data):
            said_yes += 1
            assert schema_errors(data) == [], data
    assert said_yes > 200  # the check is not a "no" to everything


def test_the_quick_yes_answers_for_valid_records() -> None:
    """Valid records never need the validator: the quick check vouches for each."""
    for data in canonical_records(300, seed=7):
        assert json_schema.schema_accepts(data)


def test_the_schema_explains_failing_records_as_before(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every failing fixture of the validation tests gets the same problems with the quick
    check as with the JSON Schema validator run on every record."""
    records: dict[str, str | bytes] = {
        f"edit-{case}.yaml": GOOD_RECORD.replace(old, new, 1) for case, old, new, _ in EDITS
    }
    records.update({f"whole-{case}-{name}": content for case, name, content, _ in WHOLE_FILES})
    records["lax.yaml"] = GOOD_RECORD + 'geo: {lat: "33.1", lon: "-117.1"}\n'
    records["yes.yaml"] = GOOD_RECORD + 'accepting_new_patients: "yes"\n'
    with_quick_check = formatted(validated(make_project, records))
    monkeypatch.setattr(validate_module, "schema_accepts", lambda _data: False)
    everything = formatted(validated(make_project, records))
    assert with_quick_check == everything
    # what the model accepts but the schema does not is still said (the schema is stricter)
    assert [line for line in everything if line.startswith("data/clinics/lax.yaml:")]
    assert [line for line in everything if line.startswith("data/clinics/yes.yaml:")]


# --- phone numbers --------------------------------------------------------------------------


def either(text: str, parse_it: Any) -> object:
    try:
        return parse_it(text)
    except PhoneError as error:
        return ("error", error.message, error.fix)


def test_usual_spellings_of_phone_numbers_read_as_phonenumbers_reads_them() -> None:
    rng = random.Random(1)
    spellings = [
        "({}) {}-{}", "({}){}-{}", "{}-{}-{}", "{}.{}.{}", "{}{}{}", "{} {} {}",
        "({}) {} {}", "{}-{}{}", "({}) {}.{}", " {}-{}-{} ", "({}) {}{}",
    ]  # fmt: skip
    for _ in range(20_000):
        digits = "".join(rng.choice("0123456789") for _ in range(10))
        if rng.random() < 0.8:
            digits = rng.choice("23456789") + digits[1:]
        text = rng.choice(spellings).format(digits[:3], digits[3:6], digits[6:])
        assert either(text, parse_phone) == either(text, _parse_any), text


def test_numbers_are_shown_as_phonenumbers_formats_them() -> None:
    rng = random.Random(2)
    shown = 0
    for area in range(200, 1000):
        for _ in range(6):
            digits = f"{area}{rng.randrange(200, 1000)}{rng.randrange(10_000):04d}"
            number = phonenumbers.parse("+1" + digits, "US")
            if not phonenumbers.is_valid_number(number):
                continue
            expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            phone = parse_phone(digits)
            assert phone.national == expected, digits
            assert Phone(phone.e164, "12").national == expected + " ext. 12"
            shown += 1
    assert shown > 2_000


def test_numbers_are_valid_as_phonenumbers_finds_them() -> None:
    """Every area code of +1: US, Canadian and Caribbean numbers, and codes in no use."""
    rng = random.Random(4)
    answers = set()
    for area in range(200, 1000):
        for _ in range(8):
            digits = f"{area}{rng.randrange(100, 1000)}{rng.randrange(10_000):04d}"
            number = phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))
            expected = phonenumbers.is_valid_number(number)
            assert _is_valid(number) == expected, digits
            answers.add((expected, phonenumbers.region_code_for_number(number)))
    assert {(True, "US"), (True, "CA"), (True, "JM"), (False, None)} <= answers


# --- similar names --------------------------------------------------------------------------


def test_similar_names_are_paired_as_the_plain_comparison_pairs_them() -> None:
    rng = random.Random(3)
    words = [
        "ketamine", "wellness", "center", "harbor", "mind", "health", "psychiatric", "north",
        "bay", "clinic", "infusion", "the", "of", "new", "life", "hope", "a", "***", "é",
    ]  # fmt: skip
    for _ in range(300):
        names: list[str] = []
        for _ in range(rng.randint(1, 40)):
            name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
            if names and rng.random() < 0.4:  # a near copy of an earlier name
                letters = list(rng.choice(names))
                for _ in range(rng.randint(0, 2)):
                    letters[rng.randrange(len(letters))] = rng.choice("abcdefxyz ")
                name = "".join(letters) + rng.choice(["", "s", "x"])
            names.append(name)
        keys = [name_match_key(name) for name in names]
        pairs = _SimilarKeys(keys)
        for i in range(len(keys)):
            plain = next((j for j in range(i) if _similar(keys[i], keys[j])), None)
            assert pairs.first_before(i) == plain, (keys, i)


# --- coordinates far from their ZIP ---------------------------------------------------------


def test_coordinates_surely_near_are_near() -> None:
    """The quick great-circle check never passes a place the geodesic puts too far."""
    rng = random.Random(2)
    for _ in range(20_000):
        lat, lon = rng.uniform(-70, 70), rng.uniform(-180, 180)
        other = (lat + rng.uniform(-0.4, 0.4), lon + rng.uniform(-0.4, 0.4))
        if _surely_within(lat, lon, *other):
            assert geodesic((lat, lon), other).km <= MAX_KM_FROM_ZIP
    # and it does vouch for the usual case, a clinic a few km from its ZIP's centre
    assert _surely_within(33.12, -117.09, 33.11, -117.07)
    assert not _surely_within(33.12, -117.09, 33.12, -117.09 + 30 / (111 * math.cos(0.58)))


# --- the gazetteer --------------------------------------------------------------------------


@pytest.mark.slow
def test_the_shipped_table_is_the_installed_zipcodes() -> None:
    """The table kdirectory ships holds every ZIP of the zipcodes release it names, as
    zipcodes gives it (regenerate it with gazetteer.write_table() after an upgrade)."""
    live = gazetteer._zipcodes_infos()
    shipped = gazetteer._shipped_lines()
    assert shipped is not None, "zips.tsv.gz names another zipcodes release than installed"
    assert {info.zip5: info for info in live} == {
        zip5: gazetteer._info_of_line(line) for zip5, line in shipped.items()
    }
    assert gazetteer.table_text(live, gazetteer._zipcodes_version()).encode() == (
        gazetteer.gzip.decompress((Path(gazetteer.__file__).with_name("zips.tsv.gz")).read_bytes())
    )


def test_another_zipcodes_release_is_read_from_zipcodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer, "_zipcodes_version", lambda: "0.0.0-another")
    gazetteer._shipped_lines.cache_clear()
    try:
        assert gazetteer._shipped_lines() is None
        calls: list[int] = []
        infos = gazetteer._zipcodes_infos

        def from_zipcodes() -> list[gazetteer.ZipInfo]:
            calls.append(1)
            return infos()

        monkeypatch.setattr(gazetteer, "_zipcodes_infos", from_zipcodes)
        gazetteer._zip_table.cache_clear()
        monkeypatch.setattr(gazetteer, "_looked_up", {})
        info = gazetteer.zip_info("92025")
        assert info is not None and info.city == "Escondido" and calls == [1]
    finally:
        gazetteer._shipped_lines.cache_clear()
        gazetteer._zip_table.cache_clear()
        gazetteer._city_table.cache_clear()


def test_the_table_answers_as_before() -> None:
    """A ZIP's row, a city's centre and the list of ZIPs, from the shipped table."""
    info = gazetteer.zip_info("92025")
    assert info is not None
    assert (info.state, info.city, info.timezone, info.kind) == (
        "CA", "Escondido", "America/Los_Angeles", "STANDARD",
    )  # fmt: skip
    assert gazetteer.zip_info("00000") is None and gazetteer.zip_info("9") is None
    city = gazetteer.city_info("Escondido", "CA")
    assert city is not None and "92025" in city.zips
    assert all(z.kind == "STANDARD" for z in gazetteer.all_zips()[:100])


# --- text that is no text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "lone.json",
            b'{"name": "A \\ud800 B", "address": {"city": "Escondido", "region": "CA"}}\n',
            "data/clinics/lone.json:1: name: is not valid JSON: the escape \\ud800 is half",
        ),
        (
            "pair.json",
            b'{"name": "A \\ud83d\\ude00", "conditions": ["\\udfff"],\n'
            b' "address": {"city": "Escondido", "region": "CA"}}\n',
            "data/clinics/pair.json:1: conditions[0]: is not valid JSON: the escape \\udfff",
        ),
    ],
)
def test_half_a_character_is_an_error_not_a_crash(
    make_project: ProjectFactory, name: str, content: bytes, expected: str
) -> None:
    lines = formatted(validated(make_project, {name: content}))
    assert [line for line in lines if line.startswith(expected)], lines
    assert len(lines) == 1


def test_half_a_character_in_yaml_is_an_error_with_either_reader(
    make_project: ProjectFactory, yaml_loader: str
) -> None:
    text = GOOD_RECORD.replace("Harbor Ketamine Clinic", '"Harbor \\ud800 Clinic"')
    lines = formatted(validated(make_project, {"x.yaml": text}))
    assert len(lines) == 1, lines
    if yaml_loader == "libyaml":  # libyaml refuses the escape itself
        assert lines[0].startswith("data/clinics/x.yaml:1: is not valid YAML")
    else:
        assert lines[0].startswith("data/clinics/x.yaml:1: name: is not valid YAML: the escape")


def test_reading_records_finds_them_in_name_order(make_project: ProjectFactory) -> None:
    names = ["b.yaml", "A.yml", "a.yaml", "c.YAML"]
    root = make_project(dict.fromkeys(names, GOOD_RECORD))
    (root / "data/clinics/.hidden.yaml").write_text(GOOD_RECORD)
    (root / "data/clinics/notes.txt").write_text("not a record")
    found = [p.name for p in read.find_record_files(root / "data/clinics")]
    assert found == sorted(names) == ["A.yml", "a.yaml", "b.yaml", "c.YAML"]
    reader = RecordReader(root)
    for path in found:
        source = reader.read(root / "data/clinics" / path)
        assert source.data is not None and source.problems == []

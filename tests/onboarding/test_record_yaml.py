"""The importer's YAML writer gives exactly ``dump_record``'s text, without running PyYAML for
the values rows have."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kdirectory.onboarding import record_yaml as module
from kdirectory.onboarding.record_yaml import record_yaml
from kdirectory.record.write import dump_record

LONG = (
    "Harbor Ketamine Center is a psychiatric practice offering ketamine-based treatment in "
    "Escondido, California. It offers IV ketamine infusion for adults with depression."
)
IMPORTED = {
    "name": "Harbor Clinic",
    "slug": "harbor-clinic",
    "phone": "(760) 555-0123",
    "address": {
        "street": "1200 N Main St",
        "unit": "#210",
        "city": "Escondido",
        "region": "CA",
        "postal_code": "02108",
    },
    "conditions": ["depression", "ptsd"],
    "accepting_new_patients": True,
    "spravato_rems_certified": False,
    "price_range": "$300–$400 per infusion",
    "hours": {"monday": ["09:00-12:00", "13:00-17:00"], "tuesday": "09:00-17:00"},
    "description": LONG + " " + LONG,
    "email": "it's@example.com",
    "timezone": "yes",
}

# Words that decide a style: indicators, quotes, what YAML reads as another type, folding.
_WORDS = st.sampled_from(
    [
        "a", "Main", "St", "#12", "a#b", "it's", "a:", "a:b", ":", "-", "?", "---", "...",
        "yes", "No", "null", "~", "1.5", "0123", "12:30", "2001-12-14", ".inf", "<<", "=",
        "x" * 30, "é–", "١٢", "[a]", "{", "&a", "*a", "!a", "|", ">", "%", "@", "`", '"a"',
        "\t", "\n", "\x85", "\u2028", "\ufeff", "😀", "",
    ]
)  # fmt: skip
_TEXT = st.lists(_WORDS, max_size=40).map(" ".join)
_LEAF = _TEXT | st.booleans() | st.lists(_TEXT, max_size=4) | st.integers() | st.none()
_KEYS = st.sampled_from(["name", "street", "x1", "on", "Key", "a b", "yes", ""])
_VALUES = _LEAF | st.dictionaries(_KEYS, _LEAF | st.dictionaries(_KEYS, _LEAF), max_size=4)


@settings(max_examples=500)
@given(_KEYS, _VALUES)
def test_an_entry_is_dump_records(key: str, value: Any) -> None:
    # one entry a record: a value the writer leaves to PyYAML does not hide the others
    assert record_yaml({key: value}) == dump_record({key: value})


@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=6))
def test_a_record_is_dump_records(record: dict[str, Any]) -> None:
    assert record_yaml(record) == dump_record(record)


def test_an_imported_record_is_written_without_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = dump_record(IMPORTED)
    assert "ketamine-based\n  treatment" in expected  # the description is folded
    monkeypatch.setattr(module, "dump_record", None)  # would fail if called
    assert record_yaml(IMPORTED) == expected


@pytest.mark.parametrize("width", [76, 77, 78, 79])
@pytest.mark.parametrize("value", ["x", "it's", "yes", "#it's"])
def test_text_is_folded_at_the_first_space_past_column_80(
    monkeypatch: pytest.MonkeyPatch, width: int, value: str
) -> None:
    text = f"{'x' * width} {value} z"
    record = {"d": text, "address": {"street": text, "hours": [text]}, "conditions": [text]}
    expected = dump_record(record)
    monkeypatch.setattr(module, "dump_record", None)
    assert record_yaml(record) == expected


@pytest.mark.parametrize(
    "value",
    [" leading space", "tab\there", "line\nbreak", "😀", 1.5, None, [], {}, [1]],
)
def test_other_values_are_left_to_dump_record(value: object) -> None:
    record = {**IMPORTED, "notes": value}
    assert record_yaml(record) == dump_record(record)

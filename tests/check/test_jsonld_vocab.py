"""The schema.org vocabulary check for JSON-LD, and the packaged table it reads."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kdirectory.check.schemaorg import VocabIssue, check_jsonld
from tests.helpers import REPO

SCHEMAORG_MINI = REPO / "tests" / "data" / "schemaorg-mini"
TABLE_SCRIPT = REPO / "scripts" / "build_schemaorg_table.py"


def clinic_page() -> dict[str, Any]:
    """JSON-LD shaped like the clinic page's on a clinic page."""
    clinic_id = "https://directory.example/clinics/example-clinic/#clinic"
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "MedicalClinic",
                "@id": clinic_id,
                "name": "Example Ketamine Clinic",
                "url": "https://clinic.example/",
                "telephone": "+13105550142",
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": "123 Example Blvd Ste 200",
                    "addressLocality": "Los Angeles",
                    "addressRegion": "CA",
                    "postalCode": "90024",
                    "addressCountry": "US",
                },
                "geo": {"@type": "GeoCoordinates", "latitude": 34.06341, "longitude": -118.44482},
                "openingHoursSpecification": [
                    {
                        "@type": "OpeningHoursSpecification",
                        "dayOfWeek": "https://schema.org/Monday",
                        "opens": "09:00",
                        "closes": "12:00",
                    },
                    {
                        "@type": "OpeningHoursSpecification",
                        "dayOfWeek": ["Monday", "https://schema.org/Tuesday"],
                        "opens": "13:00",
                        "closes": "18:00",
                    },
                ],
                "specialOpeningHoursSpecification": {
                    "@type": "OpeningHoursSpecification",
                    "validFrom": "2026-12-25",
                    "validThrough": "2026-12-25",
                    "opens": "00:00",
                    "closes": "00:00",
                },
                "medicalSpecialty": ["https://schema.org/Psychiatric", "Anesthesia"],
                "availableService": [
                    {"@type": "MedicalTherapy", "name": "IV ketamine infusion"},
                    {"@type": "MedicalTherapy", "name": "Esketamine nasal spray (Spravato)"},
                ],
                "isAcceptingNewPatients": True,
                "priceRange": "$400-$700 per infusion",
                "paymentAccepted": "Cash, Credit Card",
                "currenciesAccepted": "USD",
                "knowsLanguage": ["en", "es"],
                "areaServed": [{"@type": "City", "name": "Beverly Hills"}, "Santa Monica"],
                "parentOrganization": {"@type": "Organization", "name": "Example Brand"},
                "sameAs": ["https://www.facebook.com/example"],
                "hasMap": "https://maps.example/?q=123+Example+Blvd",
            },
            {
                "@type": "MedicalWebPage",
                "@id": "https://directory.example/clinics/example-clinic/",
                "about": {"@id": clinic_id},
                "lastReviewed": "2026-11-01",
                "reviewedBy": {"@type": "Person", "name": "Jane Doe, MD"},
                "medicalAudience": {"@type": "Patient"},
                "breadcrumb": {"@id": "https://directory.example/clinics/example-clinic/#crumbs"},
            },
            {
                "@type": "BreadcrumbList",
                "@id": "https://directory.example/clinics/example-clinic/#crumbs",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": 1,
                        "name": "Home",
                        "item": "https://directory.example/",
                    },
                    {
                        "@type": "ListItem",
                        "position": 2,
                        "name": "California",
                        "item": {"@id": "https://directory.example/ca/"},
                    },
                ],
            },
        ],
    }


def condition_page() -> dict[str, Any]:
    return {
        "@context": "https://schema.org/",
        "@graph": [
            {
                "@type": "MedicalCondition",
                "name": "Depression",
                "code": [
                    {"@type": "MedicalCode", "codeValue": "F32", "codingSystem": "ICD-10-CM"},
                    {"@type": "MedicalCode", "codeValue": "F33", "codingSystem": "ICD-10-CM"},
                ],
                "possibleTreatment": [{"@type": "MedicalTherapy", "name": "IV ketamine infusion"}],
            },
            {
                "@type": "FAQPage",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": "How many clinics are there?",
                        "acceptedAnswer": {"@type": "Answer", "text": "Three."},
                    }
                ],
            },
            {
                "@type": "ItemList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "item": {"@id": "https://d.example/#c"}}
                ],
            },
            {"@type": "WebSite", "name": "Directory", "url": "https://d.example/"},
            {"@type": "Organization", "name": "Agency", "logo": "https://d.example/logo.png"},
        ],
    }


def paths(issues: list[VocabIssue]) -> list[str]:
    return [issue.path for issue in issues]


# --- documents that pass --------------------------------------------------------------------


def test_a_clinic_pages_json_ld_passes() -> None:
    assert check_jsonld(clinic_page()) == []


def test_a_condition_pages_json_ld_passes() -> None:
    assert check_jsonld(condition_page()) == []


def test_single_node_and_list_forms() -> None:
    node = clinic_page()["@graph"][0]
    assert check_jsonld({"@context": "https://schema.org", **node}) == []
    assert check_jsonld([node, {"@type": "Thing", "name": "x"}]) == []


@pytest.mark.parametrize(
    ("node", "prop"),
    [
        ("MedicalClinic", "telephone"),
        ("MedicalClinic", "openingHoursSpecification"),
        ("MedicalClinic", "isAcceptingNewPatients"),
        ("MedicalClinic", "medicalSpecialty"),
        ("MedicalClinic", "availableService"),
        ("MedicalClinic", "hasMap"),
        ("MedicalClinic", "paymentAccepted"),
        ("MedicalClinic", "knowsLanguage"),
        ("MedicalClinic", "areaServed"),
        ("MedicalClinic", "priceRange"),
        ("MedicalClinic", "parentOrganization"),
        ("MedicalWebPage", "lastReviewed"),
        ("MedicalWebPage", "reviewedBy"),
        ("MedicalWebPage", "medicalAudience"),
        ("MedicalWebPage", "about"),
        ("MedicalCondition", "code"),
        ("MedicalCondition", "possibleTreatment"),
    ],
)
def test_the_properties_the_pages_use_are_allowed(node: str, prop: str) -> None:
    issues = check_jsonld({"@type": node, prop: {"@id": "https://d.example/#x"}})
    assert issues == []


def test_several_types_allow_the_properties_of_any() -> None:
    doc = {"@type": ["MedicalWebPage", "FAQPage"], "lastReviewed": "2026-11-01", "mainEntity": []}
    assert check_jsonld(doc) == []
    assert (
        paths(check_jsonld({"@type": ["Person", "Place"], "telephone": "x", "hasMap": "y"})) == []
    )


def test_prefixed_terms_and_value_objects() -> None:
    doc = {
        "@type": "https://schema.org/MedicalClinic",
        "schema:name": "x",
        "telephone": {"@value": "+13105550142"},
        "isAcceptingNewPatients": "https://schema.org/True",
    }
    assert check_jsonld(doc) == []


def test_plain_values_are_lenient() -> None:
    doc = {
        "@type": "GeoCoordinates",
        "latitude": "34.06341",  # numeric string for Number
        "longitude": -118.44482,
        "address": "123 Example Blvd",  # Text where PostalAddress is also allowed
        "postalCode": 90024,  # a number for Text
    }
    assert check_jsonld(doc) == []
    # Text is schema.org's fallback for a class-valued property.
    assert check_jsonld({"@type": "MedicalClinic", "availableService": "IV ketamine"}) == []


def test_other_vocabulary_iris_are_accepted_for_enumerations() -> None:
    day = "http://purl.org/goodrelations/v1#Monday"
    assert check_jsonld({"@type": "OpeningHoursSpecification", "dayOfWeek": day}) == []


def test_action_input_annotations() -> None:
    action = {
        "@type": "SearchAction",
        "target": {"@type": "EntryPoint", "urlTemplate": "https://d.example/?q={q}"},
        "query-input": "required name=q",
    }
    assert check_jsonld({"@type": "WebSite", "potentialAction": action}) == []
    assert paths(check_jsonld({"@type": "WebSite", "name-input": "x"})) == ["name-input"]


# --- documents that fail --------------------------------------------------------------------


def test_unknown_property_on_clinic() -> None:
    issues = check_jsonld({"@type": "MedicalClinic", "foo": "bar", "telephon": "x"})
    assert issues == [
        VocabIssue("foo", "unknown schema.org property 'foo'"),
        VocabIssue(
            "telephon", "unknown schema.org property 'telephon' (did you mean 'telephone'?)"
        ),
    ]


def test_unknown_type() -> None:
    doc = clinic_page()
    doc["@graph"][0]["@type"] = "MedicalClinc"
    issues = check_jsonld(doc)
    assert issues == [
        VocabIssue(
            "@graph[0].@type",
            "unknown schema.org type 'MedicalClinc' (did you mean 'MedicalClinic'?)",
        )
    ]


def test_property_on_the_wrong_type() -> None:
    issues = check_jsonld({"@type": "MedicalClinic", "lastReviewed": "2026-01-01"})
    assert issues == [
        VocabIssue(
            "lastReviewed",
            "'lastReviewed' is not a property of MedicalClinic (it belongs on WebPage)",
        )
    ]
    assert paths(check_jsonld({"@type": "Organization", "hasMap": "https://m.example/"})) == [
        "hasMap"
    ]


def test_nested_path_points_at_the_problem() -> None:
    doc = clinic_page()
    doc["@graph"][0]["openingHoursSpecification"][1]["opens_at"] = "13:00"
    doc["@graph"][0]["openingHoursSpecification"][1]["dayOfWeek"][1] = "Funday"
    assert paths(check_jsonld(doc)) == [
        "@graph[0].openingHoursSpecification[1].dayOfWeek[1]",
        "@graph[0].openingHoursSpecification[1].opens_at",
    ]


def test_nested_type_must_fit_the_range() -> None:
    issues = check_jsonld(
        {"@type": "MedicalClinic", "availableService": [{"@type": "Person", "name": "x"}]}
    )
    assert issues == [
        VocabIssue(
            "availableService[0]",
            "a Person is not expected here "
            "(expected MedicalProcedure, MedicalTest or MedicalTherapy)",
        )
    ]
    # Subtypes fit: PhysicalTherapy is a MedicalTherapy; Hospital is an Organization.
    doc = {
        "@type": "MedicalClinic",
        "availableService": {"@type": "PhysicalTherapy"},
        "parentOrganization": {"@type": "Hospital"},
    }
    assert check_jsonld(doc) == []


def test_enumeration_values() -> None:
    doc = {"@type": "MedicalClinic", "medicalSpecialty": ["Psychiatric", "Psychiatry"]}
    assert check_jsonld(doc) == [
        VocabIssue(
            "medicalSpecialty[1]",
            "'Psychiatry' is not a MedicalSpecialty value (did you mean 'Psychiatric'?)",
        )
    ]
    monday_as_type = check_jsonld({"@type": "Monday"})
    assert [i.message for i in monday_as_type] == ["'Monday' is a DayOfWeek value, not a type"]


def test_plain_values_that_cannot_fit() -> None:
    doc = {"@type": "MedicalClinic", "isAcceptingNewPatients": "yes", "geo": 34.0, "name": True}
    assert paths(check_jsonld(doc)) == ["isAcceptingNewPatients", "geo", "name"]


def test_superseded_terms_are_reported() -> None:
    doc = {
        "@type": "MedicalClinic",
        "branchOf": {"@type": "Organization", "name": "Brand"},
        "medicalSpecialty": "Dermatologic",
    }
    assert [i.message for i in check_jsonld(doc)] == [
        "'branchOf' is superseded by 'parentOrganization'",
        "'Dermatologic' is superseded by 'Dermatology'",
    ]


def test_pending_terms_only_when_asked() -> None:
    doc = {"@type": "MedicalClinic", "isAcceptingNewPatients": True, "knowsLanguage": "en"}
    assert check_jsonld(doc) == []
    assert [i.message for i in check_jsonld(doc, allow_pending=False)] == [
        "'isAcceptingNewPatients' is only pending in schema.org",
        "'knowsLanguage' is only pending in schema.org",
    ]


def test_malformed_documents() -> None:
    assert paths(check_jsonld({"name": "x"})) == [""]
    assert paths(check_jsonld([{"@type": "Thing"}, 3])) == ["[1]"]
    assert paths(check_jsonld("not json-ld")) == [""]
    assert paths(check_jsonld({"@context": "https://example.org", "@type": "Thing"})) == [
        "@context"
    ]
    assert paths(check_jsonld({"@type": "Text"})) == ["@type"]
    assert paths(check_jsonld({"@type": 5})) == ["@type"]
    nested_untyped = {"@type": "MedicalClinic", "address": {"streetAddress": "1 Main St"}}
    assert check_jsonld(nested_untyped) == [VocabIssue("address", "node has no @type")]


def test_check_does_not_modify_the_document() -> None:
    doc = clinic_page()
    before = copy.deepcopy(doc)
    check_jsonld(doc)
    assert doc == before


# --- the packaged table ---------------------------------------------------------------------


def packaged_table() -> dict[str, Any]:
    text = (
        resources.files("kdirectory.check.schemaorg_data").joinpath("vocab.json").read_text("utf-8")
    )
    table: dict[str, Any] = json.loads(text)
    return table


def test_table_shape() -> None:
    table = packaged_table()
    assert table["version"] == "30.0"
    assert table["types"]["MedicalClinic"][0] == "MedicalClinic"
    assert {"MedicalBusiness", "MedicalOrganization", "LocalBusiness", "Place", "Thing"} <= set(
        table["types"]["MedicalClinic"]
    )
    assert table["members"]["Monday"] == "DayOfWeek"
    assert table["members"]["Psychiatric"] == "MedicalSpecialty"
    assert table["properties"]["availableService"]["range"] == [
        "MedicalProcedure",
        "MedicalTest",
        "MedicalTherapy",
    ]
    assert "isAcceptingNewPatients" in table["pending"]
    assert table["superseded"]["branchOf"] == "parentOrganization"
    assert {"Text", "URL", "Number", "Boolean", "Date", "DateTime", "Time"} <= set(
        table["datatypes"]
    )


def run_table_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TABLE_SCRIPT), *args],
        check=False,
        capture_output=True,
        text=True,
    )


def test_the_script_builds_the_table_from_schemaorg_csvs(tmp_path: Path) -> None:
    """A few hand-written rows in the release's CSV format (tests/data/schemaorg-mini): class
    ancestry through two parents, data types, enumeration members (one also a class),
    True/False, pending, attic and superseded terms, URIs outside schema.org left out."""
    out = tmp_path / "vocab.json"
    result = run_table_script("--source", str(SCHEMAORG_MINI), "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    table = json.loads(text)
    assert table == {
        "attic": ["HealthClub"],
        "datatypes": ["Boolean", "DataType", "Text", "URL"],
        "members": {
            "False": "Boolean",
            "Monday": "DayOfWeek",
            "Psychiatric": "MedicalSpecialty",
            "True": "Boolean",
        },
        "pending": ["VirtualClinic", "isAcceptingNewPatients"],
        "properties": {
            "branchOf": {"domain": ["LocalBusiness"], "range": ["Organization"]},
            "isAcceptingNewPatients": {"domain": ["MedicalOrganization"], "range": ["Boolean"]},
            "medicalSpecialty": {
                "domain": ["MedicalClinic", "MedicalOrganization"],
                "range": ["MedicalSpecialty"],
            },
            "name": {"domain": ["Thing"], "range": ["Text"]},
            "parentOrganization": {"domain": ["Organization"], "range": ["Organization"]},
            "url": {"domain": ["Thing"], "range": ["URL"]},
        },
        "superseded": {"OldClinic": "MedicalClinic", "branchOf": "parentOrganization"},
        "types": {
            "Boolean": ["Boolean"],
            "DataType": ["DataType"],
            "DayOfWeek": ["DayOfWeek", "Enumeration", "Intangible", "Thing"],
            "Enumeration": ["Enumeration", "Intangible", "Thing"],
            "HealthClub": ["HealthClub", "LocalBusiness", "Organization", "Place", "Thing"],
            "Intangible": ["Intangible", "Thing"],
            "LocalBusiness": ["LocalBusiness", "Organization", "Place", "Thing"],
            "MedicalBusiness": ["MedicalBusiness", "LocalBusiness", "Organization", "Place", "Thing"],
            "MedicalClinic": ["MedicalClinic", "LocalBusiness", "MedicalBusiness",
                              "MedicalOrganization", "Organization", "Place", "Thing"],
            "MedicalOrganization": ["MedicalOrganization", "Organization", "Thing"],
            "MedicalSpecialty": ["MedicalSpecialty", "Enumeration", "Intangible", "Thing"],
            "OldClinic": ["OldClinic", "LocalBusiness", "MedicalBusiness", "Organization",
                          "Place", "Thing"],
            "Organization": ["Organization", "Thing"],
            "Place": ["Place", "Thing"],
            "Psychiatric": ["Psychiatric", "LocalBusiness", "MedicalBusiness", "Organization",
                            "Place", "Thing"],
            "Text": ["Text"],
            "Thing": ["Thing"],
            "URL": ["URL", "Text"],
            "VirtualClinic": ["VirtualClinic", "LocalBusiness", "MedicalBusiness",
                              "MedicalClinic", "MedicalOrganization", "Organization", "Place",
                              "Thing"],
        },
        "version": "mini",  # from the folder's name, as schemaorg-30.0 gives 30.0
    }  # fmt: skip
    # One term per line, sorted, in the packaged table's layout; a second run is identical.
    lines = text.splitlines()
    assert lines[:3] == [
        "{",
        '"attic":["HealthClub"],',
        '"datatypes":["Boolean","DataType","Text","URL"],',
    ]
    assert (
        '"MedicalClinic":["MedicalClinic","LocalBusiness","MedicalBusiness",'
        '"MedicalOrganization","Organization","Place","Thing"],'
    ) in lines
    assert '"version":"mini"' in lines
    assert lines[-1] == "}" and text.endswith("}\n")
    again = tmp_path / "again.json"
    assert run_table_script("--source", str(SCHEMAORG_MINI), "--out", str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()


def test_the_packaged_table_has_the_layout_the_script_writes() -> None:
    """Regenerating from a full release changes only the terms, not how the file is laid out."""
    text = (
        resources.files("kdirectory.check.schemaorg_data").joinpath("vocab.json").read_text("utf-8")
    )
    spec = importlib.util.spec_from_file_location("build_schemaorg_table", TABLE_SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.dump(json.loads(text)) == text


def test_the_script_needs_a_source_folder(tmp_path: Path) -> None:
    result = run_table_script("--out", str(tmp_path / "vocab.json"))
    assert result.returncode == 2
    assert "--source" in result.stderr
    assert not (tmp_path / "vocab.json").exists()

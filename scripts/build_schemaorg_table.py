"""Build the compact schema.org table that kdirectory's JSON-LD vocabulary check uses.

Reads the two CSVs of a schema.org release (``schemaorg-current-https-types.csv`` and
``schemaorg-current-https-properties.csv`` from https://schema.org/docs/developers.html, in
a folder named ``schemaorg-<version>``; it is not in this repository: see
``src/kdirectory/check/schemaorg_data/ATTRIBUTION.md``) and writes
``src/kdirectory/check/schemaorg_data/vocab.json``:

- ``types``: every class -> itself followed by all its ancestors (sorted);
- ``datatypes``: the classes that are data types (Text, URL, Number, Date, ...);
- ``properties``: every property -> ``{"domain": [...], "range": [...]}``;
- ``members``: every enumeration member -> its enumeration type;
- ``pending`` / ``attic``: terms that are only in pending.schema.org / attic.schema.org;
- ``superseded``: retired term -> the term that replaces it.

All names are short (``MedicalClinic``, not ``https://schema.org/MedicalClinic``).
The output is sorted and byte-for-byte reproducible, one term per line so diffs stay small.

Usage:
    python scripts/build_schemaorg_table.py --source DIR [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "kdirectory" / "check" / "schemaorg_data" / "vocab.json"
PREFIXES = ("https://schema.org/", "http://schema.org/")
# Data types have no schema.org superclass; every other parentless class except Thing
# is an instance (True, False) or an enumeration member.
DATATYPE_ROOTS = {"Boolean", "Date", "DateTime", "Number", "Text", "Time", "DataType"}
BOOLEAN_VALUES = {"True", "False"}


def short(uri: str) -> str | None:
    """``https://schema.org/Foo`` -> ``Foo``; None for terms outside schema.org."""
    for prefix in PREFIXES:
        if uri.startswith(prefix):
            return uri[len(prefix) :]
    return None


def split(cell: str) -> list[str]:
    """A comma-separated CSV cell of URIs -> sorted short schema.org names."""
    names = (short(part.strip()) for part in cell.split(",") if part.strip())
    return sorted({name for name in names if name})


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ancestors(name: str, parents: dict[str, list[str]]) -> list[str]:
    seen: set[str] = set()
    stack = list(parents.get(name, []))
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, []))
    seen.discard(name)
    return [name, *sorted(seen)]


def build(source: Path) -> dict[str, object]:
    type_rows = read_rows(source / "schemaorg-current-https-types.csv")
    property_rows = read_rows(source / "schemaorg-current-https-properties.csv")

    parents: dict[str, list[str]] = {}
    members: dict[str, str] = {}
    pending: set[str] = set()
    attic: set[str] = set()
    superseded: dict[str, str] = {}
    for row in [*type_rows, *property_rows]:
        part_of = row.get("isPartOf", "")
        if "pending.schema.org" in part_of:
            pending.add(row["label"])
        if "attic.schema.org" in part_of:
            attic.add(row["label"])
        replacement = split(row.get("supersededBy", ""))
        if replacement:
            superseded[row["label"]] = ", ".join(replacement)

    for row in type_rows:
        name = row["label"]
        enumeration = split(row["enumerationtype"])
        if enumeration:
            members[name] = enumeration[0]
        if name in BOOLEAN_VALUES:
            members[name] = "Boolean"
            continue
        if enumeration and not row["subTypeOf"].strip():
            continue  # a plain enumeration member (Monday), not a class
        parents[name] = split(row["subTypeOf"])

    types = {name: ancestors(name, parents) for name in parents}
    datatypes = sorted(n for n, line in types.items() if DATATYPE_ROOTS & set(line))
    properties = {
        row["label"]: {"domain": split(row["domainIncludes"]), "range": split(row["rangeIncludes"])}
        for row in property_rows
    }
    return {
        "attic": sorted(attic),
        "datatypes": datatypes,
        "members": members,
        "pending": sorted(pending),
        "properties": properties,
        "superseded": superseded,
        "types": types,
        "version": source.name.removeprefix("schemaorg-"),
    }


def dump(table: dict[str, object]) -> str:
    """JSON with one term per line: compact, sorted and diff-friendly."""
    lines = []
    for key in sorted(table):
        value = table[key]
        if isinstance(value, dict) and value:
            body = ",\n".join(
                f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'), sort_keys=True)}"
                for k, v in sorted(value.items())
            )
            lines.append(f"{json.dumps(key)}:{{\n{body}\n}}")
        else:
            lines.append(f"{json.dumps(key)}:{json.dumps(value, separators=(',', ':'))}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--source", type=Path, required=True, help="folder of the release's CSVs (schemaorg-30.0)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="vocab.json to write")
    args = parser.parse_args()
    text = dump(build(args.source))
    json.loads(text)  # never write a table that does not parse
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()):,} bytes)")  # noqa: T201 -- a script's report


if __name__ == "__main__":
    main()

"""One spreadsheet row as a clinic record: build it, check it as ``validate`` does, write it.

The checks are the project's own (JSON Schema, the pydantic model, the record rules, and on
a brand site the brand's rules, with the records the new one joins), run on the record dict
exactly as if it had been read from a YAML file, so an imported record that passes here
passes ``kdirectory validate``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kdirectory.onboarding.columns import (
    BOOLEAN_FIELDS,
    LIST_FIELDS,
    ONE_LINE_ADDRESS,
    SetOptionError,
)
from kdirectory.onboarding.normalise import (
    DamagedCellError,
    Note,
    cell_value,
    drop_po_box,
    hours_value,
    parse_bool,
    repair_phone,
    repair_zip,
    split_address,
    split_cities,
    split_list,
    title_cased,
    with_scheme,
)
from kdirectory.onboarding.record_yaml import entry_texts, record_yaml
from kdirectory.onboarding.safe_text import quoted, shown
from kdirectory.onboarding.tabular import Cell
from kdirectory.record import vocabulary
from kdirectory.record.brand_rules import check_brand
from kdirectory.record.directory import Directory
from kdirectory.record.hours import WEEKDAYS
from kdirectory.record.model import Address, Clinic, canonical_record
from kdirectory.record.rules import check_clinic
from kdirectory.record.slugs import slugify
from kdirectory.record.source import SourceRecord
from kdirectory.record.validate import check_record
from kdirectory.report import Problem

SCHEMA_FILE = "clinic.schema.json"
"""Written by ``kdirectory init``; records point editors at it when it exists."""
REJECTED_WARNINGS = frozenset({"address.po_box"})
"""Warnings that reject an imported row (see :func:`rejecting`)."""
PHONE_FIELDS = ("phone", "tracking_phone")
PHONE_DROPPED = "phone.dropped"
"""The kind of the warning on a row imported without its unusable phone number."""
_TRIAL: dict[str, Any] = {"name": "Clinic", "address": {"city": "Escondido", "region": "CA"}}
"""Stands in for the rest of a row while the values of ``--set`` are checked alone."""

# The models' field order, for canonical_order.
_FIELD_ORDER = {name: i for i, name in enumerate(Clinic.model_fields)}
_ADDRESS_ORDER = {name: i for i, name in enumerate(Address.model_fields)}
_DAY_ORDER = {name: i for i, name in enumerate(WEEKDAYS)}


@dataclass
class RowRecord:
    """A record dict built from one row, and the repairs made on the way."""

    data: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    defaulted: frozenset[str] = frozenset()
    """The fields (``address.region``) given by ``--set`` because the row left them empty."""


def build_record(
    values: Mapping[str, Cell], defaults: Mapping[str, str] | None = None
) -> RowRecord:
    """The record dict for one row's mapped cells (field -> cell), repaired and normalised.
    ``defaults`` (field -> text, from ``--set``) fill the fields the row leaves empty and are
    read exactly as a cell would be. A phone that lost digits in scientific notation is left
    out with a note (:data:`PHONE_DROPPED`).

    Raises:
        DamagedCellError: a cell holds a formula or an Excel error value, or a one-line
            address cannot be split.
    """
    notes: list[Note] = []
    texts: dict[str, str] = {}
    for name, cell in values.items():
        text, cell_notes = cell_value(cell, name)
        notes += cell_notes
        if text:
            texts[name] = text
    one_line = texts.pop(ONE_LINE_ADDRESS, None)
    if one_line:
        parts = split_address(one_line)
        filled = [p for p in parts if f"address.{p}" not in texts]
        for part in filled:
            texts[f"address.{part}"] = parts[part]
        if filled:
            notes.append(
                Note("normalised.address_split", ONE_LINE_ADDRESS, f'split "{one_line:.60}"')
            )
    defaulted = frozenset(name for name in defaults or {} if name not in texts)
    for name in defaulted:
        texts[name] = (defaults or {})[name]
    region = texts.get("address.region")
    if region:
        texts["address.region"] = vocabulary.state_code(region) or region
    for name in PHONE_FIELDS:
        if name in texts:
            try:
                texts[name], phone_notes = repair_phone(texts[name], name)
            except DamagedCellError as damage:
                del texts[name]
                notes.append(phone_dropped(name, damage.message, damage.fix))
                continue
            notes += phone_notes
    if "address.postal_code" in texts:
        texts["address.postal_code"], zip_notes = repair_zip(
            texts["address.postal_code"], texts.get("address.region")
        )
        notes += zip_notes
    if "address.street" in texts:
        texts["address.street"], street_notes = drop_po_box(texts["address.street"])
        notes += street_notes
    for name in list(texts):
        texts[name], case_notes = title_cased(texts[name], name)
        notes += case_notes
    for name in ("url", "booking_url"):
        if name in texts and (url := with_scheme(texts[name])) != texts[name]:
            notes.append(Note("normalised.url_scheme", name, f'"{texts[name]}" given https://'))
            texts[name] = url
    if "email" in texts:
        texts["email"] = texts["email"].removeprefix("mailto:")
    return RowRecord(data=_nest(texts), notes=notes, defaulted=defaulted)


def phone_dropped(field_name: str, message: str, how: str | None) -> Note:
    """The note on a row imported without its phone: what was wrong and how to put the real
    number in."""
    fix = "add the clinic's real number to its record, or correct the cell and import again "
    fix += "with --update"
    return Note(
        PHONE_DROPPED,
        field_name,
        f"{message}; imported without it ({fix}{f'; {how}' if how else ''})",
    )


def drop_unusable_phones(row: RowRecord, problems: Sequence[Problem]) -> list[Problem]:
    """Drop the phones of ``row`` that ``problems`` reject, with a note each, and return
    their problems; check the row again then. A phone is dropped only when nothing but
    phones kept the row out so far: a placeholder such as 9100000000 should not cost the
    directory a hospital. (If the row is still rejected, give these problems as reasons
    too, so that ``rejected.csv`` lists everything to fix.)"""
    bad = rejecting(problems)
    phones = [p for p in bad if p.field in PHONE_FIELDS]
    if not phones or len(phones) < len(bad):
        return []
    for problem in phones:
        row.data.pop(problem.field, None)
        row.notes.append(phone_dropped(problem.field, problem.message, problem.fix))
    return phones


def check_set_values(values: Mapping[str, str], directory: Directory | None = None) -> None:
    """Check the values of ``--set`` (field -> text) as the cells of one row are checked:
    repaired and read the same way, then validated with every other rule of a record (and,
    with ``directory``, a brand site's records, its brand's name; the cities served are
    checked on each row, where the location is known).

    Raises:
        SetOptionError: a value is empty, holds a formula or is not valid for its field; the
            message names the option.
    """
    for name, text in values.items():
        try:
            built = build_record({name: text})
        except DamagedCellError as damage:
            raise SetOptionError(
                f"--set {quoted(f'{name}={text}')}: {damage.message} ({damage.fix})"
            ) from None
        if get_field(built.data, name) is None:
            raise SetOptionError(
                f"--set {quoted(f'{name}={text}')}: {quoted(text)} reads as an empty cell; "
                "give the value every row should have"
            )
    trial = copy.deepcopy(_TRIAL)
    for key, value in build_record(dict(values)).data.items():
        if isinstance(value, dict) and isinstance(trial.get(key), dict):
            trial[key].update(value)
        else:
            trial[key] = value
    clinic, problems = check_data(trial, "--set")
    if directory is not None and clinic is not None and "brand" in values:
        source = SourceRecord(path=Path("--set"), display_path="--set", data=None)
        alone = clinic.model_copy(update={"service_area": []})
        problems += brand_problems(directory, alone, source)
    for problem in rejecting(problems):
        for name, text in values.items():
            if problem.field == name or problem.field.startswith((f"{name}.", f"{name}[")):
                raise SetOptionError(
                    f"--set {quoted(f'{name}={text}')}: {shown(problem.explanation, None)}"
                )


def drop_field(data: dict[str, Any], path: str) -> None:
    """Remove ``address.city`` (one level of nesting) or a top-level field, if present."""
    head, _, tail = path.partition(".")
    if not tail:
        data.pop(head, None)
    elif isinstance(data.get(head), dict):
        data[head].pop(tail, None)
        if not data[head]:
            del data[head]


def get_field(data: Mapping[str, Any], path: str) -> Any:
    """The value at ``address.city`` (one level of nesting) or a top-level field; ``None``
    when it is not there."""
    head, _, tail = path.partition(".")
    value = data.get(head)
    if tail:
        return value.get(tail) if isinstance(value, dict) else None
    return value


def _nest(texts: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, text in texts.items():
        value: Any = text
        if name == "service_area":
            value = split_cities(text)
        elif name in LIST_FIELDS:
            value = [list_item(name, item) for item in split_list(text)]
        elif name in BOOLEAN_FIELDS:
            value = parse_bool(text)
        elif name.startswith("hours."):
            value = hours_value(text)
        elif name.startswith("geo."):
            value = _number(text)
        set_field(data, name, value)
    return canonical_order(data)


def set_field(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``address.city`` (one level of nesting) or a top-level field of a record dict."""
    head, _, tail = path.partition(".")
    if tail:
        data.setdefault(head, {})[tail] = value
    else:
        data[head] = value


def list_item(field_name: str, item: str) -> str:
    """One entry of a list field in the record's form, through the one alias table the model
    validates with (:func:`vocabulary.canonical`): a vocabulary slug for conditions, therapies
    and specialties ("PTSD" -> "ptsd"), a language code ("Spanish" -> "es"), a payment slug
    ("Credit Card" -> "credit-card"); unknown text is left for the validator to explain."""
    if field_name in vocabulary.ALIASED_FIELDS:
        return vocabulary.canonical(field_name, item) or item
    return item


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def canonical_order(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with its fields in the model's field order."""
    ordered = _sorted_by(data, _FIELD_ORDER)
    for name, order in (("address", _ADDRESS_ORDER), ("hours", _DAY_ORDER)):
        if isinstance(ordered.get(name), dict):
            ordered[name] = _sorted_by(ordered[name], order)
    return ordered


def _sorted_by(data: Mapping[str, Any], order: Mapping[str, int]) -> dict[str, Any]:
    """``data`` with its keys in ``order``; keys it does not know come last."""
    return dict(sorted(data.items(), key=lambda item: order.get(item[0], len(order))))


def check_data(
    data: dict[str, Any],
    label: str,
    directory: Directory | None = None,
    *,
    replacing: str | None = None,
) -> tuple[Clinic | None, list[Problem]]:
    """Run every layer ``kdirectory validate`` runs on one record: schema, model, record
    rules, and with ``directory`` (the records it joins) the rules of a brand site
    (:func:`brand_problems`; ``replacing``: the record file it updates). ``label`` names the
    record in the problems (``clinics.csv row 12``). Aliases and spellings of hours are read
    as a record file's are (:func:`canonical_record`)."""
    source = SourceRecord(path=Path(label), display_path=label, data=canonical_record(data))
    clinic, problems = check_record(source)
    if clinic is not None:
        problems = problems + check_clinic(clinic, source)
        if directory is not None:
            problems += brand_problems(directory, clinic, source, replacing=replacing)
    return clinic, problems


def brand_problems(
    directory: Directory,
    clinic: Clinic,
    source: SourceRecord,
    *,
    replacing: str | None = None,
) -> list[Problem]:
    """The problems ``kdirectory validate`` would find with the brand's rules
    (:func:`~kdirectory.record.brand_rules.check_brand`) once ``clinic`` (read from
    ``source``) joins the records of ``directory``, those of ``clinic`` only; nothing unless
    ``directory`` is a brand site's. ``replacing`` is the record file (``data/clinics/…``)
    that ``clinic`` replaces, left out.

    The rules across records concern only the cities locations serve, so only the records
    that list some are taken with it."""
    if directory.config.site.kind != "brand":
        return []
    trial = Directory(root=directory.root, config=directory.config)
    if clinic.service_area:
        trial.entries = [
            entry
            for entry in directory.entries
            if entry.clinic.service_area and entry.file != replacing
        ]
    trial.add(clinic, source)
    return [p for p in check_brand(trial) if p.file == source.display_path]


def rejecting(problems: Sequence[Problem]) -> list[Problem]:
    """The problems that keep a row out of the directory: errors, and a PO box.

    ``validate`` only warns about a PO box, since a record written by hand may be mid-edit;
    an imported row with a PO box as its street is rejected instead, because it would be
    published as a place patients cannot visit and the warning would be lost among
    thousands of imported rows. ``rejected.csv`` puts it in front of someone who can look
    up the street address (or clear the street to list a service-area clinic).
    """
    return [p for p in problems if p.severity == "error" or p.rule in REJECTED_WARNINGS]


def merge_records(existing: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``existing`` with the fields of ``update`` written over it; ``address``, ``geo`` and
    ``hours`` are merged field by field, so an update never drops what the row lacks."""
    merged: dict[str, Any] = dict(existing)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return canonical_order(merged)


def stored_form(data: Mapping[str, Any], clinic: Clinic) -> dict[str, Any]:
    """``data`` as it is written to disk: phones in national format (vanity letters turned
    into digits), the state as its code and the ZIP as validated."""
    out = dict(data)
    for name in ("phone", "tracking_phone"):
        phone = getattr(clinic, name)
        if phone is not None and name in out:
            out[name] = phone.national
    if isinstance(out.get("address"), dict):
        address = dict(out["address"])
        address["region"] = clinic.address.region
        if clinic.address.postal_code is not None:
            address["postal_code"] = clinic.address.postal_code
        out["address"] = address
    return out


def record_text(
    data: Mapping[str, Any], *, comments: Sequence[str] = (), schema_path: str | None = None
) -> str:
    """The YAML file of one record, with ``# comments`` on top and, when ``schema_path`` is
    given, the modeline that makes the YAML language server check the file while it is
    edited."""
    return record_head(comments, schema_path) + record_yaml(data)


def record_head(comments: Sequence[str] = (), schema_path: str | None = None) -> str:
    """The lines of :func:`record_text` above the record."""
    head = [f"# yaml-language-server: $schema={schema_path}"] if schema_path else []
    head += [f"# {' '.join(line.split())}" for line in comments]  # a newline would end it
    return "".join(line + "\n" for line in head)


def with_slug(entries: Sequence[tuple[str, str]], slug: str) -> str:
    """The YAML of a record in field order (its :func:`entry_texts`) with ``slug`` put in:
    the text of ``canonical_order({**record, "slug": slug})``."""
    order = _FIELD_ORDER["slug"]
    rest = [(key, text) for key, text in entries if key != "slug"]
    at = next(
        (i for i, (key, _) in enumerate(rest) if _FIELD_ORDER.get(key, len(_FIELD_ORDER)) > order),
        len(rest),
    )
    slug_text = entry_texts({"slug": slug})[0][1]
    return "".join([*(text for _, text in rest[:at]), slug_text, *(text for _, text in rest[at:])])


def schema_path_for(project: Path) -> str | None:
    """The modeline path from ``data/clinics/`` to the project's schema file, if it has one."""
    return f"../../{SCHEMA_FILE}" if (project / SCHEMA_FILE).is_file() else None


def choose_slug(name: str, city: str, is_taken: Callable[[str], bool]) -> str:
    """The slug of a new record: from its name, else name and city, else numbered."""
    by_city = slugify(f"{name} {city}")
    for candidate in (slugify(name), by_city):
        if not is_taken(candidate):
            return candidate
    counter = 2
    while is_taken(f"{by_city}-{counter}"):
        counter += 1
    return f"{by_city}-{counter}"

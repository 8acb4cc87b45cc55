"""Load a directory and validate it: JSON Schema, the pydantic model, then record and
directory rules. Every problem of every file is collected into one report."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from kdirectory import _collector as collector
from kdirectory.record import parallel, vocabulary
from kdirectory.record.addresses import normal_street, remember_street
from kdirectory.record.brand_rules import check_brand
from kdirectory.record.cache import RecordCache, encode, read_row
from kdirectory.record.config import load_config
from kdirectory.record.directory import Checks, Directory
from kdirectory.record.directory_rules import assign_slugs, check_directory, compared_addresses
from kdirectory.record.gazetteer import zip_info
from kdirectory.record.json_schema import clinic_schema, schema_accepts
from kdirectory.record.model import (
    Address,
    Clinic,
    Geo,
    Photo,
    Provider,
    SpecialHours,
    Testimonial,
    WeeklyHours,
)
from kdirectory.record.photos import check_photos
from kdirectory.record.read import CLINICS_DIR, ProjectFiles, RecordReader, read_project
from kdirectory.record.rules import check_clinic, dated_checks, timeless_checks
from kdirectory.record.source import Path_, SourceRecord
from kdirectory.report import Problem, Report

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as SchemaError

__all__ = [
    "CLINICS_DIR",
    "MAX_PROBLEMS_PER_LAYER",
    "check_record",
    "load_directory",
    "load_files",
    "validate_records",
]

MAX_PROBLEMS_PER_LAYER = 50
"""One broken record should not bury the rest of the report."""


def load_directory(path: Path | str = ".", *, cache: bool = True) -> Directory:
    """Read ``kdirectory.toml`` and every record in ``data/clinics/`` under ``path``.

    Records that fail the schema or the model are left out of ``clinics``; their problems
    are in ``report``. Run :func:`validate` for the cross-record rules.

    With ``cache`` (the default), what reading and checking each record file finds is kept
    in the project's ``.kdirectory/records.sqlite``, and a file unchanged since the last
    run is not parsed nor checked again (:mod:`kdirectory.record.cache`); the results are
    the same either way. What the cache has to say (set aside, renewed, not writable) is
    in the directory's ``notices``.

    Raises:
        ProjectNotFoundError: ``path`` has no ``data/clinics`` folder.
        ConfigError: ``kdirectory.toml`` is invalid.
    """
    found = read_project(Path(path))
    return load_files(found, RecordCache(found.root, found.reader) if cache else None)


def load_files(found: ProjectFiles, store: RecordCache | None) -> Directory:
    """:func:`load_directory` of the record files ``found`` (read already), with the record
    cache ``store`` (``None``: without), whose notices end in the directory's.

    Raises:
        ConfigError: ``kdirectory.toml`` is invalid.
    """
    root = found.root
    directory = Directory(root=root, config=load_config(root))
    directory.report.files = len(found.files)
    checks: dict[int, Checks] = {}
    with collector.paused():
        for source, clinic, problems, timeless in _load_records(found, store):
            directory.report.extend(problems)
            if clinic is not None:
                directory.add(clinic, source)
                if timeless is not None:
                    checks[id(source)] = timeless
        directory.report.extend(assign_slugs(directory))
        digests = {file.source.display_path: file.digest for file in found.files}
        for entry in directory.entries:
            timeless = checks.get(id(entry.source))
            if timeless is not None:
                directory.remember_checks(entry, timeless)
            digest = digests.get(entry.file)
            if digest is not None:
                directory.remember_digest(entry, digest)
        _remember_streets(directory, store)
        if store is not None:
            store.save({file.source.display_path for file in found.files})
            directory.notices.extend(store.notices)
    directory.report.clinics = len(directory.clinics)
    return directory


Loaded = tuple[SourceRecord, Clinic | None, list[Problem], Checks | None]
"""A record file read and checked on its own: its source, the clinic when valid, its
problems and its :func:`timeless_checks`."""


def _load_records(found: ProjectFiles, store: RecordCache | None) -> list[Loaded]:
    """Every record file read and checked on its own, or what the cache kept of it, in
    order. The files the cache does not have are read and checked by a process a CPU when
    there are many (:mod:`kdirectory.record.parallel`), else here."""
    loaded: list[Loaded | None] = []
    pending: list[tuple[int, SourceRecord, bytes, bytes]] = []  # index, source, bytes, digest
    for index, file in enumerate(found.files):
        source, raw, digest = file.source, file.raw, file.digest
        if raw is None or digest is None:
            loaded.append((source, None, list(source.problems), None))
            continue
        display = source.display_path
        cached = store.lookup(file.path, display, digest) if store is not None else None
        if cached is not None:
            loaded.append((cached.source, cached.clinic, cached.problems, cached.checks))
        else:
            loaded.append(None)
            pending.append((index, source, raw, digest))
    reader = found.reader
    jobs = parallel.jobs_for(len(pending))
    if jobs > 1:
        pending = _load_in_workers(reader, store, pending, loaded, jobs)
    for index, source, raw, digest in pending:
        reader.parse(source, raw)
        clinic, problems = check_record(source)
        timeless = timeless_checks(clinic, source) if clinic is not None else None
        if store is not None:
            store.add(source.display_path, digest, source, problems, clinic, timeless)
        loaded[index] = (source, clinic, problems, timeless)
    return [found for found in loaded if found is not None]


def _load_in_workers(
    reader: RecordReader,
    store: RecordCache | None,
    pending: list[tuple[int, SourceRecord, bytes, bytes]],
    loaded: list[Loaded | None],
    jobs: int,
) -> list[tuple[int, SourceRecord, bytes, bytes]]:
    """Read and check the ``pending`` files in ``jobs`` processes, into ``loaded``; the
    files left for this process (a record the cache's form cannot hold)."""
    zip_info("")  # the gazetteer's table, loaded once for every worker
    left = []
    done = iter(pending)
    for payloads in parallel.in_workers(_check_files, pending, jobs):
        for payload in payloads:  # read back here while the workers go on
            index, source, raw, digest = next(done)
            found = None
            if payload is not None:
                found = read_row(payload, source.path, source.display_path, reader)
            if payload is None or found is None:
                left.append((index, source, raw, digest))
                continue
            if store is not None:
                store.add_row(source.display_path, digest, payload)
            loaded[index] = (found.source, found.clinic, found.problems, found.checks)
    return left


def _check_files(files: Sequence[tuple[int, SourceRecord, bytes, bytes]]) -> list[bytes | None]:
    """In a worker: each file (its index, record, bytes and digest) read and checked, in
    the cache's form (``None`` for a record that form cannot hold)."""
    rows: list[bytes | None] = []
    for _, read, raw, _ in files:
        source = SourceRecord(path=read.path, display_path=read.display_path, data=None)
        RecordReader.parse_bytes(source, raw)
        clinic, problems = check_record(source)
        timeless = timeless_checks(clinic, source) if clinic is not None else None
        rows.append(encode(source, problems, clinic, timeless))
    return rows


def _remember_streets(directory: Directory, store: RecordCache | None) -> None:
    """Work out now, or take from the cache, the normal form of every street the rule about
    one address twice will compare (in a process a CPU when there are many: it takes an
    address parser), and keep the new ones in the cache."""
    streets = {
        entry.clinic.address.street
        for entry in compared_addresses(directory.entries)
        if entry.clinic.address.street is not None
    }
    missing = []
    for street in sorted(streets):
        normal = store.street(street) if store is not None else None
        if normal is None:
            missing.append(street)
        else:
            remember_street(street, normal)
    jobs = parallel.jobs_for(len(missing))
    if jobs > 1:
        normal_street(missing[0])  # the parser, imported once for every worker
        normals = [n for run in parallel.in_workers(_normal_streets, missing, jobs) for n in run]
    else:
        normals = _normal_streets(missing)
    for street, normal in zip(missing, normals, strict=True):
        remember_street(street, normal)
        if store is not None:
            store.add_street(street, normal)


def _normal_streets(streets: Sequence[str]) -> list[tuple[str, str]]:
    """:func:`normal_street` of each street (in a worker, or here)."""
    return [normal_street(street) for street in streets]


def validate_records(directory: Directory) -> Report:
    """Every problem of the records: what loading found plus record and directory rules,
    the photos' files, and on a brand site the brand's rules.

    Clinics added in Python without a ``slug`` get one here, as loading gives one to every
    clinic read from a file.
    """
    report = Report(
        problems=list(directory.report.problems),
        files=directory.report.files,
        clinics=len(directory.clinics),
    )
    with collector.paused():
        if any(not clinic.slug for clinic in directory.clinics):
            report.extend(assign_slugs(directory))
        for entry in directory.entries:
            source = entry.where(directory.root)
            timeless = directory.remembered_checks(entry)
            if timeless is None:
                report.extend(check_clinic(entry.clinic, source))
            else:  # found while loading (or kept in the cache): check_clinic's, in its order
                before, after = timeless
                report.extend([*before, *dated_checks(entry.clinic, source), *after])
            report.extend(check_photos(entry.clinic, source, directory.root))
        report.extend(check_directory(directory))
        if directory.config.site.kind == "brand":
            report.extend(check_brand(directory))
    return report


def check_record(source: SourceRecord) -> tuple[Clinic | None, list[Problem]]:
    """Run the schema and model layers over one record; return the clinic if it is valid."""
    problems = list(source.problems)
    if source.data is None:
        return None, problems
    schema_problems = [] if schema_accepts(source.data) else _schema_problems(source)
    clinic: Clinic | None = None
    model_problems: list[Problem] = []
    try:
        clinic = Clinic.model_validate(source.data)
    except ValidationError as exc:
        model_problems = _model_problems(source, exc)
    taken = {_loc_of(p) for p in problems}
    model_problems = [p for p in model_problems if not _covered(_loc_of(p), taken)]
    taken |= {_loc_of(p) for p in model_problems}
    schema_problems = [p for p in schema_problems if not _covered(_loc_of(p), taken)]
    if problems and clinic is not None and any(p.severity == "error" for p in problems):
        clinic = None  # e.g. a time YAML read as a number: the value the model saw is a guess
    return clinic, problems + model_problems + schema_problems


def _loc_of(problem: Problem) -> str:
    return problem.field


def _covered(loc: str, taken: set[str]) -> bool:
    """True when a problem at ``loc`` repeats one already reported at, above or below it."""
    for other in taken:
        if (
            loc == other
            or (other and loc.startswith(other) and loc[len(other)] in ".[")
            or (loc and other.startswith(loc) and other[len(loc)] in ".[")
        ):
            return True
    return False


# --- layer 1: JSON Schema ------------------------------------------------------------------


@cache
def _schema_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - only to explain a failure

    return Draft202012Validator(clinic_schema())


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a set of fields",
    "null": "empty",
}


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "a set of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "empty"
    return f'the text "{value!s:.40}"'


def _schema_problems(source: SourceRecord) -> list[Problem]:
    problems: list[Problem] = []
    for error in _schema_validator().iter_errors(source.data):
        problems.extend(_translate_schema_error(source, error))
        if len(problems) >= MAX_PROBLEMS_PER_LAYER:
            break
    return problems


def _translate_schema_error(source: SourceRecord, error: SchemaError) -> list[Problem]:
    loc: Path_ = tuple(error.absolute_path)
    kind = error.validator
    value: Any = error.validator_value
    instance: Any = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        return [
            source.problem(
                (*loc, key),
                f'unknown field "{key}"',
                _did_you_mean(key, allowed),
                rule="schema.unknown_field",
            )
            for key in instance
            if key not in allowed
        ]
    if kind == "required" and isinstance(instance, dict):
        return [
            source.problem((*loc, name), "is required", f"add `{name}:`", rule="schema.required")
            for name in value
            if name not in instance
        ]
    if kind == "type":
        wanted = " or ".join(
            _TYPE_WORDS.get(t, t) for t in ([value] if isinstance(value, str) else value)
        )
        return [
            source.problem(loc, f"must be {wanted}, not {_describe(instance)}", rule="schema.type")
        ]
    if kind == "enum":
        fix = _did_you_mean(str(instance), [str(v) for v in value])
        return [
            source.problem(
                loc,
                f'"{instance!s:.60}" is not one of the allowed values',
                fix,
                rule="schema.enum",
            )
        ]
    if kind == "maxItems":
        return [
            source.problem(
                loc,
                f"has {len(instance):,} entries; at most {value} are allowed",
                rule="schema.max_items",
            )
        ]
    if kind == "maxLength":
        return [
            source.problem(
                loc,
                f"is {len(instance):,} characters long; at most {value}",
                _too_long_fix(loc),
                rule="schema.max_length",
            )
        ]
    if kind == "uniqueItems":
        return [source.problem(loc, "lists the same value twice", rule="schema.unique")]
    return [
        source.problem(
            loc, f"{_describe(instance)} is not in the expected form", rule="schema.invalid"
        )
    ]


def _too_long_fix(loc: Path_) -> str:
    """How to fix a text over its length limit, for the field at ``loc``."""
    keys = {part for part in loc if isinstance(part, str)}
    if "description" in keys:
        return "keep the description to a few paragraphs"
    if "npi" in keys:
        return "an NPI is 10 digits, without spaces or hyphens"
    if "bio" in keys:
        return "keep the bio to a paragraph or two"
    if "quote" in keys:
        return "quote the patient's own words briefly: a few sentences"
    if "attribution" in keys:
        return 'a first name and a town is enough, e.g. "Maria, Escondido"'
    if "alt" in keys:
        return "say in one sentence what the photo shows"
    if "hours" in keys:
        return 'write hours like "09:00-17:00" or "9am-5pm"'
    if keys & {"phone", "tracking_phone"}:
        return "write one phone number, e.g. (760) 555-0123"
    if keys & {"url", "same_as", "booking_url"}:
        return "use the page's plain address, without tracking parameters"
    if keys & {"conditions", "therapies", "specialties", "languages", "payment"}:
        return "write one entry per list item, by its slug or name"
    return "shorten it; is this the right field?"


def _did_you_mean(value: str, choices: list[str]) -> str | None:
    guess = vocabulary.suggest(value, choices)
    return f'did you mean "{guess}"?' if guess else None


# --- layer 2: the pydantic model ------------------------------------------------------------

_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Clinic,
    ("address",): Address,
    ("geo",): Geo,
    ("hours",): WeeklyHours,
    ("special_hours", "#"): SpecialHours,
    ("providers", "#"): Provider,
    ("testimonials", "#"): Testimonial,
    ("photos", "#"): Photo,
}

_PLAIN_MESSAGES = {
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "model_type": "must be a set of fields",
    "dict_type": "must be a set of fields",
    "string_too_short": "is empty",
}


_MODEL_RULES = {
    "missing": "model.missing",
    "extra_forbidden": "model.unknown_field",
    "literal_error": "model.choice",
    "string_too_long": "model.too_long",
    "string_too_short": "model.empty",
    "string_pattern_mismatch": "model.form",
    "greater_than_equal": "model.range",
    "less_than_equal": "model.range",
    **dict.fromkeys(_PLAIN_MESSAGES.keys() - {"string_too_short"}, "model.type"),
}
"""The catalogue's rule for each error of pydantic's own (the model's validators name their
rule themselves); any other is ``model.invalid``."""


def _model_problems(source: SourceRecord, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False)[:MAX_PROBLEMS_PER_LAYER]:
        loc: Path_ = tuple(p for p in error["loc"] if not _is_validator_label(p))
        kind = error["type"]
        ctx: dict[str, Any] = error.get("ctx") or {}
        value = error.get("input")
        fix: str | None = None
        if "message" in ctx:
            message, fix = str(ctx["message"]), (str(ctx["fix"]) or None)
        elif kind == "missing":
            message, fix = "is required", f"add `{loc[-1]}:`"
        elif kind == "extra_forbidden":
            parent = tuple("#" if isinstance(p, int) else str(p) for p in loc[:-1])
            model = _MODEL_AT.get(parent)
            message = f'unknown field "{loc[-1]}"'
            fix = _did_you_mean(str(loc[-1]), list(model.model_fields)) if model else None
        elif kind == "literal_error":
            expected = str(ctx.get("expected", "")).replace("'", "")
            message = f'"{value!s:.60}" is not one of: {expected}'
            choices = [c.strip() for c in expected.replace(" or ", ",").split(",")]
            fix = _did_you_mean(str(value), choices)
        elif kind == "string_too_long":
            length = len(value.strip()) if isinstance(value, str) else len(str(value))
            message = f"is {length:,} characters long; at most {ctx.get('max_length')}"
            fix = _too_long_fix(loc)
        elif kind == "string_pattern_mismatch" and loc == ("slug",):
            message = f'"{value!s:.60}" is not a valid slug'
            fix = "lowercase letters, digits and single hyphens, e.g. bff-medical-wellness-clinic"
        elif kind in ("greater_than_equal", "less_than_equal"):
            message = f"{value} is out of range ({error['msg'].lower()})"
        else:
            message = _PLAIN_MESSAGES.get(kind, error["msg"])
            if kind in _PLAIN_MESSAGES and kind != "string_too_short":
                message += f", not {_describe(value)}"
        rule = kind if "message" in ctx else _MODEL_RULES.get(kind, "model.invalid")
        problems.append(source.problem(loc, message, fix, rule=rule))
    return problems


def _is_validator_label(part: object) -> bool:
    """pydantic puts labels such as ``function-plain[check()]`` into error locations."""
    return isinstance(part, str) and (
        part.startswith(("function-", "list[")) or part in {"str", "int"}
    )

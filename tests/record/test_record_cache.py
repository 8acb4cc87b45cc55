"""The record cache (.kdirectory/records.sqlite): an unchanged record file is neither parsed
nor checked again, and the cache never changes a result, whatever state it is in."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from kdirectory import load_directory, validate
from kdirectory.record import cache, parallel, parse
from kdirectory.record import validate as validate_module
from kdirectory.record.cache import CACHE_FILE, RecordCache
from kdirectory.record.directory import Directory
from kdirectory.record.read import RecordReader
from kdirectory.record.write import dump_record
from kdirectory.report import Report
from kdirectory.testing.synthetic import generate_records
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory, formatted
from tests.record.test_validate import EDITS, WHOLE_FILES


class Counts:
    """How many record files were parsed, and checked by the schema and the model."""

    def __init__(self) -> None:
        self.parsed: list[str] = []
        self.checked: list[str] = []


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    """Counts every record file parsed (YAML or JSON) and checked (schema and model)."""
    found = Counts()
    for name in ("parse_yaml", "parse_json"):
        original = getattr(parse, name)

        def counted(text: str, record: Any, original: Callable[..., None] = original) -> None:
            found.parsed.append(record.display_path)
            original(text, record)

        monkeypatch.setattr(parse, name, counted)
    check_record = validate_module.check_record

    def check(source: Any) -> Any:
        found.checked.append(source.display_path)
        return check_record(source)

    monkeypatch.setattr(validate_module, "check_record", check)
    yield found


def report_of(root: Path, *, cache: bool = True) -> tuple[Report, Directory]:
    directory = load_directory(root, cache=cache)
    return validate(directory), directory


def same_report(root: Path) -> list[str]:
    """The report with the cache, checked against the report without it; its lines."""
    with_cache, directory = report_of(root)
    without, _ = report_of(root, cache=False)
    assert with_cache.to_json() == without.to_json()
    assert with_cache.problems == without.problems  # the same problems in the same order
    assert directory.clinics == load_directory(root, cache=False).clinics
    return formatted(with_cache)


OTHER = VISTA.replace("Harbor Ketamine Clinic", "Bayside Mind Care").replace("0123", "0188")
"""A valid record that shares nothing with GOOD_RECORD (no problem across the two)."""


# --- what is read again -------------------------------------------------------------------


def test_unchanged_files_are_neither_parsed_nor_checked_again(
    make_project: ProjectFactory, counts: Counts
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": OTHER, "c.yaml": b"name: [\n"})
    first, directory = report_of(root)
    assert sorted(counts.parsed) == [f"data/clinics/{n}.yaml" for n in "abc"]
    assert (root / CACHE_FILE).is_file() and directory.notices == []
    counts.parsed.clear()
    counts.checked.clear()
    second, again = report_of(root)
    assert counts.parsed == [] and counts.checked == []
    assert second.to_json() == first.to_json()
    assert again.clinics == directory.clinics
    assert formatted(second)[0].startswith("data/clinics/c.yaml:2: is not valid YAML")


def test_a_changed_file_is_read_again_and_only_it(
    make_project: ProjectFactory, counts: Counts
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": OTHER})
    report_of(root)
    counts.parsed.clear()
    (root / "data/clinics/b.yaml").write_text(OTHER.replace('"(760) 555-0188"', '"555-01"'))
    report, _ = report_of(root)
    assert counts.parsed == ["data/clinics/b.yaml"]
    assert formatted(report) == same_report(root)
    assert any("b.yaml:3: phone:" in line for line in formatted(report))
    counts.parsed.clear()
    (root / "data/clinics/a.yaml").unlink()  # a file gone is gone from the results too
    report, directory = report_of(root)
    assert counts.parsed == []
    assert report.files == 1 and directory.clinics == ()


def test_a_file_back_to_what_it_was_is_a_new_file(
    make_project: ProjectFactory, counts: Counts
) -> None:
    """The cache keys a file by its path and its bytes: bytes seen before under another
    path, or a path whose bytes changed, are read again."""
    root = make_project({"a.yaml": GOOD_RECORD})
    report_of(root)
    (root / "data/clinics/a.yaml").rename(root / "data/clinics/z.yaml")
    counts.parsed.clear()
    report, _ = report_of(root)
    assert counts.parsed == ["data/clinics/z.yaml"]
    assert report.clinics == 1


def test_a_problem_that_depends_on_another_record_follows_it(
    make_project: ProjectFactory, counts: Counts
) -> None:
    """A duplicate slug and the same address twice are found across records on every run:
    changing only one of the two records still reports them (on the line of the unchanged
    one, read from its file again for the line), and fixing one clears them."""
    a = "slug: harbor\n" + GOOD_RECORD
    b = "slug: bayside\n" + OTHER
    root = make_project({"a.yaml": a, "b.yaml": b})
    assert same_report(root) == []
    b_file = root / "data/clinics/b.yaml"
    b_file.write_text(b.replace("slug: bayside", "slug: harbor"))
    counts.parsed.clear()
    report, _ = report_of(root)
    assert counts.parsed == ["data/clinics/b.yaml"]
    collision = 'data/clinics/b.yaml:1: slug: slug "harbor" is already used by data/clinics/a.yaml'
    assert [line for line in formatted(report) if line.startswith(collision)], formatted(report)
    assert formatted(report) == same_report(root)
    # a.yaml alone changes and keeps the collision: still reported, on the unchanged b.yaml
    (root / "data/clinics/a.yaml").write_text(a.replace("conditions: [depression, ptsd]\n", ""))
    counts.parsed.clear()
    counts.checked.clear()
    report, _ = report_of(root)
    assert counts.parsed == ["data/clinics/a.yaml", "data/clinics/b.yaml"]  # b: its lines only
    assert counts.checked == ["data/clinics/a.yaml"]
    assert [line for line in formatted(report) if line.startswith(collision)]
    assert formatted(report) == same_report(root)
    # b.yaml moves to a.yaml's address: the same address twice, then fixed again
    b_file.write_text(b.replace("city: Vista", "city: Escondido").replace('"92083"', '"92025"'))
    lines = same_report(root)
    assert [
        line for line in lines if line.startswith("data/clinics/b.yaml:5: address: is the same")
    ]
    b_file.write_text(b)
    assert same_report(root) == []


def test_the_settings_are_not_part_of_what_is_kept(make_project: ProjectFactory) -> None:
    """kdirectory.toml changes what the brand's rules find, and they run on every run."""
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": OTHER})
    assert same_report(root) == []
    (root / "kdirectory.toml").write_text(
        '[site]\nkind = "brand"\nname = "Harbor"\nbase_url = "https://harbor.example"\n\n'
        '[brand]\nname = "Harbor Ketamine Care"\nurl = "https://harbor.example"\n',
        encoding="utf-8",
    )
    lines = same_report(root)
    assert sum("brand.mismatch" in line or "gives the brand" in line for line in lines) == 2


# --- the same report with and without it -------------------------------------------------


FULL_RECORD = (
    GOOD_RECORD.replace("Harbor Ketamine Clinic", "Full Record Clinic")
    + """\
tracking_phone: "(760) 555-0155 ext. 12"
geo: {lat: 33.1192, lon: -117.0864}
timezone: America/Los_Angeles
service_area: [Vista, San Marcos]
special_hours:
  - {date: 2026-12-25, closed: true, note: Christmas}
  - {date: 2026-12-24, hours: ["09:00-12:00", "13:00-15:00"]}
providers:
  - {name: Dana Whitfield, credentials: MD, npi: "1234567893", bio: Anesthesiologist.}
testimonials:
  - {quote: Kind staff., attribution: "Ana, Vista", date: 2025-05-14, consent: true}
photos:
  - {file: photos/lobby.jpg, alt: Reception area of the clinic, caption: Our lobby}
same_as: [https://social.example/full]
payment: [cash, HSA/FSA]
languages: [en, Spanish]
spravato_rems_certified: false
accepting_new_patients: true
price_range: $400 per infusion
updated: 2026-01-05
"""
)


def seeded_project(make_project: ProjectFactory) -> Path:
    """A project with a file for each kind of bad record and bad file the validation tests
    know, valid records, and records that make problems across records."""
    records: dict[str, str | bytes] = {
        f"edit-{case}.yaml": GOOD_RECORD.replace(old, new, 1) for case, old, new, _ in EDITS
    }
    records.update({f"whole-{case}-{name}": content for case, name, content, _ in WHOLE_FILES})
    records["good.yaml"] = GOOD_RECORD.replace("Harbor Ketamine Clinic", "Good Clinic")
    records["full.yaml"] = FULL_RECORD
    records["vista.yaml"] = VISTA.replace("Harbor Ketamine Clinic", "Vista Clinic")
    records["twin.yaml"] = VISTA.replace("Harbor Ketamine Clinic", "Vista Clinics").replace(
        "1200 N Main St", "1300 S Main St"
    )
    records["testimonial.yaml"] = GOOD_RECORD.replace("Harbor", "Future") + (
        "testimonials:\n  - quote: Kind staff.\n    attribution: Ana, Vista\n"
        "    date: 2999-01-01\n    consent: true\n"
    )
    records["claims.yaml"] = GOOD_RECORD.replace("Harbor", "Cure") + (
        "description: Ketamine cures depression, guaranteed.\n"
    )
    records["photo.yaml"] = GOOD_RECORD.replace("Harbor", "Photo") + (
        "photos:\n  - file: photos/missing.jpg\n    alt: photo of the lobby\n"
    )
    root = make_project(records)
    for number, data in enumerate(generate_records(30, seed=3, brand_fields=True)):
        (root / f"data/clinics/synthetic-{number:02d}.yaml").write_text(dump_record(data))
    return root


def test_reports_are_the_same_with_and_without_the_cache(make_project: ProjectFactory) -> None:
    root = seeded_project(make_project)
    cold = same_report(root)  # writes the cache
    warm = same_report(root)  # reads it
    assert warm == cold
    report, _ = report_of(root)
    assert len(cold) >= 60 and len({p.rule for p in report.problems}) >= 40, cold
    for expected in ("is in the future", "cures", "already used", "nearly the same", "photos[0]"):
        assert any(expected in line for line in cold), expected


def test_no_cache_reads_and_writes_nothing(make_project: ProjectFactory, counts: Counts) -> None:
    root = make_project({"a.yaml": GOOD_RECORD})
    report_of(root, cache=False)
    assert not (root / ".kdirectory").exists()
    report_of(root)
    counts.parsed.clear()
    report_of(root, cache=False)
    assert counts.parsed == ["data/clinics/a.yaml"]


# --- a cache that cannot be used ------------------------------------------------------------


def cached_project(make_project: ProjectFactory) -> tuple[Path, list[str]]:
    root = seeded_project(make_project)
    return root, same_report(root)


def test_a_file_that_is_no_database_is_set_aside(make_project: ProjectFactory) -> None:
    root, expected = cached_project(make_project)
    (root / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    report, directory = report_of(root)
    assert formatted(report) == expected
    [notice] = directory.notices
    assert "records.sqlite is damaged" in notice and "set aside" in notice
    assert (root / ".kdirectory/records.sqlite.corrupt").read_bytes().startswith(b"this is not")
    report, directory = report_of(root)  # a new cache, sound
    assert directory.notices == [] and formatted(report) == expected


def test_a_database_of_something_else_is_set_aside(make_project: ProjectFactory) -> None:
    root = make_project({"a.yaml": GOOD_RECORD})
    (root / ".kdirectory").mkdir()
    with sqlite3.connect(root / CACHE_FILE) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('mine')")
    db.close()
    report, directory = report_of(root)
    assert formatted(report) == [] and report.clinics == 1
    assert len(directory.notices) == 1 and "it holds notes" in directory.notices[0]
    aside = sqlite3.connect(root / ".kdirectory/records.sqlite.corrupt")
    assert aside.execute("SELECT text FROM notes").fetchall() == [("mine",)]
    aside.close()


@pytest.mark.parametrize("damage", ["checksum", "content", "kinds"])
def test_a_damaged_row_is_never_used(
    make_project: ProjectFactory, counts: Counts, damage: str
) -> None:
    root, expected = cached_project(make_project)
    with sqlite3.connect(root / CACHE_FILE) as db:
        if damage == "checksum":  # a bit changed under SQLite: the checksum tells
            db.execute(
                "UPDATE records SET payload = CAST(replace(CAST(payload AS TEXT), 'Good', "
                "'Gold') AS BLOB) WHERE path = 'data/clinics/good.yaml'"
            )
        elif damage == "content":  # checksum right, content not a row of ours
            payload = b'[[["no.such.rule", 1, "", "m", null]], 1, null, null]'
            db.execute(
                "UPDATE records SET payload = ?, checksum = ? WHERE path = 'data/clinics/good.yaml'",
                (payload, cache.zlib.crc32(payload)),
            )
        else:
            db.execute("UPDATE records SET digest = 'text' WHERE path = 'data/clinics/good.yaml'")
    db.close()
    counts.checked.clear()
    report, directory = report_of(root)
    assert formatted(report) == expected
    assert len(directory.notices) == 1 and "is damaged" in directory.notices[0]
    assert "data/clinics/good.yaml" in counts.checked
    report, directory = report_of(root)
    assert directory.notices == [] and formatted(report) == expected


def test_a_cache_of_another_version_is_renewed(
    make_project: ProjectFactory, counts: Counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, expected = cached_project(make_project)
    counts.checked.clear()
    report_of(root, cache=False)
    every = sorted(counts.checked)
    monkeypatch.setattr(cache, "fingerprint", lambda: "another kdirectory")
    counts.checked.clear()
    report, directory = report_of(root)
    assert formatted(report) == expected
    assert len(directory.notices) == 1 and "another version of kdirectory" in directory.notices[0]
    assert sorted(counts.checked) == every
    with sqlite3.connect(root / CACHE_FILE) as db:
        fingerprints = db.execute("SELECT DISTINCT fingerprint FROM records").fetchall()
    db.close()
    assert fingerprints == [("another kdirectory",)]  # the old rows are gone
    counts.checked.clear()
    report, directory = report_of(root)
    assert directory.notices == [] and counts.checked == []


def test_a_cache_of_another_layout_is_renewed(make_project: ProjectFactory) -> None:
    root, expected = cached_project(make_project)
    with sqlite3.connect(root / CACHE_FILE) as db:
        db.execute("UPDATE meta SET value = 'kdirectory record cache 0' WHERE key = 'format'")
    db.close()
    report, directory = report_of(root)
    assert formatted(report) == expected
    assert len(directory.notices) == 1 and "another version" in directory.notices[0]
    assert not (root / ".kdirectory/records.sqlite.corrupt").exists()
    report, directory = report_of(root)
    assert directory.notices == [] and formatted(report) == expected


def test_a_cache_that_cannot_be_kept_is_done_without(make_project: ProjectFactory) -> None:
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": b"name: [\n"})
    (root / ".kdirectory").write_text("not a folder")
    report, directory = report_of(root)
    assert formatted(report) == formatted(report_of(root, cache=False)[0])
    [notice] = directory.notices
    assert notice.startswith("cannot use the record cache:") and "is a file" in notice


def test_runs_at_once_leave_a_sound_cache(make_project: ProjectFactory, counts: Counts) -> None:
    root = seeded_project(make_project)
    expected = formatted(report_of(root, cache=False)[0])
    start = threading.Barrier(4)
    results: list[tuple[list[str], list[str]]] = []

    def run() -> None:
        start.wait()
        report, directory = report_of(root)
        results.append((formatted(report), directory.notices))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(expected, [])] * 4
    counts.checked.clear()
    report, directory = report_of(root)
    assert formatted(report) == expected and directory.notices == []
    assert counts.checked == []


# --- what a row keeps ---------------------------------------------------------------------


def same_model(a: object, b: object) -> None:
    """``a`` and ``b`` are the same values, model by model, with the same fields given."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, BaseModel):
        assert isinstance(b, BaseModel)
        assert a.model_fields_set == b.model_fields_set
        assert a.__dict__.keys() == b.__dict__.keys()
        for name in a.__dict__:
            same_model(a.__dict__[name], b.__dict__[name])
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            same_model(x, y)
    else:
        assert a == b


def test_a_clinic_comes_back_as_the_model_read_it(make_project: ProjectFactory) -> None:
    """Every field of every kind: synthetic records (hours, special hours, providers with
    NPIs, coordinates, booking links) and a record with every field."""
    root = make_project({"full.yaml": FULL_RECORD})
    for number, data in enumerate(generate_records(300, seed=9, brand_fields=True)):
        (root / f"data/clinics/s{number:03d}.yaml").write_text(dump_record(data))
    fresh = load_directory(root, cache=False)
    assert load_directory(root).notices == []
    kept = load_directory(root)
    assert kept.clinics == fresh.clinics and len(kept.clinics) == 301
    for a, b in zip(fresh.clinics, kept.clinics, strict=True):
        same_model(a, b)
        assert a.model_dump_json() == b.model_dump_json()
    given = {name for clinic in kept.clinics for name in clinic.model_fields_set}
    assert given == set(type(kept.clinics[0]).model_fields)  # every field, somewhere


def test_the_brand_example_comes_back_the_same() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "harbor-ketamine-care"
    fresh = load_directory(example, cache=False)
    reader = RecordReader(example)
    for entry in fresh.entries:
        assert entry.source is not None
        source, raw = reader.read_bytes(entry.source.path, entry.source.display_path)
        assert raw is not None
        reader.parse(source, raw)
        clinic, problems = validate_module.check_record(source)
        payload = cache.encode(source, problems, clinic, ([], []))
        assert payload is not None
        back = cache.decode(payload, source)
        same_model(back.clinic, clinic)


def test_every_field_of_a_clinic_can_be_kept() -> None:
    """A field of a type the cache does not know would leave every record uncached."""
    assert cache.clinic_shape() is not None


def test_a_record_the_cache_cannot_keep_is_checked_every_time(
    make_project: ProjectFactory, counts: Counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record holding a value the cache has no way to keep (its encoding gives up) is read
    and checked on every run; the others come from the cache."""
    encode = cache.encode

    def keep_all_but_a(source: Any, *args: Any) -> bytes | None:
        return None if source.display_path.endswith("/a.yaml") else encode(source, *args)

    monkeypatch.setattr(cache, "encode", keep_all_but_a)
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": OTHER})
    first, _ = report_of(root)
    counts.checked.clear()
    report, _ = report_of(root)
    assert counts.checked == ["data/clinics/a.yaml"]
    assert report.to_json() == first.to_json()
    assert formatted(report) == same_report(root)


def test_the_cache_file_holds_only_what_it_describes(make_project: ProjectFactory) -> None:
    root = make_project({"a.yaml": GOOD_RECORD, "b.yaml": OTHER})
    report_of(root)
    with sqlite3.connect(root / CACHE_FILE) as db:
        tables = sorted(name for (name,) in db.execute("SELECT name FROM sqlite_master"))
        paths = sorted(path for (path,) in db.execute("SELECT path FROM records"))
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    db.close()
    assert [t for t in tables if not t.startswith("sqlite_")] == [
        "meta",
        "records",
        "results",
        "streets",
    ]
    assert paths == ["data/clinics/a.yaml", "data/clinics/b.yaml"]
    assert mode == "wal"


def test_the_reader_of_a_cached_record_reads_its_file_only_when_asked(
    make_project: ProjectFactory, counts: Counts
) -> None:
    root = make_project({"a.yaml": GOOD_RECORD})
    report_of(root)
    store = RecordCache(root, RecordReader(root))
    path = root / "data/clinics/a.yaml"
    digest = cache.hashlib.sha256(path.read_bytes()).digest()
    counts.parsed.clear()
    found = store.lookup(path, "data/clinics/a.yaml", digest)
    assert found is not None and found.clinic is not None
    assert counts.parsed == []
    assert found.source.line_for(("address", "city")) == 7
    assert found.source.data is not None and found.source.data["name"] == "Harbor Ketamine Clinic"
    assert counts.parsed == ["data/clinics/a.yaml"]
    assert store.hits == 1 and store.misses == 0


# --- many files at once -------------------------------------------------------------------


def test_files_read_by_workers_give_the_same_results(
    make_project: ProjectFactory, counts: Counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files the cache lacks, read and checked by forked workers (as for a first run
    over many files), give what this process finds reading them itself, and the rows the
    workers made serve the next run."""
    root = seeded_project(make_project)
    alone, directory = report_of(root, cache=False)
    monkeypatch.setattr(parallel, "jobs_for", lambda count: 2 if count > 1 else 1)
    counts.checked.clear()
    together, with_workers = report_of(root)
    assert counts.checked == []  # in the workers, not here
    assert together.to_json() == alone.to_json() and together.problems == alone.problems
    assert with_workers.clinics == directory.clinics and with_workers.notices == []
    for a, b in zip(directory.clinics, with_workers.clinics, strict=True):
        same_model(a, b)
    again, _ = report_of(root)
    assert counts.checked == [] and again.to_json() == alone.to_json()


def test_workers_are_used_only_where_they_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parallel.jobs_for(parallel.MIN_FILES - 1) == 1
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)  # a server's threads
    assert parallel.jobs_for(10 * parallel.MIN_FILES) == 1
    runs = parallel.spans(1000, 4)
    assert [item for start, end in runs for item in range(start, end)] == list(range(1000))
    assert len(runs) == 4 * parallel.BATCHES_PER_JOB


def test_workers_find_what_to_work_on_where_they_were_forked() -> None:
    items = [f"item {n}" for n in range(50)]
    done = list(parallel.in_workers(_lengths, items, 2))
    assert [length for run in done for length in run] == [len(item) for item in items]
    assert len(done) == len(parallel.spans(50, 2))
    assert parallel._shared is None  # nothing of the work is kept once done


def _lengths(items: Sequence[str]) -> list[int]:
    return [len(item) for item in items]

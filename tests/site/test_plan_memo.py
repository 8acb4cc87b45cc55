"""Planning a rebuild by what each part of the site read: after a change to a clinic's local
fields, only the parts that read that clinic are planned again, each other page is taken
from the last build's record, and the site is the same bytes as a build that plans and
renders everything."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import kdirectory.site.build as build_module
from kdirectory.record.validate import load_directory
from kdirectory.record.write import dump_record
from kdirectory.site.fingerprint import Fingerprints, code_fingerprint, salt
from kdirectory.site.plan import Planner
from kdirectory.site.plan_memo import LOCAL_FIELDS, ReadLog, Reads, materialize
from tests.site.pages import build
from tests.site.test_page_cache import project, rendered, site_files, times

__all__ = ["project", "rendered"]  # fixtures these tests use

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def planned_units(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, ...]]]:
    """The parts of the site planned from now on, in this process."""
    found: list[tuple[str, ...]] = []
    real = Planner.plan_unit

    def plan_unit(self: Planner, unit: tuple[str, ...]) -> Any:
        found.append(unit)
        return real(self, unit)

    monkeypatch.setattr(Planner, "plan_unit", plan_unit)
    yield found


def edit(project: Path, number: int, change: Edit) -> str:
    """Change the ``number``-th record of ``project`` with ``change``; its clinic's slug."""
    path = sorted((project / "data" / "clinics").glob("*.yaml"))[number]
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(dump_record(record), encoding="utf-8")
    directory = load_directory(project)
    return next(e.clinic.slug or "" for e in directory.entries if e.source.path == path)


def _description(record: dict[str, Any]) -> None:
    record["description"] = "A quiet clinic with evening hours. It opened its doors in 2019."


def _hours(record: dict[str, Any]) -> None:
    record["hours"] = {"monday": ["10:00-16:00"], "saturday": "09:00-12:00", "sunday": "closed"}


def _no_hours(record: dict[str, Any]) -> None:
    record.pop("hours", None)


def _insurance(record: dict[str, Any]) -> None:
    record["insurance"] = ["Aetna", "Cigna"]


def _languages(record: dict[str, Any]) -> None:
    record["languages"] = ["fr", "en"] if record.get("languages") != ["fr", "en"] else ["en"]


def _new_patients(record: dict[str, Any]) -> None:
    record["accepting_new_patients"] = not record.get("accepting_new_patients", True)


def _contact(record: dict[str, Any]) -> None:
    record["phone"] = "(702) 555-0147"
    record["url"] = "https://changed.example/"
    record["email"] = "hello@changed.example"


def _money(record: dict[str, Any]) -> None:
    record["payment"] = ["cash"]
    record["price_range"] = "$100 per visit"


LOCAL_EDITS: dict[str, Edit] = {
    "description": _description,
    "hours": _hours,
    "no hours": _no_hours,
    "insurance": _insurance,
    "languages": _languages,
    "accepting new patients": _new_patients,
    "phone, website and email": _contact,
    "payment and price": _money,
}


@pytest.mark.parametrize("change", list(LOCAL_EDITS.values()), ids=list(LOCAL_EDITS))
@pytest.mark.parametrize("number", [4, 31])
def test_a_local_change_plans_only_the_parts_that_read_the_clinic(
    project: Path,
    tmp_path: Path,
    planned_units: list[tuple[str, ...]],
    rendered: list[str],
    change: Edit,
    number: int,
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    every = list(planned_units)
    before, old = times(out), site_files(out)
    slug = edit(project, number, change)
    planned_units.clear()
    rendered.clear()
    build(project, out, jobs=1)
    again = list(planned_units)
    build(project, fresh, jobs=1, cache=False)
    new = site_files(out)
    assert new == site_files(fresh)  # the same site as planning and rendering everything
    assert ("clinic", slug) in again
    assert len(again) < len(every) // 4
    assert set(rendered) <= {o for o in new if o.endswith(".html")}
    rewritten = {name for name, stamp in times(out).items() if before.get(name) != stamp}
    assert rewritten == {name for name, data in new.items() if old.get(name) != data}


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(name=r["name"] + " West"),
        lambda r: r["address"].update(city="Henderson", region="NV", postal_code="89002"),
        lambda r: r.update(conditions=["depression"]),
    ],
    ids=["name", "city", "conditions"],
)
def test_a_structural_change_plans_every_part(
    project: Path,
    tmp_path: Path,
    planned_units: list[tuple[str, ...]],
    change: Edit,
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, fresh, jobs=1, cache=False)  # so that both leave the same redirects
    planned_units.clear()
    build(project, out, jobs=1)
    every = len(planned_units)
    edit(project, 7, change)
    planned_units.clear()
    build(project, out, jobs=1)
    assert len(planned_units) >= every - 1  # a part may come or go with the change
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_the_pages_taken_from_the_record_are_those_planning_gives(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(project, out, jobs=1)
    edit(project, 12, _hours)
    plans: list[Any] = []
    states: list[list[tuple[str, str, bool]]] = []
    real = build_module._plan

    def plan(*args: Any) -> Any:
        plans.append(real(*args))
        states.append([(p.title, p.description, p.indexable) for p in plans[-1].pages])
        return plans[-1]

    monkeypatch.setattr(build_module, "_plan", plan)
    build(project, out, jobs=1)
    planned = plans[0]
    planning = planned.planning
    assert planning.stubs and planning.planned < len(planning.units) // 4
    directory = load_directory(project)
    whole = real(directory, directory.config)  # every part planned
    prints = Fingerprints(salt(whole.env, code_fingerprint(), whole.base_path))
    assert [p.output for p in planned.pages] == [p.output for p in whole.pages]
    assert states[0] == [(p.title, p.description, p.indexable) for p in whole.pages]
    for stub, page in zip(planned.pages, whole.pages, strict=True):  # the gate's verdicts
        stub.indexable, stub.noindex_reason = page.indexable, page.noindex_reason
    stubs = dict(planning.stubs)
    finals = dict(planning.finals)
    for stub, page in zip(planned.pages, whole.pages, strict=True):
        if stub.output in stubs and stub.output not in finals:
            assert stubs[stub.output] == prints.page(page), stub.output
    materialize(planned.planner, planning, set(stubs))
    assert planning.stubs == {}
    again = Fingerprints(salt(whole.env, code_fingerprint(), whole.base_path))
    assert [again.page(p) for p in planned.pages] == [prints.page(p) for p in whole.pages]


def test_a_kept_page_edited_by_hand_is_planned_and_rendered_again(
    project: Path, tmp_path: Path, planned_units: list[tuple[str, ...]], rendered: list[str]
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=1)
    (out / "index.html").write_text("edited by hand", encoding="utf-8")
    slug = edit(project, 20, _description)
    planned_units.clear()
    rendered.clear()
    build(project, out, jobs=1)
    assert ("clinic", slug) in planned_units
    assert "index.html" in rendered
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_parallel_rebuilds_plan_only_what_changed_too(
    project: Path, tmp_path: Path, planned_units: list[tuple[str, ...]]
) -> None:
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    build(project, out, jobs=2)
    every = len(planned_units)
    edit(project, 3, _contact)
    planned_units.clear()
    build(project, out, jobs=2)
    assert 0 < len(planned_units) < every // 4
    build(project, fresh, jobs=1, cache=False)
    assert site_files(out) == site_files(fresh)


def test_reads_notes_each_clinic_whose_value_is_read() -> None:
    log = ReadLog()
    reads = Reads({"a": 1, "b": 2, "c": 3}, log)
    assert reads["a"] == 1  # not noted: no part is being planned
    log.start()
    assert (reads["a"], reads.get("b"), reads.get("z"), "c" in reads, len(reads)) == (
        1,
        2,
        None,
        True,
        3,
    )
    assert list(reads) == ["a", "b", "c"]  # which clinics there are: structure
    assert log.stop() == {"a", "b"}
    for read_all in (
        lambda r: r.values(),
        lambda r: r.items(),
        dict,
        lambda r: {**r},
        lambda r: r.copy(),
    ):
        log.start()
        read_all(reads)  # type: ignore[operator]
        assert log.stop() in (None, {"a", "b", "c"}), read_all  # every clinic


def test_local_fields_are_fields_of_a_clinic() -> None:
    from kdirectory.record.model import Clinic

    assert set(Clinic.model_fields) >= LOCAL_FIELDS
    assert not LOCAL_FIELDS & {"name", "slug", "address", "geo", "conditions", "photos"}

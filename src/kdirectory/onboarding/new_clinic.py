"""One clinic from answers, without the terminal: each answer checked at its field, then the
finished record written to ``data/clinics/``.

Every answer is checked as soon as it is given, by the same model and record rules that
``kdirectory validate`` uses (on a brand site, the brand's rules too, with the project's
records): the answer is put into a record with the answers so far and only the problems at
that field count (:meth:`Answers.check`). On a brand site the record's ``brand`` is the
``[brand] name``, the only one it may have (:attr:`Answers.brand`). The finished record is
:meth:`Answers.record_file`, written atomically by :func:`write_record_file`. The questions
themselves, and what is said between them, belong to the command line (``kdirectory new``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kdirectory._atomic import atomic_write_text
from kdirectory.exceptions import KdirectoryError
from kdirectory.onboarding.duplicates import Duplicate, DuplicateIndex, DuplicateKeys
from kdirectory.onboarding.records import (
    canonical_order,
    check_data,
    choose_slug,
    record_text,
    rejecting,
    schema_path_for,
    set_field,
    stored_form,
)
from kdirectory.onboarding.safe_text import control_characters, shown
from kdirectory.record.directory import Directory
from kdirectory.record.read import find_record_files
from kdirectory.record.validate import CLINICS_DIR
from kdirectory.report import Problem

_PLACEHOLDER: dict[str, Any] = {"name": "Clinic", "address": {"city": "Escondido", "region": "CA"}}
"""Stands in for required fields not answered yet, so one answer can be checked alone."""
_WORKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
"""The days one answer gives the hours of, Monday's first."""
_ESKETAMINE = "esketamine-nasal-spray"
"""The therapy that may only be offered in a REMS-certified setting."""


class AnswerError(ValueError):
    """An answer that cannot stand; the message says why, to be shown before asking again."""


@dataclass(frozen=True)
class RecordFile:
    """A new record file: where it goes and its YAML text."""

    path: Path
    text: str


class Answers:
    """The answers given so far, as the record they make, for a clinic of ``directory``
    (the project at ``root``)."""

    def __init__(self, root: Path, directory: Directory) -> None:
        self.root = root
        self.directory = directory
        self.data: dict[str, Any] = {}
        self._index: DuplicateIndex | None = None
        brand = directory.config.brand if directory.config.site.kind == "brand" else None
        self.brand: str | None = brand.name if brand is not None else None
        """On a brand site, the brand every record gives (``[brand] name``): the answers
        start with it."""
        if self.brand is not None:
            self.data["brand"] = self.brand

    def check(
        self,
        path: str,
        answer: str,
        *,
        required: bool = False,
        convert: Callable[[str], Any] = lambda answer: answer,
        asked_next: frozenset[str] = frozenset(),
    ) -> tuple[Any, list[Problem]]:
        """The value of ``answer`` at ``path`` (``None`` when blank), and the warnings about
        it; nothing is stored.

        Problems with a rule in ``asked_next`` are left to a later question (the REMS
        certification that esketamine needs).

        Raises:
            AnswerError: the answer is required and blank, holds a control character,
                cannot be read by ``convert``, or is wrong at ``path``.
        """
        answer = answer.strip()
        if not answer:
            if required:
                raise AnswerError("an answer is required here")
            return None, []
        problem = control_characters(answer)
        if problem is not None:  # an arrow key in a terminal without line editing
            raise AnswerError(f"the answer {problem}; type it again")
        value = convert(answer)
        errors, warnings = self._problems_at(path, value)
        errors = [p for p in errors if p.rule not in asked_next]
        if errors:
            raise AnswerError("; ".join(shown(p.explanation, None) for p in errors))
        return value, warnings

    def _problems_at(self, path: str, value: Any) -> tuple[list[Problem], list[Problem]]:
        trial = copy.deepcopy(self.data)
        for key, default in _PLACEHOLDER.items():
            if isinstance(default, dict):
                trial[key] = {**default, **trial.get(key, {})}
            else:
                trial.setdefault(key, default)
        set_field(trial, path, value)
        _, problems = check_data(trial, "answer", self.directory)
        inside = (f"{path}.", f"{path}[")
        mine = [p for p in problems if p.field == path or p.field.startswith(inside)]
        errors = rejecting(mine)
        return errors, [p for p in mine if p not in errors]

    def store(self, path: str, value: Any) -> None:
        """Keep ``value`` at ``path`` (``address.city``); ``None`` (a blank answer) keeps
        nothing."""
        if value is not None:
            set_field(self.data, path, value)

    def forget(self, key: str) -> None:
        """Drop the answers to ``key`` (``address``), to ask them again."""
        self.data.pop(key, None)

    def duplicate(self) -> Duplicate | None:
        """The clinic of the directory already at the address answered, if any."""
        if self._index is None:
            self._index = DuplicateIndex.of_directory(self.directory)
        place = {"name": self.data["name"], "address": self.data["address"]}
        clinic, _ = check_data(place, "answer")
        return self._index.find(DuplicateKeys.of(clinic)) if clinic is not None else None

    def offers_esketamine(self) -> bool:
        """Whether the therapies answered include esketamine (Spravato)."""
        return _ESKETAMINE in self.data.get("therapies", ())

    def rems_certified(self, certified: bool) -> None:
        """Record whether the clinic is Spravato REMS certified; when it is not, esketamine
        is removed from its therapies (and the therapies, when none is left)."""
        if certified:
            self.data["spravato_rems_certified"] = True
            return
        self.data["therapies"] = [t for t in self.data["therapies"] if t != _ESKETAMINE]
        if not self.data["therapies"]:
            self.data.pop("therapies")

    def workdays_like_monday(self) -> None:
        """Give Tuesday to Friday the hours answered for Monday, when there are some."""
        hours = self.data.get("hours")
        if hours is not None and "monday" in hours:
            for day in _WORKDAYS[1:]:
                hours[day] = hours["monday"]

    def record_file(self) -> RecordFile:
        """The record file the answers make: a slug no record of the project has, and the
        YAML text with its comment and schema line.

        Raises:
            AnswerError: the answers do not make a valid clinic (each was checked at its
                field, so this does not happen).
        """
        data = canonical_order(self.data)
        clinic, problems = check_data(data, "new clinic", self.directory)
        errors = rejecting(problems)
        if clinic is None or errors:
            raise AnswerError("; ".join(p.explanation for p in errors or problems))
        folder = self.root / CLINICS_DIR
        taken = {p.stem for p in find_record_files(folder)}
        taken |= {c.slug for c in self.directory.clinics if c.slug}
        slug = choose_slug(clinic.name, clinic.address.city, lambda s: s in taken)
        record = canonical_order({**stored_form(data, clinic), "slug": slug})
        text = record_text(
            record, comments=["Added with kdirectory new."], schema_path=schema_path_for(self.root)
        )
        return RecordFile(folder / f"{slug}.yaml", text)


def yes_no(answer: str) -> bool:
    """``yes``, ``y`` or ``true`` and their opposites, in any case.

    Raises:
        AnswerError: any other answer.
    """
    folded = answer.casefold()
    if folded in ("y", "yes", "true"):
        return True
    if folded in ("n", "no", "false"):
        return False
    raise AnswerError("answer yes or no")


def write_record_file(file: RecordFile) -> None:
    """Write ``file`` whole or not at all.

    Raises:
        KdirectoryError: it cannot be written.
    """
    try:
        atomic_write_text(file.path, file.text)
    except OSError as exc:
        raise KdirectoryError(f"cannot write {file.path}: {exc.strerror}") from None

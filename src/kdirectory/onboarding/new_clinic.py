"""``kdirectory new``: add one clinic by answering questions.

Every answer is checked as soon as it is typed, by the same model and record rules that
``kdirectory validate`` uses: the answer is put into a record with the answers so far and
only the problems at that field are shown, and the question is asked again. The finished
record is shown as YAML and written atomically only when confirmed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from kdirectory._atomic import atomic_write_text
from kdirectory.exceptions import KdirectoryError
from kdirectory.onboarding.duplicates import DuplicateIndex
from kdirectory.onboarding.normalise import hours_value, split_cities, split_list, with_scheme
from kdirectory.onboarding.records import (
    canonical_order,
    check_data,
    choose_slug,
    list_item,
    record_text,
    rejecting,
    schema_path_for,
    set_field,
    stored_form,
)
from kdirectory.onboarding.safe_text import control_characters, shown
from kdirectory.record.directory import Directory
from kdirectory.record.read import find_record_files
from kdirectory.record.validate import CLINICS_DIR, load_directory
from kdirectory.report import Problem

_PLACEHOLDER: dict[str, Any] = {"name": "Clinic", "address": {"city": "Escondido", "region": "CA"}}
"""Stands in for required fields not answered yet, so one answer can be checked alone."""
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


@dataclass(frozen=True)
class NewClinicResult:
    """The file written, or ``None`` when the user chose not to write it."""

    path: Path | None
    text: str


Ask = Callable[..., Any]


class _Interview:
    def __init__(
        self, directory: Directory, ask: Ask, confirm: Ask, say: Callable[[str], None]
    ) -> None:
        self.directory = directory
        self.ask = ask
        self.confirm = confirm
        self.say = say
        self.data: dict[str, Any] = {}

    # -- one question ----------------------------------------------------------------------

    def question(
        self,
        path: str,
        text: str,
        *,
        required: bool = False,
        convert: Callable[[str], Any] = lambda answer: answer,
        asked_next: frozenset[str] = frozenset(),
        blank: str = "blank to skip",
    ) -> Any:
        """Ask until the answer is valid at ``path``; store it (or nothing, when blank).

        Problems with a code in ``asked_next`` are left to a later question (the REMS
        certification that esketamine needs).
        """

        def check(answer: str) -> Any:
            answer = answer.strip()
            if not answer:
                if required:
                    raise typer.BadParameter("an answer is required here")
                return None
            problem = control_characters(answer)
            if problem is not None:  # an arrow key in a terminal without line editing
                raise typer.BadParameter(f"the answer {problem}; type it again")
            value = convert(answer)
            errors, warnings = self._problems_at(path, value)
            errors = [p for p in errors if p.rule not in asked_next]
            if errors:
                raise typer.BadParameter("; ".join(shown(p.explanation, None) for p in errors))
            for warning in warnings:
                self.say(f"warning: {shown(warning.explanation, None)}")
            return value

        hint = "" if required else f" ({blank})"
        value = self.ask(f"{text}{hint}", default="", show_default=False, value_proc=check)
        if value is not None:
            set_field(self.data, path, value)
        return value

    def _problems_at(self, path: str, value: Any) -> tuple[list[Problem], list[Problem]]:
        trial = copy.deepcopy(self.data)
        for key, default in _PLACEHOLDER.items():
            if isinstance(default, dict):
                trial[key] = {**default, **trial.get(key, {})}
            else:
                trial.setdefault(key, default)
        set_field(trial, path, value)
        _, problems = check_data(trial, "answer")
        inside = (f"{path}.", f"{path}[")
        mine = [p for p in problems if p.field == path or p.field.startswith(inside)]
        errors = rejecting(mine)
        return errors, [p for p in mine if p not in errors]

    # -- the whole record -----------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        self.question("name", "Clinic name", required=True)
        self._address()
        self.question(
            "service_area",
            "Other cities served, comma-separated (a city in another state with its code: "
            "Yuma, AZ)",
            convert=split_cities,
        )
        self.question("phone", "Phone, e.g. (760) 555-0123 ext. 12")
        self.question("url", "Website, https://…", convert=with_scheme)
        self.question("email", "Email")
        self._lists()
        self.question(
            "insurance",
            "Insurance accepted, separated by ; or , (e.g. Aetna; Blue Cross Blue Shield)",
            convert=split_list,
        )
        self._vocabulary_list(
            "payment",
            "Payment methods (cash, check, credit card, debit card, HSA/FSA, financing, insurance)",
        )
        self._vocabulary_list("languages", "Languages spoken (e.g. English, Spanish)")
        self.question(
            "accepting_new_patients",
            "Accepting new patients? yes/no",
            convert=_yes_no,
        )
        self._hours()
        return canonical_order(self.data)

    def _address(self) -> None:
        index = DuplicateIndex.of_directory(self.directory)
        while True:
            self.data.pop("address", None)
            street = self.question(
                "address.street", "Street", blank="blank for a clinic patients do not visit"
            )
            if street:
                self.question("address.unit", "Suite or unit")
            self.question("address.city", "City", required=True)
            self.question("address.region", "State (2-letter code or name)", required=True)
            self.question("address.postal_code", "ZIP code", required=bool(street))
            place = {"name": self.data["name"], "address": self.data["address"]}
            clinic, _ = check_data(place, "answer")
            duplicate = index.find(clinic) if clinic is not None else None
            if duplicate is None:
                return
            self.say(
                f"error: {duplicate.origin} is already at this address "
                f"({shown(duplicate.reason, None)}); edit that file instead, or give another "
                "address"
            )

    def _vocabulary_list(
        self, path: str, text: str, asked_next: frozenset[str] = frozenset()
    ) -> Any:
        """A list of vocabulary entries, each read through the alias table the model uses."""
        return self.question(
            path,
            text,
            convert=lambda answer: [list_item(path, x) for x in split_list(answer)],
            asked_next=asked_next,
        )

    def _lists(self) -> None:
        self._vocabulary_list(
            "conditions", "Conditions treated, comma-separated (e.g. depression, ptsd, anxiety)"
        )
        therapies = self._vocabulary_list(
            "therapies",
            "Therapies offered (e.g. IV ketamine infusion, Spravato, ketamine-assisted "
            "psychotherapy)",
            asked_next=frozenset({"therapies.rems"}),
        )
        if therapies and "esketamine-nasal-spray" in therapies:
            certified = self.confirm("Is the clinic Spravato REMS certified?", default=False)
            self.data["spravato_rems_certified"] = bool(certified)
            if not certified:
                self.say(
                    "warning: esketamine (Spravato) may only be offered in a REMS-certified "
                    "setting; it is removed from this record's therapies"
                )
                self.data["therapies"] = [t for t in therapies if t != "esketamine-nasal-spray"]
                self.data.pop("spravato_rems_certified")
                if not self.data["therapies"]:
                    self.data.pop("therapies")

    def _hours(self) -> None:
        weekdays = self.question(
            "hours.monday",
            "Hours Monday to Friday, e.g. 09:00-17:00, 9am-5pm or closed",
            convert=hours_value,
        )
        if weekdays is not None:
            for day in _WEEKDAYS[1:]:
                self.data["hours"][day] = weekdays
        for day in ("saturday", "sunday"):
            self.question(f"hours.{day}", f"{day.capitalize()} hours", convert=hours_value)


def _yes_no(answer: str) -> Any:
    folded = answer.casefold()
    if folded in ("y", "yes", "true"):
        return True
    if folded in ("n", "no", "false"):
        return False
    raise typer.BadParameter("answer yes or no")


def new_clinic(
    project: Path | str = ".",
    *,
    ask: Ask = typer.prompt,
    confirm: Ask = typer.confirm,
    say: Callable[[str], None] = typer.echo,
) -> NewClinicResult:
    """Ask for one clinic, show its YAML, and write it to ``data/clinics/`` when confirmed.

    Raises:
        ProjectNotFoundError: ``project`` has no ``data/clinics/`` folder.
        KdirectoryError: the record cannot be written.
    """
    root = Path(project)
    directory = load_directory(root)  # a project? ask nothing otherwise
    interview = _Interview(directory, ask, confirm, say)
    data = interview.run()
    clinic, problems = check_data(data, "new clinic")
    if clinic is None:  # pragma: no cover - every answer was checked at its field
        raise typer.BadParameter("; ".join(p.explanation for p in problems))
    folder = root / CLINICS_DIR
    taken = {p.stem for p in find_record_files(folder)}
    taken |= {c.slug for c in directory.clinics if c.slug}
    slug = choose_slug(clinic.name, clinic.address.city, lambda s: s in taken)
    record = canonical_order({**stored_form(data, clinic), "slug": slug})
    text = record_text(
        record, comments=["Added with kdirectory new."], schema_path=schema_path_for(root)
    )
    target = folder / f"{slug}.yaml"
    say("")
    say(text.rstrip("\n"))
    say("")
    if not confirm(f"Write {(CLINICS_DIR / target.name).as_posix()}?", default=True):
        say("Nothing written.")
        return NewClinicResult(path=None, text=text)
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise KdirectoryError(f"cannot write {target}: {exc.strerror}") from None
    say(f"wrote {target}")
    return NewClinicResult(path=target, text=text)

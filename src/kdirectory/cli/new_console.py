"""What ``kdirectory new`` asks and says: one question per field, an answer explained and
asked again until it is right, the finished record shown as YAML, and a confirmation before
it is written.

Checking the answers and making the record file is
:class:`~kdirectory.onboarding.new_clinic.Answers`; this module only talks to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from kdirectory.onboarding.new_clinic import (
    AnswerError,
    Answers,
    write_record_file,
    yes_no,
)
from kdirectory.onboarding.normalise import hours_value, split_cities, split_list, with_scheme
from kdirectory.onboarding.records import list_item
from kdirectory.onboarding.safe_text import shown
from kdirectory.record.validate import CLINICS_DIR, load_directory


@dataclass(frozen=True)
class NewClinicResult:
    """The file written, or ``None`` when the user chose not to write it."""

    path: Path | None
    text: str


Ask = Callable[..., Any]


class _Interview:
    """The questions of ``kdirectory new``, in order, each asked until its answer is right."""

    def __init__(
        self, answers: Answers, ask: Ask, confirm: Ask, say: Callable[[str], None]
    ) -> None:
        self.answers = answers
        self.ask = ask
        self.confirm = confirm
        self.say = say

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
        """Ask until the answer is valid at ``path``; store it (or nothing, when blank)."""

        def check(answer: str) -> Any:
            try:
                value, warnings = self.answers.check(
                    path, answer, required=required, convert=convert, asked_next=asked_next
                )
            except AnswerError as exc:
                raise typer.BadParameter(str(exc)) from None
            for warning in warnings:
                self.say(f"warning: {shown(warning.explanation, None)}")
            return value

        hint = "" if required else f" ({blank})"
        value = self.ask(f"{text}{hint}", default="", show_default=False, value_proc=check)
        self.answers.store(path, value)
        return value

    # -- the whole record -----------------------------------------------------------------

    def run(self) -> None:
        if self.answers.brand is not None:
            self.say(
                f"A location of {shown(self.answers.brand, None)}: its record gives that "
                f"brand, the [brand] name in kdirectory.toml."
            )
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
            convert=yes_no,
        )
        self._hours()

    def _address(self) -> None:
        while True:
            self.answers.forget("address")
            street = self.question(
                "address.street", "Street", blank="blank for a clinic patients do not visit"
            )
            if street:
                self.question("address.unit", "Suite or unit")
            self.question("address.city", "City", required=True)
            self.question("address.region", "State (2-letter code or name)", required=True)
            self.question("address.postal_code", "ZIP code", required=bool(street))
            duplicate = self.answers.duplicate()
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
        self._vocabulary_list(
            "therapies",
            "Therapies offered (e.g. IV ketamine infusion, Spravato, ketamine-assisted "
            "psychotherapy)",
            asked_next=frozenset({"therapies.rems"}),
        )
        if self.answers.offers_esketamine():
            certified = bool(self.confirm("Is the clinic Spravato REMS certified?", default=False))
            if not certified:
                self.say(
                    "warning: esketamine (Spravato) may only be offered in a REMS-certified "
                    "setting; it is removed from this record's therapies"
                )
            self.answers.rems_certified(certified)

    def _hours(self) -> None:
        self.question(
            "hours.monday",
            "Hours Monday to Friday, e.g. 09:00-17:00, 9am-5pm or closed",
            convert=hours_value,
        )
        self.answers.workdays_like_monday()
        for day in ("saturday", "sunday"):
            self.question(f"hours.{day}", f"{day.capitalize()} hours", convert=hours_value)


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
    answers = Answers(root, directory)
    _Interview(answers, ask, confirm, say).run()
    try:
        file = answers.record_file()
    except AnswerError as exc:  # pragma: no cover - every answer was checked at its field
        raise typer.BadParameter(str(exc)) from None
    say("")
    say(file.text.rstrip("\n"))
    say("")
    if not confirm(f"Write {(CLINICS_DIR / file.path.name).as_posix()}?", default=True):
        say("Nothing written.")
        return NewClinicResult(path=None, text=file.text)
    write_record_file(file)
    say(f"wrote {file.path}")
    return NewClinicResult(path=file.path, text=file.text)

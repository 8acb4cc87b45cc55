"""What every command reports: :class:`Problem` (one thing wrong, found by one rule of the
catalogue) and :class:`Report` (every problem of one run, and what was looked at), printed
for people one line a problem and for tools as one versioned JSON object."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from kdirectory.catalogue import Severity, rule

Command = Literal["validate", "check"]
"""The command a report comes from: it decides how problems and the summary are printed."""
REPORT_FORMAT = "kdirectory-report"
REPORT_VERSION = 2
"""The version of the JSON object of :meth:`Report.to_json`. Within a version, keys never
change meaning; version 1 was the earlier shape of ``kdirectory check --format json``."""

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}]")
"""What a printed problem never holds raw: C0 and C1 control characters and DEL (an ESC
drives the terminal; tab and newline too, since a problem is one line), the line and
paragraph separators and the bidirectional controls (which reorder what the reader sees)."""
_JSON_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029" + _BIDI_CONTROLS + "]")
"""What ``json.dumps(ensure_ascii=False)`` leaves raw of :data:`_UNPRINTABLE` (it escapes C0)."""


_UNPRINTABLE_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}]")
""":data:`_UNPRINTABLE` less tab and newline: for text of several lines."""


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` with every character of :data:`_UNPRINTABLE` written as an escape:
    an ESC becomes the four characters ``\\x1b`` (shown, nothing sent to the terminal), a
    right-to-left override ``\\u202e``. With ``lines``, tabs and newlines stay (a message
    of several lines); everything the command line prints goes through here."""
    return (_UNPRINTABLE_LINES if lines else _UNPRINTABLE).sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, found by one rule of :data:`kdirectory.catalogue.RULES`.

    ``rule`` is the rule's stable id (``phone.invalid``, ``html.h1``); ``severity`` is that
    rule's, never set by hand. Where: ``file`` is a record file relative to the project root
    (``data/clinics/harbor.yaml``) or a page relative to the site folder
    (``ca/escondido/index.html``); ``line`` is 1-based (``None`` when there is no line to
    point at); ``field`` is a record's dotted field path (``hours.monday[1]``) or what on a
    page (a link, a JSON-LD path such as ``@graph[2]``, ``page text``), empty for the whole
    file. ``message`` says what is wrong and ``fix`` how to fix it.

    Raises:
        KeyError: ``rule`` is not in the catalogue.
    """

    rule: str
    severity: Severity = dataclasses.field(init=False)
    file: str
    line: int | None
    field: str
    message: str
    fix: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", rule(self.rule).severity)

    @property
    def explanation(self) -> str:
        """``message (fix)``: what is wrong and how to fix it, without where. Printable:
        control characters of the values quoted in it are written as escapes."""
        text = f"{self.message} ({self.fix})" if self.fix else self.message
        return printable(text)

    def format(self, command: Command = "validate") -> str:
        """One line, as ``kdirectory <command>`` prints it.

        ``validate``: ``file:line: field: message (fix)``, the shape editors jump to, with
        ``warning: `` before the field of a warning. ``check``: ``file:line: severity rule
        [field]: message (fix: fix)``.

        Printable: a control character anywhere (a value quoted in the message, a file
        name, a field name) is written as an escape such as ``\\x1b``, so no record or page
        can send escape sequences to the terminal or start a line of its own.
        """
        if command == "check":
            at = f"{self.file}:{self.line}" if self.line else self.file
            what = f" [{self.field}]" if self.field else ""
            fix = f" (fix: {self.fix})" if self.fix else ""
            return printable(f"{at}: {self.severity} {self.rule}{what}: {self.message}{fix}")
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        label = "" if self.severity == "error" else "warning: "
        what = f"{self.field}: {self.explanation}" if self.field else self.explanation
        return printable(f"{where}: {label}{what}")

    def to_dict(self) -> dict[str, Any]:
        """The problem as one item of the JSON report's ``problems``."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class Report:
    """Every problem found by one run of ``command``, and what it looked at: record
    ``files`` and valid ``clinics`` for ``validate``, the ``site`` folder and its ``pages``
    for ``check``."""

    problems: list[Problem] = field(default_factory=list)
    command: Command = "validate"
    files: int = 0
    clinics: int = 0
    site: str = ""
    pages: int = 0

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the command fail."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that make the command fail only under ``--strict``."""
        return [p for p in self.problems if p.severity == "warning"]

    def ok(self, *, strict: bool = False) -> bool:
        """True when there is nothing to fix (no errors; with ``strict``, no warnings either)."""
        return not (self.problems if strict else self.errors)

    def extend(self, problems: list[Problem]) -> None:
        """Add problems found by another layer."""
        self.problems.extend(problems)

    def sorted_problems(self) -> list[Problem]:
        """Problems in a stable order: by file, line, field, rule, then message."""
        return sorted(
            self.problems, key=lambda p: (p.file, p.line or 0, p.field, p.rule, p.message)
        )

    def lines(self) -> list[str]:
        """Every problem, sorted, as the command prints it (:meth:`Problem.format`)."""
        return [problem.format(self.command) for problem in self.sorted_problems()]

    def counts_by_rule(self) -> Counter[str]:
        """How often each rule fired, for summaries and notes."""
        return Counter(p.rule for p in self.problems)

    def counts(self) -> dict[str, str | int]:
        """What was looked at and what was found: the JSON report's ``summary``."""
        looked_at: dict[str, str | int] = (
            {"site": self.site, "pages": self.pages}
            if self.command == "check"
            else {"files": self.files, "clinics": self.clinics}
        )
        return {**looked_at, "errors": len(self.errors), "warnings": len(self.warnings)}

    def summary(self) -> str:
        """One line: what was looked at, errors and warnings."""
        found = f"{_count(len(self.errors), 'error')}, {_count(len(self.warnings), 'warning')}"
        if self.command == "check":
            return f"checked {_count(self.pages, 'page')}: {found}"
        return f"{_count(self.files, 'file')}, {_count(self.clinics, 'clinic')}, {found}"

    def to_json(self) -> str:
        """The report as one JSON object (``--format json``), ending in a newline::

            {"format": "kdirectory-report", "version": 2, "command": "validate",
             "summary": {"files": 3, "clinics": 3, "errors": 1, "warnings": 0},
             "problems": [{"rule": …, "severity": …, "file": …, "line": …, "field": …,
                           "message": …, "fix": …}]}

        Problems are sorted as :meth:`sorted_problems`, so two runs over the same input
        print the same bytes. Faithful: every value decodes to exactly what the problem
        holds. Printable: control characters are JSON escapes (``\\u001b``), never raw, so
        printing the output to a terminal is as safe as printing :meth:`Problem.format`.
        """
        data = {
            "format": REPORT_FORMAT,
            "version": REPORT_VERSION,
            "command": self.command,
            "summary": self.counts(),
            "problems": [p.to_dict() for p in self.sorted_problems()],
        }
        text = json.dumps(data, indent=2, ensure_ascii=False)
        return _JSON_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")

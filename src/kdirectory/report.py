"""Problems found in a directory, and the report that collects them."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

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


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one record (or with the directory as a whole).

    ``file`` is relative to the project root, ``line`` is 1-based (``None`` when the file has
    no line to point at), ``field`` is a dotted path such as ``hours.monday[1]`` (empty for
    the whole file), and ``rule`` is a stable rule id (``phone.invalid``) for tooling.
    """

    file: str
    line: int | None
    field: str
    message: str
    fix: str | None = None
    severity: Severity = "error"
    rule: str = "invalid"

    @property
    def explanation(self) -> str:
        """``message (fix)``: what is wrong and how to fix it, without where. Printable:
        control characters of the values quoted in it are written as escapes."""
        text = f"{self.message} ({self.fix})" if self.fix else self.message
        return printable(text)

    def format(self) -> str:
        """Render as ``file:line: field: message (fix)``, the shape editors can jump to.

        One printable line: a control character anywhere (a value quoted in the message, a
        file name, a field name) is written as an escape such as ``\\x1b``, so no record
        can send escape sequences to the terminal or start a line of its own.
        """
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        label = "" if self.severity == "error" else "warning: "
        what = f"{self.field}: {self.explanation}" if self.field else self.explanation
        return printable(f"{where}: {label}{what}")


@dataclass
class Report:
    """Every problem found by one run, plus what was looked at."""

    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    clinics: int = 0

    @property
    def errors(self) -> list[Problem]:
        """Problems that make validation fail."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that fail validation only under ``--strict``."""
        return [p for p in self.problems if p.severity == "warning"]

    def ok(self, *, strict: bool = False) -> bool:
        """True when there is nothing to fix (no errors; with ``strict``, no warnings either)."""
        return not (self.problems if strict else self.errors)

    def extend(self, problems: list[Problem]) -> None:
        """Add problems found by another layer."""
        self.problems.extend(problems)

    def sorted_problems(self) -> list[Problem]:
        """Problems in a stable order: by file, line, then field."""
        return sorted(
            self.problems, key=lambda p: (p.file, p.line or 0, p.field, p.rule, p.message)
        )

    def summary(self) -> str:
        """One line: files, clinics, errors, warnings."""
        n_err, n_warn = len(self.errors), len(self.warnings)
        return (
            f"{_count(self.files, 'file')}, {_count(self.clinics, 'clinic')}, "
            f"{_count(n_err, 'error')}, {_count(n_warn, 'warning')}"
        )

    def counts_by_rule(self) -> Counter[str]:
        """How often each rule fired, for summaries and notes."""
        return Counter(p.rule for p in self.problems)

    def to_json(self) -> str:
        """The problems as a JSON list of objects (``--format json``).

        Faithful: every value decodes to exactly what the problem holds. Printable: control
        characters are JSON escapes (``\\u001b``), never raw, so printing the output to a
        terminal is as safe as printing :meth:`Problem.format`.
        """
        text = json.dumps([asdict(p) for p in self.sorted_problems()], indent=2, ensure_ascii=False)
        return _JSON_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")

"""Problems found in a directory, and the report that collects them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one record (or with the directory as a whole).

    ``file`` is relative to the project root, ``line`` is 1-based (``None`` when the file has
    no line to point at), ``field`` is a dotted path such as ``hours.monday[1]`` (empty for
    the whole file), and ``code`` is a stable rule id (``phone.invalid``) for tooling.
    """

    file: str
    line: int | None
    field: str
    message: str
    hint: str | None = None
    severity: Severity = "error"
    code: str = "invalid"

    @property
    def explanation(self) -> str:
        """``message (hint)``: what is wrong and how to fix it, without where."""
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def format(self) -> str:
        """Render as ``file:line: field: message (hint)``, the shape editors can jump to."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        label = "" if self.severity == "error" else "warning: "
        what = f"{self.field}: {self.explanation}" if self.field else self.explanation
        return f"{where}: {label}{what}"


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
            self.problems, key=lambda p: (p.file, p.line or 0, p.field, p.code, p.message)
        )

    def summary(self) -> str:
        """One line: files, clinics, errors, warnings."""
        n_err, n_warn = len(self.errors), len(self.warnings)
        return (
            f"{_count(self.files, 'file')}, {_count(self.clinics, 'clinic')}, "
            f"{_count(n_err, 'error')}, {_count(n_warn, 'warning')}"
        )

    def counts_by_code(self) -> Counter[str]:
        """How often each rule fired, for summaries and notes."""
        return Counter(p.code for p in self.problems)

    def to_json(self) -> str:
        """The problems as a JSON list of objects (``--format json``)."""
        return json.dumps([asdict(p) for p in self.sorted_problems()], indent=2, ensure_ascii=False)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")

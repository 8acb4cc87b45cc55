"""One record file as read: its data, the line of each value, and the problems seen.

:class:`SourceRecord` is what reading a file gives (:mod:`kdirectory.record.read`), what
parsing its text fills in (:mod:`kdirectory.record.parse`), and what validation reports
against: every problem names the file, the line and the field of the value it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kdirectory.report import Problem

Path_ = tuple[str | int, ...]
"""Where a value is in a record: ``("hours", "monday", 1)``."""


@dataclass
class SourceRecord:
    """One record file as read: its data, the line of each value, and the problems seen."""

    path: Path
    display_path: str
    data: dict[str, Any] | None
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_for(self, loc: Path_) -> int | None:
        """The line of the value at ``loc``, or of its nearest parent that has one."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None

    def problem(
        self,
        loc: Path_,
        message: str,
        fix: str | None = None,
        *,
        rule: str,
    ) -> Problem:
        """A :class:`Problem` of ``rule`` for the value at ``loc`` of this file."""
        return Problem(rule, self.display_path, self.line_for(loc), format_loc(loc), message, fix)


def format_loc(loc: Path_) -> str:
    """``("hours", "monday", 1)`` -> ``hours.monday[1]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``text[position]``."""
    line_start = text.rfind("\n", 0, position) + 1
    return text.count("\n", 0, position) + 1, position - line_start + 1

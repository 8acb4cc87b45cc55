"""A finding: a :class:`~kdirectory.report.Problem` on one file of a built site, with the
fix its rule in the catalogue gives."""

from __future__ import annotations

from kdirectory.catalogue import rule
from kdirectory.report import Problem


def finding(
    page: str, rule_id: str, message: str, *, line: int | None = None, where: str = ""
) -> Problem:
    """A problem of rule ``rule_id`` on ``page`` (a file, relative to the site folder);
    ``where`` says what on it (a tag, a link, a JSON-LD path), kept as the problem's field."""
    return Problem(rule_id, page, line, where, message, rule(rule_id).fix)

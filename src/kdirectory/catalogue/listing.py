"""The catalogue written out: a Markdown table (the README's), text for people and JSON for
tools, of every rule or of the rules a user names (an id, or a family such as ``claims``)."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence

from kdirectory.catalogue import RULES
from kdirectory.catalogue.rule import Rule

RULES_FORMAT = "kdirectory-rules"
RULES_VERSION = 1
_TAG = re.compile(r"<[a-z][^<>]*>|<base_url>")


class UnknownRuleError(KeyError):
    """A name that is no rule id and no family of rules; the message suggests the nearest."""

    def __str__(self) -> str:
        return str(self.args[0])


def select(names: Sequence[str]) -> list[Rule]:
    """The rules ``names`` name, in the catalogue's order: each an id (``html.h1``) or a
    family (``claims``, ``html``); every rule when ``names`` is empty.

    Raises:
        UnknownRuleError: a name matches no rule.
    """
    if not names:
        return list(RULES.values())
    chosen: set[str] = set()
    for name in names:
        found = {i for i in RULES if i == name or i.startswith(f"{name}.")}
        if not found:
            families = {i.split(".", 1)[0] for i in RULES}
            near = difflib.get_close_matches(name, [*RULES, *families], n=1)
            hint = f'; did you mean "{near[0]}"?' if near else "; `kdirectory rules` lists them"
            raise UnknownRuleError(f"no rule {name!r}{hint}")
        chosen |= found
    return [rule for rule_id, rule in RULES.items() if rule_id in chosen]


def markdown_table(rules: Iterable[Rule]) -> str:
    """One row a rule: id, severity, the commands that report it, what it checks. HTML tags
    in the text are written as code, so the table renders as it reads."""
    rows = [
        "| Rule | Severity | Reported by | Checks |",
        "|---|---|---|---|",
        *(
            f"| `{r.id}` | {r.severity} | {', '.join(r.stages)} | {markdown_cell(r.checks)} |"
            for r in rules
        ),
    ]
    return "\n".join(rows) + "\n"


def markdown_cell(text: str) -> str:
    """``text`` for one cell of a Markdown table: HTML tags as code, pipes escaped."""
    parts = text.split("`")  # leave what is already code alone
    for index in range(0, len(parts), 2):
        parts[index] = _TAG.sub(lambda m: f"`{m.group()}`", parts[index])
    return "`".join(parts).replace("|", "\\|")


def text_listing(rules: Iterable[Rule]) -> str:
    """For people: each rule's id, severity and commands, what it checks and the fix."""
    return "\n".join(
        f"{rule.id} ({rule.severity}; {', '.join(rule.stages)})\n"
        f"  checks: {rule.checks}\n"
        f"  fix: {rule.fix}\n"
        for rule in rules
    )


def json_listing(rules: Iterable[Rule]) -> str:
    """For tools: one object with every rule's id, severity, stages, checks and fix."""
    data = {
        "format": RULES_FORMAT,
        "version": RULES_VERSION,
        "rules": [
            {
                "id": rule.id,
                "severity": rule.severity,
                "stages": list(rule.stages),
                "checks": rule.checks,
                "fix": rule.fix,
            }
            for rule in rules
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

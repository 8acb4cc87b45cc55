"""The catalogue: every rule kdirectory checks, for ``validate``, ``geocode`` and ``check``.

Every :class:`~kdirectory.report.Problem` names one rule of :data:`RULES` by its id, and
takes its severity from it: an id is stable (tools and CI scripts may match on it) and
means one thing everywhere (the claims rules are the same rules in ``validate`` and in
``check``). ``kdirectory rules`` prints the catalogue; the README's table is generated from
it. A new rule is an entry here and a use in the stage that checks it (a test fails on an
id used but not catalogued, or catalogued but not used).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from kdirectory.catalogue import claims, fields, files, records, site
from kdirectory.catalogue.rule import STAGES, Rule, Severity, Stage

__all__ = ["RULES", "STAGES", "Rule", "Severity", "Stage", "rule"]


def _index(rules: Iterable[Rule]) -> Mapping[str, Rule]:
    by_id: dict[str, Rule] = {}
    for item in rules:
        if item.id in by_id:
            raise ValueError(f"rule {item.id!r} is catalogued twice")
        by_id[item.id] = item
    return MappingProxyType(dict(sorted(by_id.items())))


RULES: Mapping[str, Rule] = _index(
    (*files.RULES, *fields.RULES, *records.RULES, *claims.RULES, *site.RULES)
)
"""Every rule by id, in the order of their ids."""


def rule(rule_id: str) -> Rule:
    """The rule ``rule_id``; ``KeyError`` naming it when no rule has that id."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id!r} in kdirectory.catalogue.RULES") from None

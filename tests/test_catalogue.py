"""The catalogue of rules: one entry for every rule id the code uses and no other, each
complete; ``kdirectory rules`` prints it; the README's table is the generated one."""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from typing import get_args

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from kdirectory.catalogue import RULES, STAGES
from kdirectory.catalogue.listing import markdown_table
from kdirectory.cli import app
from kdirectory.record.claims import CLAIM_RULES
from kdirectory.record.model import Clinic
from tests.helpers import REPO

PACKAGE = REPO / "src" / "kdirectory"
RULE_SHAPE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z0-9_-]*$")
FILE_NAME = re.compile(r"\.(?:yaml|yml|json|xml|txt|html|csv)$")
NOT_RULES = {
    "phone.dropped": "kdirectory import: the note on a row imported without its phone",
    "address.unsplittable": "kdirectory import: why a row's one-line address was refused",
    "json.schemas": "a VS Code setting that init writes",
    "yaml.schemas": "a VS Code setting that init writes",
}
"""Texts shaped like a rule id, in a family of rules, that are something else."""
RULE_ARGUMENT = {"Problem": 0, "fail": 0, "PydanticCustomError": 0, "finding": 1}
"""Calls that take a rule id, and where (besides every ``rule=`` keyword)."""
runner = CliRunner()


def field_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every field of a record as a dotted path: ``address.city``, ``hours.monday``, …"""
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        paths.add(prefix + name)
        for kind in (info.annotation, *get_args(info.annotation)):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                paths |= field_paths(kind, f"{prefix}{name}.")
    return paths


@cache
def source_trees() -> dict[str, ast.Module]:
    """Every module of the package outside the catalogue, parsed."""
    return {
        path.relative_to(PACKAGE).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] != "catalogue"
    }


def texts_in_source() -> dict[str, set[str]]:
    """Every string constant of the code outside the catalogue, with the modules using it."""
    found: dict[str, set[str]] = {}
    for module, tree in source_trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.setdefault(node.value, set()).add(module)
    return found


def test_every_rule_id_the_code_uses_is_catalogued() -> None:
    families = {rule_id.split(".")[0] for rule_id in RULES}
    fields = field_paths(Clinic)
    uncatalogued = {
        text: sorted(modules)
        for text, modules in texts_in_source().items()
        if RULE_SHAPE.match(text)
        and text.split(".")[0] in families
        and text not in RULES
        and text not in fields
        and text not in NOT_RULES
        and not FILE_NAME.search(text)
    }
    assert uncatalogued == {}, "add these to kdirectory.catalogue (or to NOT_RULES if no rule)"


def test_every_catalogued_rule_is_used() -> None:
    texts = texts_in_source()
    assert sorted(rule_id for rule_id in RULES if rule_id not in texts) == []


def rule_arguments(tree: ast.Module) -> list[ast.expr]:
    """What the code passes where a rule id goes: every ``rule=`` and ``rule_id=`` keyword
    and the rule argument of :data:`RULE_ARGUMENT`'s calls."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        found += [k.value for k in node.keywords if k.arg in ("rule", "rule_id")]
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        name = node.func.id if isinstance(node.func, ast.Name) else name
        position = RULE_ARGUMENT.get(name or "")
        if position is not None and len(node.args) > position:
            found.append(node.args[position])
    return found


def test_rule_ids_are_written_out_where_they_are_used() -> None:
    """A rule id is a literal the catalogue has (or a name holding one), never built from
    pieces: ``f"jsonld.{kind}"`` would hide an id from the two tests above."""
    wrong = []
    for module, tree in source_trees().items():
        for argument in rule_arguments(tree):
            if isinstance(argument, ast.Constant):
                if argument.value not in RULES:
                    wrong.append(f"{module}:{argument.lineno}: {argument.value!r} is no rule")
            elif not isinstance(argument, ast.Name | ast.Attribute | ast.Subscript | ast.Call):
                wrong.append(f"{module}:{argument.lineno}: {ast.unparse(argument)}")
    assert wrong == []


def test_every_rule_is_complete() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id and RULE_SHAPE.match(rule_id), rule_id
        assert rule.severity in ("error", "warning"), rule_id
        assert rule.stages and set(rule.stages) <= set(STAGES), rule_id
        assert rule.checks.strip() and rule.fix.strip(), rule_id
        assert not rule.checks.endswith(".") and not rule.fix.endswith("."), rule_id


def test_the_claims_rules_are_one_entry_each_for_validate_and_check() -> None:
    assert len({claim.rule for claim in CLAIM_RULES}) == len(CLAIM_RULES)
    for claim in CLAIM_RULES:
        assert RULES[claim.rule].stages == ("validate", "check")
        assert RULES[claim.rule].severity == "error"


def test_the_readme_lists_the_catalogue() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    begin, end = (
        "<!-- rules: begin (kdirectory rules --format markdown) -->\n",
        "<!-- rules: end -->",
    )
    assert begin in readme and end in readme
    table = readme.split(begin, 1)[1].split(end, 1)[0]
    assert table == markdown_table(RULES.values()), "run: kdirectory rules --format markdown"


# --- kdirectory rules --------------------------------------------------------------------------


def test_rules_looks_up_an_id_seen_in_a_report() -> None:
    result = runner.invoke(app, ["rules", "jsonld.nap-phone"])
    assert result.exit_code == 0, result.output
    rule = RULES["jsonld.nap-phone"]
    assert result.stdout.splitlines() == [
        "jsonld.nap-phone (error; check)",
        f"  checks: {rule.checks}",
        f"  fix: {rule.fix}",
    ]


def test_rules_of_a_family_and_of_the_whole_catalogue() -> None:
    claims = runner.invoke(app, ["rules", "claims", "--format", "json"])
    assert claims.exit_code == 0, claims.output
    data = json.loads(claims.stdout)
    assert (data["format"], data["version"]) == ("kdirectory-rules", 1)
    assert [r["id"] for r in data["rules"]] == sorted(c.rule for c in CLAIM_RULES)
    assert data["rules"][0]["stages"] == ["validate", "check"]
    everything = runner.invoke(app, ["rules", "--format", "markdown"])
    assert everything.exit_code == 0
    assert everything.stdout == markdown_table(RULES.values())
    text = runner.invoke(app, ["rules"]).stdout
    assert text.count(" checks: ") == len(RULES)


@pytest.mark.parametrize(("name", "suggestion"), [("clams", "claims"), ("html.h2", "html.h1")])
def test_an_unknown_rule_is_a_usage_error_with_a_suggestion(name: str, suggestion: str) -> None:
    result = runner.invoke(app, ["rules", name])
    assert result.exit_code == 2
    assert result.stderr == f'error: no rule {name!r}; did you mean "{suggestion}"?\n'

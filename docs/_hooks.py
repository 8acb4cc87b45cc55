"""MkDocs hooks: the parts of the documentation that are generated from the code.

A page asks for a generated part with a marker on a line of its own::

    <!-- generated: record-reference -->

and ``on_page_markdown`` replaces the marker with Markdown made from the code at build
time, so the references cannot fall behind it:

- ``record-reference``: every field of a clinic record, from the JSON Schema
  (``kdirectory.clinic_schema()``) plus what each field is for (``_record_fields.yaml``);
- ``cli-reference``: every command of the ``kdirectory`` command line, with its help,
  arguments and options, read from the Typer app through click's objects;
- ``api-reference``: a mkdocstrings block for every name in ``kdirectory.__all__``,
  grouped by the stage that defines it;
- ``template-filters``: the Jinja filters and functions the packaged environment adds.

Nothing here needs MkDocs to run (tests/test_docs.py imports it without MkDocs) and
nothing fetches anything. A marker naming no generator stops the build; a field with no
description, or a note for a field that does not exist, is a warning, which fails
``mkdocs build --strict``.
"""

from __future__ import annotations

import html
import inspect
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

DOCS = Path(__file__).resolve().parent
FIELD_NOTES = DOCS / "_record_fields.yaml"
MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.MULTILINE)
log = logging.getLogger("mkdocs.hooks.kdirectory")


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace every generator marker of a page with what its generator writes."""

    def generate(match: re.Match[str]) -> str:
        name = match.group(1)
        generator = GENERATORS.get(name)
        if generator is None:
            known = ", ".join(sorted(GENERATORS))
            msg = f"unknown generated part {name!r} (known: {known})"
            raise ValueError(msg)
        return generator()

    return MARKER.sub(generate, markdown)


# --- text helpers -----------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def escape(text: str, *, cell: bool = False) -> str:
    """Plain text as Markdown that shows exactly that text (``<slug>`` stays visible);
    with ``cell``, also in a table cell (a ``|`` is not a column break)."""
    escaped = html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", text), quote=False)
    return escaped.replace("|", "\\|") if cell else escaped


def escape_prose(text: str, *, cell: bool = False) -> str:
    """Like :func:`escape`, but `code spans` in the text stay code spans (a table keeps a
    ``|`` inside one in its cell)."""
    parts: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(escape(text[last : match.start()], cell=cell))
        parts.append(match.group(0))
        last = match.end()
    parts.append(escape(text[last:], cell=cell))
    return "".join(parts)


def code(text: object) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds."""
    shown = str(text)
    fence = "``" if "`" in shown else "`"
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def help_markdown(text: str) -> str:
    """A command's help text (a cleaned docstring) as Markdown: paragraphs escaped, indented
    blocks (the examples) kept as code blocks."""
    blocks = re.split(r"\n\s*\n", inspect.cleandoc(text))
    out = []
    for block in blocks:
        if block.startswith("    "):
            out.append(block)
        else:
            out.append(escape_prose(" ".join(line.strip() for line in block.splitlines())))
    return "\n\n".join(out)


# --- the record reference -----------------------------------------------------------------


def _ref_name(node: dict[str, Any]) -> str:
    return str(node["$ref"]).rsplit("/", 1)[-1]


def _anchor(name: str) -> str:
    return name.lower()


def _branches(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of ``node`` other than ``null`` (``null`` means "left out")."""
    if "anyOf" in node:
        return [
            branch
            for option in node["anyOf"]
            if option.get("type") != "null"
            for branch in _branches(option)
        ]
    return [node]


def _type_text(node: dict[str, Any]) -> str:
    words = []
    for branch in _branches(node):
        if "$ref" in branch:
            name = _ref_name(branch)
            words.append(f"[{name}](#{_anchor(name)})")
        elif "const" in branch:
            words.append(code(branch["const"]))
        elif branch.get("type") == "array":
            words.append("list of " + _type_text(branch.get("items", {})))
        elif branch.get("type") == "string":
            fmt = branch.get("format")
            words.append(
                "date (YYYY-MM-DD)" if fmt == "date" else "web address" if fmt == "uri" else "text"
            )
        elif branch.get("type") == "boolean":
            words.append("`true` or `false`")
        elif branch.get("type") in ("number", "integer"):
            words.append("number" if branch["type"] == "number" else "whole number")
        else:
            words.append(str(branch.get("type", "any value")))
    return " or ".join(words)


def _limits(node: dict[str, Any], *, inner: bool = False) -> list[str]:
    found: list[str] = []
    for branch in _branches(node):
        here: list[str] = []
        low, high = branch.get("minLength"), branch.get("maxLength")
        if low is not None and high is not None:
            here.append(f"{low:,} to {high:,} characters")
        elif high is not None:
            here.append(f"at most {high:,} characters")
        elif low is not None:
            here.append(f"at least {low:,} characters")
        if "pattern" in branch:
            here.append(f"matches {code(branch['pattern'])}")
        if "minimum" in branch or "maximum" in branch:
            here.append(f"from {branch.get('minimum', '-∞')} to {branch.get('maximum', '∞')}")
        if "minItems" in branch:
            here.append(f"at least {branch['minItems']:,} entries")
        if "maxItems" in branch:
            here.append(f"at most {branch['maxItems']:,} entries")
        if branch.get("uniqueItems"):
            here.append("no entry twice")
        items = branch.get("items")
        if isinstance(items, dict) and "$ref" not in items:
            each = _limits(items, inner=True)
            if each:
                here.append("each entry " + ", ".join(each))
        if here and len(_branches(node)) > 1 and not inner:
            here = [f"{_type_text(branch)}: {', '.join(here)}"]
        found += here
    return found


def _allowed(node: dict[str, Any]) -> list[Any]:
    for branch in _branches(node):
        if "enum" in branch:
            return list(branch["enum"])
        items = branch.get("items")
        if isinstance(items, dict) and "enum" in items:
            return list(items["enum"])
    return []


def _schema_descriptions(node: dict[str, Any]) -> list[str]:
    texts = [node["description"]] if "description" in node else []
    for branch in _branches(node):
        if branch is not node and "description" in branch:
            texts.append(branch["description"])
        items = branch.get("items")
        if isinstance(items, dict) and "description" in items:
            texts.append(items["description"])
    return [text.strip() for text in dict.fromkeys(texts)]


def _examples(node: dict[str, Any]) -> list[Any]:
    for branch in [node, *_branches(node)]:
        if "examples" in branch:
            return list(branch["examples"])
    return []


def _field_notes() -> dict[str, str]:
    data = yaml.safe_load(FIELD_NOTES.read_text(encoding="utf-8")) or {}
    return {str(key): " ".join(str(value).split()) for key, value in data.items()}


def _objects(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The record itself, then every nested object in the order the record first uses it."""
    defs: dict[str, Any] = schema.get("$defs", {})
    order: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if "$ref" in node and _ref_name(node) not in order:
                order.append(_ref_name(node))
                visit(defs.get(_ref_name(node), {}))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema.get("properties", {}))
    yield "", schema
    for name in [*order, *sorted(set(defs) - set(order))]:
        yield name, defs[name]


def _same_field(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def strip(node: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in node.items() if key != "title"}

    return strip(a) == strip(b)


def record_reference() -> str:
    """Every field of a clinic record, one section per object."""
    from kdirectory import clinic_schema  # noqa: PLC0415 - imported when the page is built

    notes = _field_notes()
    used: set[str] = set()
    out: list[str] = []
    for object_name, node in _objects(clinic_schema()):
        properties: dict[str, Any] = node.get("properties", {})
        required = set(node.get("required", []))
        prefix = f"{object_name}." if object_name else ""
        groups = _field_groups(properties, prefix, notes)
        if object_name:
            out.append(f"## {object_name} {{#{_anchor(object_name)}}}\n")
        else:
            out.append("## The record {#the-record}\n")
        if node.get("description"):
            out.append(escape_prose(node["description"].replace("``", "`")) + "\n")
        if node.get("additionalProperties") is False:
            out.append("Any other field is an error (with a suggestion when it is close to one).\n")
        out += ["| Field | Type | Required |", "|---|---|---|"]
        for group in groups:
            target = _field_anchor(prefix + group[0])
            names = ", ".join(f"[{code(name)}](#{target})" for name in group)
            mark = "yes" if set(group) & required else "no"
            out.append(f"| {names} | {_type_text(properties[group[0]])} | {mark} |")
        out.append("")
        for group in groups:
            keys = [f"{prefix}{name}" for name in group] + ([f"{prefix}*"] if prefix else [])
            note = next((notes[key] for key in keys if key in notes), None)
            used.update(key for key in keys if key in notes)
            out += _field_section(prefix, group, properties[group[0]], required, note)
    for key in sorted(set(notes) - used):
        log.warning(
            "docs/_record_fields.yaml: %r names no field of the clinic record; remove or rename it",
            key,
        )
    return "\n".join(out)


def _field_groups(
    properties: dict[str, Any], prefix: str, notes: dict[str, str]
) -> list[list[str]]:
    """The fields of one object in order; fields alike in all but their name (the days of
    the week) share one section, unless a note tells them apart."""
    groups: list[list[str]] = []
    for name, node in properties.items():
        if (
            groups
            and _same_field(properties[groups[-1][0]], node)
            and not {prefix + groups[-1][0], prefix + name} & set(notes)
        ):
            groups[-1].append(name)
        else:
            groups.append([name])
    return groups


def _field_section(
    prefix: str, group: list[str], node: dict[str, Any], required: set[str], note: str | None
) -> list[str]:
    title = ", ".join(code(name) for name in group)
    out = [f"### {title} {{#{_field_anchor(prefix + group[0])}}}\n"]
    texts = ([note] if note else []) + [escape_prose(text) for text in _schema_descriptions(node)]
    if not texts:
        log.warning(
            "record reference: %s has no description; describe it in "
            "docs/_record_fields.yaml, or with Field(description=...) in the model",
            prefix + group[0],
        )
    out += [f"{text}\n" for text in texts]
    facts = [
        f"**Type:** {_type_text(node)}",
        f"**Required:** {'yes' if set(group) & required else 'no'}",
    ]
    if limits := _limits(node):
        facts.append("**Limits:** " + "; ".join(limits))
    if allowed := _allowed(node):
        facts.append("**Allowed values:** " + ", ".join(code(value) for value in allowed))
    if examples := _examples(node):
        facts.append("**Examples:** " + ", ".join(code(value) for value in examples))
    if node.get("default") not in (None, [], {}):
        facts.append(f"**Default:** {code(json.dumps(node['default']))}")
    return [*out, *(f"- {fact}" for fact in facts), ""]


def _field_anchor(path: str) -> str:
    return "field-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


# --- the command-line reference -------------------------------------------------------------


def cli_reference() -> str:
    """Every command of the ``kdirectory`` command line, read from the Typer app: the
    command itself, then each subcommand (and theirs, if a subcommand is a group)."""
    import typer  # noqa: PLC0415

    from kdirectory.cli import app  # noqa: PLC0415

    group = typer.main.get_command(app)
    name = group.name or "kdirectory"
    return "\n".join(_command_markdown(group, [name], None))


def _command_markdown(command: Any, path: list[str], parent: Any) -> list[str]:
    context = command.context_class(command, info_name=path[-1], parent=parent)
    usage = " ".join([*path, *command.collect_usage_pieces(context)])
    anchor = "-".join(path[1:]) or path[0]
    out = [f"## {code(' '.join(path))} {{#{anchor}}}\n"]
    out += [help_markdown(command.help or "") + "\n", f"Usage: {code(usage)}\n"]
    out += _params_markdown(command, context)
    subcommands: dict[str, Any] = getattr(command, "commands", {})
    for sub_name, sub in subcommands.items():
        if not sub.hidden:
            out += _command_markdown(sub, [*path, sub_name], context)
    return out


def _params_markdown(command: Any, context: Any) -> list[str]:
    arguments: list[str] = []
    options: list[str] = []
    for param in command.get_params(context):
        if getattr(param, "hidden", False) or param.name == "help":
            continue
        record = param.get_help_record(context)
        if record is None:
            continue
        shown, text = record
        text = " ".join(text.split())
        if param.param_type_name == "argument":
            shown = shown.split(" ", 1)[0].upper()
            arguments.append(f"- {code(shown)}: {escape_prose(text)}")
        else:
            repeat = " Repeatable." if getattr(param, "multiple", False) else ""
            options.append(f"- {code(shown)}: {escape_prose(text)}{repeat}")
    out = []
    if arguments:
        out += ["Arguments:\n", *arguments, ""]
    if options:
        out += ["Options:\n", *options, ""]
    return out


# --- the Python API -----------------------------------------------------------------------

STAGE_TITLES = {
    "record": "Records",
    "project": "Records",
    "geocoding": "Geocoding",
    "site": "Building the site",
    "check": "Checking a site",
    "config": "Settings",
    "report": "Problems and reports",
    "exceptions": "Errors",
}


def api_reference() -> str:
    """A mkdocstrings block for every public name, grouped by the part of the package that
    defines it, in the order of ``STAGE_TITLES``.

    The record models (``Clinic``, ``Address``, …) list their fields in the record
    reference, with types and limits as a record file has them; here they show only their
    documented members, instead of the validators in their annotations.
    """
    import kdirectory  # noqa: PLC0415
    from kdirectory import clinic_schema  # noqa: PLC0415

    record_objects = {"Clinic", *clinic_schema().get("$defs", {})}
    groups: dict[str, list[str]] = {}
    for name in sorted(kdirectory.__all__, key=str.casefold):
        module = getattr(getattr(kdirectory, name), "__module__", "kdirectory")
        part = module.split(".")[1] if module.count(".") else module
        groups.setdefault(STAGE_TITLES.get(part, "Other"), []).append(name)
    order = [*dict.fromkeys(STAGE_TITLES.values()), "Other"]
    out = []
    for title in order:
        if title not in groups:
            continue
        out.append(f"## {title}\n")
        models = [name for name in groups[title] if name in record_objects]
        if models:
            listed = ", ".join(code(name) for name in models)
            out.append(
                f"The fields of the record models ({listed}) are described in "
                "[Clinic records](records.md), as a record file writes them.\n"
            )
        for name in groups[title]:
            options = "\n    options:\n      show_if_no_docstring: false" if name in models else ""
            out.append(f"::: kdirectory.{name}{options}\n")
    return "\n".join(out)


# --- template filters ---------------------------------------------------------------------


def _first_paragraph(doc: str | None) -> str:
    text = inspect.cleandoc(doc or "").split("\n\n", 1)[0]
    return " ".join(text.split()).replace("``", "`")


def template_filters() -> str:
    """The filters and functions ``make_environment`` adds to Jinja's own."""
    from kdirectory.site import templating  # noqa: PLC0415

    env = templating.make_environment()
    out = ["| Filter | What it does |", "|---|---|"]
    for name, function in sorted(env.filters.items()):
        if not getattr(function, "__module__", "").startswith("kdirectory"):
            continue
        usage = f"value | {_call(name, function, skip=1)}"
        out.append(f"| {code(usage)} | {_cell(_first_paragraph(function.__doc__))} |")
    out += ["", "| Function | What it does |", "|---|---|"]
    for name, value in sorted(env.globals.items()):
        if callable(value) and getattr(value, "__module__", "").startswith("kdirectory"):
            same_name = getattr(templating, name, None)
            doc = (
                _first_paragraph(value.__doc__)
                or _first_paragraph(getattr(same_name, "__doc__", None))
                or _GLOBAL_HELP.get(name, "")
            )
            out.append(f"| {code(_call(name, value, skip=0, always=True))} | {_cell(doc)} |")
    return "\n".join(out) + "\n"


def _call(name: str, function: Callable[..., object], *, skip: int, always: bool = False) -> str:
    """``name(a, b=1)``: how a template calls ``function`` (annotations left out); the
    first ``skip`` parameters are the value a filter is applied to."""
    parameters = list(inspect.signature(function).parameters.values())[skip:]
    shown = [
        p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
        for p in parameters
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if not shown and not always:
        return name
    return f"{name}({', '.join(shown)})"


def template_context() -> str:
    """What each packaged template uses from its context, found by Jinja in the templates
    themselves (``jinja2.meta``), with what each name is (``_template_context.yaml``); then
    the attributes of a clinic as templates get it."""
    from jinja2 import meta  # noqa: PLC0415

    from kdirectory.site.templating import default_theme_dir, make_environment  # noqa: PLC0415

    env = make_environment()
    theme = default_theme_dir()
    notes = yaml.safe_load(TEMPLATE_NOTES.read_text(encoding="utf-8")) or {}
    shared: dict[str, str] = notes.pop("every template", {})
    out = ["Every template:\n", "| Name | What it is |", "|---|---|"]
    out += [f"| {code(name)} | {_note(text)} |" for name, text in shared.items()]
    out.append("")
    used: set[str] = set()
    paths = sorted(theme.glob("*.html")) + sorted(theme.glob("partials/*.html"))
    for path in paths:
        name = path.relative_to(theme).as_posix()
        found = meta.find_undeclared_variables(env.parse(path.read_text(encoding="utf-8")))
        own = sorted(found - set(env.globals) - set(shared))
        if not own:
            continue
        out += [f"`{name}`:\n", "| Name | What it is |", "|---|---|"]
        for variable in own:
            key = f"{name}:{variable}" if f"{name}:{variable}" in notes else variable
            used.add(key)
            out.append(f"| {code(variable)} | {_note(notes.get(key, ''))} |")
        out.append("")
    for key in sorted(set(notes) - used):
        log.info("docs/_template_context.yaml: no packaged template uses %r", key)
    return "\n".join(out)


def clinic_view() -> str:
    """The attributes of ``ClinicView``, the clinic as every template gets it."""
    import dataclasses  # noqa: PLC0415

    from kdirectory.site.views import ClinicView  # noqa: PLC0415

    out = ["| Attribute | Type | What it is |", "|---|---|---|"]
    for field in dataclasses.fields(ClinicView):
        out.append(f"| {code(field.name)} | {code(field.type)} | |")
    for name, member in vars(ClinicView).items():
        if isinstance(member, property) and not name.startswith("_"):
            kind = inspect.signature(member.fget).return_annotation if member.fget else ""
            doc = _first_paragraph(member.__doc__)
            out.append(f"| {code(name)} | {code(kind)} | {_cell(doc)} |")
    return "\n".join(out) + "\n"


TEMPLATE_NOTES = DOCS / "_template_context.yaml"


def _note(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


_GLOBAL_HELP = {
    "content": "The prose partial `content/NAME.md` as HTML, found like a template "
    "(a site's own `templates/content/` first).",
}


def _cell(text: str) -> str:
    return escape_prose(text, cell=True)


def rules_reference() -> str:
    """Every rule of the catalogue, family by family: id, severity, who reports it, what it
    checks and the fix."""
    from kdirectory.catalogue import RULES  # noqa: PLC0415
    from kdirectory.catalogue.listing import markdown_cell  # noqa: PLC0415

    families: dict[str, list[Any]] = {}
    for rule in RULES.values():
        families.setdefault(rule.id.split(".", 1)[0], []).append(rule)
    out: list[str] = []
    for family, rules in families.items():
        out += [
            f"## `{family}`",
            "",
            "| Rule | Severity | Reported by | Checks | Fix |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| `{r.id}` | {r.severity} | {', '.join(r.stages)} | {markdown_cell(r.checks)} "
            f"| {markdown_cell(r.fix)} |"
            for r in rules
        ]
        out.append("")
    return "\n".join(out)


GENERATORS: dict[str, Callable[[], str]] = {
    "record-reference": record_reference,
    "cli-reference": cli_reference,
    "api-reference": api_reference,
    "template-filters": template_filters,
    "template-context": template_context,
    "clinic-view": clinic_view,
    "rules": rules_reference,
}

"""Check JSON-LD against the schema.org vocabulary (release 30.0, packaged as a table).

Strict about terms: every ``@type`` must be a schema.org class, every property must exist
and be allowed on the node's type (directly or through an ancestor; a node with several
types may use the properties of any of them), and a nested node's type must fit the
property's range (subtypes allowed). Retired terms (attic, superseded) are reported.

Lenient about plain values, as schema.org itself is: any string is fine where a range
has Text, URL or Date-like types or a class (text is an accepted fallback), numbers
are fine for Text, numeric strings are fine for Number. Where the range is only
enumerations, a string must name one of their members ("Monday" or
"https://schema.org/Monday").
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Mapping

__all__ = ["VocabIssue", "check_jsonld"]

_PREFIXES = ("https://schema.org/", "http://schema.org/", "schema:")
_CONTEXTS = {"https://schema.org", "http://schema.org", "https://schema.org/", "http://schema.org/"}
_TEXT = frozenset({"Text", "URL", "CssSelectorType", "XPathType", "PronounceableText"})
_NUMBER = frozenset({"Number", "Integer", "Float"})
_TEMPORAL = frozenset({"Date", "DateTime", "Time"})
_TEXT_OR_TEMPORAL = _TEXT | _TEMPORAL
_BOOLEAN_TEXT = frozenset({"true", "false", "True", "False"})


@dataclass(frozen=True)
class VocabIssue:
    """One problem, at a path like ``@graph[0].openingHoursSpecification[1].opens``."""

    path: str
    message: str
    rule: str = field(default="jsonld.structure", compare=False)
    """The catalogue's rule: ``jsonld.unknown-type``, ``jsonld.unknown-property``,
    ``jsonld.not-allowed`` (a property not on its type), ``jsonld.range`` (a value of the
    wrong kind), ``jsonld.retired`` (attic, superseded, pending) or ``jsonld.structure``
    (the context, the shape of @type)."""


@dataclass(frozen=True)
class _Vocab:
    types: Mapping[str, frozenset[str]]  # class -> itself and all its ancestors
    datatypes: frozenset[str]
    properties: Mapping[str, tuple[frozenset[str], frozenset[str]]]  # -> (domain, range)
    members: Mapping[str, str]  # enumeration member -> its enumeration type
    pending: frozenset[str]
    attic: frozenset[str]
    superseded: Mapping[str, str]


@functools.cache
def _vocab() -> _Vocab:
    package = (__package__ or "kdirectory.check") + ".schemaorg_data"
    text = resources.files(package).joinpath("vocab.json").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    return _Vocab(
        types={name: frozenset(line) for name, line in raw["types"].items()},
        datatypes=frozenset(raw["datatypes"]),
        properties={
            name: (frozenset(spec["domain"]), frozenset(spec["range"]))
            for name, spec in raw["properties"].items()
        },
        members=dict(raw["members"]),
        pending=frozenset(raw["pending"]),
        attic=frozenset(raw["attic"]),
        superseded=dict(raw["superseded"]),
    )


def type_lineage(name: str) -> frozenset[str]:
    """A schema.org type and all its ancestors (``MedicalClinic`` -> … ``LocalBusiness`` …);
    empty for an unknown type. Accepts ``https://schema.org/X`` as well as ``X``."""
    return _vocab().types.get(_short(name), frozenset())


def _short(term: str) -> str:
    for prefix in _PREFIXES:
        if term.startswith(prefix):
            return term[len(prefix) :]
    return term


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _alternatives(names: Iterable[str]) -> str:
    ordered = sorted(names)
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " or " + ordered[-1]


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    def __init__(self, vocab: _Vocab, *, allow_pending: bool) -> None:
        self.vocab = vocab
        self.allow_pending = allow_pending
        self.issues: list[VocabIssue] = []
        self._lineages: dict[tuple[str, ...], frozenset[str]] = {}
        self.shapes: dict[int, Hashable] = {}
        """The shape of each object and list of the document checked (see :func:`_shape`)."""

    def lineage(self, types: Iterable[str]) -> frozenset[str]:
        """The given classes and all their ancestors."""
        key = tuple(types)
        found = self._lineages.get(key)
        if found is None:
            found = self._lineages[key] = frozenset(
                name for t in key for name in self.vocab.types[t]
            )
        return found

    def report(self, path: str, message: str, rule: str = "jsonld.structure") -> None:
        self.issues.append(VocabIssue(path, message, rule))

    def status(self, path: str, term: str) -> None:
        """Report a term that schema.org has retired (or not yet accepted)."""
        if term in self.vocab.attic:
            self.report(path, f"{term!r} is retired (attic.schema.org)", "jsonld.retired")
        elif term in self.vocab.superseded:
            self.report(
                path, f"{term!r} is superseded by {self.vocab.superseded[term]!r}", "jsonld.retired"
            )
        elif term in self.vocab.pending and not self.allow_pending:
            self.report(path, f"{term!r} is only pending in schema.org", "jsonld.retired")

    def context(self, path: str, value: object) -> None:
        values = value if isinstance(value, list) else [value]
        for item in values:
            vocab = item.get("@vocab") if isinstance(item, dict) else item
            if vocab not in _CONTEXTS:
                self.report(path, f"@context {item!r} is not schema.org")

    def node_types(self, node: Mapping[str, object], path: str) -> list[str]:
        """The node's known schema.org classes; reports every unknown or retired one."""
        raw = node.get("@type")
        names = raw if isinstance(raw, list) else [raw]
        known: list[str] = []
        for name in names:
            if not isinstance(name, str):
                self.report(_join(path, "@type"), f"@type must be a string, not {name!r}")
                continue
            term = _short(name)
            if term in self.vocab.datatypes:
                self.report(
                    _join(path, "@type"),
                    f"{term!r} is a data type, not a node type",
                    "jsonld.unknown-type",
                )
            elif term in self.vocab.types:
                known.append(term)
                self.status(_join(path, "@type"), term)
            elif term in self.vocab.members:
                enumeration = self.vocab.members[term]
                self.report(
                    _join(path, "@type"),
                    f"{term!r} is a {enumeration} value, not a type",
                    "jsonld.unknown-type",
                )
            else:
                hint = _did_you_mean(term, self.vocab.types)
                self.report(
                    _join(path, "@type"),
                    f"unknown schema.org type {name!r}{hint}",
                    "jsonld.unknown-type",
                )
        return known

    def node(self, node: Mapping[str, object], path: str) -> list[str]:
        """Check one node and everything under it; returns its known types."""
        if "@context" in node:
            self.context(_join(path, "@context"), node["@context"])
        properties = [key for key in node if not key.startswith("@")]
        if "@type" not in node:
            if properties:
                self.report(path, "node has no @type")
            for key in properties:
                self.value(node[key], _join(path, key), None)
            return []
        types = self.node_types(node, path)
        lineage = self.lineage(types)
        kind = (self.allow_pending, *types)
        for key in properties:
            # Nodes of one kind repeat their properties from page to page: a property
            # found clean is not checked again.
            memo = (kind, key, _shape(node[key], self.shapes))
            if memo in _CLEAN:
                continue
            found = len(self.issues)
            self.property(node, key, path, types, lineage)
            if len(self.issues) == found:
                if len(_CLEAN) >= _KEPT:
                    _CLEAN.clear()
                _CLEAN.add(memo)
        return types

    def property(
        self,
        node: Mapping[str, object],
        key: str,
        path: str,
        types: list[str],
        lineage: frozenset[str],
    ) -> None:
        """Check one property of a node of the known classes ``types``."""
        key_path = _join(path, key)
        term = _short(key)
        spec = self.vocab.properties.get(term)
        if spec is None:
            base = term.removesuffix("-input").removesuffix("-output")
            if base != term and base in self.vocab.properties and "Action" in lineage:
                return  # schema.org's "<property>-input" annotation on actions
            hint = _did_you_mean(term, self.vocab.properties)
            self.report(
                key_path,
                f"unknown schema.org property {key!r}{hint}",
                "jsonld.unknown-property",
            )
            self.value(node[key], key_path, None)
            return
        self.status(key_path, term)
        domain, range_ = spec
        if types and not domain & lineage:
            self.report(
                key_path,
                f"{term!r} is not a property of {_alternatives(types)}"
                + (f" (it belongs on {_alternatives(domain)})" if domain else ""),
                "jsonld.not-allowed",
            )
        self.value(node[key], key_path, range_ or None)

    def value(self, value: object, path: str, range_: frozenset[str] | None) -> None:
        """Check a property value against the property's range (None: unchecked)."""
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.value(item, f"{path}[{index}]", range_)
        elif isinstance(value, dict):
            if "@value" in value:
                self.value(value["@value"], path, range_)
            elif "@list" in value or "@set" in value:
                self.value(value.get("@list", value.get("@set")), path, range_)
            elif "@type" not in value and all(key.startswith("@") for key in value):
                return  # a reference by @id to a node described elsewhere
            else:
                types = self.node(value, path)
                if types and range_ is not None:
                    self.nested_fits(types, path, range_)
        elif value is not None:
            self.plain(value, path, range_)

    def nested_fits(self, types: list[str], path: str, range_: frozenset[str]) -> None:
        lineage = self.lineage(types)
        if lineage & range_ or "Thing" in range_ or "Role" in lineage:
            return  # schema.org lets a Role stand in for any value
        self.report(
            path,
            f"a {_alternatives(types)} is not expected here (expected {_alternatives(range_)})",
            "jsonld.range",
        )

    def plain(self, value: object, path: str, range_: frozenset[str] | None) -> None:
        if range_ is None:
            return
        classes = range_ - self.vocab.datatypes
        if isinstance(value, bool):
            ok = "Boolean" in range_
        elif isinstance(value, int | float):
            ok = bool(range_ & (_NUMBER | _TEXT))
        elif isinstance(value, str):
            ok = self.plain_text(value, range_, classes)
            if classes and _short(value) in self.vocab.members:
                self.status(path, _short(value))
        else:
            ok = False
        if ok:
            return
        enumerations = self.enumerations(classes)
        if isinstance(value, str) and enumerations and enumerations == classes == range_:
            values = [m for m, e in self.vocab.members.items() if self.vocab.types[e] & range_]
            hint = _did_you_mean(_short(value), values)
            self.report(
                path, f"{value!r} is not a {_alternatives(range_)} value{hint}", "jsonld.range"
            )
        else:
            self.report(
                path, f"{value!r} does not fit (expected {_alternatives(range_)})", "jsonld.range"
            )

    def enumerations(self, classes: Iterable[str]) -> frozenset[str]:
        return frozenset(c for c in classes if "Enumeration" in self.vocab.types.get(c, ()))

    def plain_text(self, text: str, range_: frozenset[str], classes: frozenset[str]) -> bool:
        if range_ & _TEXT_OR_TEMPORAL:
            return True
        if range_ & _NUMBER and _is_number(text):
            return True
        if "Boolean" in range_ and _short(text) in _BOOLEAN_TEXT:
            return True
        if classes and classes != self.enumerations(classes):
            return True  # text is schema.org's fallback for any class, and so is an IRI
        if ":" in text and not text.startswith(_PREFIXES):
            return True  # an IRI from another vocabulary (e.g. GoodRelations days)
        member_of = self.vocab.members.get(_short(text))
        return member_of is not None and bool(self.vocab.types.get(member_of, frozenset()) & range_)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_VERBATIM_KEYS = frozenset({"@type", "@context"})
"""Keys whose values the checker reads as they are (type names, contexts)."""
_WALKED_KEYS = frozenset({"@graph", "@value", "@list", "@set"})
"""The other keywords whose values it walks into; it reads no other keyword's value."""
_NUMBER_TOKEN = ("#",)
_BOOLEAN_TOKEN = ("?",)
_STRING_TOKENS: dict[str, Hashable] = {}
"""What :func:`_shape` keeps of each string value seen (many repeat across pages)."""
_CLEAN: set[Hashable] = set()
"""Properties found to have no issue in this process, each as (pending allowed, the node's
types, the key, the value's shape): one of the same is not checked again."""
_KEPT = 200_000


def _shape(value: object, shapes: dict[int, Hashable]) -> Hashable:
    """What the checker reads of a JSON value: the keys of its objects, type names and
    contexts as they are, and of each other value only its kind (of a string, only what the
    vocabulary reads of it: whether it is a number, an IRI, an enumeration member or a
    boolean word). Two values of one shape are both clean or both not (the issues of one
    that is not quote its values). ``shapes`` holds the shape of each object and list
    already shaped, by ``id``: values nest, and each level is looked at."""
    if isinstance(value, dict | list):
        known = shapes.get(id(value))
        if known is None:
            if isinstance(value, list):
                known = ("[", *(_shape(item, shapes) for item in value))
            else:
                known = ("{", *(_member(key, item, shapes) for key, item in value.items()))
            shapes[id(value)] = known
        return known
    if isinstance(value, str):
        token = _STRING_TOKENS.get(value)
        if token is None:
            if len(_STRING_TOKENS) >= _KEPT:
                _STRING_TOKENS.clear()
            token = _STRING_TOKENS[value] = _string_token(value)
        return token
    if isinstance(value, bool):
        return _BOOLEAN_TOKEN
    if isinstance(value, int | float):
        return _NUMBER_TOKEN
    return None if value is None else ("!", repr(value))


def _member(key: str, value: object, shapes: dict[int, Hashable]) -> Hashable:
    """The shape of one key of an object and its value."""
    if key in _VERBATIM_KEYS:
        return (key, _frozen(value))
    if key[:1] == "@" and key not in _WALKED_KEYS:
        return (key, None)
    return (key, _shape(value, shapes))


def _frozen(value: object) -> Hashable:
    """``value`` itself, as a hashable value that tells each JSON type apart."""
    if isinstance(value, dict):
        return ("{", *((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("[", *map(_frozen, value))
    if isinstance(value, str):
        return ("=", value)
    return ("!", type(value).__name__, repr(value))


def _string_token(text: str) -> Hashable:
    """What the vocabulary reads of a string value (see :meth:`_Checker.plain_text`)."""
    term = _short(text)
    if term in _vocab().members or term in _BOOLEAN_TEXT:
        return ("=", text)
    first = text[:1]
    # float() accepts only text that starts with a space, a sign, a digit, a dot or the
    # i/n of inf and nan: most strings (names, URLs) are no number at a glance.
    number = not (first.isalpha() and first not in "iInN") and _is_number(text)
    return (number, ":" in text and not text.startswith(_PREFIXES))


def check_jsonld(doc: object, *, allow_pending: bool = True) -> list[VocabIssue]:
    """Check a JSON-LD document against schema.org 30.0; an empty list means it passes.

    Args:
        doc: parsed JSON-LD: an object with ``@context`` and ``@graph``, a single node,
            or a list of nodes.
        allow_pending: accept pending.schema.org terms (such as ``isAcceptingNewPatients``);
            with False they are reported too.
    """
    checker = _Checker(_vocab(), allow_pending=allow_pending)
    nodes: list[tuple[str, object]] = []
    if isinstance(doc, list):
        nodes = [(f"[{index}]", item) for index, item in enumerate(doc)]
    elif isinstance(doc, dict) and "@graph" in doc:
        if "@context" in doc:
            checker.context("@context", doc["@context"])
        for key in doc:
            if not key.startswith("@"):
                checker.report(key, f"{key!r} sits beside @graph, outside every node")
        graph = doc["@graph"]
        items = graph if isinstance(graph, list) else [graph]
        nodes = [(f"@graph[{index}]", item) for index, item in enumerate(items)]
    elif isinstance(doc, dict):
        nodes = [("", doc)]
    else:
        checker.report("", "expected a JSON-LD object or a list of them")
    for path, node in nodes:
        if isinstance(node, dict):
            checker.node(node, path)
        else:
            checker.report(path, f"expected a node (a JSON object), not {node!r:.40}")
    return checker.issues

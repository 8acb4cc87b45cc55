"""Page fingerprints: a digest of everything a page is rendered from, so that a rebuild
renders only the pages whose fingerprint changed (see :mod:`kdirectory.site.page_cache`).

A page is rendered from its :class:`~kdirectory.site.plan.Page` (its context included), the
templates and the Jinja environment's globals. The fingerprint of a page is the digest of
its page, walked value by value (dataclasses, pydantic models, lists, dicts, strings,
numbers, dates; its JSON-LD as the JSON text the page prints), salted with the digest of
the rest: kdirectory's code and installed packages, every template's source, the globals
and the site's base path. A value the walk
does not know makes the page unfingerprintable: it is then rendered on every build.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import struct
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from pydantic import BaseModel

from kdirectory.record.cache import fingerprint as record_fingerprint
from kdirectory.record.cache import package_digest

if TYPE_CHECKING:
    from jinja2 import Environment

    from kdirectory.site.plan import Page

_FORMAT = b"kdirectory page fingerprint 1"
_FLOAT = struct.Struct("!d")
_INT = struct.Struct("!Q")


class UnfingerprintableError(TypeError):
    """A value of a type whose rendering a fingerprint cannot vouch for."""


def _digest() -> hashlib.blake2b:
    return hashlib.blake2b(digest_size=20)


class Fingerprints:
    """Fingerprints of the pages of one build, salted with ``salt`` (see :func:`salt`).

    An object (a dataclass or pydantic model: the clinic views, cities, states and facts
    that many pages share) is walked once and stands in every later page by its digest:
    nothing changes them once the pages are planned. The page itself is walked anew each
    time (the uniqueness gate changes whether it is indexable).
    """

    def __init__(self, salt: bytes) -> None:
        self._salt = salt
        self._shared: dict[int, tuple[object, bytes]] = {}
        self._fields: dict[type, tuple[bytes, tuple[str, ...]] | None] = {}

    def page(self, page: Page) -> bytes | None:
        """The fingerprint of ``page``; ``None`` when it holds a value the walk does not
        know."""
        out = [self._salt]
        fields = _fields(page)
        graph = fields.pop("jsonld", None)
        try:
            self.feed(out, {"page": type(page).__qualname__, **fields})
            _feed_json(out, graph)
        except UnfingerprintableError:
            return None
        return hashlib.blake2b(b"".join(out), digest_size=20).digest()

    def feed(self, out: list[bytes], value: object) -> None:
        """Add ``value``, walked, to the parts ``out`` of what is hashed.

        Raises:
            UnfingerprintableError: ``value`` holds a value of a kind the walk does not know.
        """
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")  # type: ignore[attr-defined]
            out.append(b"s%d:" % len(data))
            out.append(data)
        elif value is None:
            out.append(b"N")
        elif kind is bool:
            out.append(b"T" if value else b"F")
        elif kind is int:
            out.append(b"i%d;" % value)  # type: ignore[str-format]
        elif kind is list or kind is tuple:
            size = len(value)  # type: ignore[arg-type]
            out.append((b"[%d" if kind is list else b"(%d") % size)
            for item in value:  # type: ignore[attr-defined]
                self.feed(out, item)
        elif kind is dict:
            out.append(b"{%d" % len(value))  # type: ignore[arg-type]
            for key, item in value.items():  # type: ignore[attr-defined]
                self.feed(out, key)
                self.feed(out, item)
        elif kind is float:
            out.append(b"f" + _FLOAT.pack(value))
        else:
            self._other(out, value, kind)

    def _other(self, out: list[bytes], value: object, kind: type) -> None:
        if kind in self._fields:
            shape = self._fields[kind]
        else:
            shape = self._fields[kind] = _shape_of(kind)
        if shape is not None:  # a dataclass or a pydantic model: walked once a build
            known = self._shared.get(id(value))
            if known is None or known[0] is not value:
                name, fields = shape
                walked = [name]
                for field in fields:
                    self.feed(walked, getattr(value, field))
                digest = hashlib.blake2b(b"".join(walked), digest_size=20).digest()
                known = self._shared[id(value)] = (value, digest)
            out.append(b"o" + known[1])
        elif isinstance(value, str):  # Markup, which renders unescaped: kept apart from str
            data = value.encode("utf-8", "surrogatepass")
            out.append(b"m%d:" % len(data))
            out.append(data)
        elif isinstance(value, bytes):
            out.append(b"b%d:" % len(value))
            out.append(value)
        elif isinstance(value, Mapping):
            self.feed(out, dict(value))
        elif isinstance(value, tuple):  # a named tuple
            out.append(b"t" + kind.__qualname__.encode())
            self.feed(out, tuple(value))
        elif isinstance(value, datetime | date | time):
            out.append(b"d" + kind.__name__.encode() + value.isoformat().encode())
        elif isinstance(value, enum.Enum):
            out.append(b"e" + kind.__qualname__.encode())
            self.feed(out, value.value)
        elif isinstance(value, set | frozenset):
            parts = []
            for item in value:
                part: list[bytes] = []
                self.feed(part, item)
                parts.append(hashlib.blake2b(b"".join(part), digest_size=20).digest())
            out.append(b"<%d" % len(parts) + b"".join(sorted(parts)))
        else:
            raise UnfingerprintableError(kind.__qualname__)


def _feed_json(out: list[bytes], graph: object) -> None:
    """Add a page's JSON-LD as the JSON text it is rendered to (the page template prints it
    through ``json.dumps``, see :func:`kdirectory.site.templating.jsonld_script_text`): the
    same text renders the same, and ``json.dumps`` makes it many times faster than the walk.

    Raises:
        UnfingerprintableError: it holds a value JSON does not know (rendering it fails too).
    """
    try:
        text = json.dumps(graph, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise UnfingerprintableError(str(error)) from None
    data = text.encode("utf-8", "surrogatepass")
    out.append(b"j%d:" % len(data))
    out.append(data)


def _shape_of(kind: type) -> tuple[bytes, tuple[str, ...]] | None:
    """The name and fields of a dataclass or pydantic model class; ``None`` for another."""
    name = f"({kind.__module__}.{kind.__qualname__}".encode()
    if dataclasses.is_dataclass(kind):
        return name, tuple(f.name for f in dataclasses.fields(kind))
    if issubclass(kind, BaseModel):
        return name, tuple(kind.model_fields)
    return None


def _fields(value: object) -> dict[str, object]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # type: ignore[arg-type]


@functools.cache
def code_fingerprint() -> str:
    """What pages are made by: the record cache's fingerprint (kdirectory's version, Python,
    the installed packages, the time-zone database) and every file of the kdirectory
    package (the planner, the views, the filters, the geocoder...), so that changing any of
    them, even without a new version, plans and renders every page again."""
    return hashlib.sha256(record_fingerprint().encode() + package_digest()).hexdigest()[:32]


def salt(env: Environment, code: str, base_path: str) -> bytes:
    """The digest of what every page is rendered with besides its own values: ``code``
    (kdirectory's and its packages' fingerprint), every template's source, the globals of
    ``env`` (a function by its name: its code is in ``code``, its data in the templates)
    and ``base_path``.

    Raises:
        UnfingerprintableError: a global holds a value the walk does not know (no page can
            then be vouched for).
    """
    found = _digest()
    found.update(_FORMAT + code.encode() + b"\0" + base_path.encode())
    loader = env.loader
    assert loader is not None
    for name in sorted(loader.list_templates()):
        try:
            source = loader.get_source(env, name)[0]
        except (UnicodeDecodeError, OSError) as error:  # a binary file among the templates
            source = f"unreadable: {error}"
        data = source.encode("utf-8", "surrogatepass")
        found.update(name.encode() + b"\0" + _INT.pack(len(data)) + data)
    walker = Fingerprints(b"")
    for name in sorted(env.globals):
        value = env.globals[name]
        found.update(b"g" + name.encode())
        if callable(value):
            found.update(_callable_name(value))
            continue
        parts: list[bytes] = []
        walker.feed(parts, value)
        found.update(b"".join(parts))
    for name in sorted(env.filters):
        found.update(b"F" + name.encode() + _callable_name(env.filters[name]))
    return found.digest()


def _callable_name(value: Callable[..., object]) -> bytes:
    module = getattr(value, "__module__", "")
    name = getattr(value, "__qualname__", type(value).__qualname__)
    return f"{module}.{name}".encode()

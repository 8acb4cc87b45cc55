"""Page fingerprints: a digest of everything a page is rendered from, so that a rebuild
renders only the pages whose fingerprint changed (see :mod:`kdirectory.site.page_cache`).

A page is rendered from its :class:`~kdirectory.site.plan.Page` (its context included), the
templates and the Jinja environment's globals. The fingerprint of a page is the digest of
its page, walked value by value (dataclasses, pydantic models, lists, dicts, strings,
numbers, dates), salted with the digest of the rest: kdirectory's code and installed
packages, every template's source, the globals and the site's base path. A value the walk
does not know makes the page unfingerprintable: it is then rendered on every build.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import struct
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

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

    def page(self, page: Page) -> bytes | None:
        """The fingerprint of ``page``; ``None`` when it holds a value the walk does not
        know."""
        found = _digest()
        found.update(self._salt)
        try:
            self.feed(found, {"page": type(page).__qualname__, **_fields(page)})
        except UnfingerprintableError:
            return None
        return found.digest()

    def feed(self, out: Any, value: object) -> None:
        """Feed ``value`` into the hash ``out``, walked.

        Raises:
            UnfingerprintableError: ``value`` holds a value of a kind the walk does not know.
        """
        kind = type(value)
        if value is None or isinstance(value, bool):
            out.update(b"N" if value is None else b"T" if value else b"F")
        elif isinstance(value, int) and kind is int:
            out.update(b"i" + str(value).encode() + b";")
        elif isinstance(value, str):  # str and Markup (which renders unescaped: kept apart)
            data = value.encode("utf-8", "surrogatepass")
            out.update((b"s" if kind is str else b"m") + _INT.pack(len(data)) + data)
        elif isinstance(value, bytes):
            out.update(b"b" + _INT.pack(len(value)) + value)
        elif isinstance(value, float) and kind is float:
            out.update(b"f" + _FLOAT.pack(value))
        elif kind is list or kind is tuple:
            assert isinstance(value, list | tuple)
            out.update(b"[" + _INT.pack(len(value)))
            for item in value:
                self.feed(out, item)
        elif isinstance(value, Mapping):
            out.update(b"{" + _INT.pack(len(value)))
            for key, item in value.items():
                self.feed(out, key)
                self.feed(out, item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            self._object(out, value, _fields(value))
        elif isinstance(value, BaseModel):
            self._object(out, value, value.__dict__)
        elif isinstance(value, tuple):  # a named tuple
            out.update(b"t" + kind.__qualname__.encode() + _INT.pack(len(value)))
            for item in value:
                self.feed(out, item)
        elif isinstance(value, datetime | date | time):
            out.update(b"d" + kind.__name__.encode() + value.isoformat().encode())
        elif isinstance(value, enum.Enum):
            out.update(b"e" + kind.__qualname__.encode())
            self.feed(out, value.value)
        elif isinstance(value, set | frozenset):
            parts = []
            for item in value:
                part = _digest()
                self.feed(part, item)
                parts.append(part.digest())
            out.update(b"<" + _INT.pack(len(parts)) + b"".join(sorted(parts)))
        else:
            raise UnfingerprintableError(kind.__qualname__)

    def _object(self, out: Any, value: object, fields: Mapping[str, object]) -> None:
        known = self._shared.get(id(value))
        if known is None or known[0] is not value:
            part = _digest()
            kind = type(value)
            part.update(b"(" + f"{kind.__module__}.{kind.__qualname__}".encode())
            self.feed(part, fields)
            known = self._shared[id(value)] = (value, part.digest())
        out.update(b"o" + known[1])


def _fields(value: object) -> dict[str, object]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # type: ignore[arg-type]


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
        walker.feed(found, value)
    for name in sorted(env.filters):
        found.update(b"F" + name.encode() + _callable_name(env.filters[name]))
    return found.digest()


def _callable_name(value: Callable[..., object]) -> bytes:
    module = getattr(value, "__module__", "")
    name = getattr(value, "__qualname__", type(value).__qualname__)
    return f"{module}.{name}".encode()

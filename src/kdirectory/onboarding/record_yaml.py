"""The YAML text of an imported record, written directly for the shapes rows have.

:func:`~kdirectory.record.write.dump_record` runs PyYAML's representer, resolver and
libyaml's emitter on every value: about a millisecond a record, a fifth of an import's
time. An imported record is a mapping of field names to text, booleans, lists of text and
one level of mappings of the same (address, hours, geo); for those values this module
writes the text libyaml would write: plain style when the text cannot be read as anything
else, single quotes otherwise (a string of digits, ``#12``, ``yes``), long text folded at a
space past column 80 onto a line indented under its key. Anything else (a leading or
trailing space, a character that needs double quotes and escapes, an empty list, another
type) is left to ``dump_record``, entry by entry, so the text is always the same as
``dump_record``'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml

from kdirectory.record.write import dump_record

BEST_WIDTH = 80
"""libyaml's line width: a plain scalar is folded at the first space after this column."""
INDENT = 2
"""libyaml's indent for a nested mapping and for the continuation lines of a scalar."""

_KEY = re.compile(r"[a-z_][a-z0-9_]*\Z")
_NOT_PLAIN_CHAR = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
"""Outside what libyaml prints as it is: controls, tab, line breaks (NEL, U+2028/9),
surrogates, BOM, U+FFFE/F and beyond the BMP."""
_INDICATOR_INSIDE = re.compile(r": | #|:\Z")
"""``: `` or `` #`` inside, or ``:`` at the end: a key or a comment if written plain."""
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
_STR_TAG = "tag:yaml.org,2002:str"


class _UnusualShapeError(Exception):
    """A value this module does not write; its entry goes to ``dump_record``."""


def record_yaml(record: Mapping[str, Any]) -> str:
    """``dump_record(record)``, from :func:`entry_texts`."""
    return "".join(text for _key, text in entry_texts(record))


def entry_texts(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each field of ``record`` with its text in ``dump_record(record)``: a block mapping's
    text is its entries' texts in order (PyYAML writes no alias), so an entry this module
    does not write is ``dump_record`` of that entry alone."""
    texts = []
    for key, value in record.items():
        try:
            text = _entry(key, value, 0)
        except _UnusualShapeError:
            text = dump_record({key: value})
        texts.append((key, text))
    return texts


def _entry(key: object, value: object, indent: int) -> str:
    """One ``key: value`` entry of a block mapping whose keys start at column ``indent``."""
    if not isinstance(key, str):
        raise _UnusualShapeError
    head = _head(key, indent)
    if isinstance(value, bool):
        return f"{head} {'true' if value else 'false'}\n"
    if isinstance(value, str):
        return f"{head} {_scalar(value, len(head) + 1, indent + INDENT)}\n"
    if isinstance(value, list) and value:
        if not all(isinstance(item, str) for item in value):
            raise _UnusualShapeError
        return f"{head}\n{_sequence(tuple(value), indent)}"
    if isinstance(value, dict) and value and indent == 0:
        entries = "".join(_entry(k, v, indent + INDENT) for k, v in value.items())
        return f"{head}\n{entries}"
    raise _UnusualShapeError


@lru_cache(maxsize=256)
def _head(key: str, indent: int) -> str:
    """``key:`` at column ``indent``, for a field name (lower case, digits, ``_``)."""
    if not _KEY.match(key) or not _plain(key):
        raise _UnusualShapeError
    return f"{' ' * indent}{key}:"


@lru_cache(maxsize=4096)
def _sequence(items: tuple[str, ...], indent: int) -> str:
    """The ``- item`` lines of a block sequence under a key at column ``indent`` (PyYAML does
    not indent a mapping's sequences). Kept: lists such as conditions and payment recur."""
    return "".join(
        f"{' ' * indent}- {_scalar(item, indent + 2, indent + INDENT)}\n" for item in items
    )


@lru_cache(maxsize=16_384)
def _scalar(value: str, column: int, indent: int) -> str:
    """``value`` as libyaml writes it starting at ``column``, its continuation lines (if it
    is folded) indented by ``indent``: plain when it can be, else in single quotes. Kept:
    most values (a state, a time zone, hours) recur."""
    if not value.isdigit() and _plain(value):  # dump_record quotes digits (ZIP codes)
        return _folded(value, column, indent)
    if value[:1] == " " or value[-1:] == " " or _NOT_PLAIN_CHAR.search(value):
        raise _UnusualShapeError  # double quotes, or single quotes folded differently at the ends
    quoted = _folded(value.replace("'", "''"), column + 1, indent)
    return f"'{quoted}'"


def _plain(text: str) -> bool:
    """Whether libyaml writes ``text`` in plain style in a block and PyYAML reads it back as
    a string; ``False`` also for some text that is (the caller then leaves it to PyYAML)."""
    if not text or text[0] == " " or text[-1] == " ":
        return False
    first = text[0]
    if first in _FIRST_INDICATORS or text.startswith(("---", "...")):
        return False
    if first in "-?:" and (len(text) == 1 or text[1] == " "):
        return False
    if _NOT_PLAIN_CHAR.search(text) or _INDICATOR_INSIDE.search(text):
        return False
    resolvers = _RESOLVERS.get(first, []) + _RESOLVERS.get(None, [])
    return not any(pattern.match(text) for _tag, pattern in resolvers)


def _folded(text: str, column: int, indent: int) -> str:
    """Plain ``text`` written from ``column``: libyaml breaks the line at a single space met
    past :data:`BEST_WIDTH` and goes on at ``indent``."""
    if column + text.rfind(" ") <= BEST_WIDTH:
        return text
    if "  " in text:
        raise _UnusualShapeError
    lines: list[str] = []
    line: list[str] = []
    for word in text.split(" "):
        if line and column > BEST_WIDTH:
            lines.append(" ".join(line))
            line, column = [], indent
        elif line:
            column += 1
        line.append(word)
        column += len(word)
    lines.append(" ".join(line))
    return ("\n" + " " * indent).join(lines)

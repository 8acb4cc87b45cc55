"""Text from a spreadsheet, made safe to show and to hand back to a spreadsheet.

A cell or a header is the user's (or an attacker's) text. Before it goes into a message or
onto the terminal, :func:`shown` writes control characters (an ESC would drive the
terminal) and bidirectional overrides (which reorder what the reader sees) as escapes such
as ``\\x1b``; :func:`listed` keeps a list of values to a few entries, so 200,000 headers do
not make a 2 MB message. Rich markup is never interpreted: the console prints user text
as :class:`rich.text.Text` or with markup off.

Before a cell is written to ``rejected.csv``, :func:`spreadsheet_cell` prefixes it with
``'`` when a spreadsheet program would read it as a formula (CSV injection); the importer
reads that prefix as protection and drops it again (:func:`unprotected`), and
:func:`is_formula` recognises a formula after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kdirectory.report import printable

MAX_LISTED = 10
"""Values named in one message; the rest are counted ("… and 12 more")."""
MAX_SHOWN_CHARS = 80
"""Characters of one value quoted in a message."""


CONTROL_CHARACTER = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
"""A control character no cell may hold: C0 and C1 controls and DEL, except tab, the line
breaks (LF, CR, VT, FF, NEL; read as line breaks or spaces) which spreadsheets write inside
cells."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet program reads as the start of a formula (OWASP, CSV injection)."""
_LEADING_QUOTES = re.compile(r"^[\s']+")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_FUNCTION_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(")
"""A function call (``HYPERLINK(``, ``SUM(``): with a ``|`` (a call to another program),
what makes ``+``, ``-`` or ``@`` start a formula that does something rather than a phone
number (``+1 760 …``) or a handle (``@harbor``)."""


def shown(text: object, limit: int | None = MAX_SHOWN_CHARS) -> str:
    """``text`` as it may be printed or put into a message: control characters, line breaks
    and bidirectional controls written as escapes (``\\x1b``, ``\\x0a``, ``\\u202e``), and
    clipped to ``limit`` characters with "…" (``None``: never clipped).

    >>> shown("Harbor\\x1b[31m Clinic")
    'Harbor\\\\x1b[31m Clinic'
    """
    value = str(text)
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    return printable(value)


def quoted(text: object, limit: int | None = MAX_SHOWN_CHARS) -> str:
    """``"text"`` for a message, as :func:`shown` makes it safe."""
    return f'"{shown(text, limit)}"'


def listed(values: Iterable[object], limit: int = MAX_LISTED) -> str:
    """The first ``limit`` values, quoted, then how many more: ``"a", "b", … and 12 more``."""
    items: list[str] = []
    more = 0
    for value in values:
        if len(items) < limit:
            items.append(quoted(value))
        else:
            more += 1
    text = ", ".join(items)
    return f"{text}, … and {more:,} more" if more else text


def control_characters(text: str) -> str | None:
    """What is wrong with ``text`` when it holds a control character no cell or answer may
    hold (:data:`CONTROL_CHARACTER`), else ``None``: ``holds the control character \x1b
    (first at character 7: "Harbor\x1b[31m")``, never the raw character."""
    match = CONTROL_CHARACTER.search(text)
    if match is None:
        return None
    found = sorted({shown(char) for char in CONTROL_CHARACTER.findall(text)})
    plural = "s" if len(found) > 1 else ""
    return (
        f"holds the control character{plural} {', '.join(found)} (first at character "
        f"{match.start() + 1}: {quoted(text, 60)})"
    )


def needs_protection(text: str) -> bool:
    """Whether a spreadsheet program might run ``text`` as a formula: it starts with a
    formula character (``= + - @``, tab, carriage return), also after leading spaces or
    quotes. Plain numbers (``-117.08``) cannot run anything."""
    if _PLAIN_NUMBER.match(text):
        return False
    return text.startswith(FORMULA_START) or text.lstrip(" \t\r\n'\"").startswith(FORMULA_START)


def spreadsheet_cell(text: str) -> str:
    """``text`` as a cell of a CSV file a spreadsheet program may open: prefixed with ``'``
    when :func:`needs_protection`, so that the program shows it as text instead of running
    it (OWASP's advice against CSV injection)."""
    return "'" + text if needs_protection(text) else text


def unprotected(text: str) -> str:
    """``text`` without the ``'`` that :func:`spreadsheet_cell` put before it: ``'=SUM(A1)``
    -> ``=SUM(A1)`` (a formula, then rejected), ``'+1 760 555 0123`` -> ``+1 760 555 0123``.
    Any other leading ``'`` (``'Ohana Clinic``) is the text's own and kept."""
    if text.startswith("'") and needs_protection(text[1:]):
        return text[1:]
    return text


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (leading spaces and ``'`` aside,
    since ``'=A1`` is a formula once the quote is taken for protection): it starts with
    ``=``, or with ``+``, ``-`` or ``@`` and calls a function (``@SUM(A1)``,
    ``+HYPERLINK(…)``) or another program (``-2+3+cmd|' /C calc'!A0``) in its first word.
    A phone number (``+1 (760) 555-0123``), a negative number, a name such as ``-Harbor-``
    or a description that starts as a list (``- IV infusion (in clinic)``) is not."""
    value = _LEADING_QUOTES.sub("", text)
    if value.startswith("="):
        return True
    if not value.startswith(("+", "-", "@")):
        return False
    head = value.split(maxsplit=1)[0]  # "- Spravato(esketamine) …" is a list, not a call
    return "|" in head or _FUNCTION_CALL.search(head) is not None

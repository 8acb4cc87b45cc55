"""What one page of a built site yields on its own, from its bytes and its path (and the
site's URL): its page rules' findings, what the rules across pages keep of it, and its links
into the site, not yet resolved. This is what the check cache keeps for a page whose bytes
have not changed; whether its links lead anywhere depends on the other files, and is worked
out on every run (:func:`kdirectory.check.site_rules.link_findings`).

A record is kept as three values: its facts as zlib-compressed JSON, its shingles as the
bytes of their ``uint32`` array and its MinHash signature (when it was computed) likewise.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kdirectory.check.findings import finding
from kdirectory.check.page import page_shingle_array, read_page
from kdirectory.check.page_rules import page_findings
from kdirectory.check.redirect_rules import redirect_page_findings, redirect_target
from kdirectory.check.similarity import signature
from kdirectory.check.site_rules import SiteFiles, SiteLink, site_links
from kdirectory.report import Problem

_NOT_HTML = "not a UTF-8 HTML document (empty, binary, or another encoding)"
_NO_SHINGLES = np.zeros(0, dtype=np.uint32)
_SIGNATURE_BYTES = signature(_NO_SHINGLES).size * 4


@dataclass
class PageRecord:
    """What one page yields on its own. ``readable`` is false for a file that is not an
    HTML page (its one finding says so): it has no summary for the rules across pages."""

    problems: list[Problem]
    readable: bool = True
    title: str | None = None
    description: str | None = None
    noindex: bool = True
    ids: tuple[str, ...] = ()
    shingles: np.ndarray = field(default_factory=lambda: _NO_SHINGLES)
    signature: np.ndarray | None = None
    redirect: str | None = None
    links: tuple[SiteLink, ...] = ()
    lines: dict[str, int | None] = field(default_factory=dict)
    """The line of each ``href`` with a fragment (an anchor is reported at it); the lines
    of other links are looked up only for a link that turns out broken."""


def read_record(name: str, data: bytes, site: SiteFiles, signatures: bool) -> PageRecord:
    """Read the page ``name`` (its bytes ``data``) and run the page rules on it; with
    ``signatures``, an indexable page's MinHash signature is computed too."""
    facts = read_page(name, data)
    if facts is None:
        return PageRecord([finding(name, "html.unreadable", _NOT_HTML)], readable=False)
    ids = tuple(sorted(facts.ids))
    target = redirect_target(facts, site.base_url)
    if target is not None:  # a redirect page: where it leads is all that matters
        return PageRecord(redirect_page_findings(facts, target), ids=ids, redirect=target)
    shingled = page_shingle_array(facts)
    links = site_links(facts, site)
    return PageRecord(
        page_findings(facts, site.base_url),
        title=facts.titles[0] if len(facts.titles) == 1 else None,
        description=facts.descriptions[0] if len(facts.descriptions) == 1 else None,
        noindex=facts.noindex,
        ids=ids,
        shingles=shingled,
        signature=signature(shingled) if signatures and not facts.noindex else None,
        links=links,
        lines={href: facts.line_of(href) for href, _, fragment in links if fragment},
    )


class DamagedRecordError(Exception):
    """What a cache row holds is not a record this code wrote; the message says why."""


Encoded = tuple[bytes, bytes, bytes | None]
"""A record as the cache keeps it: facts, shingles, signature."""


def encode_record(record: PageRecord) -> Encoded:
    """The record as the three values the cache keeps."""
    facts = [
        [[p.rule, p.file, p.line, p.field, p.message, p.fix] for p in record.problems],
        record.readable,
        record.title,
        record.description,
        record.noindex,
        list(record.ids),
        record.redirect,
        [list(link) for link in record.links],
        list(record.lines.items()),
    ]
    text = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    return (
        zlib.compress(text.encode("utf-8"), 1),
        record.shingles.astype("<u4").tobytes(),
        None if record.signature is None else record.signature.astype("<u4").tobytes(),
    )


def decode_record(encoded: Encoded) -> PageRecord:
    """A record back from :func:`encode_record`'s values.

    Raises:
        DamagedRecordError: they are not what :func:`encode_record` writes.
    """
    packed, shingles, found = encoded
    try:
        facts = json.loads(zlib.decompress(packed))
        problems, readable, title, description, noindex, ids, redirect, links, lines = facts
        record = PageRecord(
            [_problem(*values) for values in problems],
            readable=_typed(readable, bool),
            title=_text(title),
            description=_text(description),
            noindex=_typed(noindex, bool),
            ids=tuple(_typed(i, str) for i in ids),
            redirect=_text(redirect),
            links=tuple((_typed(h, str), _typed(a, str), _typed(f, str)) for h, a, f in links),
            lines={_typed(href, str): _line(line) for href, line in lines},
        )
    except (zlib.error, ValueError, TypeError, KeyError) as error:
        raise DamagedRecordError(f"its facts do not read back ({error!s:.80})") from None
    if len(shingles) % 4 or (found is not None and len(found) != _SIGNATURE_BYTES):
        raise DamagedRecordError("its shingles or signature are not whole 32-bit values")
    record.shingles = np.frombuffer(shingles, dtype="<u4").astype(np.uint32)
    if found is not None:
        record.signature = np.frombuffer(found, dtype="<u4").astype(np.uint32)
    return record


def _problem(
    rule: Any, file: Any, line: Any, where: Any, message: Any, fix: Any
) -> Problem:  # a KeyError for a rule the catalogue does not have
    return Problem(
        _typed(rule, str), _typed(file, str), _line(line), _typed(where, str),
        _typed(message, str), _text(fix),
    )  # fmt: skip


def _typed(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise TypeError(f"{kind.__name__} expected, not {type(value).__name__}")
    return value


def _text(value: Any) -> str | None:
    return None if value is None else _typed(value, str)


def _line(value: Any) -> int | None:
    return None if value is None else _typed(value, int)

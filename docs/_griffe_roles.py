"""A griffe extension for the API reference: the Sphinx cross-reference roles some
docstrings use (``:class:`~kdirectory.report.Report```, ``:meth:`add```) are shown as code
(`Report`, `add`), as Sphinx shows them, instead of as raw role markup."""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:attr|class|const|data|exc|func|meth|mod|obj|type):`(~?)([^`]+)`")


def _shown(match: re.Match[str]) -> str:
    short, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring as the object is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_shown, obj.docstring.value)

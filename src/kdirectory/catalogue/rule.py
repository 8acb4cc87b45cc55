"""What a rule of the catalogue is: a stable id, a severity, the commands that report it,
what it checks and how to fix what it finds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
"""An error fails the command (and stops a build); a warning fails it only under
``--strict``."""
Stage = Literal["validate", "geocode", "check"]
"""The command whose run reports the rule (``build`` runs validate and check, ``import`` and
``new`` run validate's rules on every row and answer)."""
STAGES: tuple[Stage, ...] = ("validate", "geocode", "check")

VALIDATE: tuple[Stage, ...] = ("validate",)
GEOCODE: tuple[Stage, ...] = ("geocode",)
CHECK: tuple[Stage, ...] = ("check",)


@dataclass(frozen=True)
class Rule:
    """One rule: ``id`` is what tools match on (``phone.invalid``, ``html.h1``); ``checks``
    says what must hold, ``fix`` how to make it hold."""

    id: str
    severity: Severity
    stages: tuple[Stage, ...]
    checks: str
    fix: str

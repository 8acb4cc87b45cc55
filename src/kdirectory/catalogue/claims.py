"""The claims lint: wording a health page must not use about ketamine treatment. Each rule
reads a record's own text (name, description, price) in ``validate`` and every page's
title, description and text in ``check``, with the same id and severity in both, so an
overclaim stops the build before it is published. The patterns are in
:mod:`kdirectory.record.claims`."""

from __future__ import annotations

from kdirectory.catalogue.rule import Rule, Stage

CLAIM_FIX = "reword it modestly: say what studies found and how treatment is monitored"
_BOTH: tuple[Stage, ...] = ("validate", "check")


def _claim(rule_id: str, checks: str) -> Rule:
    return Rule(rule_id, "error", _BOTH, checks, CLAIM_FIX)


RULES = (
    _claim("claims.cure", 'no promise of a cure ("cures", "cured")'),
    _claim("claims.guarantee", "no guaranteed outcome"),
    _claim("claims.hundred_percent", 'no "100%" or "100 percent" claims'),
    _claim("claims.no_side_effects", 'no "no side effects" or "side-effect free"'),
    _claim("claims.completely_safe", 'no "completely safe" or "risk-free"'),
    _claim("claims.not_addictive", 'no "non-addictive" or "not habit-forming"'),
    _claim(
        "claims.fda_depression",
        "no claim that ketamine is FDA-approved for depression, anxiety, PTSD or OCD "
        "(only esketamine is, for specific depression indications)",
    ),
    _claim(
        "claims.versus_antidepressants",
        'no "faster", "safer" or "better than antidepressants" comparisons',
    ),
    _claim(
        "claims.unmonitored_home_use", "no at-home or unsupervised ketamine use without monitoring"
    ),
)

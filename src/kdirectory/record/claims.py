"""Claims lint: wording a health page must not use about ketamine treatment.

Each rule is a regular expression over prose with the reason it misleads patients. Both
``kdirectory validate`` (over a record's own text) and ``kdirectory check`` (over page text)
use these patterns; each is one rule of the catalogue (:mod:`kdirectory.catalogue.claims`),
with one id and one severity for both: an error-level claim in a record stops the build, so
it is never published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ClaimRule:
    """One kind of overclaim: the catalogue's rule id, a pattern, and why it is not allowed."""

    rule: str
    pattern: re.Pattern[str]
    why: str
    # Case-folded words one of which every match contains, case-folded: a cheap test that
    # lets most texts skip the regular expression (``kdirectory check`` lints thousands of
    # pages), so each is as long as every match allows.
    needles: tuple[str, ...]


def _rule(rule_id: str, pattern: str, why: str, needles: tuple[str, ...]) -> ClaimRule:
    return ClaimRule(rule_id, re.compile(pattern, re.IGNORECASE), why, needles)


CLAIM_RULES: tuple[ClaimRule, ...] = (
    _rule(
        "claims.cure",
        r"\bcur(?:e|es|ed|ing)\b",
        "ketamine treatment can relieve symptoms; no one can promise a cure",
        ("cure", "curing"),
    ),
    _rule(
        "claims.guarantee",
        r"\bguarantee(?:d|s)?\b",
        "no treatment outcome can be guaranteed",
        ("guarantee",),
    ),
    _rule(
        "claims.hundred_percent",
        r"\b100\s?%|\b100 percent\b",
        "no treatment works for everyone",
        ("100",),
    ),
    _rule(
        "claims.no_side_effects",
        r"\bno (?:known )?side[- ]effects?\b|\bside[- ]effect[- ]free\b",
        "ketamine has side effects (raised blood pressure, dissociation, nausea)",
        ("side effect", "side-effect"),
    ),
    _rule(
        "claims.completely_safe",
        r"\b(?:completely|totally|perfectly|100%) safe\b|\brisk[- ]free\b",
        "every treatment has risks; describe how they are monitored instead",
        ("y safe", "% safe", "risk free", "risk-free"),
    ),
    _rule(
        "claims.not_addictive",
        r"\bnon[- ]?addictive\b|\bnot (?:habit[- ]forming|addictive)\b",
        "ketamine can be misused and is a Schedule III controlled substance",
        ("addictive", "habit"),
    ),
    _rule(
        "claims.fda_depression",
        r"\bketamine\b[^.]{0,60}\bFDA[- ]approved for (?:the treatment of )?"
        r"(?:depression|anxiety|ptsd|ocd)"
        r"|\bFDA[- ]approved ketamine (?:for|treatment of) (?:depression|anxiety|ptsd)",
        "racemic ketamine is FDA-approved as an anaesthetic; its use for depression is "
        "off-label (only esketamine, Spravato, is approved, for specific depression indications)",
        ("fda",),
    ),
    _rule(
        "claims.versus_antidepressants",
        r"\b(?:faster|safer|better|more effective) than (?:traditional |other |oral )?"
        r"(?:antidepressants|ssris|medications?)\b",
        "comparative claims need evidence a patient can check; describe what studies found instead",
        ("er than ", "effective than "),
    ),
    _rule(
        "claims.unmonitored_home_use",
        r"\b(?:at[- ]home|home)\b[^.]{0,40}\bketamine\b[^.]{0,60}\b(?:without|no)\b[^.]{0,20}"
        r"\b(?:monitoring|supervision|doctor|visit)"
        r"|\bunsupervised\b[^.]{0,40}\bketamine\b",
        "ketamine needs medical monitoring; at-home use without it is unsafe",
        ("home", "unsupervised"),
    ),
)


@dataclass(frozen=True)
class ClaimFinding:
    """A phrase in some text that the claims rule ``rule`` matched."""

    rule: str
    phrase: str
    why: str


def fold(text: str) -> str:
    """``text`` case-folded so that every needle of a rule is in it wherever the rule's
    pattern matches: the two Turkish i's, which a case-blind pattern takes for ``i``, are
    ``i`` here too."""
    return text.casefold().replace("\u0131", "i").replace("i\u0307", "i")


def lint_claims(text: str) -> list[ClaimFinding]:
    """Every overclaim in ``text``, in order of appearance."""
    findings: list[tuple[int, ClaimFinding]] = []
    folded = fold(text)
    for rule in CLAIM_RULES:
        if not any(needle in folded for needle in rule.needles):
            continue
        for match in rule.pattern.finditer(text):
            phrase = " ".join(match.group(0).split())
            findings.append((match.start(), ClaimFinding(rule.rule, phrase, rule.why)))
    return [finding for _, finding in sorted(findings, key=lambda item: item[0])]

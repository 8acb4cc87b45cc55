"""Claims lint: wording a health page must not use about ketamine treatment.

Each rule is a regular expression over prose with the reason it misleads patients. Both
``kdirectory validate`` (over a record's own text) and ``kdirectory check`` (over page text)
use these patterns; each is one rule of the catalogue (:mod:`kdirectory.catalogue.claims`),
with one id and one severity for both: an error-level claim in a record stops the build, so
it is never published.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
    # A case-folded word every match has within so many characters of the start of a
    # needle, case-folded (a character folds to three at most): "home" is on every page.
    near: tuple[str, int] | None = None
    # Where every match starts: at a needle, or so many characters before one ("at home"),
    # so that in a text whose folded text lines up with it, character for character (no
    # character folds to more), the pattern is tried at those places alone rather than at
    # every character.
    starts: tuple[tuple[str, int], ...] | None = None

    def matches(self, text: str, folded: str, aligned: bool) -> Iterator[re.Match[str]]:
        """The pattern's matches in ``text`` (its :func:`fold` ``folded``, ``aligned`` when
        that lines up with it), as ``finditer`` finds them."""
        if self.starts is None or not aligned:
            yield from self.pattern.finditer(text)
            return
        places = {
            at - before
            for needle, before in self.starts
            for at in _occurrences(folded, needle)
            if at >= before
        }
        end = 0
        for place in sorted(places):
            if place < end:
                continue
            found = self.pattern.match(text, place)
            if found is not None:
                yield found
                end = found.end()

    def may_match(self, folded: str) -> bool:
        """Whether the pattern may match the text whose :func:`fold` is ``folded``."""
        if self.near is None:
            return any(needle in folded for needle in self.needles)
        word, reach = self.near
        return any(
            word in folded[at : at + reach]
            for needle in self.needles
            for at in _occurrences(folded, needle)
        )


def _occurrences(folded: str, needle: str) -> Iterator[int]:
    """Where ``needle`` starts in ``folded``, each place (overlapping ones too)."""
    at = folded.find(needle)
    while at != -1:
        yield at
        at = folded.find(needle, at + 1)


def _rule(
    rule_id: str,
    pattern: str,
    why: str,
    needles: tuple[str, ...],
    near: tuple[str, int] | None = None,
    starts: tuple[tuple[str, int], ...] | None = None,
) -> ClaimRule:
    return ClaimRule(rule_id, re.compile(pattern, re.IGNORECASE), why, needles, near, starts)


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
        starts=(("100", 0),),
    ),
    _rule(
        "claims.no_side_effects",
        r"\bno (?:known )?side[- ]effects?\b|\bside[- ]effect[- ]free\b",
        "ketamine has side effects (raised blood pressure, dissociation, nausea)",
        ("side effect", "side-effect"),
        starts=(("no side", 0), ("no known side", 0), ("side effect", 0), ("side-effect", 0)),
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
        near=("ketamine", 3 * (len("unsupervised") + 1 + 40 + len("ketamine"))),
        starts=(("home", 0), ("home", len("at ")), ("unsupervised", 0)),
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
    return _turkish_i(text.casefold())


def _turkish_i(folded: str) -> str:
    return folded.replace("\u0131", "i").replace("i\u0307", "i")


def lint_claims(text: str) -> list[ClaimFinding]:
    """Every overclaim in ``text``, in order of appearance."""
    findings: list[tuple[int, ClaimFinding]] = []
    cased = text.casefold()
    folded = _turkish_i(cased)
    aligned = len(text) == len(cased) == len(folded)  # no character folded to more, or less
    for rule in CLAIM_RULES:
        if not rule.may_match(folded):
            continue
        for match in rule.matches(text, folded, aligned):
            phrase = " ".join(match.group(0).split())
            findings.append((match.start(), ClaimFinding(rule.rule, phrase, rule.why)))
    return [finding for _, finding in sorted(findings, key=lambda item: item[0])]

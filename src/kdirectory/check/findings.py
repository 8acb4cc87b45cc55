"""The rules of ``kdirectory check``, what each finding says, and the report that holds them.

Rule ids are stable: tools and CI scripts may match on them. ``RULES`` is the catalogue the
README documents; every finding's severity and fix come from it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Literal

from kdirectory.record.claims import CLAIM_FIX, CLAIM_RULES

Severity = Literal["error", "warning"]
JSON_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Rule:
    """One kind of finding: its id, severity, what it checks and how to fix it."""

    id: str
    severity: Severity
    checks: str
    fix: str


_ALL = (
    Rule(
        "html.lang",
        "error",
        "the <html> element has a lang attribute",
        "set [site] language in kdirectory.toml, or add lang to <html> in your base template",
    ),
    Rule(
        "html.h1",
        "error",
        "exactly one <h1> per page",
        "give the page one main heading; make the others <h2>",
    ),
    Rule(
        "html.img-alt",
        "error",
        "every <img> has an alt attribute",
        'describe the image in alt="…", or use alt="" if it is decorative',
    ),
    Rule(
        "html.unreadable",
        "error",
        "the file parses as an HTML document",
        "rebuild the site; the file is damaged or is not HTML",
    ),
    Rule(
        "head.title",
        "error",
        "exactly one non-empty <title>",
        "give the page one <title> in its template",
    ),
    Rule(
        "head.title-length",
        "warning",
        "the title is 30-60 characters",
        "search results cut titles past about 60 characters and short ones say too little",
    ),
    Rule(
        "head.title-duplicate",
        "error",
        "no two pages share a title",
        "make each title name what only that page covers (the city, the clinic)",
    ),
    Rule(
        "head.description",
        "error",
        'exactly one non-empty <meta name="description">',
        "add a meta description to the page's template",
    ),
    Rule(
        "head.description-length",
        "warning",
        "the meta description is 70-160 characters",
        "write one or two sentences that summarise the page",
    ),
    Rule(
        "head.description-duplicate",
        "error",
        "no two pages share a meta description",
        "describe what only this page covers",
    ),
    Rule(
        "head.viewport",
        "error",
        'a <meta name="viewport"> with width=device-width',
        'add <meta name="viewport" content="width=device-width, initial-scale=1">',
    ),
    Rule(
        "head.canonical",
        "error",
        'exactly one absolute <link rel="canonical">',
        "set [site] base_url in kdirectory.toml (https://…) and rebuild",
    ),
    Rule(
        "head.canonical-self",
        "error",
        "the canonical URL is the page's own URL",
        "a page must name itself as canonical; fix the template or the base URL",
    ),
    Rule(
        "links.broken",
        "error",
        "every internal link leads to a file in the site",
        "fix the link, or restore the page it points to",
    ),
    Rule(
        "links.anchor",
        "error",
        "every #fragment exists on the page it points to",
        "add the id to the target element, or fix the link",
    ),
    Rule(
        "jsonld.parse",
        "error",
        "every JSON-LD block is valid JSON",
        "fix the template that writes the block; data must go through the jsonld filter",
    ),
    Rule(
        "jsonld.unknown-type",
        "error",
        "every @type exists in schema.org",
        "use a schema.org type (check the spelling)",
    ),
    Rule(
        "jsonld.unknown-property",
        "error",
        "every property exists in schema.org",
        "use a schema.org property (check the spelling)",
    ),
    Rule(
        "jsonld.not-allowed",
        "error",
        "every property is allowed on its node's type",
        "move the property to a type it belongs on, or drop it",
    ),
    Rule(
        "jsonld.range",
        "error",
        "property values have the expected kind",
        "give the value the type schema.org expects (a URL, a date, a node, …)",
    ),
    Rule(
        "jsonld.retired",
        "warning",
        "no retired or superseded schema.org terms",
        "use the term schema.org names as its replacement",
    ),
    Rule(
        "jsonld.structure",
        "error",
        "the @context is schema.org and every node has a @type",
        "emit one schema.org @graph per page",
    ),
    Rule(
        "jsonld.google-required",
        "error",
        "LocalBusiness/MedicalClinic nodes have Google's required name and address",
        "give the clinic a name and an address (city and state at least)",
    ),
    Rule(
        "jsonld.google-recommended",
        "warning",
        "LocalBusiness nodes have Google's recommended telephone, url and openingHours",
        "add the clinic's phone, website and hours to its record",
    ),
    Rule(
        "jsonld.nap-name",
        "error",
        "the clinic's JSON-LD name is the page's h1",
        "JSON-LD must describe what the page shows; rebuild, or fix the template",
    ),
    Rule(
        "jsonld.nap-phone",
        "error",
        "the JSON-LD telephone is a phone number the page shows",
        "show the clinic's own number on the page (a tracking number stays out of JSON-LD)",
    ),
    Rule(
        "jsonld.nap-address",
        "error",
        "the JSON-LD address is the address the page shows",
        "JSON-LD must describe what the page shows; rebuild, or fix the template",
    ),
    Rule(
        "jsonld.nap-hours",
        "error",
        "JSON-LD opening hours equal the page's hours table",
        "JSON-LD must describe what the page shows; rebuild, or fix the template",
    ),
    Rule(
        "sitemap.missing",
        "error",
        "sitemap.xml exists and parses",
        "rebuild the site; kdirectory writes sitemap.xml",
    ),
    Rule(
        "sitemap.unlisted",
        "error",
        "the sitemap lists every indexable page",
        "rebuild the site, or mark the page noindex if it should not be found",
    ),
    Rule(
        "sitemap.noindex",
        "error",
        "the sitemap lists no noindex page",
        "drop the page from the sitemap, or let it be indexed",
    ),
    Rule(
        "sitemap.unknown",
        "error",
        "every sitemap URL is a page of the site",
        "rebuild the site; the sitemap names a page that does not exist",
    ),
    Rule("robots.missing", "error", "robots.txt exists", "rebuild the site"),
    Rule(
        "robots.sitemap",
        "error",
        "robots.txt names the sitemap with an absolute URL",
        "add 'Sitemap: <base_url>/sitemap.xml' to robots.txt",
    ),
    Rule(
        "robots.blocked",
        "error",
        "robots.txt does not block the whole site",
        "remove 'Disallow: /' for User-agent: *",
    ),
    Rule(
        "content.near-duplicate",
        "error",
        "no two indexable pages are near-duplicates once their names are set aside (doorway "
        "pages; shingle Jaccard at the build's uniqueness threshold)",
        "add facts only this page has, merge the pages, or let the build mark it noindex",
    ),
    # The claims lint over page text: one rule per kind of overclaim, with the severity
    # validate gives the same claim in a record.
    *(
        Rule(claim.code, claim.severity, f"no overclaim in page text: {claim.why}", CLAIM_FIX)
        for claim in CLAIM_RULES
    ),
)
RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}


@dataclass(frozen=True)
class Finding:
    """One problem on one page (``page`` is the file, relative to the site folder; ``where``
    says where on it: a tag, a link, a JSON-LD path)."""

    page: str
    rule: str
    severity: Severity
    message: str
    fix: str
    line: int | None = None
    where: str = ""

    def format(self) -> str:
        """``ca/escondido/index.html:12: error html.h1: message (fix: …)``"""
        at = f"{self.page}:{self.line}" if self.line else self.page
        where = f" [{self.where}]" if self.where else ""
        return f"{at}: {self.severity} {self.rule}{where}: {self.message} (fix: {self.fix})"


def finding(
    page: str,
    rule_id: str,
    message: str,
    *,
    line: int | None = None,
    where: str = "",
    severity: Severity | None = None,
) -> Finding:
    """A finding of rule ``rule_id``, with the rule's severity and fix."""
    rule = RULES[rule_id]
    return Finding(page, rule_id, severity or rule.severity, message, rule.fix, line, where)


@dataclass
class SiteReport:
    """Every finding of one ``check`` run over a built site."""

    site: str
    pages: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def ok(self, *, strict: bool = False) -> bool:
        """True when nothing must be fixed (with ``strict``, no warnings either)."""
        return not (self.findings if strict else self.errors)

    def sorted_findings(self) -> list[Finding]:
        return sorted(
            self.findings, key=lambda f: (f.page, f.line or 0, f.rule, f.where, f.message)
        )

    def counts_by_rule(self) -> Counter[str]:
        return Counter(f.rule for f in self.findings)

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        return (
            f"checked {self.pages:,} page{'' if self.pages == 1 else 's'}: "
            f"{errors:,} error{'' if errors == 1 else 's'}, "
            f"{warnings:,} warning{'' if warnings == 1 else 's'}"
        )

    def to_json(self) -> str:
        """The documented JSON shape (README, "kdirectory check"); keys never change meaning
        within a ``version``."""
        data = {
            "version": JSON_FORMAT_VERSION,
            "site": self.site,
            "pages": self.pages,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [asdict(f) for f in self.sorted_findings()],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

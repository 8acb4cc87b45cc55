"""``kdirectory check``: the quality gate over a built site.

``check_site(path)`` reads every page once and returns a :class:`SiteReport` of
:class:`Finding` objects, each with the page, a stable rule id (see :data:`RULES`), a
severity, a message and how to fix it.
"""

from kdirectory.check.findings import JSON_FORMAT_VERSION, RULES, Finding, Rule, SiteReport
from kdirectory.check.run import NEAR_DUPLICATE, check_site

__all__ = [
    "JSON_FORMAT_VERSION",
    "NEAR_DUPLICATE",
    "RULES",
    "Finding",
    "Rule",
    "SiteReport",
    "check_site",
]

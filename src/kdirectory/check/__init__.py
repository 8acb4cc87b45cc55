"""``kdirectory check``: the quality gate over a built site.

``check_site(path)`` reads every page once and returns a :class:`~kdirectory.report.Report`
of problems, each naming the page, a rule of :data:`kdirectory.catalogue.RULES` (its
severity and fix), and what is wrong.
"""

from kdirectory.check.run import NEAR_DUPLICATE, check_site

__all__ = ["NEAR_DUPLICATE", "check_site"]

"""What a built site's folder holds besides its pages: the files of publishing itself, which
the build writes and ``kdirectory check`` reads (or leaves alone)."""

from __future__ import annotations

MANIFEST = ".kdirectory-manifest.json"
"""Every file of the site with its hash, and the settings the site was built with."""
LOCK = ".kdirectory-lock"
"""Held by the build that is writing the folder."""
STAGING = ".kdirectory-staging"
"""Where the next site is assembled and checked before it is published."""
JOURNAL = ".kdirectory-commit.json"
"""Inside the staging folder: the files a commit moves in and removes."""
INTERNAL = frozenset({MANIFEST, LOCK, STAGING})
"""Entries of the output folder that belong to publishing itself, never to the site."""

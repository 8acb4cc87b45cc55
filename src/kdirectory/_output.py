"""What a built site's folder holds besides its pages: the files of publishing itself, which
the build writes and ``kdirectory check`` reads (or leaves alone)."""

from __future__ import annotations

MANIFEST = ".kdirectory-manifest.json"
"""Every file of the site with its hash, the settings the site was built with, what each
page is (so the next build can tell where a page went) and the redirects kept so far."""
LOCK = ".kdirectory-lock"
"""Held by the build that is writing the folder."""
STAGING = ".kdirectory-staging"
"""Where the next site is assembled and checked before it is published."""
JOURNAL = ".kdirectory-commit.json"
"""Inside the staging folder: the files a commit moves in and removes."""
REDIRECTS = "_redirects"
"""The site's redirects, one ``/old/path/ /new/path/ 301`` a line, for the hosts that read
such a file (Netlify, Cloudflare Pages); written only when there is a redirect."""
REMOVING = ".kdirectory-removing"
"""A staging folder whose commit is done, while it is removed (what is left in it: the
folders its files were moved out of)."""
INTERNAL = frozenset({MANIFEST, LOCK, STAGING, REMOVING})
"""Entries of the output folder that belong to publishing itself, never to the site."""

"""The floor of ``kdirectory check``: read every HTML page of a built site and parse it with
``lxml.html``, in one process, nothing else.

Prints one JSON line: the pages parsed and their bytes.

    python benchmarks/floor_lxml.py SITE

Imports only the standard library and lxml, as a floor should.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import lxml.html

SKIPPED = ".kdirectory-staging"
"""A build's staging folder, which ``kdirectory check`` does not read either."""


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: floor_lxml.py SITE")
    site = Path(sys.argv[1])
    parser = lxml.html.HTMLParser(encoding="utf-8")
    pages = size = 0
    for path in sorted(site.rglob("*.html")):
        if path.relative_to(site).parts[0] == SKIPPED:
            continue
        data = path.read_bytes()
        lxml.html.document_fromstring(data, parser=parser)
        pages += 1
        size += len(data)
    sys.stdout.write(json.dumps({"pages": pages, "bytes": size}) + "\n")


if __name__ == "__main__":
    main()

"""The floor of a build: render a site's pages with bare Jinja2 and write them, nothing else.

Reads a dump made by ``_pages.dump_site`` from a site kdirectory built (JSON Lines: a first
line with the page templates, then one line per file of the site) and writes every file
into OUT: each HTML page rendered from its template with its own values, every other file
(sitemaps, the finder's data, scripts) written as it is. The output is the same files with
the same bytes as the built site; what the floor leaves out is everything a build does
before templating (reading and validating records, working out the facts, planning pages,
the uniqueness gate) and after it (the check, publishing).

A page's template is its layout as built: the head's title, description, canonical and
social tags as values Jinja escapes, the shared stylesheet and footer as template text,
and the already-rendered JSON-LD, breadcrumbs and ``<main>`` as values inserted whole.

Prints one JSON line: files and HTML pages written, and their bytes.

    python benchmarks/floor_jinja.py DUMP.jsonl OUT

Imports only the standard library and Jinja2, as a floor should.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

from jinja2 import DictLoader, Environment


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: floor_jinja.py DUMP.jsonl OUT")
    dump, out = Path(sys.argv[1]), Path(sys.argv[2])
    pages = files = html_bytes = total_bytes = 0
    folders: set[Path] = set()
    with dump.open(encoding="utf-8") as lines:
        head = json.loads(lines.readline())
        env = Environment(
            loader=DictLoader(head["templates"]),
            autoescape=True,
            keep_trailing_newline=True,
        )
        templates = {name: env.get_template(name) for name in head["templates"]}
        for line in lines:
            item = json.loads(line)
            path = out / item["p"]
            folder = path.parent
            if folder not in folders:
                folder.mkdir(parents=True, exist_ok=True)
                folders.add(folder)
            if "t" in item:
                data = templates[item["t"]].render(v=item["v"]).encode("utf-8")
                pages += 1
                html_bytes += len(data)
            elif "text" in item:
                data = item["text"].encode("utf-8")
            else:
                data = base64.b64decode(item["b64"])
            path.write_bytes(data)
            files += 1
            total_bytes += len(data)
    result = {"files": files, "pages": pages, "html_bytes": html_bytes, "bytes": total_bytes}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

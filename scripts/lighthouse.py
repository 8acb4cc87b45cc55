"""Measure the example brand site's pages with Lighthouse (mobile) and print their scores.

Builds examples/harbor-ketamine-care into a temporary folder, serves it with a real
``http.server`` on 127.0.0.1 (a port chosen by the OS, in a thread), and runs Lighthouse, the
npm package pinned in package.json (``npm ci --ignore-scripts`` installs it), once per page::

    npx --no lighthouse <url> --chrome-flags="--headless=new --no-sandbox" --output=json
        --only-categories=performance,accessibility,best-practices,seo --form-factor=mobile --quiet

with ``CHROME_PATH`` set to ``/usr/bin/chromium`` unless it is already set. The site is built
with ``--base-url http://127.0.0.1:<port>`` so that canonical links and og:url point at the
served host rather than the example's https://harborketamine.example (Lighthouse 12.8.2's
``canonical`` audit passes either way, but a canonical to another host is what a crawler
would follow). It is built for the date the golden brand tree is made for (SOURCE_DATE_EPOCH,
unless already set), so the pages measured are the golden ones but for that base URL.

The server is ``http.server``: no compression and no cache headers, so the performance audits
``uses-text-compression``, ``uses-long-cache-ttl``, ``cache-insight`` and
``document-latency-insight`` fail here whatever the theme does; they are about the web server
that hosts the site, not the pages.

Prints a table of the four category scores per page, then each page's failing audits (score
below 0.9, Lighthouse's own pass mark) with their ids and titles. Exit status 1 when
accessibility, best practices or SEO is below 100 on any page; performance is only printed
(the target is 95 or more on mobile), since it depends on the machine's load. Run it with
``nox -s lighthouse`` or ``python scripts/lighthouse.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "harbor-ketamine-care"
PAGES = (
    ("home", "/"),
    ("city (location)", "/ca/escondido/"),
    ("city (service area)", "/ca/vista/"),
    ("location", "/clinics/harbor-ketamine-care-san-diego/"),
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DETERMINISTIC = ("accessibility", "best-practices", "seo")
PERFORMANCE_TARGET = 95
PASS_MARK = 0.9  # Lighthouse shows an audit scoring below this as failed
GOLDEN_EPOCH = "1795996800"  # 2026-11-30, the date tests/golden/brand is made for
LIGHTHOUSE_TIMEOUT = 300  # seconds per page
CHROME_FLAGS = "--headless=new --no-sandbox"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def build(project: Path, out: Path, base_url: str) -> None:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", GOLDEN_EPOCH)
    command = [sys.executable, "-m", "kdirectory", "build", str(project), "--out", str(out)]
    subprocess.run(  # noqa: S603 -- this interpreter, fixed arguments
        [*command, "--base-url", base_url],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def lighthouse(url: str) -> dict[str, Any]:
    npx = shutil.which("npx")
    if npx is None:
        sys.exit("npx not found: install Node.js and run `npm ci --ignore-scripts`")
    env = dict(os.environ)
    env.setdefault("CHROME_PATH", "/usr/bin/chromium")
    command = [
        npx,
        "--no",  # never download: use the lighthouse pinned in package-lock.json
        "lighthouse",
        url,
        f"--chrome-flags={CHROME_FLAGS}",
        "--output=json",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        "--quiet",
    ]
    done = subprocess.run(  # noqa: S603 -- npx from PATH, fixed arguments
        command,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=LIGHTHOUSE_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(
            f"lighthouse failed for {url} (exit {done.returncode}):\n{done.stderr[-4000:]}\n"
            "Is it installed? Run `npm ci --ignore-scripts` in the repository root."
        )
    report: dict[str, Any] = json.loads(done.stdout)
    if report.get("runtimeError"):
        sys.exit(f"lighthouse could not load {url}: {report['runtimeError']}")
    return report


def say(text: str = "") -> None:
    print(text)  # noqa: T201 -- a script's report


def category_scores(report: dict[str, Any]) -> dict[str, int | None]:
    scores: dict[str, int | None] = {}
    for name in CATEGORIES:
        score = report["categories"][name]["score"]
        scores[name] = None if score is None else round(score * 100)
    return scores


def failing_audits(report: dict[str, Any]) -> list[tuple[str, str, str, float]]:
    """(category, audit id, title, score) of each scored audit of a category below the pass
    mark; informative, manual and not-applicable audits have no score."""
    failing = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            score = audit.get("score")
            if score is None or audit.get("scoreDisplayMode") in ("informative", "manual"):
                continue
            if score < PASS_MARK:
                failing.append((name, ref["id"], audit["title"], score))
    return failing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--project",
        type=Path,
        default=EXAMPLE,
        help="brand project to build (default: %(default)s)",
    )
    parser.add_argument(
        "--reports",
        type=Path,
        help="also write each page's Lighthouse JSON report into this folder",
    )
    parser.add_argument("pages", nargs="*", help="paths to measure instead of the default four")
    args = parser.parse_args()
    pages = [(path, path) for path in args.pages] or list(PAGES)

    with tempfile.TemporaryDirectory(prefix="kdirectory-lighthouse-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(args.project, project, ignore=shutil.ignore_patterns("site"))
        site = Path(tmp) / "site"
        handler = functools.partial(QuietHandler, directory=str(site))
        with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
            base_url = f"http://127.0.0.1:{server.server_address[1]}"
            build(project, site, base_url)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                results = []
                for label, path in pages:
                    sys.stderr.write(f"measuring {base_url}{path} ...\n")
                    report = lighthouse(base_url + path)
                    if args.reports:
                        args.reports.mkdir(parents=True, exist_ok=True)
                        name = path.strip("/").replace("/", "_") or "home"
                        (args.reports / f"{name}.json").write_text(json.dumps(report, indent=1))
                    results.append((label, path, report))
            finally:
                server.shutdown()
                thread.join()

    say(f"Lighthouse {results[0][2]['lighthouseVersion']}, mobile, {base_url}")
    widths = [max(len(label) + len(path) + 1 for label, path, _ in results)] + [
        len(name) for name in CATEGORIES
    ]
    header = ["page", *CATEGORIES]
    say("  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)))
    say("  ".join("-" * width for width in widths))
    failed = False
    for label, path, report in results:
        scores = category_scores(report)
        cells = [f"{path} {label}"] + ["n/a" if s is None else str(s) for s in scores.values()]
        say("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)))
        failed |= any(scores[name] != 100 for name in DETERMINISTIC)
    for _label, path, report in results:
        failing = failing_audits(report)
        say(f"\n{path}: {len(failing) or 'no'} failing audit{'' if len(failing) == 1 else 's'}")
        for category, audit_id, title, score in failing:
            say(f"  [{category}] {audit_id} ({score:.2f}): {title}")
    perf = [category_scores(report)["performance"] for _l, _p, report in results]
    if any(score is not None and score < PERFORMANCE_TARGET for score in perf):
        say(f"\nperformance below the target of {PERFORMANCE_TARGET} (not an error: it varies)")
    if failed:
        say("\nFAILED: accessibility, best practices and SEO must score 100 on every page")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

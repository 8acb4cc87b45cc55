"""Measure a directory's and a brand site's main pages with Lighthouse (mobile).

Two sites are built into a temporary folder, each for the date the golden trees are made
for (``SOURCE_DATE_EPOCH``, unless already set):

- a generated directory of 200 clinics (``kdirectory.testing.synthetic``, seed 0), so that
  its pages are as long as a real directory's: its home page and its largest city, clinic
  and condition pages (the most clinics and the longest lists: the hardest case of each);
- the brand example, examples/harbor-ketamine-care: its home page, a city with a location
  (``/ca/escondido/``), a city its locations serve (``/ca/vista/``) and a location's page.

Each site is served on 127.0.0.1 (a port the system picks, in a thread) and built with
``--base-url http://127.0.0.1:<port>``, so that canonical links and og:url point at the
served host. The server answers as a static host does rather than as ``python -m
http.server``: it compresses text (HTML, CSS, JavaScript, JSON, XML, SVG) with gzip when the
browser accepts it (``Content-Encoding: gzip``, ``Vary: Accept-Encoding``), as Netlify,
Cloudflare Pages and GitHub Pages do (some with brotli, a little smaller still), and sends
the cache headers docs/deploying.md recommends (``public, max-age=3600`` for ``/assets/``
and the favicon, ``no-cache`` for pages and the rest). Without compression the text
compression audit, and the load times Lighthouse simulates from the bytes sent, would
measure the test server rather than the site. (The assets keep their names from one build
to the next, so an hour is all the cache they get: Lighthouse's cache audits, which want a
long lifetime, stay below their pass mark; they carry no weight in the performance score.)

Lighthouse is the npm package pinned in package.json (``npm ci --ignore-scripts`` installs
it into node_modules/), run in Chromium (``CHROME_PATH``, else ``/usr/bin/chromium``)::

    lighthouse <url> --chrome-flags="--headless=new --no-sandbox" --form-factor=mobile
        --only-categories=performance,accessibility,best-practices,seo --output=json
        --output=html --output-path=<reports>/<site>-<page>-<run> --quiet

Every page is measured once. A page below a threshold on that run is measured twice more
(all such pages once, then again: a moment of load on the machine does not fall on every
run of one page) and judged by the median of its three runs. It fails (exit status 1) when
a page's result is below 100 for accessibility, best practices or SEO, or below 95 for
performance. Lighthouse's mobile performance score simulates a slow phone and network from
what it observed, so a machine busy with other work can lower one run; the median of three
is what is compared then. ``--runs`` sets how many runs a page below a threshold gets.

Prints a table of the medians (with each run's performance), then the failing audits
(score below 0.9, Lighthouse's own pass mark) of each page's median run: the run whose
performance is the median. That run's reports, JSON and HTML (``<site>-<page>.report.json``
and ``.report.html``, about 2 MB a page), and summary.json, every run's scores and the
medians, are written to build/artifacts/lighthouse/ (``--reports``), emptied first.

Run it with ``nox -s lighthouse`` or ``python scripts/lighthouse.py`` (``--help`` for
options). A run takes about 15 seconds on a 2-core machine: 8 pages, about two minutes in
all when every page passes on its first run.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "harbor-ketamine-care"
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
REPORTS = REPO / "build" / "artifacts" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
RUNS = 3
PASS_MARK = 0.9  # Lighthouse shows an audit scoring below this as failed
GOLDEN_EPOCH = "1795996800"  # 2026-11-30, the date the golden trees are made for
LIGHTHOUSE_TIMEOUT = 300  # seconds per run
CHROME_FLAGS = "--headless=new --no-sandbox"
SYNTHETIC_CLINICS = 200
SYNTHETIC_SEED = 0

BRAND_PAGES = (
    ("home", "/"),
    ("city", "/ca/escondido/"),
    ("service area", "/ca/vista/"),
    ("location", "/clinics/harbor-ketamine-care-san-diego/"),
)
DIRECTORY_KINDS = ("city", "clinic", "condition")

COMPRESSED = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
BINARY = {".webp": "image/webp", ".jpg": "image/jpeg", ".png": "image/png"}
CACHED_FOR_AN_HOUR = ("/assets/", "/favicon.svg")


# --- the web server ------------------------------------------------------------------------


class StaticHost(http.server.BaseHTTPRequestHandler):
    """Serves ``folder`` as the hosts of docs/deploying.md do: ``/dir/`` is
    ``dir/index.html``, ``/dir`` redirects to ``/dir/``, a missing file is ``404.html``
    with status 404; text is gzipped for a browser that accepts it; cache headers as that
    page recommends."""

    folder: ClassVar[Path]
    compressed: ClassVar[dict[Path, bytes]]
    lock: ClassVar[threading.Lock]
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        root = self.folder.resolve()
        target = (root / path.lstrip("/")).resolve()
        if not target.is_relative_to(root):
            target = root / "missing"
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        status = 200
        if not target.is_file():
            status, target, path = 404, root / "404.html", "/404.html"
        self.send_file(status, target, path)

    def send_file(self, status: int, target: Path, path: str) -> None:
        suffix = target.suffix
        content = target.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", COMPRESSED.get(suffix) or BINARY.get(suffix, "text/plain"))
        if suffix in COMPRESSED:
            self.send_header("Vary", "Accept-Encoding")
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                content = self.gzipped(target, content)
                self.send_header("Content-Encoding", "gzip")
        cache = "public, max-age=3600" if path.startswith(CACHED_FOR_AN_HOUR) else "no-cache"
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def gzipped(self, target: Path, content: bytes) -> bytes:
        with self.lock:
            if target not in self.compressed:
                self.compressed[target] = gzip.compress(content, compresslevel=6, mtime=0)
            return self.compressed[target]

    def log_message(self, format: str, *args: Any) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # Chrome hung up: fine
            super().handle_error(request, client_address)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` (to be built after) on 127.0.0.1; yields ``http://127.0.0.1:PORT``."""
    attributes = {"folder": folder, "compressed": {}, "lock": threading.Lock()}
    handler = type("Handler", (StaticHost,), attributes)
    with QuietServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join()


# --- the sites -----------------------------------------------------------------------------


@dataclass
class Page:
    site: str
    label: str
    path: str
    reports: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)  # each run's reports, without suffix

    @property
    def name(self) -> str:
        return f"{self.site}-{self.label.replace(' ', '-')}"

    def scores(self, report: dict[str, Any]) -> dict[str, int | None]:
        return {
            name: None if (s := report["categories"][name]["score"]) is None else round(s * 100)
            for name in CATEGORIES
        }

    def median(self, category: str) -> float | None:
        values = [self.scores(r)[category] for r in self.reports]
        known = [v for v in values if v is not None]
        return statistics.median(known) if len(known) == len(values) and known else None

    def median_run(self) -> int:
        """The index of the run whose performance is the median (the first of equals): its
        audits are printed and its reports kept."""
        ranked = sorted(
            range(len(self.reports)),
            key=lambda i: self.scores(self.reports[i])["performance"] or 0,
        )
        return ranked[(len(ranked) - 1) // 2]


def build(project: Path, out: Path, base_url: str) -> None:
    from kdirectory import build_site, load_directory  # noqa: PLC0415 -- after the path check

    os.environ.setdefault("SOURCE_DATE_EPOCH", GOLDEN_EPOCH)
    build_site(load_directory(project), out, base_url=base_url)


def largest(folder: Path, kind: str) -> str:
    """The path of the largest page of a kind (``city``, ``clinic``, ``condition``)."""

    def kind_of(page: Path) -> str | None:
        parts = page.parent.relative_to(folder).parts
        top = {"clinics": "clinic", "conditions": "condition", "guide": "guide"}
        if parts and parts[0] in top:
            return top[parts[0]]
        return "city" if len(parts) == 2 and len(parts[0]) == 2 else None

    pages = [p for p in folder.rglob("index.html") if kind_of(p) == kind]
    if not pages:
        sys.exit(f"{folder}: the build made no {kind} page")
    page = max(pages, key=lambda p: (p.stat().st_size, p.as_posix()))
    return f"/{page.parent.relative_to(folder).as_posix()}/"


def directory_pages(folder: Path) -> list[Page]:
    return [Page("directory", "home", "/")] + [
        Page("directory", kind, largest(folder, kind)) for kind in DIRECTORY_KINDS
    ]


def brand_pages(folder: Path) -> list[Page]:
    return [Page("brand", label, path) for label, path in BRAND_PAGES]


def make_directory(tmp: Path, clinics: int) -> Path:
    from kdirectory.testing.synthetic import generate_project  # noqa: PLC0415

    project = tmp / "directory-project"
    generate_project(project, clinics, seed=SYNTHETIC_SEED)
    return project


def copy_brand(tmp: Path) -> Path:
    project = tmp / "brand-project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site", ".kdirectory"))
    return project


# --- Lighthouse ----------------------------------------------------------------------------


def lighthouse(url: str, output: Path) -> dict[str, Any]:
    """Run Lighthouse once on ``url``; its reports are ``output``.report.json and .html."""
    env = dict(os.environ)
    env.setdefault("CHROME_PATH", CHROMIUM)
    command = [
        str(LIGHTHOUSE),
        url,
        f"--chrome-flags={CHROME_FLAGS}",
        "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        "--output=html",
        f"--output-path={output}",
        "--quiet",
    ]
    done = subprocess.run(  # noqa: S603 -- the pinned lighthouse, fixed arguments
        command,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=LIGHTHOUSE_TIMEOUT,
        check=False,
    )
    json_report = output.with_name(output.name + ".report.json")
    if done.returncode != 0 or not json_report.is_file():
        sys.exit(f"lighthouse failed for {url} (exit {done.returncode}):\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(json_report.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        sys.exit(f"lighthouse could not load {url}: {report['runtimeError']}")
    return report


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


# --- the report ----------------------------------------------------------------------------


def say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201 -- a script's report


def shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def print_table(pages: list[Page]) -> None:
    header = ["page", *CATEGORIES, "performance runs"]
    rows = [
        [
            f"{page.name} {page.path}",
            *(shown(page.median(name)) for name in CATEGORIES),
            " ".join(shown(page.scores(r)["performance"]) for r in page.reports),
        ]
        for page in pages
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        say("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def below_thresholds(pages: list[Page]) -> list[str]:
    return [
        f"{page.name} {page.path}: {name} {shown(page.median(name))} < {minimum}"
        for page in pages
        for name, minimum in THRESHOLDS.items()
        if (median := page.median(name)) is None or median < minimum
    ]


def summary(pages: list[Page], runs: int) -> dict[str, Any]:
    return {
        "lighthouse": pages[0].reports[0]["lighthouseVersion"],
        "form_factor": "mobile",
        "most_runs": runs,  # of a page below a threshold on its first run
        "thresholds": THRESHOLDS,
        "pages": [
            {
                "page": page.name,
                "path": page.path,
                "median": {name: page.median(name) for name in CATEGORIES},
                "runs": [page.scores(r) for r in page.reports],
                "median_run": page.median_run() + 1,
                "report": f"{page.name}.report.html",
            }
            for page in pages
        ],
    }


# --- main ----------------------------------------------------------------------------------


SITES: dict[str, tuple[Callable[[Path, int], Path], Callable[[Path], list[Page]]]] = {
    "directory": (make_directory, directory_pages),
    "brand": (lambda tmp, _clinics: copy_brand(tmp), brand_pages),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site",
        choices=list(SITES),
        action="append",
        help="measure only this site (repeatable; default: both)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=RUNS,
        help="runs of a page below a threshold on its first run (%(default)s)",
    )
    parser.add_argument(
        "--clinics",
        type=int,
        default=SYNTHETIC_CLINICS,
        help="clinics in the generated directory (%(default)s)",
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=REPORTS,
        help="folder for the reports, emptied first (%(default)s)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    if not LIGHTHOUSE.is_file():
        sys.exit(
            f"{LIGHTHOUSE} not found: run `npm ci --ignore-scripts` in the repository root "
            "(nox -s lighthouse does), which installs the Lighthouse pinned in package.json"
        )
    chromium = os.environ.get("CHROME_PATH") or CHROMIUM
    if not Path(chromium).is_file():
        sys.exit(f"no Chromium at {chromium}: install Debian's chromium or set CHROME_PATH")
    shutil.rmtree(args.reports, ignore_errors=True)
    args.reports.mkdir(parents=True)

    started = time.monotonic()
    pages: list[Page] = []
    with tempfile.TemporaryDirectory(prefix="kdirectory-lighthouse-") as tmp:
        for name in args.site or list(SITES):
            make_project, choose_pages = SITES[name]
            project = make_project(Path(tmp), args.clinics)
            site = Path(tmp) / f"{name}-site"
            with serve(site) as base_url:
                build(project, site, base_url)
                measured = choose_pages(site)
                again = measured
                for run in range(1, args.runs + 1):
                    for page in again:
                        sys.stderr.write(f"run {run}/{args.runs}: {base_url}{page.path}\n")
                        output = Path(tmp) / "reports" / f"{page.name}-{run}"
                        output.parent.mkdir(exist_ok=True)
                        page.reports.append(lighthouse(base_url + page.path, output))
                        page.outputs.append(output)
                    if run == 1:  # only a page below a threshold is measured again
                        again = [page for page in measured if below_thresholds([page])]
            pages += measured
        for page in pages:
            kept = page.outputs[page.median_run()]
            for suffix in (".report.json", ".report.html"):
                shutil.copyfile(
                    kept.with_name(kept.name + suffix), args.reports / (page.name + suffix)
                )

    elapsed = time.monotonic() - started
    say(
        f"Lighthouse {pages[0].reports[0]['lighthouseVersion']}, mobile: one run per page, "
        f"the median of {args.runs} for a page below a threshold on its first "
        f"({elapsed:.0f} s in all)"
    )
    print_table(pages)
    for page in pages:
        failing = failing_audits(page.reports[page.median_run()])
        count = len(failing) or "no"
        say(f"\n{page.name} {page.path}: {count} failing audit{'' if len(failing) == 1 else 's'}")
        for category, audit_id, title, score in failing:
            say(f"  [{category}] {audit_id} ({score:.2f}): {title}")
    (args.reports / "summary.json").write_text(
        json.dumps(summary(pages, args.runs), indent=1) + "\n", encoding="utf-8"
    )
    say(f"\nreports: {args.reports}")
    failures = below_thresholds(pages)
    if failures:
        say("\nFAILED: below the thresholds " + json.dumps(THRESHOLDS))
        for failure in failures:
            say(f"  {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Development sessions: `nox` runs tests, lint, typecheck, html, browser, slow, docs and
lighthouse, as CI does (.ci/run); the rest on demand (golden, bench)."""

from __future__ import annotations

import shutil

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = [
    "tests",
    "lint",
    "typecheck",
    "html",
    "browser",
    "slow",
    "docs",
    "lighthouse",  # last: its performance scores are best measured on an idle machine
]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the fast test suite, without tests marked slow, on every core (pytest-xdist; pass
    pytest arguments after --, ``-n 0`` for one process)."""
    session.install("-e", ".", "--group", "test")
    session.run("pytest", "-n", "auto", "-m", "not slow", *session.posargs)


@nox.session(python=PYTHON)
def html(session: nox.Session) -> None:
    """Validate every page of the demo and of a generated directory with the Nu Html Checker."""
    # --ignore-scripts: vnu-jar would otherwise try to download a Java runtime.
    session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", external=True)
    session.install("-e", ".", "--group", "test")
    session.run("pytest", "tests/html", *session.posargs)


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """Drive the demo, a generated directory and the brand example in Chromium (tests/browser):
    every kind of page loads with no console error, failed request or request to another
    host; keyboard access; screenshots into build/artifacts/screenshots/. Uses Chromium at
    $CHROME_PATH, else /usr/bin/chromium (Debian's chromium package): no browser download,
    so never `playwright install`."""
    session.install("-e", ".", "--group", "browser")
    session.run("pytest", "tests/browser", *session.posargs)


@nox.session(python=PYTHON)
def slow(session: nox.Session) -> None:
    """The tests marked slow (subprocesses, 100k rows, the real facility list), then whole
    sites built and checked at scale (tests/scale). One process each: their largest tests
    use every core themselves, so pytest-xdist saved nothing here."""
    session.install("-e", ".", "--group", "test")
    session.run("pytest", "-m", "slow", *session.posargs)
    session.run("pytest", "tests/scale", "-s", *session.posargs)


@nox.session(python=PYTHON)
def golden(session: nox.Session) -> None:
    """Rebuild tests/golden/demo from the demo project, and tests/golden/brand from
    examples/harbor-ketamine-care (made for 2026-11-30, before its holiday hours), after an
    intended change. Each is rebuilt from an empty folder: the golden trees hold first builds,
    with no history of earlier ones (no redirects)."""
    session.install("-e", ".")
    for tree in ("tests/golden/demo", "tests/golden/brand"):
        shutil.rmtree(tree, ignore_errors=True)
    session.run(
        "python",
        "-c",
        "from kdirectory import build_site, load_directory; "
        "print(build_site(load_directory('.'), 'tests/golden/demo').summary())",
    )
    session.run(
        "python",
        "-c",
        "from kdirectory import build_site, load_directory; "
        "print(build_site(load_directory('examples/harbor-ketamine-care'), "
        "'tests/golden/brand').summary())",
        env={"SOURCE_DATE_EPOCH": "1795996800"},  # the date tests/site/test_brand_site.py uses
    )


@nox.session(python=PYTHON)
def lighthouse(session: nox.Session) -> None:
    """Measure a generated directory's home, city, clinic and condition pages and the brand
    example's home, city, service-area and location pages with Lighthouse (mobile, one run
    each, the median of 3 for a page below a threshold on its first; Chromium at
    $CHROME_PATH, else /usr/bin/chromium), served with gzip and cache headers as a static
    host serves them. Prints the scores and the failing audits; fails when one is below 100
    for accessibility, best practices or SEO, or below 95 for performance. Reports go to
    build/artifacts/lighthouse/. Arguments after -- go to scripts/lighthouse.py (e.g.
    --site brand --runs 1)."""
    session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", external=True)
    session.install("-e", ".")
    session.run("python", "scripts/lighthouse.py", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Check style and common bugs with ruff."""
    session.install("--group", "lint")
    session.run("ruff", "check", "src", "tests", "benchmarks", "docs", "scripts", "noxfile.py")
    session.run(
        "ruff", "format", "--check", "src", "tests", "benchmarks", "docs", "scripts", "noxfile.py"
    )


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Type-check src/ with mypy --strict."""
    session.install("-e", ".", "--group", "typecheck")
    session.run("mypy", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation (mkdocs.yml, docs/) into build/docs; any warning fails."""
    session.install("-e", ".", "--group", "docs")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        "build/docs",
        # Material for MkDocs prints a notice about its end of life on every build.
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run the benchmarks; each prints its measured ratios."""
    session.install("-e", ".")
    for script in sorted(__import__("pathlib").Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)

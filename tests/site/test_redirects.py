"""Stable URLs across builds: a page whose path changes between two builds into one folder
leaves a redirect at its old path (a line of ``_redirects`` and a page there), kept build
after build, following its page, until pruned with ``kdirectory redirects --prune``.

The history itself (:func:`next_redirects`) is tested on tables and with hypothesis; the rest
builds real sites into one folder, one after another.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kdirectory._output import MANIFEST, REDIRECTS
from kdirectory.check import check_site
from kdirectory.cli import app
from kdirectory.exceptions import BuildError
from kdirectory.record.directory import Directory
from kdirectory.record.model import Address, Clinic
from kdirectory.site.build import BuildResult, build_site
from kdirectory.site.redirects import Identity, next_redirects, read_history
from tests.helpers import GOOD_RECORD, VISTA, ProjectFactory
from tests.site.pages import build

CONFIG = """\
[site]
name = "Test Ketamine Directory"
base_url = "https://agency.example/directory"
language = "en-US"
"""
BASE = "https://agency.example/directory"
PREFIX = "/directory"
HARBOR = GOOD_RECORD
CENTER = GOOD_RECORD.replace("name: Harbor Ketamine Clinic", "name: Harbor Ketamine Center")
OCEAN = VISTA.replace("name: Harbor Ketamine Clinic", "name: Oceanview Ketamine Clinic")
OLD = "/clinics/harbor-ketamine-clinic/"
NEW = "/clinics/harbor-ketamine-center/"
runner = CliRunner()

X: Identity = ("clinic", "record", "data/clinics/x.yaml")
Y: Identity = ("clinic", "record", "data/clinics/y.yaml")
ESCONDIDO: Identity = ("city", "CA", "escondido")
CALIFORNIA: Identity = ("state", "CA")


# --- the history, on tables -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "kept", "now", "expected"),
    [
        pytest.param({"/a/": X}, {}, {"/b/": X}, {"/a/": "/b/"}, id="moved"),
        pytest.param({"/a/": X}, {}, {"/a/": X}, {}, id="unchanged"),
        pytest.param(
            {"/b/": X}, {"/a/": "/b/"}, {"/c/": X}, {"/a/": "/c/", "/b/": "/c/"}, id="chain"
        ),
        pytest.param({"/b/": X}, {"/a/": "/b/"}, {"/a/": X}, {"/b/": "/a/"}, id="moved back"),
        pytest.param({"/b/": X}, {"/a/": "/b/"}, {"/b/": X}, {"/a/": "/b/"}, id="kept"),
        pytest.param({"/a/": X}, {}, {}, {}, id="removed"),
        pytest.param({"/b/": X}, {"/a/": "/b/"}, {"/z/": Y}, {}, id="removed after a move"),
        pytest.param(
            {"/b/": X}, {"/a/": "/b/"}, {"/b/": Y, "/c/": X}, {"/a/": "/c/"}, id="path taken"
        ),
        pytest.param({"/b/": X}, {"/a/": "/b/"}, {"/b/": Y}, {}, id="path taken, page gone"),
        pytest.param({"/a/": X}, {}, {"/b/": X, "/c/": X}, {}, id="ambiguous"),
        pytest.param({}, {"/a/": "/b/"}, {"/b/": Y}, {"/a/": "/b/"}, id="unrecorded target"),
        pytest.param({}, {"/a/": "/b/"}, {"/c/": Y}, {}, id="unrecorded target gone"),
        pytest.param(
            {"/ca/escondido/": ESCONDIDO, "/ca/": CALIFORNIA},
            {},
            {"/ca/": CALIFORNIA},
            {},
            id="city emptied",
        ),
    ],
)
def test_the_next_redirects(
    last: dict[str, Identity],
    kept: dict[str, str],
    now: dict[str, Identity],
    expected: dict[str, str],
) -> None:
    assert next_redirects(last, kept, now) == expected


PATHS = st.sampled_from([f"/p{n}/" for n in range(7)])
IDENTITIES = st.sampled_from([("clinic", "slug", f"c{n}") for n in range(4)])


@st.composite
def builds(draw: st.DrawFn) -> list[dict[str, Identity]]:
    """Three to six builds, each publishing a few paths with distinct identities."""
    found = []
    for _ in range(draw(st.integers(3, 6))):
        identities = draw(st.lists(IDENTITIES, unique=True))
        paths = draw(st.lists(PATHS, unique=True, min_size=len(identities)))
        found.append(dict(zip(paths, identities, strict=False)))
    return found


@given(builds(), st.dictionaries(PATHS, PATHS, max_size=4))
def test_the_history_never_dangles_loops_or_chains(
    history: list[dict[str, Identity]], start: dict[str, str]
) -> None:
    kept = {source: target for source, target in start.items() if source != target}
    last: dict[str, Identity] = {}
    for now in history:
        redirects = next_redirects(last, kept, now)
        assert set(redirects.values()) <= set(now), "a redirect to a path not published"
        assert not set(redirects) & set(now), "a redirect from a published path"
        assert set(redirects) <= set(last) | set(kept), "a redirect from nowhere"
        where = {identity: path for path, identity in now.items()}
        for path, identity in last.items():
            if path not in now and identity in where:
                assert redirects[path] == where[identity], "a moved page without its redirect"
        for source, target in redirects.items():
            followed = last.get(kept[source]) if source in kept and source not in last else None
            assert followed is None or now[target] == followed, "a redirect to another page"
        assert next_redirects(now, redirects, now) == redirects, "not stable"
        last, kept = now, redirects


@pytest.mark.parametrize(
    ("manifest", "pages", "redirects"),
    [
        pytest.param({"files": {}}, {}, {}, id="written before pages were recorded"),
        pytest.param(
            {"pages": {"/ok/": ["guide", "safety"], "/../x/": ["guide", "x"], "/a//": ["x"]}},
            {"/ok/": ("guide", "safety")},
            {},
            id="paths that are not page paths",
        ),
        pytest.param(
            {"pages": {"/a/": "guide", "/b/": [], "/c/": [1], "/d/": ["home"]}},
            {"/d/": ("home",)},
            {},
            id="identities that are not lists of text",
        ),
        pytest.param(
            {
                "redirects": {
                    "/a/": "/b/",
                    "/c/": "https://elsewhere.example/",
                    "/d/": "/d/",
                    "/e/": ["/f/"],
                    "/../g/": "/b/",
                    "/h/": "/b/ 302\n/x/",
                }
            },
            {},
            {"/a/": "/b/"},
            id="redirects that are not from a page path to another",
        ),
        pytest.param(
            {"pages": {"/conditions/post-traumatic-stress/": ["condition", "PTSD"]}},
            {"/conditions/post-traumatic-stress/": ("condition", "ptsd")},
            {},
            id="a condition by its old slug, now an alias",
        ),
        pytest.param({"pages": [], "redirects": "x"}, {}, {}, id="not mappings"),
    ],
)
def test_the_history_reads_only_well_formed_entries(
    manifest: dict[str, object], pages: dict[str, Identity], redirects: dict[str, str]
) -> None:
    history = read_history(manifest)
    assert (history.pages, history.redirects) == (pages, redirects)


# --- builds into one folder ------------------------------------------------------------------


def project(make_project: ProjectFactory, **records: str) -> Path:
    return make_project({f"{name}.yaml": text for name, text in records.items()}, CONFIG)


def rebuild(root: Path, out: Path, **records: str | None) -> BuildResult:
    """Change the records (None removes one) and build into ``out`` again."""
    for name, text in records.items():
        path = root / "data" / "clinics" / f"{name}.yaml"
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")
    return build(root, out)


def manifest(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    return data


def head_of(out: Path, path: str) -> dict[str, str]:
    """The redirect page at ``path``: its lang, title, canonical, refresh, robots and link."""
    text = (out / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
    patterns = {
        "lang": r'<html lang="([^"]*)"',
        "title": r"<title>([^<]*)</title>",
        "canonical": r'<link rel="canonical" href="([^"]*)">',
        "refresh": r'<meta http-equiv="refresh" content="([^"]*)">',
        "robots": r'<meta name="robots" content="([^"]*)">',
        "link": r'<a href="([^"]*)">',
        "text": r"<body>\s*(.*?)\s*</body>",
    }
    found = {key: re.search(pattern, text, re.DOTALL) for key, pattern in patterns.items()}
    assert all(found.values()), text
    return {key: match[1] for key, match in found.items() if match}


def assert_checked(out: Path, result: BuildResult) -> None:
    assert result.check is not None and result.check.errors == []
    report = check_site(out)
    assert report.errors == [], report.lines()


def listed(out: Path) -> str:
    """The sitemap, and the pages the finder's index links to (clinics by slug)."""
    index = json.loads((out / "finder" / "index.json").read_text(encoding="utf-8"))
    clinics = [index["u"]["clinic"].replace("{}", slug) for slug in index["c"][0] + index["a"][0]]
    return (out / "sitemap.xml").read_text(encoding="utf-8") + "\n".join(clinics + index["p"][2])


@pytest.fixture
def renamed(make_project: ProjectFactory) -> tuple[Path, Path, BuildResult]:
    """Harbor built, then built again as Harbor Ketamine Center: (root, out, result)."""
    root = project(make_project, harbor=HARBOR, ocean=OCEAN)
    out = root / "site"  # the project's [build] out
    first = build(root, out)
    assert first.redirects == {} and not (out / REDIRECTS).exists()
    return root, out, rebuild(root, out, harbor=CENTER)


def test_a_renamed_clinic_leaves_a_redirect_at_its_old_path(
    renamed: tuple[Path, Path, BuildResult],
) -> None:
    _, out, result = renamed
    assert result.redirects == {OLD: NEW}
    assert "1 redirect," in result.summary()
    lines = (out / REDIRECTS).read_text(encoding="utf-8")
    assert lines == f"{PREFIX}{OLD} {PREFIX}{NEW} 301\n"
    assert head_of(out, OLD) == {
        "lang": "en-US",
        "title": "This page has moved to Harbor Ketamine Center",
        "canonical": BASE + NEW,
        "refresh": f"0; url={PREFIX}{NEW}",
        "robots": "noindex",
        "link": PREFIX + NEW,
        "text": f'<p>This page has moved to <a href="{PREFIX}{NEW}">Harbor Ketamine Center</a>.</p>',
    }
    assert (out / NEW.lstrip("/") / "index.html").is_file()
    assert_checked(out, result)
    assert OLD not in listed(out) and NEW in listed(out)
    recorded = manifest(out)
    assert recorded["redirects"] == {OLD: NEW}
    pages = recorded["pages"]
    assert isinstance(pages, dict) and OLD not in pages
    assert pages[NEW] == ["clinic", "record", "data/clinics/harbor.yaml"]
    assert pages["/ca/escondido/"] == ["city", "CA", "escondido"]
    assert pages["/conditions/ptsd/"] == ["condition", "ptsd"]
    assert pages["/"] == ["home"] and pages["/ca/"] == ["state", "CA"]


def test_a_second_move_collapses_the_chain(renamed: tuple[Path, Path, BuildResult]) -> None:
    root, out, _ = renamed
    third = rebuild(root, out, harbor=CENTER + "slug: harbor-escondido\n")
    final = "/clinics/harbor-escondido/"
    assert third.redirects == {OLD: final, NEW: final}
    assert (out / REDIRECTS).read_text(encoding="utf-8") == (
        f"{PREFIX}{NEW} {PREFIX}{final} 301\n{PREFIX}{OLD} {PREFIX}{final} 301\n"
    )
    assert head_of(out, OLD)["canonical"] == head_of(out, NEW)["canonical"] == BASE + final
    assert_checked(out, third)
    unchanged = rebuild(root, out)
    assert unchanged.redirects == third.redirects and unchanged.written == 0


def test_a_path_published_again_drops_its_redirect(
    renamed: tuple[Path, Path, BuildResult],
) -> None:
    root, out, _ = renamed
    back = rebuild(root, out, harbor=HARBOR)
    assert back.redirects == {NEW: OLD}
    assert "<h1>Harbor Ketamine Clinic</h1>" in (out / OLD.lstrip("/") / "index.html").read_text(
        encoding="utf-8"
    )
    assert head_of(out, NEW)["canonical"] == BASE + OLD
    assert_checked(out, back)


def test_redirects_are_listed_and_pruned_from_the_command_line(
    renamed: tuple[Path, Path, BuildResult],
) -> None:
    root, out, _ = renamed
    shown = runner.invoke(app, ["redirects", str(root)])  # the project: its [build] out
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == f"{OLD} -> {NEW}\n1 redirect in {out}\n"
    as_json = json.loads(runner.invoke(app, ["redirects", str(out), "--format", "json"]).stdout)
    assert as_json["redirects"] == [{"from": OLD, "to": NEW}]

    unknown = runner.invoke(app, ["redirects", str(out), "--prune", OLD, "--prune", "/nope/"])
    assert unknown.exit_code == 1
    assert "no redirect from /nope/" in unknown.stderr and "nothing was pruned" in unknown.stderr
    assert manifest(out)["redirects"] == {OLD: NEW}
    both = runner.invoke(app, ["redirects", str(out), "--prune", OLD, "--prune-all"])
    assert both.exit_code == 2

    pruned = runner.invoke(app, ["redirects", str(out), "--prune", OLD.strip("/")])
    assert pruned.exit_code == 0, pruned.output
    assert pruned.stdout.splitlines()[0] == f"pruned {OLD} -> {NEW}"
    assert manifest(out)["redirects"] == {}
    assert runner.invoke(app, ["redirects", str(out)]).stdout == f"no redirects in {out}\n"

    after = build(root, out)
    assert after.redirects == {}
    assert not (out / OLD.lstrip("/")).exists() and not (out / REDIRECTS).exists()
    assert_checked(out, after)


def test_prune_all_and_a_folder_that_is_no_site(
    renamed: tuple[Path, Path, BuildResult], tmp_path: Path
) -> None:
    _, out, _ = renamed
    pruned = runner.invoke(app, ["redirects", str(out), "--prune-all"])
    assert pruned.exit_code == 0, pruned.output
    assert manifest(out)["redirects"] == {}
    nowhere = runner.invoke(app, ["redirects", str(tmp_path / "nowhere")])
    assert nowhere.exit_code == 2
    assert f"{tmp_path / 'nowhere'} has no {MANIFEST}" in nowhere.stderr


def test_a_removed_clinic_gets_no_redirect(make_project: ProjectFactory, tmp_path: Path) -> None:
    root = project(make_project, harbor=HARBOR, ocean=OCEAN)
    out = tmp_path / "site"
    build(root, out)
    assert (out / "clinics" / "oceanview-ketamine-clinic" / "index.html").is_file()
    result = rebuild(root, out, ocean=None)
    assert result.redirects == {}
    assert not (out / "clinics" / "oceanview-ketamine-clinic").exists()
    assert not (out / "ca" / "vista").exists()  # its city page went with it
    assert not (out / REDIRECTS).exists()
    assert_checked(out, result)


def test_a_clinic_that_moves_city_keeps_its_page_and_its_emptied_city_is_gone(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    """The city page no clinic is in any more gets no redirect: the state page is not the
    same content (it lists the state's clinics under another heading), so a 404 is the
    honest answer; the clinic's own page keeps its path."""
    root = project(make_project, harbor=HARBOR, ocean=OCEAN)
    out = tmp_path / "site"
    build(root, out)
    assert (out / "ca" / "escondido" / "index.html").is_file()
    moved = HARBOR.replace("city: Escondido", "city: Oceanside").replace('"92025"', '"92054"')
    result = rebuild(root, out, harbor=moved)
    assert result.redirects == {}
    assert not (out / "ca" / "escondido").exists() and not (out / REDIRECTS).exists()
    page = (out / OLD.lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert "Oceanside, CA" in page and 'http-equiv="refresh"' not in page
    assert_checked(out, result)


def test_the_history_travels_with_the_manifest(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    """A build into an empty folder holding only the last site's manifest (a CI job that
    restores it) knows the last site's pages."""
    root = project(make_project, harbor=HARBOR, ocean=OCEAN)
    build(root, tmp_path / "first")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(tmp_path / "first" / MANIFEST, fresh / MANIFEST)
    result = rebuild(root, fresh, harbor=CENTER)
    assert result.redirects == {OLD: NEW}
    assert_checked(fresh, result)


def test_a_clinic_made_in_python_is_known_by_its_slug(tmp_path: Path) -> None:
    """Without a record file a clinic's only identity is its slug: a new slug is a new page."""

    def clinic(name: str) -> Clinic:
        return Clinic(name=name, address=Address(city="Vista", region="CA"))

    out = tmp_path / "site"
    build_site(Directory.of([clinic("Harbor Ketamine Clinic")], root=tmp_path), out)
    pages = manifest(out)["pages"]
    assert isinstance(pages, dict)
    assert pages[OLD] == ["clinic", "slug", "harbor-ketamine-clinic"]
    result = build_site(Directory.of([clinic("Harbor Ketamine Center")], root=tmp_path), out)
    assert result.redirects == {}
    assert not (out / OLD.lstrip("/")).exists()


def test_a_hostile_manifest_writes_nothing_outside_the_site(
    renamed: tuple[Path, Path, BuildResult], tmp_path: Path
) -> None:
    root, out, _ = renamed
    data = manifest(out)
    data["redirects"] = {"/../../escaped/": NEW, "/a b/": NEW, "/x/": "/../../etc/"}
    data["pages"] = {"/../../outside/": ["clinic", "record", "data/clinics/harbor.yaml"]}
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    result = build(root, out)
    assert result.redirects == {}
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "outside").exists()
    assert_checked(out, result)


def test_a_redirects_file_of_the_users_own_is_never_overwritten(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    root = project(make_project, harbor=HARBOR, ocean=OCEAN)
    out = tmp_path / "site"
    build(root, out)
    (out / REDIRECTS).write_text("/old-blog/* /blog/:splat 301\n", encoding="utf-8")
    assert build(root, out).kept == [REDIRECTS]
    with pytest.raises(BuildError, match="kdirectory writes the site's redirects there"):
        rebuild(root, out, harbor=CENTER)
    assert (out / REDIRECTS).read_text(encoding="utf-8") == "/old-blog/* /blog/:splat 301\n"
    assert (out / OLD.lstrip("/") / "index.html").is_file()


# --- what check says about redirects -----------------------------------------------------------

STUB = (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    "<title>Moved</title>\n"
    '<link rel="canonical" href="{canonical}">\n'
    '<meta http-equiv="refresh" content="0; url={target}">\n'
    '</head>\n<body><p>Moved to <a href="{target}">here</a>.</p></body>\n</html>\n'
)


def write_stub(out: Path, path: str, target: str, canonical: str | None = None) -> None:
    page = out / path.lstrip("/") / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        STUB.format(target=target, canonical=canonical or BASE + target.removeprefix(PREFIX)),
        encoding="utf-8",
    )


def findings(out: Path) -> list[tuple[str, str, int | None]]:
    return sorted(
        (p.rule, p.file, p.line) for p in check_site(out).problems if p.severity == "error"
    )


def test_check_reads_a_redirect_page_only_as_a_redirect(
    renamed: tuple[Path, Path, BuildResult],
) -> None:
    """No title, description, h1 or viewport rule on a redirect page; its target, its
    canonical link and its line in _redirects are what is checked."""
    _, out, _ = renamed
    write_stub(out, "/clinics/one/", PREFIX + NEW)
    assert findings(out) == [("links.redirects-file", "clinics/one/index.html", None)]
    with (out / REDIRECTS).open("a", encoding="utf-8") as lines:
        lines.write(f"{PREFIX}/clinics/one/ {PREFIX}{NEW} 301\n")
    assert findings(out) == []


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        pytest.param(
            lambda out: write_stub(out, "/clinics/one/", PREFIX + "/clinics/nowhere/"),
            [("links.redirect-target", "clinics/one/index.html")],
            id="a target that is no page",
        ),
        pytest.param(
            lambda out: write_stub(out, "/clinics/one/", PREFIX + OLD),
            [("links.redirect-target", "clinics/one/index.html")],
            id="a target that redirects again",
        ),
        pytest.param(
            lambda out: write_stub(out, "/clinics/one/", PREFIX + NEW, canonical=BASE + "/"),
            [("links.redirect-target", "clinics/one/index.html")],
            id="a canonical link to another page",
        ),
    ],
)
def test_check_finds_a_redirect_page_that_leads_astray(
    renamed: tuple[Path, Path, BuildResult], seed: object, expected: list[tuple[str, str]]
) -> None:
    _, out, _ = renamed
    assert callable(seed)
    seed(out)
    with (out / REDIRECTS).open("a", encoding="utf-8") as lines:
        lines.write(f"{PREFIX}/clinics/one/ {PREFIX}{NEW} 301\n")
    found = [(rule, file) for rule, file, _ in findings(out) if rule != "links.redirects-file"]
    assert found == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"{PREFIX}/clinics/nothing-here/ {PREFIX}{NEW} 301", "there is no redirect page at"),
        (f"{PREFIX}{OLD} {PREFIX}/ca/ 301", "but its redirect page"),
        (f"{PREFIX}{OLD} {PREFIX}{NEW} 302", "is not a permanent redirect"),
        (f"{PREFIX}{OLD} {PREFIX}{NEW}", "is not a permanent redirect"),
    ],
)
def test_check_finds_redirects_lines_that_disagree_with_the_pages(
    renamed: tuple[Path, Path, BuildResult], line: str, message: str
) -> None:
    _, out, _ = renamed
    text = (out / REDIRECTS).read_text(encoding="utf-8")
    (out / REDIRECTS).write_text(f"# moved\n{line}\n{text}", encoding="utf-8")
    problems = [p for p in check_site(out).problems if p.rule == "links.redirects-file"]
    assert [(p.file, p.line) for p in problems] == [(REDIRECTS, 2)]
    assert message in problems[0].message


def test_check_skips_rules_it_cannot_compare_and_accepts_a_forced_line(
    renamed: tuple[Path, Path, BuildResult],
) -> None:
    _, out, _ = renamed
    (out / REDIRECTS).write_text(
        f"{PREFIX}{OLD} {PREFIX}{NEW} 301!\n/news/* /blog/:splat 301\n"
        "https://old.example/* https://agency.example/:splat 301!\n",
        encoding="utf-8",
    )
    assert findings(out) == []

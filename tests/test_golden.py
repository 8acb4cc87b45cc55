"""The demo site, built from this repository, equals the committed tree in tests/golden/demo.

After an intended change to templates or content, regenerate with `nox -s golden` and
review the diff like any other code change.
"""

from __future__ import annotations

from pathlib import Path

from kdirectory._output import LOCK
from kdirectory.record.validate import load_directory
from kdirectory.site.build import build_site
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "demo"


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != LOCK
    }


def test_demo_site_matches_the_golden_tree(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(load_directory(REPO), out)
    built, golden = tree(out), tree(GOLDEN)
    assert sorted(built) == sorted(golden), "pages added or removed: run `nox -s golden`"
    changed = [name for name in built if built[name] != golden[name]]
    assert not changed, f"pages differ from the golden tree: {changed[:10]} (run `nox -s golden`)"

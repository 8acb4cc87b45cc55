"""The demo site, built from this repository, equals the committed tree in tests/golden/demo.

After an intended change to templates or content, regenerate with `nox -s golden` and
review the diff like any other code change.
"""

from __future__ import annotations

from pathlib import Path

from kdirectory.record.validate import load_directory
from kdirectory.site.build import build_site
from tests.helpers import REPO, snapshot

GOLDEN = REPO / "tests" / "golden" / "demo"


def test_demo_site_matches_the_golden_tree(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(load_directory(REPO), out)
    built, golden = snapshot(out), snapshot(GOLDEN)
    assert sorted(built) == sorted(golden), "pages added or removed: run `nox -s golden`"
    changed = [name for name in built if built[name] != golden[name]]
    assert not changed, f"pages differ from the golden tree: {changed[:10]} (run `nox -s golden`)"

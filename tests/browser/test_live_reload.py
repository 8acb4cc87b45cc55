"""``kdirectory serve`` with a page open in Chromium: a saved record reloads the page with
its new text; a broken record shows the build's error over the page, naming the file; the
fix takes the error away and reloads the page. The command itself runs (a subprocess,
watching a project of its own); the test waits on the page's events (its load event, the
error box appearing), never on time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kdirectory.preview.inject import BANNER_ID, EVENTS_PATH, SCRIPT_ID
from tests.browser.browsing import PageWatch
from tests.browser.serving import LiveServe, serve_live
from tests.helpers import DEMO_CONFIG, GOOD_RECORD, ProjectFactory

RECORD = "data/clinics/harbor.yaml"
PAGE = "clinics/harbor-ketamine-clinic/"
DESCRIBED = GOOD_RECORD + 'description: "Quiet rooms, and a team that explains each step."\n'
FIXED = GOOD_RECORD + 'description: "Evening appointments on Mondays."\n'
BROKEN = GOOD_RECORD.replace('"(760) 555-0123"', '"760-555-01"')
REBUILT_MS = 120_000
"""How long a test waits for a rebuild before failing (a failure, never a pause)."""


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServe]:
    """``kdirectory serve`` over a one-clinic project; stopped (Ctrl-C) after the page's
    browser profile is closed, so no open page sees it go."""
    root = ProjectFactory(tmp_path)({"harbor.yaml": GOOD_RECORD}, DEMO_CONFIG)
    with serve_live(root) as served:
        yield served


def save(live: LiveServe, name: str, text: str) -> None:
    """Replace a file of the project whole, as an editor saving atomically does."""
    target = live.project / name
    staged = live.project.parent / f"saving-{target.name}"
    staged.write_text(text, encoding="utf-8")
    staged.replace(target)


def open_live(page: Page, live: LiveServe, watch: PageWatch) -> None:
    """Open the clinic's page and wait for its reload script to connect."""
    events = live.url.split("/", 3)[:3]
    stream = "/".join(events) + EVENTS_PATH
    watch.allow_stream(stream)
    with page.expect_request(stream):
        response = page.goto(live.url + PAGE)
    assert response is not None and response.status == 200
    assert page.locator(f"script#{SCRIPT_ID}").count() == 1


def test_a_saved_record_reloads_the_page_with_its_new_text(
    live: LiveServe, page: Page, watch: PageWatch
) -> None:
    open_live(page, live, watch)
    main = page.locator("main")
    expect(main).not_to_contain_text("Quiet rooms")
    with page.expect_event("load", timeout=REBUILT_MS):
        save(live, RECORD, DESCRIBED)
    expect(main).to_contain_text("Quiet rooms, and a team that explains each step.")


def test_a_broken_record_shows_its_error_and_the_fix_reloads_the_page(
    live: LiveServe, page: Page, watch: PageWatch
) -> None:
    open_live(page, live, watch)
    box = page.locator(f"#{BANNER_ID}")
    expect(box).to_have_count(0)
    save(live, RECORD, BROKEN)
    expect(box).to_be_visible(timeout=REBUILT_MS)
    expect(box).to_contain_text(f"{RECORD}:3: phone:")
    expect(box).to_contain_text("not a valid US phone number")
    expect(page.locator("main h1")).to_have_text("Harbor Ketamine Clinic")  # the last good site

    with page.expect_event("load", timeout=REBUILT_MS):
        save(live, RECORD, FIXED)
    expect(box).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Evening appointments on Mondays.")

"""Geocoding over real HTTP: geopy's Nominatim client against kdirectory.testing's fake
server on 127.0.0.1. Nothing is mocked. Nothing depends on how fast the machine is: the
client's own clock proves its spacing, stalls outlast every timeout by far, and the tests
wait for events (the server saw request N), never for a while."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from kdirectory.geocoding import geocode_directory, make_geocoder
from kdirectory.geocoding.providers import MIN_DELAY_SECONDS, SPACING_MARGIN_SECONDS, GeopyGeocoder
from kdirectory.geocoding.store import GEOCODES_FILE
from kdirectory.record.validate import load_directory
from kdirectory.testing import FakeNominatim
from tests.geocoding.nominatim import STREETS, nominatim_project, place, saved
from tests.helpers import ProjectFactory

# An answer the fake server holds back until it stops: longer than any client timeout here.
STALL = 3600.0
# A timeout for requests that must be answered: seconds, so a loaded machine never trips it.
ANSWER_TIMEOUT = "5"
# How long a test waits for an event that normally takes a second or two before it gives up.
WATCHDOG = 300.0


def geocoder_for(root: Path) -> GeopyGeocoder:
    """The provider the project's kdirectory.toml asks for, as geocode_directory makes it."""
    settings = load_directory(root).config.geocoder
    geocoder = make_geocoder(
        settings.provider, user_agent=settings.user_agent, options=settings.options
    )
    assert isinstance(geocoder, GeopyGeocoder)
    return geocoder


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in pairwise(times)]


def test_results_are_saved_spaced_and_never_asked_twice(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = nominatim_project(make_project, server, 3)
    geocoder = geocoder_for(root)
    assert geocoder.spacing == MIN_DELAY_SECONDS + SPACING_MARGIN_SECONDS
    result = geocode_directory(load_directory(root), geocoder)
    assert result.ok, result.failed
    assert server.request_count == 3 == result.requests == len(geocoder.request_times)
    # Spacing as the client timed it: the server's arrival gaps also hold network jitter.
    assert all(gap >= geocoder.spacing for gap in gaps(geocoder.request_times))
    assert {r.user_agent for r in server.requests} == {"kdirectory-tests/1.0"}
    entries = saved(root)
    assert len(entries) == 3
    assert {e["provider"] for e in entries.values()} == {"nominatim"}
    assert {e["precision"] for e in entries.values()} == {"rooftop"}

    again = geocode_directory(load_directory(root))
    assert again.counts["saved"] == 3
    (root / GEOCODES_FILE).unlink()
    from_cache = geocode_directory(load_directory(root))
    assert from_cache.counts["cached"] == 3
    assert server.request_count == 3  # neither run asked the server anything


def test_server_errors_are_retried_then_reported_and_the_batch_goes_on(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = nominatim_project(make_project, server, 2, attempts="2")
    server.fail_next(1, status=500)  # first record: one 500, then success
    result = geocode_directory(load_directory(root))
    assert result.ok
    assert server.request_count == 3
    server.reset()
    (root / GEOCODES_FILE).unlink()
    root2 = nominatim_project(make_project, server, 2, attempts="2")
    server.fail_next(2, status=503)  # first record: every attempt fails
    result = geocode_directory(load_directory(root2))
    assert [o.status for o in result.outcomes] == ["failed", "geocoded"]
    assert "gave up after 2 attempts" in result.outcomes[0].message
    assert list(saved(root2)) == ["clinic-200"]


def test_timeouts_are_retried(make_project: ProjectFactory, server: FakeNominatim) -> None:
    root = nominatim_project(make_project, server, 1, timeout=ANSWER_TIMEOUT)
    server.delay_next(1, seconds=STALL)  # never answered: the client must time out
    result = geocode_directory(load_directory(root))
    assert result.ok
    assert result.counts["geocoded"] == 1
    assert server.request_count == 2


def test_a_429_backs_off_for_retry_after(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = nominatim_project(make_project, server, 1)
    geocoder = geocoder_for(root)
    server.rate_limit_next(1, retry_after=2)
    result = geocode_directory(load_directory(root), geocoder)
    assert result.ok
    assert server.request_count == 2 == len(geocoder.request_times)
    assert gaps(geocoder.request_times)[0] >= 2.0  # Retry-After, longer than the 1 s backoff


def test_far_result_is_a_warning_naming_both_points(make_project: ProjectFactory) -> None:
    with FakeNominatim([place(STREETS[0], 34.05, -118.24)]) as far_server:
        root = nominatim_project(make_project, far_server, 1)
        result = geocode_directory(load_directory(root))
    assert result.ok
    (warning,) = result.warnings
    assert warning.rule == "geocode.far_from_zip"
    assert "34.05000,-118.24000" in warning.message
    assert "ZIP 92025" in warning.message


def test_sigint_mid_batch_keeps_finished_results(
    make_project: ProjectFactory, server: FakeNominatim
) -> None:
    root = nominatim_project(make_project, server, 5, timeout="600")
    server.delay_next(2, seconds=0)  # the first two are answered at once...
    server.delay_next(1, seconds=STALL)  # ...the third is held: Ctrl-C comes while it waits
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # As an interactive terminal would deliver Ctrl-C, even when the tests were started by a
    # shell in the background (which makes children ignore SIGINT).
    main = (
        "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "runpy.run_module('kdirectory', run_name='__main__', alter_sys=True)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", main, "geocode", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + WATCHDOG
        # The server saw the third request, so the child saved the first two answers first.
        while not server.wait_for_requests(3, timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()
                pytest.fail(f"kdirectory geocode never sent its third request: {output}")
        assert list(saved(root)) == ["clinic-100", "clinic-200"]
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=WATCHDOG)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr
    assert list(saved(root)) == ["clinic-100", "clinic-200"]  # valid JSON, what finished
    assert server.request_count == 3

    result = geocode_directory(load_directory(root))
    assert result.ok
    assert result.counts == {"saved": 2, "geocoded": 3}
    assert len(saved(root)) == 5
    assert server.request_count == 3 + 3
